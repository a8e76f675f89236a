// Helpers for the e2e suite: run the pulumi CLI and kubectl against a scratch
// project copy, a local file state backend and the cluster in $KUBECONFIG.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

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
    const out = { status: res.status, stdout: res.stdout ?? "", stderr: res.stderr ?? "", ms: Date.now() - started };
    if (!allowFail && res.status !== 0) {
        const tail = (s) => s.split("\n").slice(-60).join("\n");
        throw new Error(
            `${cmd} ${args.join(" ")} exited ${res.status ?? res.signal} after ${out.ms} ms\n--- stdout\n${tail(out.stdout)}\n--- stderr\n${tail(out.stderr)}`,
        );
    }
    return out;
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

    pulumi(args, opts = {}) {
        return run("pulumi", ["--non-interactive", "--color=never", ...args], {
            cwd: this.project,
            ...opts,
            env: { ...this.env, ...(opts.env ?? {}) },
        });
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
