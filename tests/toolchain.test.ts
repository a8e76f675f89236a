/**
 * The tools that tests of the alert rules and the NetworkPolicies run, built by
 * scripts/toolchain/build.sh: promtool (Prometheus rule checks and rule unit tests), cyclonus
 * (an offline NetworkPolicy simulator), sloth and amtool (the SLO and routing cross-checks). Each is smoke-tested on a tiny fixture in
 * tests/fixtures/toolchain. In CI, which builds the toolchain before the unit tests, a missing tool
 * fails; elsewhere these tests are skipped with the command that builds it.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "./mocks";
import { combinedTable } from "./network-matrix";
import { describeWithTool } from "./toolchain";

const fixtures = path.join(projectRoot, "tests", "fixtures", "toolchain");

/** A version pinned in scripts/toolchain/versions.sh, e.g. SLOTH_VERSION. */
function versionOf(variable: string): string {
    return spawnSync("bash", ["-c", `source scripts/toolchain/versions.sh >/dev/null 2>&1; printf '%s' "\${${variable}}"`], { cwd: projectRoot, encoding: "utf8" }).stdout;
}

function run(tool: string, args: string[]): { status: number | null; out: string } {
    const r = spawnSync(tool, args, { cwd: fixtures, encoding: "utf8", timeout: 30_000 });
    if (r.error) throw r.error;
    return { status: r.status, out: r.stdout + r.stderr };
}

describeWithTool("promtool", "toolchain: promtool", (promtool) => {
    it("reports its version", () => {
        const { status, out } = run(promtool, ["--version"]);
        assert.equal(status, 0, out);
        assert.match(out, /^promtool, version \d+\.\d+\.\d+ /);
    });

    it("checks a rule file", () => {
        const { status, out } = run(promtool, ["check", "rules", "rules.yml"]);
        assert.equal(status, 0, out);
        assert.match(out, /SUCCESS: 2 rules found/);
    });

    it("passes the rule unit tests that hold", () => {
        const { status, out } = run(promtool, ["test", "rules", "rules.test.yml"]);
        assert.equal(status, 0, out);
        assert.match(out, /SUCCESS/);
    });

    it("fails a rule unit test whose expectation is wrong, naming the alert", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
        try {
            const wrong = fs
                .readFileSync(path.join(fixtures, "rules.test.yml"), "utf8")
                .replace("  - rules.yml", `  - ${path.join(fixtures, "rules.yml")}`)
                .replace("instance: a }", "instance: b }");
            fs.writeFileSync(path.join(dir, "wrong.test.yml"), wrong);
            const { status, out } = run(promtool, ["test", "rules", path.join(dir, "wrong.test.yml")]);
            assert.equal(status, 1, out);
            assert.match(out, /alertname: TargetDown/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describeWithTool("cyclonus", "toolchain: cyclonus", (cyclonus) => {
    it("simulates a default-deny NetworkPolicy offline: nothing reaches or leaves its namespace, the other namespace is open", () => {
        const { status, out } = run(cyclonus, ["analyze", "--mode", "probe", "--policy-path", "policies", "--probe-path", "cyclonus-model.json"]);
        assert.equal(status, 0, out);
        const combined = combinedTable(out);
        assert.deepEqual(
            Object.fromEntries([...combined].map(([from, to]) => [from, Object.fromEntries(to)])),
            {
                "other/client": { "other/client": ".", "platform/api": "X" },
                "platform/api": { "other/client": "X", "platform/api": "X" },
            },
        );
    });
});

describe("toolchain: the message of a missing tool", () => {
    /** notBuilt(name) as a fresh process with `env` computes it (no inherited lookup). */
    function notBuiltIn(env: Record<string, string>, name: string): string {
        const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
        delete childEnv.LLM_PLATFORM_TEST_TOOL_PATHS;
        const r = spawnSync(process.execPath, ["-r", "./scripts/register-ts.cjs", "-e", `process.stdout.write(require("./tests/toolchain").notBuilt(${JSON.stringify(name)}))`], {
            cwd: projectRoot,
            env: childEnv,
            encoding: "utf8",
            timeout: 30_000,
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    }

    it("names the toolchain cache as scripts/toolchain/versions.sh resolves it (LLM_PLATFORM_TOOLCHAIN), not a hard-coded ~/.cache", () => {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-cache-"));
        try {
            assert.equal(
                notBuiltIn({ LLM_PLATFORM_TOOLCHAIN: cache }, "helm"),
                `helm is neither on PATH nor in the toolchain cache ${cache}; build it with scripts/toolchain/build.sh helm`,
            );
        } finally {
            fs.rmSync(cache, { recursive: true, force: true });
        }
    });

    it("is the one both helm suites skip with", () => {
        for (const file of ["chart-rules.test.ts", "chart-network-policy.test.ts"]) {
            const source = fs.readFileSync(path.join(projectRoot, "tests", file), "utf8");
            assert.match(source, /notBuilt\("helm"\)/, `${file} says why helm is missing through notBuilt`);
            assert.doesNotMatch(source, /\.cache\/llm-platform|no helm on PATH/, `${file} writes its own helm message`);
        }
    });
});

describeWithTool("sloth", "toolchain: sloth", (sloth) => {
    it("reports the pinned version", () => {
        // The version on stdout; stderr may hold its metrics library's log lines.
        const r = spawnSync(sloth, ["version"], { cwd: fixtures, encoding: "utf8", timeout: 30_000 });
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
        assert.equal(r.stdout.trim(), `v${versionOf("SLOTH_VERSION")}`);
    });
});

describeWithTool("amtool", "toolchain: amtool", (amtool) => {
    it("reports the pinned version", () => {
        const { status, out } = run(amtool, ["--version"]);
        assert.equal(status, 0, out);
        assert.match(out, new RegExp(`^amtool, version ${versionOf("ALERTMANAGER_VERSION").replace(/\./g, "\\.")} `));
    });
});
