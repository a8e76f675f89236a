/**
 * What `npm run releases` prints: the list of releases (`helm history`), and one release's config
 * and objects (`helm get values`, `helm get manifest`). Pure (tests/releases.test.ts).
 */
import type { Release, StackConfig } from "./history";

/** One line per release, oldest first: version, time, result, what ran, commit, who, images. */
export function releaseTable(releases: readonly Release[]): string {
    const rows = releases.map((r) => {
        const what = r.record?.kind === "rollback" ? `rollback to ${r.record.restores ?? "?"}${r.record.failed === undefined ? "" : ` (after ${r.record.failed} failed)`}` : r.kind;
        const images = Object.entries(r.record?.images ?? {}).map(([s, i]) => `${s}=${i}`).join(" ");
        return [String(r.version), r.time, r.result, what, r.commit.slice(0, 12), r.record?.ranBy ?? "", images];
    });
    const header = ["VERSION", "TIME", "RESULT", "KIND", "COMMIT", "RAN BY", "IMAGES"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd()).join("\n");
}

/** The release's config as the stack file would hold it: plain values, secrets as [secret]. */
export function configValues(config: StackConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, entry]) => [key, entry.secret ? "[secret]" : entry.value]));
}

/** The engine's envelope of a secret value in an exported state. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** A value of an exported state with every secret replaced by "[secret]". */
export function redacted(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redacted);
    if (value !== null && typeof value === "object") {
        if (secretSignature in (value as object)) return "[secret]";
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redacted(v)]));
    }
    return value;
}

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly inputs?: Record<string, unknown>;
}

/** The objects of a state, as the program wrote them: each custom resource but the providers, by URN, with its inputs, secrets redacted. */
export function objectsOf(deployment: { readonly resources?: readonly StateResource[] }): { urn: string; type: string; inputs: unknown }[] {
    return (deployment.resources ?? [])
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
        .map((r) => ({ urn: r.urn, type: r.type, inputs: redacted(r.inputs ?? {}) }));
}
