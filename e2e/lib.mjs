// Helpers for the e2e suite: run the pulumi CLI and kubectl against a scratch
// project copy, a local file state backend and the cluster in $KUBECONFIG.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

export const projectRoot = path.resolve(import.meta.dirname, "..");

/** Runs a command; throws with its output when it fails, unless `allowFail`. */
export function run(cmd, args, { cwd, env, input, allowFail = false, timeoutMs = 10 * 60_000 } = {}) {
    const started = Date.now();
    const res = spawnSync(cmd, args, {
        cwd,
        env: { ...process.env, ...env },
        input,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutMs,
    });
    const out = { status: res.status, signal: res.signal, pid: res.pid, stdout: res.stdout ?? "", stderr: res.stderr ?? "", ms: Date.now() - started };
    if (!allowFail && res.status !== 0) {
        throw new Error(
            `${cmd} ${args.join(" ")} exited ${res.status ?? res.signal} after ${out.ms} ms\n--- stdout\n${tail(out.stdout)}\n--- stderr\n${tail(out.stderr)}`,
        );
    }
    return out;
}

/** Runs git in `dir` as the e2e's author and committer. */
export function git(dir, ...args) {
    const who = { GIT_AUTHOR_NAME: "e2e", GIT_AUTHOR_EMAIL: "e2e@example.com", GIT_COMMITTER_NAME: "e2e", GIT_COMMITTER_EMAIL: "e2e@example.com" };
    return run("git", args, { cwd: dir, env: who }).stdout.trim();
}

/**
 * Runs the release tool (releases/cli.ts, #25) on a workspace's stack, as CI would:
 * non-interactive (CI=true), judged by its exit code, which the caller asserts.
 */
export function releaseTool(ws, stack, args, { timeoutMs = 10 * 60_000 } = {}) {
    const { command, argv, env } = releaseToolCommand(ws, stack, args);
    return run(command, argv, { cwd: projectRoot, env, allowFail: true, timeoutMs });
}

/** The release tool's command line and environment for a workspace's stack (for a caller that spawns it itself). */
export function releaseToolCommand(ws, stack, args) {
    const argv = ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, "releases", "cli.ts"), ...args, "--stack", stack, "--cwd", ws.project];
    return { command: "node", argv, env: { ...ws.env, CI: "true" } };
}

export function kubectl(args, opts = {}) {
    return run("kubectl", args, opts);
}

export function kubectlJson(args) {
    return JSON.parse(kubectl([...args, "-o", "json"]).stdout);
}

/** True when the object exists in the API server. */
export function exists(kind, name, namespace) {
    const args = ["get", kind, name, "--ignore-not-found", "-o", "name"];
    if (namespace) args.push("-n", namespace);
    return kubectl(args).stdout.trim() !== "";
}

/**
 * A scratch copy of a Pulumi project with its own file backend, passphrase and
 * stack. The repository's files are never modified.
 */
export class Workspace {
    /**
     * @param {string} sourceDir project to copy
     * @param {string[]} files files and directories (relative to sourceDir) to copy; default all but node_modules
     */
    constructor(sourceDir, files) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-e2e-"));
        this.project = path.join(this.dir, "project");
        this.state = path.join(this.dir, "state");
        fs.mkdirSync(this.project);
        fs.mkdirSync(this.state);
        const entries = files ?? fs.readdirSync(sourceDir).filter((f) => !["node_modules", ".git"].includes(f));
        for (const f of entries) {
            const src = path.join(sourceDir, f);
            if (fs.existsSync(src)) fs.cpSync(src, path.join(this.project, f), { recursive: true });
        }
        fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(this.project, "node_modules"));
        this.passphrase = `e2e-${process.pid}-${Date.now()}`;
        this.env = {
            PULUMI_BACKEND_URL: `file://${this.state}`,
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            NO_COLOR: "1",
        };
    }

    /**
     * Runs the pulumi CLI under the harness's time limit (`timeoutMs`, default
     * E2E_PULUMI_TIMEOUT_S or 20 min). At the limit, pulumi is cancelled the way Ctrl-C cancels it:
     * SIGINT to its process group (the CLI, the language host, the program, the plugins), SIGKILL
     * `graceMs` later if it is still running. Then the stack's lock is removed (`pulumi cancel`),
     * every process left in the group is killed, and the error names the resources that were
     * still waiting, so the next test starts from a usable stack. The resources' own waits are
     * bounded first by the per-resource timeouts of `useResourceTimeouts`.
     */
    pulumi(args, opts = {}) {
        const limitMs = opts.timeoutMs ?? Number(process.env.E2E_PULUMI_TIMEOUT_S ?? 1200) * 1000;
        const graceMs = opts.graceMs ?? 120_000;
        const res = run(
            "timeout",
            ["--signal=INT", `--kill-after=${Math.ceil(graceMs / 1000)}s`, `${Math.ceil(limitMs / 1000)}s`,
                "pulumi", "--non-interactive", "--color=never", ...args],
            { cwd: this.project, ...opts, allowFail: true, timeoutMs: limitMs + graceMs + 60_000, env: { ...this.env, ...(opts.env ?? {}) } },
        );
        killGroup(res.pid);
        // timeout(1) exits 124 when it sent the signal, 137 when it had to kill.
        if (res.status === 124 || res.status === 137 || res.status === null) {
            // The CLI starts the language host and the plugins in process groups of their own, so
            // killing pulumi's group leaves them orphaned: end whatever still runs in the workspace.
            killProcessesIn(this.dir);
            const waiting = stillWaiting(res.stdout);
            const stack = args[args.indexOf("-s") + 1] ?? this.stack;
            const cancel = this.pulumiUnlimited(["cancel", "--yes", "-s", stack]);
            const locks = this.locks();
            throw new Error(
                `pulumi ${args.join(" ")} did not finish within ${limitMs / 1000} s and was cancelled (SIGINT${res.status === 137 ? ", then SIGKILL" : ""}).\n` +
                    `Still waiting: ${waiting.length ? waiting.join("; ") : "(no resource in progress in the output)"}\n` +
                    `Lock: ${locks.length ? `still held: ${locks.join(", ")}` : "released"}${cancel.status === 0 ? " (pulumi cancel)" : ""}\n` +
                    `--- stdout\n${tail(res.stdout)}\n--- stderr\n${tail(res.stderr)}`,
            );
        }
        if (!opts.allowFail && res.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${res.status} after ${res.ms} ms\n--- stdout\n${tail(res.stdout)}\n--- stderr\n${tail(res.stderr)}`);
        }
        return res;
    }

    /** A short pulumi command, without the time-limit machinery. */
    pulumiUnlimited(args) {
        return run("pulumi", ["--non-interactive", "--color=never", ...args], { cwd: this.project, allowFail: true, env: this.env, timeoutMs: 60_000 });
    }

    /** The lock files of this workspace's file backend. */
    locks() {
        const dir = path.join(this.state, ".pulumi", "locks");
        return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".json")).map(String) : [];
    }

    /**
     * Runs the project through a wrapper entry point that gives every resource Pulumi's
     * per-resource `customTimeouts` (a stack transform, so the charts' objects get them too). The
     * Kubernetes provider then fails a resource that never becomes ready with its own message
     * ("... timed out waiting for ...") instead of the harness having to kill pulumi.
     */
    useResourceTimeouts({ create = "5m", update = "5m", del = "3m" } = {}) {
        const pulumiYaml = path.join(this.project, "Pulumi.yaml");
        const project = parseYaml(fs.readFileSync(pulumiYaml, "utf8"));
        const main = project.main ?? "index.ts";
        // CommonJS, whatever the main is: the program's program.cjs runs with `typescript: false`
        // (Node would load a .ts wrapper as an ES module), and a project whose runtime registers
        // ts-node loads a .ts main from it all the same.
        const wrapper = "e2e-main.cjs";
        // The project's loader before the SDK, as its program.cjs has it: it defers the SDK's
        // function-serialization dependencies (scripts/lazy-sdk-deps.cjs), which the SDK would
        // otherwise load here, so the program runs as it does under a plain `pulumi up`.
        const loader = fs.existsSync(path.join(this.project, "scripts", "register-ts.cjs")) ? ['require("./scripts/register-ts.cjs");'] : [];
        fs.writeFileSync(
            path.join(this.project, wrapper),
            [
                '"use strict";',
                "// Written by the e2e harness (e2e/lib.mjs useResourceTimeouts): per-resource timeouts, then the program.",
                ...loader,
                'const pulumi = require("@pulumi/pulumi");',
                `const customTimeouts = ${JSON.stringify({ create, update, delete: del })};`,
                "// A resource's own timeouts (a Deployment's, from its progress deadline) are the program's: kept, key by key;",
                "// the harness's fill the keys it leaves unset (the SDK may pass an empty object for a resource without any).",
                "const own = (opts) => Object.fromEntries(Object.entries(opts.customTimeouts ?? {}).filter(([, v]) => v !== undefined && v !== \"\"));",
                "pulumi.runtime.registerResourceTransform((args) => ({ props: args.props, opts: { ...args.opts, customTimeouts: { ...customTimeouts, ...own(args.opts) } } }));",
                `module.exports = require(${JSON.stringify("./" + main)});`,
                "",
            ].join("\n"),
        );
        fs.writeFileSync(pulumiYaml, stringifyYaml({ ...project, main: wrapper }));
        return { create, update, delete: del };
    }

    /** `pulumi stack init` (the stack file, if the project has one, is picked up by name). */
    initStack(stack) {
        this.stack = stack;
        this.pulumi(["stack", "init", stack, "--secrets-provider=passphrase"]);
    }

    setConfig(key, value, { secret = false, path: isPath = false } = {}) {
        const args = ["config", "set", "-s", this.stack];
        if (isPath) args.push("--path");
        args.push(secret ? "--secret" : "--plaintext", key);
        // Value from stdin: never on a command line, where ps could show it.
        this.pulumi(args, { input: String(value) });
    }

    up() {
        return this.pulumi(["up", "--yes", "--skip-preview", "-s", this.stack]);
    }

    /** The steps a preview would take, from `pulumi preview --json`. */
    previewSteps(extra = []) {
        const out = this.pulumi(["preview", "--json", "-s", this.stack, ...extra]).stdout;
        const json = JSON.parse(out);
        return (json.steps ?? []).filter((s) => s.op !== "same");
    }

    stackExport() {
        return this.pulumi(["stack", "export", "-s", this.stack]).stdout;
    }

    stackFile() {
        const f = path.join(this.project, `Pulumi.${this.stack}.yaml`);
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    }

    outputs({ showSecrets = false } = {}) {
        const args = ["stack", "output", "--json", "-s", this.stack];
        if (showSecrets) args.push("--show-secrets");
        return JSON.parse(this.pulumi(args).stdout);
    }

    cleanup() {
        if (process.env.E2E_KEEP_WORKDIR !== "1") fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function tail(s) {
    return s.split("\n").slice(-60).join("\n");
}

/** Kills every process whose working directory is under `dir` (a workspace the harness made). */
export function killProcessesIn(dir) {
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            if (Number(pid) !== process.pid && fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) process.kill(Number(pid), "SIGKILL");
        } catch {
            // gone already, or not ours
        }
    }
}

/** Kills what is left of a process group the harness started (an orphaned language host, say). */
export function killGroup(pgid) {
    if (!pgid) return;
    try {
        process.kill(-pgid, "SIGKILL");
    } catch {
        // ESRCH: nothing left
    }
}

/**
 * The resources still in progress at the end of pulumi's non-interactive output: the last line
 * of each resource says "creating", "updating", "deleting"… and what it waits for.
 */
export function stillWaiting(stdout) {
    const last = new Map();
    const line = /^\s*[-+~<>=]*[+~\-]?\s*(\S+:\S+)\s+(\S+)\s+(creating|updating|deleting|replacing|reading|refreshing|importing|discarding|created|updated|deleted|replaced|read|refreshed|imported|discarded|failed|creating failed|updating failed|deleting failed)\b(.*)$/;
    for (const l of stdout.split("\n")) {
        const m = line.exec(l);
        if (m) last.set(`${m[1]} ${m[2]}`, `${m[3]}${m[4]}`.trim());
    }
    return [...last].filter(([, status]) => /^\w+ing\b/.test(status) && !/failed/.test(status)).map(([res, status]) => `${res} ${status}`);
}

/**
 * Tests that depend on earlier ones: `steps.step(name, fn)` records whether `fn` succeeded,
 * `steps.needs([names], fn)` fails at once, naming the step, when one of them did not. A test is
 * never allowed to pass against the leftovers of a failed step.
 */
export class Steps {
    constructor() {
        this.done = new Map();
    }

    step(name, fn) {
        return async (t) => {
            this.done.set(name, false);
            await fn(t);
            this.done.set(name, true);
        };
    }

    needs(names, name, fn) {
        return this.step(name, async (t) => {
            const missing = names.filter((n) => this.done.get(n) !== true);
            if (missing.length) {
                throw new Error(`not run: it needs ${missing.map((n) => `"${n}"`).join(", ")}, which did not succeed`);
            }
            await fn(t);
        });
    }
}

/** Deletes a namespace and waits until it is gone, so the next step starts from a verified state. */
export function deleteNamespace(ns, timeout = "300s") {
    kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", `--timeout=${timeout}`]);
    if (exists("namespace", ns)) throw new Error(`namespace ${ns} still exists after ${timeout}`);
}

/** Waits until `kubectl rollout status` reports the workload rolled out. */
export function rolloutStatus(kind, name, namespace, timeout = "120s") {
    kubectl(["rollout", "status", `${kind}/${name}`, "-n", namespace, `--timeout=${timeout}`]);
}

/** Why tests of the real program can't run here, or "" when they can. */
export function missingForProgram() {
    const missing = (process.env.TOOLCHAIN_MISSING ?? "").split(/\s+/).filter(Boolean);
    const needed = missing.filter((m) => ["pulumi", "language-nodejs", "provider-kubernetes", "provider-random"].includes(m));
    return needed.length ? `toolchain pieces missing: ${needed.join(", ")} (see docs/e2e.md)` : "";
}
