/**
 * The SLOs (services.<name>.slo): their config and its rules with exact messages, the windows and
 * burn factors of the SRE workbook, the recording rules and alerts, and the dashboard row with the
 * error budget left. promtool proves the alerts' timing (tests/slo-promtool.test.ts), Sloth their
 * expressions (tests/slo-sloth.test.ts).
 */
import { strict as assert } from "assert";
import { providedMetrics } from "../lib/metric-catalog";
import { dashboardSpecs } from "../observability/dashboards";
import { serviceSlos } from "../observability/observability.resolve";
import type { ServiceAlerts, SloSpec } from "../observability/observability.args";
import {
    budgetRemainingMetric,
    burnFactor,
    burnRateWindows,
    errorBudget,
    errorRatioMetric,
    recordedWindows,
    serviceRulesSpec,
    sliQueries,
    sloAlertName,
    sloAlertRules,
    sloRecordingRules,
    sloRuleGroups,
} from "../observability/slo.specs";
import { defaultRuleSettings, testSubjects } from "./alert-fixtures";
import { reportOf, stagingBase, Values } from "./config-harness";
import { runStack } from "./mocks";
import { metricNamesOf } from "./promql-names";
import { readDoc } from "./observability-docs";
import { renderSloDocs, withSloBlock } from "./slo-docs";

const target = testSubjects.service;
const availability: SloSpec = { name: "availability", objective: 99.9, window: "30d" };
const latency: SloSpec = { name: "latency", objective: 95, window: "30d", thresholdSeconds: 2.5 };
const settings = { alertLabels: { team: "platform" }, runbookBaseUrl: "https://runbooks.example.com/llm" };

describe("SLOs: config", () => {
    const message = (edit: (v: Values) => void) => reportOf(stagingBase, edit);

    it("an SLO is availability, an optional latency, and a window of 28d or 30d (30d by default)", () => {
        assert.deepEqual(serviceSlos({ slo: { availability: 99.5, window: "30d" } }), [{ name: "availability", objective: 99.5, window: "30d" }]);
        assert.deepEqual(serviceSlos({ slo: { availability: 99.9, latency: { thresholdMs: 300, target: 99 }, window: "28d" } }), [
            { name: "availability", objective: 99.9, window: "28d" },
            { name: "latency", objective: 99, window: "28d", thresholdSeconds: 0.3 },
        ]);
        assert.deepEqual(serviceSlos({}), []);
    });

    it("targets are percentages above 0 and below 100, the threshold whole milliseconds, the window one the workbook gives parameters for", () => {
        assert.equal(
            message((v) => { v.services.api.slo = { availability: 100, latency: { thresholdMs: 0.5, target: 0 }, window: "7d" }; }),
            "Stack config of \"test\" has 4 problems:\n" +
            "  - services.api.slo.availability: given 100; expected a percentage above 0 and below 100, e.g. 99.9 (100% leaves no error budget to alert on)\n" +
            "  - services.api.slo.latency.target: given 0; expected a percentage above 0 and below 100, e.g. 99.9 (100% leaves no error budget to alert on)\n" +
            "  - services.api.slo.latency.thresholdMs: given 0.5; expected an integer\n" +
            "  - services.api.slo.window: given \"7d\"; expected one of \"28d\", \"30d\"",
        );
    });

    it("an SLO needs the service's metrics", () => {
        assert.equal(
            message((v) => { v.services.api.metrics = { enabled: false }; v.services.api.slo = { availability: 99.9 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.slo: given {\"availability\":99.9,\"window\":\"30d\"}; expected unset while services.api.metrics.enabled is false: an SLO is measured on the service's HTTP metrics",
        );
    });

    it("an SLO needs the stack's alerts: in development they are off unless monitoring.alerts.enabled", () => {
        const expected =
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.slo: given {\"availability\":99.9,\"window\":\"30d\"}; expected unset while the stack has no alerts (monitoring.enabled false, or monitoring.alerts.enabled false or unset in development): the SLO's rules live in the service's PrometheusRule";
        assert.equal(message((v) => { v.environment = "development"; v.services.api.slo = { availability: 99.9 }; }), expected);
        assert.equal(message((v) => { v.monitoring = { alerts: { enabled: false } }; v.services.api.slo = { availability: 99.9 }; }), expected);
        assert.equal(message((v) => { v.environment = "development"; v.monitoring = { alerts: { enabled: true } }; v.services.api.slo = { availability: 99.9 }; }), "Stack config of \"test\" has 0 problems:\n");
    });
});

describe("SLOs: the workbook's windows and burn factors", () => {
    it("over 30 days: 14.4 over 1h and 5m and 6 over 6h and 30m page; 3 over 1d and 2h and 1 over 3d and 6h open a ticket", () => {
        assert.deepEqual(
            burnRateWindows.map((w) => [w.action, burnFactor(w, "30d"), w.long, w.short]),
            [["page", 14.4, "1h", "5m"], ["page", 6, "6h", "30m"], ["ticket", 3, "1d", "2h"], ["ticket", 1, "3d", "6h"]],
        );
    });

    it("over 28 days each window spends the same share of a smaller budget: the factors scale by 28/30", () => {
        assert.deepEqual(burnRateWindows.map((w) => burnFactor(w, "28d")), [13.44, 5.6, 2.8, 0.9333333333]);
    });

    it("the error budget is what the objective leaves, without binary noise", () => {
        assert.deepEqual([errorBudget(99.9), errorBudget(99), errorBudget(95), errorBudget(99.95)], [0.001, 0.01, 0.05, 0.0005]);
    });
});

describe("SLOs: recording rules and alerts", () => {
    it("the error ratio is recorded over every window an alert reads, and over the SLO's window from the 5m ratio", () => {
        const rules = sloRecordingRules(target, availability);
        assert.deepEqual(recordedWindows(), ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
        assert.deepEqual(rules.map((r) => r.record), [...recordedWindows(), "30d"].map(errorRatioMetric).concat(["slo:objective:ratio", "slo:error_budget:ratio", budgetRemainingMetric]));
        assert.equal(
            rules[0].expr,
            '(sum(rate(http_requests_total{namespace="llm-platform",service="orchestrator",status=~"5.."}[5m]))) / (sum(rate(http_requests_total{namespace="llm-platform",service="orchestrator"}[5m])))',
        );
        assert.deepEqual(rules[0].labels, { namespace: "llm-platform", service: "orchestrator", slo: "availability", slo_window: "5m" });
        assert.equal(
            rules[7].expr,
            'sum_over_time(slo:sli_error:ratio_rate5m{namespace="llm-platform",service="orchestrator",slo="availability"}[30d]) / ignoring (slo_window) count_over_time(slo:sli_error:ratio_rate5m{namespace="llm-platform",service="orchestrator",slo="availability"}[30d])',
        );
        assert.equal(rules[10].expr, '1 - max without (slo_window) (slo:sli_error:ratio_rate30d{namespace="llm-platform",service="orchestrator",slo="availability"}) / 0.001');
    });

    it("the latency SLI counts requests slower than the threshold's bucket; a whole second matches both 1 and Prometheus 3's 1.0", () => {
        assert.deepEqual(sliQueries(target, latency, "1h"), {
            errors: '(sum(rate(http_request_duration_seconds_bucket{namespace="llm-platform",service="orchestrator",le="+Inf"}[1h])) - sum(rate(http_request_duration_seconds_bucket{namespace="llm-platform",service="orchestrator",le="2.5"}[1h])))',
            total: 'sum(rate(http_request_duration_seconds_bucket{namespace="llm-platform",service="orchestrator",le="+Inf"}[1h]))',
        });
        assert.match(sliQueries(target, { ...latency, thresholdSeconds: 1 }, "5m").errors, /le=~"1\(\\\\\.0\)\?"/);
    });

    it("one alert name, a critical page and a warning ticket, with the runbook, the slo label and the stack's alert labels", () => {
        const [page, ticket] = sloAlertRules(target, availability, settings);
        assert.equal(page.alert, sloAlertName);
        assert.equal(ticket.alert, sloAlertName);
        assert.deepEqual(page.labels, { team: "platform", severity: "critical", slo: "availability" });
        assert.deepEqual(ticket.labels, { team: "platform", severity: "warning", slo: "availability" });
        assert.equal(page.annotations.runbook_url, "https://runbooks.example.com/llm#serviceerrorbudgetburn");
        const sel = 'namespace="llm-platform",service="orchestrator",slo="availability"';
        const over = (w: string, f: number) => `max(slo:sli_error:ratio_rate${w}{${sel}} > (${f} * 0.001)) without (slo_window)`;
        assert.equal(page.expr, `(${over("5m", 14.4)} and ${over("1h", 14.4)}) or (${over("30m", 6)} and ${over("6h", 6)})`);
        assert.equal(ticket.expr, `(${over("2h", 3)} and ${over("1d", 3)}) or (${over("6h", 1)} and ${over("3d", 1)})`);
    });

    it("the alerts read only the ratios the recording rules record, and those read only the service's HTTP metrics", () => {
        const recorded = new Set(sloRecordingRules(target, latency).map((r) => r.record));
        for (const rule of sloAlertRules(target, latency, settings)) for (const name of metricNamesOf(rule.expr)) assert.ok(recorded.has(name), name);
        const provided = providedMetrics({ postgresExporter: false, redisExporter: false, http: target.http });
        for (const rule of sloRecordingRules(target, latency)) for (const name of metricNamesOf(rule.expr)) assert.ok(provided.has(name) || recorded.has(name), `${rule.record}: ${name}`);
    });

    it("a service without SLOs keeps its PrometheusRule as it was: one group of the catalog's alerts", () => {
        const alerts: ServiceAlerts = { ...defaultRuleSettings("production"), target, slos: [] };
        assert.deepEqual(sloRuleGroups(target, [], alerts), []);
        assert.deepEqual(serviceRulesSpec(target, alerts).groups.map((g) => g.name), ["llm-platform.orchestrator.alerts"]);
        assert.deepEqual(serviceRulesSpec(target, { ...alerts, slos: [availability, latency] }).groups.map((g) => g.name), [
            "llm-platform.orchestrator.alerts",
            "llm-platform.orchestrator.slo.availability.recordings",
            "llm-platform.orchestrator.slo.latency.recordings",
            "llm-platform.orchestrator.slo.alerts",
        ]);
    });
});

describe("SLOs: the dashboard's error budget left", () => {
    it("a service with SLOs gets a row: a stat per SLO and the budget left over time, from the recorded ratio", () => {
        const [spec] = dashboardSpecs({ instance: "llm-platform-prod", services: [target], slos: { orchestrator: [availability, latency] } }).map((d) => d.spec);
        const row = spec.rows.at(-1)!;
        assert.equal(row.title, "Service level objectives");
        assert.deepEqual(row.panels.map((p) => [p.kind, p.title]), [["stat", "Error budget left: availability"], ["stat", "Error budget left: latency"], ["timeseries", "Error budget left"]]);
        assert.equal(row.panels[0].queries[0].expr, '100 * slo:period_error_budget_remaining:ratio{namespace="llm-platform",service="orchestrator",slo="availability"}');
        const [without] = dashboardSpecs({ instance: "llm-platform-prod", services: [target] }).map((d) => d.spec);
        assert.deepEqual(spec.rows.slice(0, -1), without.rows);
    });

    it("prod: the orchestrator's PrometheusRule holds its SLOs' groups and its dashboard the row", async () => {
        const run = await runStack("prod");
        const rule = run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").find((r) => r.name === "orchestrator-rules");
        assert.ok(rule, "the orchestrator's PrometheusRule");
        assert.deepEqual((rule.inputs.spec.groups as { name: string }[]).map((g) => g.name).slice(1), [
            "llm-platform.orchestrator.slo.availability.recordings",
            "llm-platform.orchestrator.slo.latency.recordings",
            "llm-platform.orchestrator.slo.alerts",
        ]);
        const dashboard = run.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata?.name === "grafana-dashboard-service-orchestrator");
        assert.ok(dashboard, "the orchestrator's dashboard");
        assert.match(Object.values(dashboard.inputs.data as Record<string, string>)[0], /Error budget left: latency/);
    });
});

describe("SLOs: docs/observability.md stays true", () => {
    it("its SLO windows, rules and runbook are the ones slo.specs renders (rewrite: tests/update-observability-docs.ts)", () => {
        const doc = readDoc();
        assert.equal(doc, withSloBlock(doc, renderSloDocs()), "docs/observability.md is stale: run node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts");
        assert.ok(doc.includes(`\n### ${sloAlertName}\n`), "the runbook section the alerts' runbook_url points at");
    });
});
