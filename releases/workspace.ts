/**
 * The release tool's side effects: the stack through the Automation API (LocalWorkspace), git and
 * its worktrees, the stack file. The decisions are elsewhere (history.ts, restore.ts, show.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { fetchCommitArgs, fetchEnv, stackFileName, unfetchedReason } from "./checkout";
import { Failure, RestorePlan, stackFileConfig, stalledRollout } from "./restore";

/** A program directory and the stack the tool works on. */
export interface Target {
    readonly dir: string;
    readonly stackName: string;
}

/** The stack, opened in `dir` with `env` for the program (the release record's commit and runner). */
export async function openStack(dir: string, stackName: string, env: Record<string, string> = {}): Promise<{ stack: Stack; project: string }> {
    const workspace = await LocalWorkspace.create({ workDir: dir, envVars: env });
    const project = (await workspace.projectSettings()).name;
    return { stack: await Stack.select(stackName, workspace), project };
}

/** An update's outcome: its output when it failed. */
/** How an update went; a failed one has the engine's output, and the rollouts the tool stopped past their deadline. */
export type UpResult = { readonly ok: true } | { readonly ok: false; readonly output: string; readonly stalled: readonly Failure[] };

/** What `pulumi up` runs with beyond the record: a refresh first, policy packs and their config (paths relative to the program's directory). */
export interface UpFlags {
    readonly refresh: boolean;
    readonly policyPacks: readonly string[];
    readonly policyPackConfigs: readonly string[];
}

/**
 * Runs `pulumi up` of the program in `dir` with `message`, the engine's output streamed to stderr
 * (the report goes to stdout). A restore's policy packs are the restored commit's own. A rollout
 * the provider reports past its progress deadline cancels the update, unless `seen` has that
 * report already (a restore after the stalled attempt).
 */
export async function up(stack: Stack, dir: string, message: string, flags: UpFlags, seen: readonly Failure[] = []): Promise<UpResult> {
    let output = "";
    const at = (paths: readonly string[]) => paths.map((p) => path.resolve(dir, p));
    // A rollout past its progress deadline: the provider would wait out its timeout, so the tool
    // cancels the update (SIGINT, the engine's graceful cancel) and the release fails now.
    const stalled: Failure[] = [];
    const cancel = new AbortController();
    const onEvent = (event: EngineEvent) => {
        const failure = event.diagnosticEvent && stalledRollout(event.diagnosticEvent);
        // `seen`: the stalls of the attempt a restore follows, reported again until the controller catches up.
        if (!failure || seen.some((f) => f.resource === failure.resource && f.message === failure.message) || stalled.some((f) => f.resource === failure.resource)) return;
        stalled.push(failure);
        process.stderr.write(`\nThe rollout of ${failure.resource} is past its progress deadline (${failure.message}): cancelling the update.\n`);
        cancel.abort();
    };
    try {
        await stack.up({
            message,
            color: "never",
            refresh: flags.refresh,
            ...(flags.policyPacks.length > 0 ? { policyPacks: at(flags.policyPacks), policyPackConfigs: at(flags.policyPackConfigs) } : {}),
            onOutput: (text) => { output += text; process.stderr.write(text); },
            onEvent,
            signal: cancel.signal,
        });
        return { ok: true };
    } catch (error) {
        return { ok: false, output: `${output}\n${error instanceof Error ? error.message : String(error)}`, stalled };
    }
}

const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The git repository of a program directory: its root, HEAD, whether tracked files changed, the program's path in it. */
export function gitState(dir: string): { root: string; head: string; dirty: boolean; relative: string } | undefined {
    try {
        const root = git(dir, ["rev-parse", "--show-toplevel"]);
        return { root, head: git(dir, ["rev-parse", "HEAD"]), dirty: git(dir, ["status", "--porcelain", "--untracked-files=no"]) !== "", relative: path.relative(root, fs.realpathSync(dir)) };
    } catch {
        return undefined;
    }
}

/**
 * Makes sure the clone at `root` has `commit`: a shallow checkout (Pulumi Deployments', a CI
 * runner's) may lack an earlier release's, which is then fetched from `origin`; throws the reason
 * when it can't be, which the restore's report gives.
 */
function ensureCommit(root: string, commit: string): void {
    try {
        git(root, ["cat-file", "-e", `${commit}^{commit}`]);
        return;
    } catch {
        // Not here: fetched below.
    }
    const shallow = git(root, ["rev-parse", "--is-shallow-repository"]) === "true";
    process.stderr.write(`Commit ${commit} is not in the clone at ${root}: fetching it from origin\n`);
    try {
        execFileSync("git", fetchCommitArgs(commit, shallow), { cwd: root, env: { ...process.env, ...fetchEnv(process.env) }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        throw new Error(unfetchedReason(commit, root, shallow, (error as { stderr?: string }).stderr ?? String(error)), { cause: error });
    }
}

/**
 * Runs `fn` in a git worktree of `commit` (the program's directory in it; the commit fetched
 * first when the clone lacks it), then removes the worktree. The old program uses this one's
 * node_modules when the lock files match; otherwise `npm ci` installs its own.
 */
export async function inWorktree<T>(program: Target, commit: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const repo = gitState(program.dir);
    if (repo === undefined) throw new Error(`${program.dir} is not in a git repository`);
    ensureCommit(repo.root, commit);
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-release-"));
    git(repo.root, ["worktree", "add", "--detach", tree, commit]);
    try {
        const dir = path.join(tree, repo.relative);
        const lock = (d: string) => (fs.existsSync(path.join(d, "package-lock.json")) ? fs.readFileSync(path.join(d, "package-lock.json"), "utf8") : undefined);
        const modules = path.join(program.dir, "node_modules");
        if (lock(dir) === lock(program.dir) && fs.existsSync(modules)) fs.symlinkSync(fs.realpathSync(modules), path.join(dir, "node_modules"));
        else if (lock(dir) !== undefined) execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", process.stderr, process.stderr] });
        return await fn(dir);
    } finally {
        git(repo.root, ["worktree", "remove", "--force", tree]);
    }
}

/** Writes the restored stack file into `dir`: the current file's settings and secrets, the plan's plain values. */
export function writeStackFile(from: Target, dir: string, plan: Pick<RestorePlan, "plain">): void {
    const name = stackFileName(from.stackName);
    const current = path.join(from.dir, name);
    const doc = (fs.existsSync(current) ? parseYaml(fs.readFileSync(current, "utf8")) : {}) as Record<string, unknown> | null;
    const config = stackFileConfig(((doc ?? {}).config ?? {}) as Record<string, unknown>, plan);
    fs.writeFileSync(path.join(dir, name), stringifyYaml({ ...(doc ?? {}), config }));
}
