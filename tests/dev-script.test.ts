/**
 * scripts/dev.sh, the new user's deploy command: help and a mistyped action print the usage before
 * any check (Node, npm ci, the pulumi CLI, the passphrase, `pulumi stack select --create`) and
 * change nothing (issue #28). The script runs from a copy in a scratch directory, so that anything
 * it would create or install shows up there.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "./suite";

const script = fs.readFileSync(path.join(projectRoot, "scripts", "dev.sh"), "utf8");

/** The usage as the header comment says it: the comment lines after the shebang, without `# `. */
const usage =
    script
        .split("\n")
        .slice(1)
        .join("\n")
        .match(/^(?:#.*\n)+/)![0]
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/^# ?/, ""))
        .join("\n") + "\n";

/** PATH without any directory that holds a pulumi executable. */
const pathWithoutPulumi = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, "pulumi")))
    .join(path.delimiter);

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
    /** Every file in the scratch repository afterwards, relative to it. */
    files: string[];
    /** The arguments of each call of the stand-in pulumi CLI, when there was one. */
    pulumiCalls: string[];
}

function listFiles(dir: string, base = dir): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? [path.relative(base, full) + "/", ...listFiles(full, base)] : [path.relative(base, full)];
    });
}

/** Runs a copy of dev.sh with `args`: without a passphrase and without pulumi, unless `withPulumi` puts a recording stand-in on PATH and sets a passphrase. */
function devSh(args: string[], withPulumi = false): Run {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dev-sh-"));
    try {
        const repo = path.join(tmp, "repo");
        fs.mkdirSync(path.join(repo, "scripts"), { recursive: true });
        fs.copyFileSync(path.join(projectRoot, "scripts", "dev.sh"), path.join(repo, "scripts", "dev.sh"));
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutPulumi };
        for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL"]) delete env[name];
        const calls = path.join(tmp, "pulumi-calls");
        if (withPulumi) {
            const bin = path.join(tmp, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\necho "$*" >> "${calls}"\n`, { mode: 0o755 });
            env.PATH = bin + path.delimiter + env.PATH;
            env.PULUMI_CONFIG_PASSPHRASE = "test";
        }
        const r = spawnSync("bash", [path.join(repo, "scripts", "dev.sh"), ...args], { cwd: tmp, env, encoding: "utf8", timeout: 10_000 });
        if (r.error) throw r.error;
        const pulumiCalls = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter(Boolean) : [];
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, files: listFiles(repo), pulumiCalls };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

describe("scripts/dev.sh", () => {
    it("its usage is its header comment, and names every action the script accepts", () => {
        assert.ok(usage.startsWith("The main job for a new user: preview, deploy or destroy the dev stack"), usage);
        for (const action of ["preview", "up", "destroy", "outputs", "help"]) assert.match(usage, new RegExp(`^  \\./scripts/dev\\.sh ${action}\\b`, "m"), `the usage lacks ${action}`);
        assert.match(usage, /PULUMI_CONFIG_PASSPHRASE \(or PULUMI_CONFIG_PASSPHRASE_FILE\), which must be set/);
    });

    for (const arg of ["help", "--help", "-h"]) {
        it(`\`${arg}\` prints the usage to stdout and exits 0, before looking for pulumi or a passphrase, creating nothing`, () => {
            const r = devSh([arg]);
            assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: usage, stderr: "" });
            assert.deepEqual(r.files, ["scripts/", "scripts/dev.sh"], "no .pulumi-local, no node_modules");
        });
    }

    it("a mistyped action (`prevew`) names it and prints the usage to stderr, exits 2, creating nothing", () => {
        const r = devSh(["prevew"]);
        assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 2, stdout: "", stderr: `dev.sh: unknown action "prevew"\n\n${usage}` });
        assert.deepEqual(r.files, ["scripts/", "scripts/dev.sh"], "no .pulumi-local, no node_modules");
    });

    it("with the pulumi CLI on PATH and a passphrase set, `--help` and `prevew` never run pulumi (no `stack select --create`)", () => {
        const help = devSh(["--help"], true);
        assert.deepEqual({ status: help.status, stdout: help.stdout, calls: help.pulumiCalls }, { status: 0, stdout: usage, calls: [] });
        const typo = devSh(["prevew", "--yes"], true);
        assert.deepEqual({ status: typo.status, calls: typo.pulumiCalls }, { status: 2, calls: [] });
        assert.deepEqual([help.files, typo.files], [["scripts/", "scripts/dev.sh"], ["scripts/", "scripts/dev.sh"]]);
    });
});
