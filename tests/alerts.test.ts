import { strict as assert } from "assert";
import { validateConfig } from "../config/validate";
import { alertSettings } from "../observability/observability.resolve";
import { chartRules, dataStoreAlertRules, helmTemplateLiteral, servicePrometheusRuleSpec } from "../observability/alerts.specs";
import { alertCatalog, postgresqlAlerts, redisAlerts, serviceAlerts } from "../lib/alert-catalog";
import { environments } from "../lib/environments";
import { defaultHttpMetrics, providedMetrics } from "../lib/metric-catalog";
import { base, defaultRuleSettings, testSubjects } from "./alert-fixtures";
import { problemsOf, raw } from "./config-harness";
import { runStack } from "./mocks";
import { metricNamesOf } from "./promql-names";
import { expandTemplate, fromHelmTemplateLiteral } from "./rule-files";

describe("alert catalog", () => {
    it("every alert has a unique name, in PascalCase", () => {
        const names = alertCatalog.map((a) => a.name);
        assert.equal(new Set(names).size, names.length);
        for (const name of names) assert.match(name, /^[A-Z][A-Za-z]+$/);
    });

    it("covers what the issue asks: availability, saturation, errors, latency, restarts and the post-deploy check of services; up, connections, replication and deadlocks of PostgreSQL; up, memory, evictions and rejected connections of Redis", () => {
        assert.deepEqual(serviceAlerts.map((a) => a.name), [
            "ServiceNoReadyPods",
            "ServiceBelowDisruptionBudget",
            "ServiceAutoscalerAtMax",
            "ServiceCpuThrottled",
            "ServiceMemoryNearLimit",
            "ServiceOOMKilled",
            "ServiceCrashLooping",
            "ServiceHighErrorRate",
            "ServiceHighLatency",
            "ServicePostDeployCheckFailed",
        ]);
        assert.deepEqual(postgresqlAlerts.map((a) => a.name), ["PostgresqlDown", "PostgresqlConnectionsNearMax", "PostgresqlReplicationLag", "PostgresqlDeadlocks"]);
        assert.deepEqual(redisAlerts.map((a) => a.name), ["RedisDown", "RedisMemoryNearMax", "RedisEvictingKeys", "RedisRejectedConnections"]);
    });

    it("annotations use only {{ $labels.<name> }} of the labels the alert has, and {{ printf \"%.<n>f\" $value }}", () => {
        for (const alert of alertCatalog) {
            const threshold = alert.threshold?.defaults.production ?? 0;
            const { firing } = alert.cases(testSubjects[alert.scope] as never, threshold, 100);
            for (const template of [alert.summary, alert.description]) {
                const expanded = expandTemplate(template, firing.labels, firing.value);
                assert.doesNotMatch(expanded, /\{\{|\}\}/, `${alert.name}: ${template}`);
                for (const [, label] of template.matchAll(/\$labels\.([a-z_]+)/g)) assert.ok(label in firing.labels, `${alert.name} names label ${label}, which it does not have`);
            }
        }
    });

    it("every expression selects only metrics the stack's exporters and the configured HTTP metric names provide", () => {
        const provided = providedMetrics({ postgresExporter: true, redisExporter: true, http: defaultHttpMetrics });
        for (const alert of alertCatalog) {
            const names = metricNamesOf(alert.expr(testSubjects[alert.scope] as never, 1));
            assert.ok(names.length > 0, alert.name);
            assert.deepEqual(names.filter((n) => !provided.has(n)), [], alert.name);
        }
    });

    it("the HTTP metric names come from config: an application instrumented differently is watched by its own names", () => {
        const http = { requests: "app_http_server_requests_total", statusLabel: "code", durationBucket: "app_http_server_duration_seconds_bucket" };
        const rules = servicePrometheusRuleSpec({ ...testSubjects.service, http }, defaultRuleSettings("production")).groups[0].rules;
        const errors = rules.find((r) => r.alert === "ServiceHighErrorRate")!.expr;
        assert.match(errors, /app_http_server_requests_total\{namespace="llm-platform",service="orchestrator",code=~"5\.\."\}/);
        assert.match(rules.find((r) => r.alert === "ServiceHighLatency")!.expr, /app_http_server_duration_seconds_bucket\{/);
        assert.deepEqual(metricNamesOf(errors), ["app_http_server_requests_total"]);
    });
});

describe("alert rules: settings per environment and from config", () => {
    it("each alert carries severity, summary, description and a runbook URL pointing at its section", () => {
        const rules = servicePrometheusRuleSpec(testSubjects.service, defaultRuleSettings("production", { alertLabels: { team: "platform" } })).groups[0].rules;
        const errors = rules.find((r) => r.alert === "ServiceHighErrorRate")!;
        assert.deepEqual(errors.labels, { team: "platform", severity: "critical" });
        assert.equal(errors.for, "5m");
        assert.match(errors.expr, / > 5$/);
        assert.equal(errors.annotations.runbook_url, "https://runbooks.example.com/llm#servicehigherrorrate");
        assert.ok(errors.annotations.summary && errors.annotations.description);
    });

    it("thresholds and for: durations default per environment (production is stricter)", () => {
        const rule = (env: (typeof environments)[number]) => servicePrometheusRuleSpec(testSubjects.service, defaultRuleSettings(env)).groups[0].rules.find((r) => r.alert === "ServiceHighErrorRate")!;
        assert.deepEqual([rule("staging").for, rule("production").for], ["10m", "5m"]);
        assert.match(rule("staging").expr, / > 10$/);
    });

    it("a service gets only the alerts that apply to it: no HPA, PDB, HTTP metrics or post-deploy check, no alert on them", () => {
        const bare = { ...testSubjects.service, has: { metrics: false, autoscaling: false, disruptionBudget: false, postDeployCheck: false } };
        const names = servicePrometheusRuleSpec(bare, defaultRuleSettings("production")).groups[0].rules.map((r) => r.alert);
        assert.deepEqual(names, ["ServiceNoReadyPods", "ServiceCpuThrottled", "ServiceMemoryNearLimit", "ServiceOOMKilled", "ServiceCrashLooping"]);
        assert.ok(!dataStoreAlertRules("postgresql", { ...testSubjects.postgresql, replication: false }, defaultRuleSettings("production")).some((r) => r.alert === "PostgresqlReplicationLag"));
    });

    it("monitoring.alerts.rules overrides an alert's threshold, for:, severity, or turns it off", () => {
        const config = validateConfig(
            raw({
                ...base(),
                monitoring: { alerts: { rules: { ServiceHighErrorRate: { threshold: 2.5, for: "1m", severity: "warning" }, ServiceCrashLooping: { enabled: false } } } },
            }),
        ).config!;
        const settings = alertSettings(config);
        assert.deepEqual(settings.ServiceHighErrorRate, { enabled: true, for: "1m", severity: "warning", threshold: 2.5 });
        assert.equal(settings.ServiceCrashLooping.enabled, false);
        const rules = servicePrometheusRuleSpec(testSubjects.service, { ...defaultRuleSettings("production"), settings }).groups[0].rules;
        assert.ok(!rules.some((r) => r.alert === "ServiceCrashLooping"));
        assert.match(rules.find((r) => r.alert === "ServiceHighErrorRate")!.expr, / > 2\.5$/);
    });

    it("config refuses thresholds out of range, bad durations, metric names and unknown alerts, naming each key", () => {
        const problems = problemsOf(base, (v) => {
            v.monitoring = {
                alerts: { rules: { ServiceHighErrorRate: { threshold: 120, for: "5 minutes" }, ServiceNoReadyPods: { threshold: 1 }, ServiceTypo: {} } },
                httpMetrics: { requests: "http-requests", statusLabel: "status code" },
            };
        });
        assert.deepEqual(problems.map((p) => `${p.key}: ${p.expected}`).sort(), [
            "monitoring.alerts.rules.ServiceHighErrorRate.for: a duration such as \"5m\" or \"1h30m\" (units ms, s, m, h, d, w, y, largest first; \"0s\" fires at once)",
            "monitoring.alerts.rules.ServiceHighErrorRate.threshold: a number <= 100",
            "monitoring.alerts.rules.ServiceNoReadyPods.threshold: no such key; known keys here: enabled, for, severity",
            `monitoring.alerts.rules.ServiceTypo: no such key; known keys here: ${alertCatalog.map((a) => a.name).join(", ")}`,
            "monitoring.httpMetrics.requests: a Prometheus metric name such as \"http_requests_total\" ([a-zA-Z_:][a-zA-Z0-9_:]*)",
            "monitoring.httpMetrics.statusLabel: a Prometheus label name such as \"status\" ([a-zA-Z_][a-zA-Z0-9_]*)",
        ]);
    });

    it("alerts or dashboards turned on while monitoring is off is an error", () => {
        assert.deepEqual(
            problemsOf(base, (v) => (v.monitoring = { enabled: false, alerts: { enabled: true }, dashboards: { enabled: true } })),
            ["alerts", "dashboards"].map((key) => ({
                key: `monitoring.${key}.enabled`,
                given: true,
                expected: "false or unset while monitoring.enabled is false: without the exporters and ServiceMonitors there is nothing to watch",
            })),
        );
    });
});

describe("alert rules: the data stores' charts carry theirs", () => {
    it("Helm's tpl leaves the rules as written: every templated text is a raw-string literal", () => {
        assert.equal(helmTemplateLiteral("no template here"), "no template here");
        assert.equal(helmTemplateLiteral('{{ $labels.pod }} at {{ printf "%.1f" $value }}%'), '{{`{{ $labels.pod }} at {{ printf "%.1f" $value }}%`}}');
        assert.throws(() => helmTemplateLiteral("{{ `x` }}"), /backtick/);
        const rules = dataStoreAlertRules("redis", testSubjects.redis, defaultRuleSettings("production"));
        for (const [rule, literal] of rules.map((r, i) => [r, chartRules(rules)[i]] as const)) {
            assert.equal(fromHelmTemplateLiteral(literal.annotations.description), rule.annotations.description);
            assert.equal(fromHelmTemplateLiteral(literal.expr), rule.expr);
        }
    });
});

describe("alert rules in the stacks", () => {
    it("dev: no PrometheusRule and no chart rules (alerts are off in development, and so is monitoring)", async () => {
        const run = await runStack("dev");
        assert.equal(run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 0);
        for (const chart of run.ofType("kubernetes:helm.sh/v4:Chart")) assert.equal(chart.inputs.values.metrics.prometheusRule, undefined);
    });

    it("prod: a PrometheusRule per service and the charts' rules, labelled for the rule selector as the ServiceMonitors are", async () => {
        const run = await runStack("prod");
        const rule = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "orchestrator-rules");
        const monitor = run.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "orchestrator-servicemonitor");
        assert.equal(rule.inputs.metadata.labels.release, "kube-prometheus-stack");
        assert.deepEqual(rule.inputs.metadata.labels, monitor.inputs.metadata.labels);
        assert.equal(rule.inputs.metadata.namespace, "llm-platform");
        assert.ok(rule.inputs.spec.groups[0].rules.some((r: { alert: string }) => r.alert === "ServiceAutoscalerAtMax"));
        const charts = Object.fromEntries(run.ofType("kubernetes:helm.sh/v4:Chart").map((c) => [c.name, c.inputs.values.metrics.prometheusRule]));
        assert.deepEqual(charts["postgresql-chart"].labels, { release: "kube-prometheus-stack" });
        assert.deepEqual(charts["redis-chart"].additionalLabels, { release: "kube-prometheus-stack" });
        assert.deepEqual(charts["postgresql-chart"].rules.map((r: { alert: string }) => r.alert), postgresqlAlerts.map((a) => a.name));
    });

    it("development with monitoring on and monitoring.alerts.enabled gets the rules; external data stores have none", async () => {
        const run = await runStack("dev", { set: { monitoring: { enabled: true, alerts: { enabled: true } }, postgresql: { mode: "external", external: { host: "db.example.com", existingSecret: "db" } } } });
        assert.equal(run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 1);
        const charts = run.ofType("kubernetes:helm.sh/v4:Chart");
        assert.deepEqual(charts.map((c) => [c.name, c.inputs.values.metrics.prometheusRule.enabled]), [["redis-chart", true]]);
    });
});
