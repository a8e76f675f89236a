/**
 * The release tool (#25): `npm run releases`, `npm run release`, `npm run rollback`, through the
 * Automation API. Non-interactive: it prompts for nothing, prints the engine's output on stderr
 * and its report on stdout, and says how it went in its exit code (docs/releases.md).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { parseArgs } from "util";
import { stringify as stringifyYaml } from "yaml";
import { ranByOf, releaseEnv } from "../config/release";
import { Release, StackConfig, lastGood, recordMessage, releasesOf, rollbackTarget, unrestorableReason } from "./history";
import { Failure, FailureReport, exitCodeOf, failuresOfUpdate, reportText, restorePlan, restoredText } from "./restore";
import { configValues, objectsOf, releaseTable } from "./show";
import { toolRecord } from "./record";
import { Target, UpFlags, gitState, inWorktree, openStack, up, writeStackFile } from "./workspace";

const usage = `usage:
  npm run releases -- --stack <stack> [--show <version>] [--json] [--cwd <dir>]
  npm run release  -- --stack <stack> [--allow-dirty] [--cwd <dir>] [up flags]
  npm run rollback -- --stack <stack> [--to <version>] [--cwd <dir>] [up flags]
up flags: --refresh, --policy-pack <dir>, --policy-pack-config <file> (each repeatable)`;

/** Puts `release` back: its commit in a worktree, its config (the data tier's and the secrets as they are now). */
async function restore(target: Target, project: string, release: Release, current: StackConfig, what: { ranBy: string; failed?: number; flags: UpFlags; stalled?: readonly Failure[] }): Promise<Pick<FailureReport, "restored" | "notRestored" | "dataTierKept" | "missingSecrets">> {
    const reason = unrestorableReason(release);
    if (reason !== undefined) return { notRestored: reason, dataTierKept: [] };
    const plan = restorePlan(project, release.config, current);
    const kept = { dataTierKept: plan.dataTierKept, missingSecrets: plan.missingSecrets };
    const outcome = await inWorktree(target, release.commit, async (dir) => {
        writeStackFile(target, dir, plan);
        const { stack } = await openStack(dir, target.stackName, { [releaseEnv.commit]: release.commit, [releaseEnv.ranBy]: what.ranBy });
        const record = toolRecord(project, target.stackName, await stack.getAllConfig(), { kind: "rollback", commit: release.commit, ranBy: what.ranBy, restores: release.version, ...(what.failed === undefined ? {} : { failed: what.failed }) });
        process.stderr.write(`Restoring release ${release.version} (commit ${release.commit}) from a worktree at ${dir}\n`);
        return { result: await up(stack, dir, recordMessage(record), what.flags, what.stalled), record };
    }).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
    if (outcome instanceof Error) {
        // No worktree (a shallow clone without the commit), no stack there: the report still says what failed.
        return { restored: { version: release.version, commit: release.commit, ok: false, failures: [{ what: "restore", message: outcome.message.split("\n")[0] }] }, ...kept };
    }
    const failures = outcome.result.ok ? undefined : failuresOfUpdate(outcome.result.output, outcome.result.stalled);
    return {
        restored: { version: release.version, commit: release.commit, images: outcome.record.images, ok: outcome.result.ok, ...(failures ? { failures } : {}) },
        ...kept,
    };
}

/** `release`: an update with the record; on failure, the last good release back. */
async function release(target: Target, allowDirty: boolean, flags: UpFlags): Promise<number> {
    const repo = gitState(target.dir);
    const commit = repo === undefined ? "unknown" : `${repo.head}${repo.dirty ? "+dirty" : ""}`;
    if (repo?.dirty && !allowDirty) {
        console.log(`Refusing to release ${target.dir}: tracked files have uncommitted changes, and a release must be restorable from its commit. Commit them, or pass --allow-dirty.`);
        return 1;
    }
    const ranBy = `npm run release (${ranByOf(process.env)})`;
    const { stack, project } = await openStack(target.dir, target.stackName, { [releaseEnv.commit]: commit, [releaseEnv.ranBy]: ranBy });
    const before = releasesOf(await stack.history());
    const current = await stack.getAllConfig();
    const record = toolRecord(project, target.stackName, current, { kind: "release", commit, ranBy });
    const result = await up(stack, target.dir, recordMessage(record), flags);
    const after = releasesOf(await stack.history());
    const version = after.at(-1)?.version;
    if (result.ok) {
        console.log([`Released ${version ?? "?"} of stack ${target.stackName} (commit ${commit}).`, ...Object.entries(record.images).map(([s, i]) => `  - ${s}: ${i}`)].join("\n"));
        return 0;
    }
    const failures = failuresOfUpdate(result.output, result.stalled);
    const failed = { version: version !== undefined && version !== before.at(-1)?.version ? version : undefined, commit, failures };
    const good = lastGood(before);
    let report: FailureReport;
    if (failures.every((f) => f.what === "config")) report = { stack: target.stackName, failed, notRestored: "nothing had changed, the program stopped at its config check", dataTierKept: [] };
    else if (good === undefined) report = { stack: target.stackName, failed, notRestored: "the stack has no release that succeeded before this one", dataTierKept: [] };
    else {
        // A cancelled update left its in-flight objects as they were in the cluster but not in the
        // state: the restore refreshes first, so that it puts them back too. The stalled rollouts'
        // conditions stay until the controller sees the restored template: not a new stall.
        const restoreFlags = result.stalled.length > 0 ? { ...flags, refresh: true } : flags;
        report = { stack: target.stackName, failed, ...(await restore(target, project, good, current, { ranBy: `${ranBy}, automatic rollback`, failed: failed.version, flags: restoreFlags, stalled: result.stalled })) };
    }
    console.log(reportText(report));
    return exitCodeOf(report);
}

/** `rollback`: release `to` (default: the good one before the current) back, through the same path. */
async function rollback(target: Target, to: number | undefined, flags: UpFlags): Promise<number> {
    const { stack, project } = await openStack(target.dir, target.stackName);
    const chosen = rollbackTarget(releasesOf(await stack.history()), to);
    if (typeof chosen === "string") {
        console.log(`Nothing to roll back to: ${chosen}.`);
        return 1;
    }
    const outcome = await restore(target, project, chosen, await stack.getAllConfig(), { ranBy: `npm run rollback (${ranByOf(process.env)})`, flags });
    if (outcome.restored === undefined) {
        console.log(`Can't roll back to release ${chosen.version}: ${outcome.notRestored}.`);
        return 1;
    }
    console.log(restoredText(outcome.restored, outcome.dataTierKept, outcome.missingSecrets).join("\n"));
    return outcome.restored.ok ? 0 : 2;
}

/** `releases`: the list, or one release's record, config and objects. */
async function releases(target: Target, show: number | undefined, json: boolean): Promise<number> {
    const { stack } = await openStack(target.dir, target.stackName);
    const all = releasesOf(await stack.history());
    if (show === undefined) {
        console.log(json ? JSON.stringify(all.map(({ config, ...r }) => ({ ...r, config: configValues(config) })), null, 2) : releaseTable(all));
        return 0;
    }
    const chosen = all.find((r) => r.version === show);
    if (chosen === undefined) {
        console.log(`No release ${show}: the stack's releases are ${all.map((r) => r.version).join(", ") || "none"}.`);
        return 1;
    }
    const state = chosen.version === all.at(-1)?.version ? (await stack.exportStack()).deployment : exportVersion(target, show);
    const view = { release: { version: chosen.version, time: chosen.time, result: chosen.result, kind: chosen.kind, commit: chosen.commit, ...chosen.record }, config: configValues(chosen.config), objects: typeof state === "string" ? state : objectsOf(state) };
    console.log(json ? JSON.stringify(view, null, 2) : stringifyYaml(view));
    return 0;
}

/** An earlier state, where the backend keeps them (Pulumi Cloud: `pulumi stack export --version`), or why not. */
function exportVersion(target: Target, version: number): { resources?: [] } | string {
    try {
        const text = execFileSync("pulumi", ["stack", "export", "--version", String(version), "--stack", target.stackName, "--cwd", target.dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        return (JSON.parse(text) as { deployment: { resources?: [] } }).deployment;
    } catch (error) {
        const said = (error as { stderr?: string }).stderr?.trim().split("\n").at(-1) ?? String(error);
        return `not available: the backend keeps no state of release ${version} (${said}); the current release's objects are shown for the newest version`;
    }
}

const cliOptions = {
    stack: { type: "string" },
    cwd: { type: "string" },
    show: { type: "string" },
    to: { type: "string" },
    json: { type: "boolean" },
    "allow-dirty": { type: "boolean" },
    refresh: { type: "boolean" },
    "policy-pack": { type: "string", multiple: true },
    "policy-pack-config": { type: "string", multiple: true },
} as const;

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    let parsed;
    try {
        parsed = parseArgs({ args: rest, options: cliOptions, strict: true });
    } catch (error) {
        console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
        return 64;
    }
    const { values } = parsed;
    const stackName = values.stack ?? process.env.PULUMI_STACK;
    if (stackName === undefined || !["releases", "release", "rollback"].includes(command)) {
        console.error(usage);
        return 64;
    }
    const bad = (["to", "show"] as const).find((flag) => values[flag] !== undefined && !/^[1-9][0-9]*$/.test(values[flag]!));
    if (bad !== undefined) {
        console.error(`--${bad} takes a release's version, a positive integer; given "${values[bad]}"\n${usage}`);
        return 64;
    }
    const version = (text: string | undefined) => (text === undefined ? undefined : Number(text));
    const target = { dir: path.resolve(values.cwd ?? "."), stackName };
    const flags: UpFlags = { refresh: values.refresh ?? false, policyPacks: values["policy-pack"] ?? [], policyPackConfigs: values["policy-pack-config"] ?? [] };
    if (command === "release") return release(target, values["allow-dirty"] ?? false, flags);
    if (command === "rollback") return rollback(target, version(values.to), flags);
    return releases(target, version(values.show), values.json ?? false);
}

main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => { console.error(error instanceof Error ? error.message : String(error)); process.exitCode = 2; },
);
