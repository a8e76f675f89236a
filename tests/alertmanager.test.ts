/**
 * Alertmanager's routing (monitoring.alertmanager): its config and rules with exact messages, the
 * AlertmanagerConfig a stack deploys (its receivers' URLs and keys only as Secret references),
 * and the same routing through amtool: `amtool check-config` passes, and `amtool config routes
 * test` sends a critical alert to the pager and a warning to the chat.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { alertmanagerConfigFile, alertmanagerConfigSpec } from "../observability/alertmanager";
import { resolveAlertRouting } from "../observability/observability.resolve";
import { defaultRoute } from "../observability/alerting.schema";
import { validateConfig } from "../config/validate";
import type { AlertRoutingSpec } from "../observability/observability.args";
import { kubePrometheusStackValues } from "../observability/monitoring-stack.values";
import { formatProblems } from "../validation/problem";
import { raw, stagingBase, Values } from "./config-harness";
import { schemaProblems } from "./k8s-schema";
import { runStack } from "./mocks";
import { describeWithTool } from "./toolchain";

const generatedAdmin = { admin: { secretName: "kube-prometheus-stack-grafana-admin", userKey: "admin-user", passwordKey: "admin-password", generated: true } };
const pagerKey = "pd-routing-key-0123456789abcdef";
const slackUrl = "https://hooks.slack.com/services/T000/B000/xyzzy0123456789";
const hookUrl = "https://hooks.example.com/alerts?token=s3cr3t-0123456789";

/** Receivers for the pager, the chat and a team's webhook, each credential a secret entry. */
const alertmanager = () => ({
    receivers: {
        pager: { pagerduty: { routingKey: "pagerdutyRoutingKey" } },
        chat: { slack: { apiUrl: "slackWebhookUrl", channel: "#llm-platform" } },
        "data-team": { webhook: { url: "dataTeamWebhookUrl" } },
    },
    route: { receiver: "chat", critical: "pager", warning: "chat", routes: [{ matchers: { team: "data" }, receiver: "data-team" }] },
});
const entries = { pagerdutyRoutingKey: {}, slackWebhookUrl: {}, dataTeamWebhookUrl: {} };
const secretKeys = Object.keys(entries);

function reportOf(edit: (v: Values) => void, secrets: string[] = secretKeys): string {
    const values = stagingBase();
    values.secrets = { entries };
    values.monitoring = { alertmanager: alertmanager() };
    edit(values);
    for (const key of secrets) values[key] = "[secret]";
    return formatProblems("test", validateConfig(raw(values, secrets)).problems);
}

describe("Alertmanager routing: config", () => {
    it("receivers with secret entries and routes to them validate", () => {
        assert.equal(reportOf(() => {}), "Stack config of \"test\" has 0 problems:\n");
    });

    it("routes name receivers that exist (did you mean), and each receiver is exactly one kind", () => {
        assert.equal(
            reportOf((v) => {
                v.monitoring.alertmanager.route.critical = "pagr";
                v.monitoring.alertmanager.route.routes[0].receiver = "ops";
                v.monitoring.alertmanager.receivers.chat.webhook = { url: "dataTeamWebhookUrl" };
                v.monitoring.alertmanager.receivers.empty = {};
            }),
            "Stack config of \"test\" has 4 problems:\n" +
            "  - monitoring.alertmanager.receivers.chat: given slack and webhook; expected exactly one of slack, pagerduty, opsgenie, webhook\n" +
            "  - monitoring.alertmanager.receivers.empty: given no receiver; expected exactly one of slack, pagerduty, opsgenie, webhook\n" +
            "  - monitoring.alertmanager.route.critical: given \"pagr\"; expected a receiver of monitoring.alertmanager.receivers: did you mean \"pager\"?\n" +
            "  - monitoring.alertmanager.route.routes.0.receiver: given \"ops\"; expected a receiver of monitoring.alertmanager.receivers",
        );
    });

    it("a URL or key is a secret entry: a value in its place is refused without being repeated", () => {
        const report = reportOf((v) => { v.monitoring.alertmanager.receivers.chat.slack.apiUrl = slackUrl; });
        assert.equal(
            report,
            "Stack config of \"test\" has 1 problem:\n" +
            "  - monitoring.alertmanager.receivers.chat.slack.apiUrl: given a string of 58 characters; expected a camelCase name of at most 63 characters such as \"jwtSecret\" (letters and digits, starting with a lowercase letter)",
        );
    });

    it("a credential names an entry the secret catalog has (did you mean)", () => {
        assert.equal(
            reportOf((v) => { v.monitoring.alertmanager.receivers.pager.pagerduty.routingKey = "pagerdutyRoutingKy"; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - monitoring.alertmanager.receivers.pager.pagerduty.routingKey: given \"pagerdutyRoutingKy\"; expected a secret entry (secrets.entries.<name>, or a built-in one) that holds it, never the value itself: did you mean \"pagerdutyRoutingKey\"?\n" +
            // The entry the receiver meant is then read by nothing, as the rules of secrets say.
            "  - pagerdutyRoutingKey: given a secret value; expected no value, because no service lists it in services.<name>.secrets and nothing would use it\n" +
            "  - secrets.entries.pagerdutyRoutingKey: given an object with 0 keys; expected nothing, because no service lists it in services.<name>.secrets: nothing would use it",
        );
    });

    it("the receivers' entries need their values, as the services' do", () => {
        assert.match(reportOf(() => {}, ["slackWebhookUrl", "dataTeamWebhookUrl"]), /pagerdutyRoutingKey.*monitoring\.alertmanager\.receivers lists it/);
    });

    it("a route needs monitoring (and without it the receivers' entries are unused)", () => {
        const report = reportOf((v) => { v.monitoring.enabled = false; });
        assert.ok(report.includes("\n  - monitoring.alertmanager.route: given a route; expected unset while monitoring.enabled is false: there are no alerts to route\n"), report);
        assert.ok(report.includes("\n  - secrets.entries.slackWebhookUrl: given an object with 0 keys; expected nothing, because no service lists it in services.<name>.secrets: nothing would use it\n"), report);
    });
});

describe("Alertmanager routing: the default route of the receivers (route unset)", () => {
    const pager = { pagerduty: { routingKey: "pagerdutyRoutingKey", sendResolved: true } };
    const chat = { slack: { apiUrl: "slackWebhookUrl", sendResolved: true } };
    const hook = { webhook: { url: "dataTeamWebhookUrl", sendResolved: true } };

    it("a lone receiver takes every alert; one pager with one chat take the critical alerts and the rest; nothing else has one", () => {
        const groupBy = ["alertname", "namespace", "service"];
        assert.deepEqual(defaultRoute({ chat }), { receiver: "chat", routes: [], groupBy });
        assert.deepEqual(defaultRoute({ pager, chat }), { receiver: "chat", critical: "pager", warning: "chat", routes: [], groupBy });
        assert.deepEqual(defaultRoute({ "data-team": hook, oncall: { opsgenie: { apiKey: "opsgenieApiKey", sendResolved: true } } }), { receiver: "data-team", critical: "oncall", warning: "data-team", routes: [], groupBy });
        assert.equal(defaultRoute({}), undefined);
        assert.equal(defaultRoute({ chat, hook }), undefined, "two chats");
        assert.equal(defaultRoute({ pager, chat, hook }), undefined, "three receivers");
    });

    it("the pager and the chat without a route: the AlertmanagerConfig sends critical to the pager and warning to the chat", () => {
        const values = { ...stagingBase(), secrets: { entries: { pagerdutyRoutingKey: {}, slackWebhookUrl: {} } }, monitoring: { alertmanager: { receivers: { pager, chat } } }, pagerdutyRoutingKey: "[secret]", slackWebhookUrl: "[secret]" };
        const { config, problems } = validateConfig(raw(values, ["pagerdutyRoutingKey", "slackWebhookUrl"]));
        assert.deepEqual(problems, []);
        const routing = resolveAlertRouting(config!, { instance: "llm-platform-test", partOf: "llm-platform" })!.routing;
        assert.equal(routing.receiver, "chat");
        assert.deepEqual(routing.routes, [
            { matchers: { severity: "critical" }, receiver: "pager", continue: false },
            { matchers: { severity: "warning" }, receiver: "chat", continue: false },
        ]);
    });

    it("receivers with no default and no route are refused: they would page no one", () => {
        assert.equal(
            reportOf((v) => { delete v.monitoring.alertmanager.route; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - monitoring.alertmanager.route: given unset, with 3 receivers; expected a route naming which receiver takes what (route.receiver, and route.critical and route.warning where they differ): only a lone receiver, or one pager (PagerDuty or Opsgenie) with one chat (Slack or a webhook), routes by default",
        );
    });
});

/** The routing of `alertmanager()` in an environment. */
function routingOf(environment: string): AlertRoutingSpec {
    const values = { ...stagingBase(), environment, secrets: { entries }, monitoring: { alertmanager: alertmanager() }, ...Object.fromEntries(secretKeys.map((k) => [k, "[secret]"])) };
    const { config } = validateConfig(raw(values, secretKeys));
    assert.ok(config, "the config validates");
    return resolveAlertRouting(config, { instance: "llm-platform-test", partOf: "llm-platform" })!.routing;
}

describe("Alertmanager routing: the routes and the AlertmanagerConfig", () => {
    it("label routes first, then critical to the pager and warning to the chat; intervals per environment", () => {
        const prod = routingOf("production");
        assert.deepEqual(prod.routes, [
            { matchers: { team: "data" }, receiver: "data-team", continue: false },
            { matchers: { severity: "critical" }, receiver: "pager", continue: false },
            { matchers: { severity: "warning" }, receiver: "chat", continue: false },
        ]);
        assert.deepEqual([prod.groupWait, prod.groupInterval, prod.repeatInterval], ["30s", "5m", "4h"]);
        const staging = routingOf("staging");
        assert.deepEqual([staging.groupWait, staging.groupInterval, staging.repeatInterval], ["1m", "5m", "12h"]);
        assert.deepEqual(prod.inhibitEqual, ["alertname", "namespace", "service", "slo"]);
    });

    it("the AlertmanagerConfig references each credential's Secret key and passes the v1alpha1 schema", async () => {
        const routing = routingOf("production");
        const spec = alertmanagerConfigSpec(routing, {
            pagerdutyRoutingKey: { name: "app-secrets-1a2b", key: "pagerduty-routing-key" },
            slackWebhookUrl: { name: "app-secrets-1a2b", key: "slack-webhook-url" },
            dataTeamWebhookUrl: { name: "data-team", key: "url" },
        });
        assert.deepEqual(spec.receivers, [
            { name: "pager", pagerdutyConfigs: [{ sendResolved: true, routingKey: { name: "app-secrets-1a2b", key: "pagerduty-routing-key" } }] },
            { name: "chat", slackConfigs: [{ sendResolved: true, apiURL: { name: "app-secrets-1a2b", key: "slack-webhook-url" }, channel: "#llm-platform" }] },
            { name: "data-team", webhookConfigs: [{ sendResolved: true, urlSecret: { name: "data-team", key: "url" } }] },
        ]);
        assert.deepEqual(spec.inhibitRules, [
            { sourceMatch: [{ name: "severity", value: "critical", matchType: "=" }], targetMatch: [{ name: "severity", value: "warning", matchType: "=" }], equal: ["alertname", "namespace", "service", "slo"] },
        ]);
        assert.deepEqual(await schemaProblems({ apiVersion: "monitoring.coreos.com/v1alpha1", kind: "AlertmanagerConfig", metadata: { name: "x", namespace: "y" }, spec }), []);
    });

    it("kube-prometheus-stack's Alertmanager selects the stack's AlertmanagerConfigs only when there is routing", () => {
        const input = { selectorLabels: { release: "kube-prometheus-stack" }, dashboards: { label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder" }, grafana: generatedAdmin, admissionWebhooks: "off" as const, controlPlane: [] };
        assert.equal(kubePrometheusStackValues(input).alertmanager, undefined);
        assert.deepEqual(kubePrometheusStackValues({ ...input, alertmanagerConfigLabels: { release: "kube-prometheus-stack" } }).alertmanager, {
            alertmanagerSpec: { alertmanagerConfigSelector: { matchLabels: { release: "kube-prometheus-stack" } }, alertmanagerConfigNamespaceSelector: {} },
        });
    });

    it("dev with the monitoring stack: an AlertmanagerConfig reads the keys from the app Secret, and no value reaches it or the chart", async () => {
        const run = await runStack("dev", {
            set: { monitoring: { enabled: true, alerts: { enabled: true }, stack: { enabled: true }, alertmanager: alertmanager() }, secrets: { source: "pulumi", entries } },
            secrets: { pagerdutyRoutingKey: pagerKey, slackWebhookUrl: slackUrl, dataTeamWebhookUrl: hookUrl },
        });
        const [config] = run.ofType("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig");
        assert.ok(config, "the AlertmanagerConfig");
        assert.deepEqual(config.inputs.metadata.labels.release, "kube-prometheus-stack");
        const [secret] = run.ofType("kubernetes:core/v1:Secret").filter((s) => s.name === "app-secrets");
        assert.ok(secret, "the app Secret");
        const name = run.outputs.appSecretName as string;
        assert.match(name, /^app-secrets-/);
        assert.deepEqual(config.inputs.spec.receivers, [
            { name: "pager", pagerdutyConfigs: [{ sendResolved: true, routingKey: { name, key: "pagerduty-routing-key" } }] },
            { name: "chat", slackConfigs: [{ sendResolved: true, apiURL: { name, key: "slack-webhook-url" }, channel: "#llm-platform" }] },
            { name: "data-team", webhookConfigs: [{ sendResolved: true, urlSecret: { name, key: "data-team-webhook-url" } }] },
        ]);
        const [chart] = run.ofType("kubernetes:helm.sh/v4:Chart").filter((c) => c.name === "monitoring-stack-chart");
        for (const text of [JSON.stringify(config.inputs), JSON.stringify(chart.inputs.values)]) {
            for (const value of [pagerKey, slackUrl, hookUrl]) assert.ok(!text.includes(value), value);
        }
        assert.deepEqual(chart.inputs.values.alertmanager.alertmanagerSpec.alertmanagerConfigSelector, { matchLabels: { release: "kube-prometheus-stack" } });
    });
});

describeWithTool("amtool", "Alertmanager routing through amtool", (amtool) => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-amtool-"));
        const secretFile = (entry: string) => {
            const file = path.join(dir, "secrets", entry);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, { pagerdutyRoutingKey: pagerKey, slackWebhookUrl: slackUrl, dataTeamWebhookUrl: hookUrl }[entry] ?? "");
            return file;
        };
        fs.writeFileSync(path.join(dir, "alertmanager.yml"), stringify(alertmanagerConfigFile(routingOf("production"), secretFile), { lineWidth: 0 }));
    });
    const amtoolRun = (...args: string[]) => spawnSync(amtool, args, { cwd: dir, encoding: "utf8" });

    it("amtool check-config passes the rendered config, with its receivers and inhibition", () => {
        const run = amtoolRun("check-config", "alertmanager.yml");
        assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
        assert.match(run.stdout, /SUCCESS/);
        assert.match(run.stdout, /- 1 inhibit rules/);
        assert.match(run.stdout, /- 3 receivers/);
    });

    const routeOf = (...labels: string[]) => {
        const run = amtoolRun("config", "routes", "test", "--config.file=alertmanager.yml", ...labels);
        assert.equal(run.error, undefined);
        return run.stdout.trim();
    };

    it("a critical alert reaches the pager, a warning the chat, an SLO ticket the chat, a team's alert its webhook", () => {
        assert.equal(routeOf("alertname=ServiceNoReadyPods", "severity=critical", "namespace=llm-platform", "service=orchestrator"), "pager");
        assert.equal(routeOf("alertname=ServiceHighLatency", "severity=warning", "namespace=llm-platform", "service=orchestrator"), "chat");
        assert.equal(routeOf("alertname=ServiceErrorBudgetBurn", "severity=warning", "slo=availability", "service=orchestrator"), "chat");
        assert.equal(routeOf("alertname=PostgresqlDown", "severity=critical", "team=data"), "data-team");
        assert.equal(routeOf("alertname=Watchdog"), "chat");
    });
});
