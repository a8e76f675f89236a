/**
 * The SLO alerts' timing through Prometheus's own rule engine (`promtool test rules`), with
 * synthetic request series against the rules a service with prod's SLOs gets (99.9% availability,
 * 95% of requests within 2.5 s, over 30 days): a total outage pages within 5 minutes; a slow burn
 * opens a ticket and never pages; traffic within budget alerts no one.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type { SloSpec } from "../observability/observability.args";
import { sloAlertName, sloAlertRules, sloRuleGroups } from "../observability/slo.specs";
import { seriesName } from "../lib/promql";
import { testSubjects } from "./alert-fixtures";
import { expandTemplate } from "./rule-files";
import { describeWithTool } from "./toolchain";

const target = testSubjects.service;
const own = { namespace: target.namespace, service: target.name };
const slos: SloSpec[] = [
    { name: "availability", objective: 99.9, window: "30d" },
    { name: "latency", objective: 95, window: "30d", thresholdSeconds: 2.5 },
];
const settings = { alertLabels: { team: "platform" }, runbookBaseUrl: "https://runbooks.example.com/llm" };
/** The test series' length in minutes: 6 hours of history (the page's slow window) and 2 hours more. */
const minutes = 8 * 60;
/** When the outages start: after 6 hours of good traffic. */
const outage = 6 * 60;

type Action = "page" | "ticket";
const requests = (status: string, values: string) => ({ series: seriesName(target.http.requests, { ...own, [target.http.statusLabel]: status }), values });
const bucket = (le: string, values: string) => ({ series: seriesName(target.http.durationBucket, { ...own, le }), values });

/** The alerts promtool must see at `minute`: each SLO's page or ticket, labelled and annotated as the rules make them. */
function expected(minute: number, firing: readonly [SloSpec["name"], Action][]) {
    return {
        eval_time: `${minute}m`,
        alertname: sloAlertName,
        exp_alerts: firing.map(([name, action]) => {
            const slo = slos.find((s) => s.name === name)!;
            const rule = sloAlertRules(target, slo, settings)[action === "page" ? 0 : 1];
            const labels = { ...own, ...rule.labels };
            return { exp_labels: labels, exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels, 0)])) };
        }),
    };
}

/** 600 requests a minute: the good ones counted in `good`, from minute `from` on all of them in `bad` (a step at `from`). */
const stepTo = (from: number) => ({ before: `0+600x${from} ${600 * from}x${minutes}`, after: `0x${from} 600+600x${minutes}` });

const cases = {
    "a total outage pages within 5 minutes (and opens a ticket), having alerted no one before": {
        series: [requests("200", stepTo(outage).before), requests("503", stepTo(outage).after)],
        tests: [expected(outage, []), expected(outage + 5, [["availability", "page"], ["availability", "ticket"]])],
    },
    // The latency objective (95%) has a budget of 5%: paging takes 14.4 × 5% = 72% of the last hour
    // slow (43 minutes), a ticket 3 × 5% of the last 2 hours and of the day (64 minutes with 6 hours of history).
    "requests all slower than the latency threshold open a ticket, then page once 72% of the last hour was slow": {
        series: [requests("200", `0+600x${minutes}`), bucket("2.5", stepTo(outage).before), bucket("+Inf", `0+600x${minutes}`)],
        tests: [expected(outage, []), expected(outage + 35, [["latency", "ticket"]]), expected(outage + 50, [["latency", "page"], ["latency", "ticket"]])],
    },
    "a slow burn (twice the budget's pace: 0.2% errors) opens a ticket and never pages": {
        series: [requests("200", `0+998x${minutes}`), requests("503", `0+2x${minutes}`)],
        tests: [30, 120, 360, minutes].map((m) => expected(m, [["availability", "ticket"]])),
    },
    "errors within the budget (0.05%) alert no one": {
        series: [requests("200", `0+999.5x${minutes}`), requests("503", `0+0.5x${minutes}`)],
        tests: [30, 120, 360, minutes].map((m) => expected(m, [])),
    },
};

describeWithTool("promtool", "SLO burn-rate alerts: promtool test rules with synthetic series", (promtool) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-slo-"));
    fs.writeFileSync(path.join(dir, "slo.rules.yaml"), stringify({ groups: sloRuleGroups(target, slos, settings) }, { lineWidth: 0 }));

    it("the rules pass promtool check rules, with no lint finding", () => {
        const run = spawnSync(promtool, ["check", "rules", "--lint=all", "--lint-fatal", "slo.rules.yaml"], { cwd: dir, encoding: "utf8" });
        assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
        assert.match(run.stdout, /SUCCESS: 26 rules found/);
    });

    Object.entries(cases).forEach(([name, testCase], i) => {
        it(name, () => {
            const file = `case-${i}.test.yaml`;
            const tests = [{ name, interval: "1m", input_series: testCase.series, alert_rule_test: testCase.tests }];
            fs.writeFileSync(path.join(dir, file), stringify({ rule_files: ["slo.rules.yaml"], evaluation_interval: "1m", tests }, { lineWidth: 0 }));
            const run = spawnSync(promtool, ["test", "rules", file], { cwd: dir, encoding: "utf8" });
            assert.equal(run.status, 0, `promtool test rules ${file} failed:\n${run.stdout}${run.stderr}`);
            assert.match(run.stdout, /SUCCESS/);
        });
    });
});
