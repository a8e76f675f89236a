/**
 * The record the release tool writes in an update's message, computed by the program's own config
 * side from the config the update runs with: the same images and digest as the program's
 * `release` output (tests/release-record.test.ts holds them equal for the repository's stacks).
 */
import { rawConfigFrom } from "../config/engine";
import { configDigest, serviceImages } from "../config/release";
import { withImageRegistry } from "../config/resolve";
import { validateConfig } from "../config/validate";
import type { StackConfig, ToolRecord } from "./history";

/** The record of an update of `project`'s stack with `config`; no images when the config isn't this program's valid config. */
export function toolRecord(project: string, stackName: string, config: StackConfig, what: Pick<ToolRecord, "kind" | "commit" | "ranBy" | "restores" | "failed">): ToolRecord {
    const raw = rawConfigFrom(project, stackName, config);
    const validated = validateConfig(raw).config;
    return { ...what, images: validated ? serviceImages(withImageRegistry(validated).services) : {}, configDigest: configDigest(raw) };
}

