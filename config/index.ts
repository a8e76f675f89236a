/**
 * The only reader of the stack config, and its front door. `loadConfig()` turns the raw stack
 * config into one typed, validated and resolved object, or throws one ConfigError that lists every
 * problem, before any resource exists. Components never read config: index.ts hands them the
 * resolved values.
 */
import * as pulumi from "@pulumi/pulumi";
import { catalogConfigKeys, secretCatalog } from "../secrets/secret-catalog.resolve";
import { ConfigError } from "../validation/problem";
import { readEngineConfig } from "./engine";
import { PlatformConfig, resolveConfig } from "./resolve";
import { ReleaseRecord, readReleaseContext, releaseRecord } from "./release";
import { validateConfig } from "./validate";

export { ConfigError } from "../validation/problem";
export type { PlatformConfig } from "./resolve";
export { validateConfig } from "./validate";
export type { ReleaseRecord } from "./release";

/**
 * Reads, validates and resolves this stack's config, with the record of this release (the stack
 * output `release`); throws a ConfigError listing every problem.
 */
export function loadConfig(): PlatformConfig & { readonly release: ReleaseRecord } {
    const raw = readEngineConfig();
    const result = validateConfig(raw);
    if (!result.config) {
        throw new ConfigError(raw.stack, result.problems);
    }
    const config = new pulumi.Config();
    // The catalog's config keys, by name: entries a stack declares read keys no fixed list knows.
    const secretValues = Object.fromEntries(catalogConfigKeys(secretCatalog(result.config.secrets)).flatMap((key) => {
        const value = config.getSecret(key);
        return value === undefined ? [] : [[key, value]];
    }));
    const resolved = resolveConfig(result.config, raw, secretValues);
    return { ...resolved, release: releaseRecord(raw, resolved.services, readReleaseContext()) };
}
