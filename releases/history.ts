/**
 * The releases of a stack, read from its update history (the `helm history` of this program), and
 * the release tool's record in each update's message. Pure: the Automation API's summaries in,
 * plain data out (tests/releases.test.ts).
 */

/** A stack config entry as the Automation API gives it: the value as text, and whether it is secret. */
export interface ConfigEntry {
    readonly value: string;
    readonly secret?: boolean;
}
/** A stack's config by full key ("llm-platform:services", "kubernetes:context"). */
export type StackConfig = Readonly<Record<string, ConfigEntry>>;

/** What the release tool writes in an update's message: the record, and what kind of run it was. */
export interface ToolRecord {
    /** "release": `npm run release`; "rollback": a restore, automatic or by `npm run rollback`. */
    readonly kind: "release" | "rollback";
    readonly commit: string;
    readonly images: Readonly<Record<string, string>>;
    readonly configDigest: string;
    readonly ranBy: string;
    /** A rollback: the version of the release it restores. */
    readonly restores?: number;
    /** An automatic rollback: the version of the release that failed. */
    readonly failed?: number;
}

/** The subset of the Automation API's UpdateSummary the tool reads. */
export interface UpdateSummaryLike {
    readonly version: number;
    readonly kind: string;
    readonly result: string;
    readonly message?: string;
    readonly startTime: Date | string;
    readonly endTime?: Date | string;
    readonly environment?: Readonly<Record<string, string>>;
    readonly config?: StackConfig;
}

/** One update of the stack that could have released something: its result, its record and its config. */
export interface Release {
    readonly version: number;
    readonly result: string;
    readonly time: string;
    /** What ran it: the release tool ("release", "rollback"), or anything else ("update": a plain `pulumi up`). */
    readonly kind: ToolRecord["kind"] | "update";
    /** The program's commit: the record's, else what the CLI noted of git (git.head, +dirty), else "unknown". */
    readonly commit: string;
    readonly record?: ToolRecord;
    readonly config: StackConfig;
}

const messagePrefix = "llm-platform release ";

/** The update message that carries a record: a prefix `pulumi stack history` shows, then the record as JSON. */
export function recordMessage(record: ToolRecord): string {
    return `${messagePrefix}${JSON.stringify(record)}`;
}

/** The record an update's message carries, or undefined for any other message. */
export function recordOf(message: string | undefined): ToolRecord | undefined {
    if (message === undefined || !message.startsWith(messagePrefix)) return undefined;
    try {
        const parsed = JSON.parse(message.slice(messagePrefix.length)) as ToolRecord;
        return parsed.kind === "release" || parsed.kind === "rollback" ? parsed : undefined;
    } catch {
        return undefined;
    }
}

const iso = (time: Date | string): string => (typeof time === "string" ? time : time.toISOString());

/**
 * The history with every update numbered: as the backend numbers them (Pulumi Cloud), or, where it
 * numbers none (a file backend says 0), by the order of the stack's operations, oldest first, as
 * `pulumi stack history` counts them.
 */
export function numbered(history: readonly UpdateSummaryLike[]): UpdateSummaryLike[] {
    if (history.every((u) => u.version > 0)) return [...history];
    const time = (u: UpdateSummaryLike) => new Date(u.startTime).getTime();
    return [...history].sort((a, b) => time(a) - time(b)).map((u, i) => ({ ...u, version: i + 1 }));
}

/** The stack's updates (kind "update"; previews, refreshes and destroys are no releases), oldest first. */
export function releasesOf(history: readonly UpdateSummaryLike[]): Release[] {
    return numbered(history)
        .filter((u) => u.kind === "update")
        .map((u): Release => {
            const record = recordOf(u.message);
            const head = u.environment?.["git.head"];
            const gitCommit = head === undefined ? "unknown" : `${head}${u.environment?.["git.dirty"] === "true" ? "+dirty" : ""}`;
            return { version: u.version, result: u.result, time: iso(u.startTime), kind: record?.kind ?? "update", commit: record?.commit ?? gitCommit, ...(record ? { record } : {}), config: u.config ?? {} };
        })
        .sort((a, b) => a.version - b.version);
}

/** The newest release that succeeded, before `version` when given; undefined when there is none. */
export function lastGood(releases: readonly Release[], before?: number): Release | undefined {
    return [...releases].reverse().find((r) => r.result === "succeeded" && (before === undefined || r.version < before));
}

/** Why a release's program can't be checked out again, or undefined when it can: its commit must be a clean, known one. */
export function unrestorableReason(release: Release): string | undefined {
    if (release.commit === "unknown") return `release ${release.version} recorded no commit (run outside git): its program can't be checked out`;
    if (release.commit.endsWith("+dirty")) return `release ${release.version} ran from a tree with uncommitted changes (${release.commit}): its program was never committed`;
    if (!/^[0-9a-f]{7,40}$/.test(release.commit)) return `release ${release.version}'s commit "${release.commit}" is not a git commit`;
    return undefined;
}

/**
 * What `rollback` goes back to: release `to` when given (it must have succeeded), else the good
 * release before the current one (the newest that succeeded). An error message when there is none.
 */
export function rollbackTarget(releases: readonly Release[], to?: number): Release | string {
    if (to !== undefined) {
        const release = releases.find((r) => r.version === to);
        if (release === undefined) return `no release ${to}: the stack's releases are ${releases.map((r) => r.version).join(", ") || "none"}`;
        if (release.result !== "succeeded") return `release ${to} ${release.result === "failed" ? "failed" : `is ${release.result}`}: only a release that succeeded can be restored`;
        return release;
    }
    const current = lastGood(releases);
    const previous = current && [...releases].reverse().find((r) => r.result === "succeeded" && r.version < current.version && !sameRelease(r, current));
    return previous ?? "no earlier good release to go back to: no release before the current one succeeded with another commit or config";
}

/** Whether two releases ran the same commit with the same config (secrets by name: their values aren't in the history). */
export function sameRelease(a: Release, b: Release): boolean {
    const plain = (config: StackConfig) => JSON.stringify(Object.keys(config).sort().map((k) => [k, config[k].secret ? "[secret]" : config[k].value]));
    return a.commit === b.commit && plain(a.config) === plain(b.config);
}
