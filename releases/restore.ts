/**
 * What a restore puts back, and what the tool reports: pure decisions over plain data
 * (tests/releases.test.ts). The data tier is never rolled back: its keys keep their current
 * values, so the old program runs with the data tier as it is now.
 */
import type { ConfigEntry, Release, StackConfig } from "./history";

/** The stack config keys (under the project) that decide the data tier: its stores and their claims. */
export const dataTierKeys = ["postgresql", "redis", "storageClass"] as const;

/** The config a restore runs the old program with. */
export interface RestorePlan {
    /** Every plain (non-secret) key and value the restored stack config holds. */
    readonly plain: Readonly<Record<string, string>>;
    /** The data-tier keys whose value the failed (current) config changed: kept as they are now. */
    readonly dataTierKept: readonly string[];
    /** Secret keys the release had that the stack no longer has: the restore runs without them. */
    readonly missingSecrets: readonly string[];
}

const isDataTier = (project: string) => (key: string) => (dataTierKeys as readonly string[]).some((k) => key === `${project}:${k}`);

/**
 * The config to restore `release` with: its plain values, but the data tier's keys as the current
 * config has them (present or absent); secrets are the stack's current ones (the history keeps no
 * secret values, and a rotated credential must not come back).
 */
export function restorePlan(project: string, release: StackConfig, current: StackConfig): RestorePlan {
    const dataTier = isDataTier(project);
    const plainOf = (config: StackConfig, keep: (key: string) => boolean) =>
        Object.entries(config).filter(([key, entry]) => !entry.secret && keep(key)).map(([key, entry]): [string, string] => [key, entry.value]);
    const plain = Object.fromEntries([...plainOf(release, (k) => !dataTier(k)), ...plainOf(current, dataTier)].sort(([a], [b]) => (a < b ? -1 : 1)));
    const value = (config: StackConfig, key: string): ConfigEntry | undefined => config[key];
    const dataTierKept = [...new Set([...Object.keys(release), ...Object.keys(current)].filter(dataTier))]
        .filter((key) => value(release, key)?.value !== value(current, key)?.value)
        .sort();
    const missingSecrets = Object.entries(release).filter(([key, entry]) => entry.secret && !current[key]?.secret).map(([key]) => key).sort();
    return { plain, dataTierKept, missingSecrets };
}

/** What failed in an update, from the engine's diagnostics: the resources that reported an error. */
export interface Failure {
    /** "rollout", "migration", "post-deploy check", "config" or "update". */
    readonly what: string;
    readonly resource?: string;
    readonly message: string;
}

/**
 * The failures an update's output names. The engine prints each failed resource as
 * `  <type> (<name>):` under Diagnostics, then its `error:` lines; a config error (the program's
 * ConfigError) fails before any resource exists, so nothing needs restoring.
 */
export function failuresOf(output: string): Failure[] {
    if (/Stack config of "[^"]+" has \d+ problems?:/.test(output)) {
        const problems = output.split("\n").map((l) => l.trim()).filter((l) => /^- [^ ]+: given /.test(l));
        return [{ what: "config", message: `nothing was changed, the config has problems: ${problems.join("; ")}` }];
    }
    const failures: Failure[] = [];
    const head = /^\s+([A-Za-z0-9_-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_]+) \(([^)]+)\):\s*$/;
    const lines = output.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const found = head.exec(lines[i]);
        if (!found || found[1] === "pulumi:pulumi:Stack") continue;
        const body: string[] = [];
        for (let j = i + 1; j < lines.length && lines[j].trim() !== "" && !head.test(lines[j]); j++) body.push(lines[j].trim());
        const errors = errorsOf(body);
        const failure = { what: kindOf(found[1], found[2]), resource: `${found[1]} (${found[2]})`, message: errors.join("; ") };
        // The Automation API's error repeats the output the tool already has: each failure once.
        if (errors.length > 0 && !failures.some((f) => f.resource === failure.resource && f.message === failure.message)) failures.push(failure);
    }
    return failures.length > 0 ? failures : [{ what: "update", message: lines.filter((l) => /error:/.test(l)).map((l) => l.trim()).join("; ") || "the update failed" }];
}

/**
 * A resource's errors from its diagnostic lines: each `error:` line, and where the provider
 * aggregates ("error: 3 errors occurred:"), the `* …` lines under it instead of the count.
 */
export function errorsOf(body: readonly string[]): string[] {
    const errors: string[] = [];
    for (let i = 0; i < body.length; i++) {
        if (!body[i].startsWith("error:")) continue;
        const text = body[i].slice("error:".length).trim();
        const items: string[] = [];
        for (let j = i + 1; j < body.length && body[j].startsWith("* "); j++) items.push(body[j].slice(2).trim());
        if (/^\d+ errors? occurred:$/.test(text) && items.length > 0) errors.push(...items);
        else errors.push(text);
    }
    return errors;
}

/**
 * A rollout the Kubernetes provider reports stalled past its progress deadline. The provider
 * only warns of `[ProgressDeadlineExceeded]` and keeps waiting until its own timeout (the
 * Deployment's customTimeouts), so the release tool stops the update when it sees this.
 */
export function stalledRollout(event: { readonly urn?: string; readonly message: string }): Failure | undefined {
    const found = /\[ProgressDeadlineExceeded\][^\n]*/.exec(event.message);
    if (event.urn === undefined || !found) return undefined;
    const [type, name] = [event.urn.split("::")[2]?.split("$").pop() ?? "", event.urn.split("::").pop() ?? ""];
    return { what: kindOf(type, name), resource: `${type} (${name})`, message: found[0].trim() };
}

/**
 * What failed in an update the tool may have cancelled: the rollouts it stopped past their
 * deadline (their own message, not the cancellation's), then what else the output names.
 */
export function failuresOfUpdate(output: string, stalled: readonly Failure[]): Failure[] {
    const others = failuresOf(output).filter((f) => !stalled.some((s) => s.resource === f.resource));
    return stalled.length > 0 ? [...stalled, ...others.filter((f) => f.resource !== undefined)] : others;
}

/** What a failed resource was, for the report: the Deployment's rollout, a migration or check Job, or the resource itself. */
export function kindOf(type: string, name: string): string {
    if (type === "kubernetes:apps/v1:Deployment") return "rollout";
    if (type === "kubernetes:batch/v1:Job" && /-migration$/.test(name)) return "migration";
    if (type === "kubernetes:batch/v1:Job" && /-check$/.test(name)) return "post-deploy check";
    return "update";
}

/** Everything the report of a failed release says. */
export interface FailureReport {
    readonly stack: string;
    readonly failed: { readonly version?: number; readonly commit: string; readonly failures: readonly Failure[] };
    /** The release put back, or why none was. */
    readonly restored?: Pick<Release, "version" | "commit"> & { readonly images?: Readonly<Record<string, string>>; readonly ok: boolean; readonly failures?: readonly Failure[] };
    readonly notRestored?: string;
    readonly dataTierKept: readonly string[];
    readonly missingSecrets?: readonly string[];
}

const failureLines = (failures: readonly Failure[]) => failures.map((f) => `  - ${f.what}${f.resource ? ` ${f.resource}` : ""}: ${f.message}`);

/** What a restore did: the release it put back and its images, or that it failed; and what it kept. */
export function restoredText(restored: NonNullable<FailureReport["restored"]>, dataTierKept: readonly string[], missingSecrets: readonly string[] = []): string[] {
    const lines = restored.ok
        ? [`Restored release ${restored.version} (commit ${restored.commit}).`, ...Object.entries(restored.images ?? {}).map(([service, image]) => `  - ${service}: ${image}`)]
        : [`Restoring release ${restored.version} (commit ${restored.commit}) failed too: the stack needs a person.`, ...failureLines(restored.failures ?? [])];
    if (dataTierKept.length > 0) {
        lines.push(`The data tier is never rolled back: its keys that differ from release ${restored.version} (${dataTierKept.join(", ")}) keep their current values, so only the application was rolled back.`);
    }
    if (missingSecrets.length > 0) lines.push(`Secrets release ${restored.version} had and the stack no longer has: ${missingSecrets.join(", ")}.`);
    return lines;
}

/** The report's text, as the terminal and CI logs show it. */
export function reportText(report: FailureReport): string {
    const lines = [`Release ${report.failed.version ?? "(no version)"} of stack ${report.stack} (commit ${report.failed.commit}) failed:`, ...failureLines(report.failed.failures)];
    if (report.restored) lines.push(...restoredText(report.restored, report.dataTierKept, report.missingSecrets));
    else lines.push(`Nothing was restored: ${report.notRestored ?? "no release to restore"}.`);
    return lines.join("\n");
}

/** The exit code: 0 released; 1 the release failed and the last good one is back (or nothing had changed); 2 the stack may be broken. */
export function exitCodeOf(report: FailureReport): number {
    if (report.restored) return report.restored.ok ? 1 : 2;
    return report.failed.failures.every((f) => f.what === "config") ? 1 : 2;
}

/** A config value as a stack file holds it: JSON objects and arrays as YAML structures, anything else as the text it is. */
export function fileValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

/**
 * The `config:` of the restored stack file: the plan's plain values, and the current file's
 * secret entries (`secure:` ciphertexts) as they are, encrypted with the stack's own key.
 */
export function stackFileConfig(current: Readonly<Record<string, unknown>>, plan: Pick<RestorePlan, "plain">): Record<string, unknown> {
    const secure = Object.entries(current).filter(([, v]) => v !== null && typeof v === "object" && "secure" in (v as object));
    return Object.fromEntries([...Object.entries(plan.plain).map(([key, text]): [string, unknown] => [key, fileValue(text)]), ...secure].sort(([a], [b]) => (a < b ? -1 : 1)));
}
