/**
 * The alerts and dashboard queries through Prometheus's own rule engine: `promtool check rules` on
 * every rule file the stacks deploy (and on the dashboards' queries as recording rules), and
 * `promtool test rules` with each alert's cases from the catalog: one test that it fires, one that
 * it stays quiet.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { alertRules } from "../observability/alerts.specs";
import { AlertDefinition, alertCatalog, serviceAlerts } from "../lib/alert-catalog";
import { defaultRuleSettings, testSubjects } from "./alert-fixtures";
import { ProgramRun, runStack } from "./mocks";
import { variants } from "./state-snapshot";
import { describeWithTool } from "./toolchain";
import { casesOf, dashboardRuleFilesOf, ruleFilesOf, ruleTestFile } from "./rule-files";

/** Runs promtool; its output, or an error holding its output when it fails. */
function runPromtool(promtool: string, args: readonly string[], cwd: string): string {
    try {
        return execFileSync(promtool, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        throw new Error(`promtool ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`, { cause: error });
    }
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-rules-"));
}

function writeYaml(dir: string, file: string, content: unknown): string {
    fs.writeFileSync(path.join(dir, file), stringify(content, { lineWidth: 0 }));
    return file;
}

function checkRules(promtool: string, files: Record<string, unknown>, lint: string): void {
    const dir = tempDir();
    const names = Object.entries(files).map(([file, content]) => writeYaml(dir, file, content));
    const out = runPromtool(promtool, ["check", "rules", `--lint=${lint}`, ...(lint === "none" ? [] : ["--lint-fatal"]), ...names], dir);
    for (const name of names) assert.match(out, new RegExp(`Checking ${name}\\s+SUCCESS`), out);
}

describeWithTool("promtool", "promtool check rules: every rule file the stacks deploy, and every dashboard query", (promtool) => {
    // The stacks, and staging with a blue-green and with a canary orchestrator (their rules and dashboards match the tracks' workloads).
    const runs: Record<string, () => Promise<ProgramRun>> = { staging: () => runStack("staging"), prod: () => runStack("prod"), "staging-blue-green": variants["staging-blue-green"], "staging-canary": variants["staging-canary"] };
    for (const [stack, runOf] of Object.entries(runs)) {
        describe(stack, () => {
            let run: ProgramRun;
            before(async () => {
                run = await runOf();
            });

            it("the services' PrometheusRules and the charts' rules (as Helm renders them) pass, with no lint finding", () => {
                const files = ruleFilesOf(run);
                assert.ok(Object.keys(files).length >= 3, `rule files: ${Object.keys(files).join(", ")}`);
                checkRules(promtool, files, "all");
            });

            it("every dashboard panel's query parses (as a recording rule)", () => {
                const files = dashboardRuleFilesOf(run);
                assert.ok(Object.keys(files).length >= 2, `dashboards: ${Object.keys(files).join(", ")}`);
                checkRules(promtool, files, "none");
            });

            if (stack === "staging-canary") {
                it("the canary AnalysisTemplate's queries parse (as recording rules, with a pod-template hash filled in as Argo Rollouts does)", () => {
                    const metrics = run.one("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate").inputs.spec.metrics as { name: string; provider: { prometheus: { query: string } } }[];
                    assert.equal(metrics.length, 2);
                    const rules = metrics.map((m) => ({ record: `canary:${m.name.replace(/-/g, "_")}`, expr: m.provider.prometheus.query.replace("{{args.canary-hash}}", "5d8f7c9b4") }));
                    checkRules(promtool, { "canary-analysis.rules.yaml": { groups: [{ name: "canary-analysis", rules }] } }, "none");
                });
            }
        });
    }
});

/** Each test file's failures in promtool's JUnit report (testsuite per file); a file it did not run is absent. */
function junitResults(xml: string): Map<string, { tests: number; failures: string[] }> {
    const unescape = (t: string) => t.replace(/&#xA;/g, "\n").replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    const results = new Map<string, { tests: number; failures: string[] }>();
    for (const suite of xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)"[^>]*>([\s\S]*?)<\/testsuite>/g)) {
        const failures = [...suite[3].matchAll(/<(failure|error)[^>]*>([\s\S]*?)<\/\1>/g)].map((f) => unescape(f[2]));
        results.set(unescape(suite[1]), { tests: Number(suite[2]), failures });
    }
    return results;
}

describeWithTool("promtool", "promtool test rules: each alert fires on its firing case and stays quiet on the other", (promtool) => {
    const settings = defaultRuleSettings("production", { alertLabels: { team: "platform" } });
    // Each alert on its subject, and each service alert on a blue-green service too (its workloads are "<name>-blue" and "<name>-green").
    const tracked = { ...testSubjects, service: { ...testSubjects.service, tracks: ["blue", "green"] } };
    const tests = [
        ...(alertCatalog as readonly AlertDefinition<"service">[]).flatMap((alert) =>
            (["firing", "quiet"] as const).map((kind) => ({ alert, kind, subjects: testSubjects, testFile: `${alert.name}.${kind}.test.yaml` }))),
        ...serviceAlerts.flatMap((alert) =>
            (["firing", "quiet"] as const).map((kind) => ({ alert, kind, subjects: tracked, testFile: `${alert.name}.blue-green.${kind}.test.yaml` }))),
    ];
    // Every case is written first and promtool runs once over all of them (starting it cost more
    // than a test); each test then reads its own file's result from the JUnit report.
    let results: Map<string, { tests: number; failures: string[] }>;
    let output: string;
    before(() => {
        const dir = tempDir();
        for (const { alert, kind, subjects, testFile } of tests) {
            const subject = subjects[alert.scope];
            const [rule] = alertRules([alert], subject, settings);
            const threshold = settings.settings[alert.name].threshold ?? 0;
            const cases = casesOf(alert, subject, rule, threshold);
            const ruleFile = writeYaml(dir, testFile.replace(/\.(firing|quiet)\.test\.yaml$/, ".rules.yaml"), { groups: [{ name: alert.name, rules: [rule] }] });
            writeYaml(dir, testFile, ruleTestFile(rule, cases[kind], cases.at, ruleFile));
        }
        // promtool exits non-zero when a case fails; the report says which.
        const run = spawnSync(promtool, ["test", "rules", "--junit=report.xml", ...tests.map((t) => t.testFile)], { cwd: dir, encoding: "utf8" });
        if (run.error) throw run.error;
        output = `${run.stdout}${run.stderr}`;
        results = junitResults(fs.readFileSync(path.join(dir, "report.xml"), "utf8"));
    });

    for (const { alert, kind, subjects, testFile } of tests) {
        it(`${alert.name} ${kind === "firing" ? "fires" : "stays quiet"}${subjects === tracked ? " (blue-green tracks)" : ""}`, () => {
            const result = results.get(testFile);
            assert.ok(result && result.tests > 0, `promtool ran no test of ${testFile}:\n${output}`);
            assert.deepEqual(result.failures, [], `promtool test rules ${testFile} failed:\n${result.failures.join("\n")}`);
        });
    }
});
