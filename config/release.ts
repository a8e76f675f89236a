/**
 * The release record (#25 item 1): what each update released, as the stack output `release`, so
 * the next run (and `pulumi stack output`, `npm run releases`) reads it without a cluster. What
 * the program knows it computes here, purely: each service's image and a digest of the stack
 * config. What only the one running the release knows (the program's commit, who ran it) the
 * release tool passes in the environment (`LLM_PLATFORM_RELEASE_COMMIT`, `LLM_PLATFORM_RELEASE_BY`);
 * a plain `pulumi up` falls back to `git rev-parse HEAD` and the CI or user it finds.
 */
import { createHash } from "crypto";
import { execFileSync } from "child_process";
import { imageReference } from "../lib/image";
import type { ServiceConfig } from "../application/service.schema";
import type { RawConfig } from "../validation/problem";

/** What one update released. */
export interface ReleaseRecord {
    /** The program's git commit; "+dirty" after it when the tree had uncommitted changes; "unknown" outside git. */
    readonly commit: string;
    /** Each service's image reference, as its pods run it. */
    readonly images: Readonly<Record<string, string>>;
    /** sha256 of the stack's own config keys and values, secrets by name only (configDigest). */
    readonly configDigest: string;
    /** When the program ran, ISO 8601 in UTC. */
    readonly time: string;
    /** Who ran it: the release tool's word, Pulumi Deployments, a CI system, or a user. */
    readonly ranBy: string;
}

/** The environment variables the release tool sets for the program. */
export const releaseEnv = { commit: "LLM_PLATFORM_RELEASE_COMMIT", ranBy: "LLM_PLATFORM_RELEASE_BY" } as const;

type Env = Readonly<Record<string, string | undefined>>;

/** JSON with every object's keys sorted: the same config is the same text, however it was written. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/**
 * The digest of a stack's config: sha256 of its keys and values, a secret as "[secret]" (its value
 * is never hashed: a digest of a short secret is a guess anyone can check), as "sha256:<hex>".
 */
export function configDigest(raw: Pick<RawConfig, "values" | "secretKeys">): string {
    const values = Object.fromEntries(Object.entries(raw.values).map(([key, value]) => [key, raw.secretKeys.has(key) ? "[secret]" : value]));
    return `sha256:${createHash("sha256").update(canonicalJson(values)).digest("hex")}`;
}

/** Each service's image reference, by service name. */
export function serviceImages(services: Readonly<Record<string, Pick<ServiceConfig, "image">>>): Record<string, string> {
    return Object.fromEntries(Object.entries(services).map(([name, service]) => [name, imageReference(service.image)]));
}

/** Who runs the program, from its environment: the release tool's word first, then Pulumi Deployments, CI, the user. */
export function ranByOf(env: Env): string {
    const given = env[releaseEnv.ranBy];
    if (given) return given;
    if (env.PULUMI_CI_SYSTEM === "Pulumi Deployments") return `Pulumi Deployments: deployment ${env.PULUMI_CI_BUILD_NUMBER ?? "unknown"}${env.PULUMI_CI_BUILD_URL ? ` (${env.PULUMI_CI_BUILD_URL})` : ""}`;
    if (env.GITHUB_ACTIONS === "true") return `CI: GitHub Actions, ${env.GITHUB_REPOSITORY ?? "unknown"} run ${env.GITHUB_RUN_ID ?? "unknown"}${env.GITHUB_ACTOR ? ` by ${env.GITHUB_ACTOR}` : ""}`;
    if (env.CI && env.CI !== "false") return `CI: ${env.CI_NAME ?? env.PULUMI_CI_SYSTEM ?? "unknown system"}`;
    return `user: ${env.USER ?? env.LOGNAME ?? env.USERNAME ?? "unknown"}`;
}

/** The program's commit: the release tool's word, else what git says of `dir` ("+dirty" with changes), else "unknown". */
export function commitOf(env: Env, git: () => { head: string; dirty: boolean } | undefined): string {
    const given = env[releaseEnv.commit];
    if (given) return given;
    const found = git();
    return found === undefined ? "unknown" : `${found.head}${found.dirty ? "+dirty" : ""}`;
}

/** The release record of a run, from what it knows. */
export function releaseRecord(raw: Pick<RawConfig, "values" | "secretKeys">, services: Readonly<Record<string, Pick<ServiceConfig, "image">>>, context: Pick<ReleaseRecord, "commit" | "ranBy" | "time">): ReleaseRecord {
    return { commit: context.commit, images: serviceImages(services), configDigest: configDigest(raw), time: context.time, ranBy: context.ranBy };
}

/** git's HEAD of the working directory and whether the tree has changes; undefined outside git (or without git). */
function gitHead(): { head: string; dirty: boolean } | undefined {
    try {
        const run = (args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
        return { head: run(["rev-parse", "HEAD"]), dirty: run(["status", "--porcelain", "--untracked-files=no"]) !== "" };
    } catch {
        return undefined;
    }
}

let processContext: Pick<ReleaseRecord, "commit" | "ranBy" | "time"> | undefined;

/** This run's commit, who ran it and when: read once per process (the environment and git don't change under it). */
export function readReleaseContext(): Pick<ReleaseRecord, "commit" | "ranBy" | "time"> {
    return (processContext ??= { commit: commitOf(process.env, gitHead), ranBy: ranByOf(process.env), time: new Date().toISOString() });
}
