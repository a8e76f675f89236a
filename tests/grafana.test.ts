/**
 * The monitoring stack's Grafana (monitoring.grafana): the admin's password generated with
 * @pulumi/random into a Secret the program owns, or an existing Secret, never the chart's
 * default; an optional Ingress with TLS; persistence; and the rules with their exact messages.
 */
import { strict as assert } from "assert";
import { grafanaValues } from "../observability/monitoring-stack.values";
import { grafanaSpec } from "../observability/observability.resolve";
import { validateConfig } from "../config/validate";
import { base } from "./alert-fixtures";
import { raw, reportOf } from "./config-harness";
import { schemaProblems } from "./k8s-schema";
import { runStack } from "./mocks";

const release = "kube-prometheus-stack";
const withStack = (grafana: Record<string, unknown> = {}) => ({ monitoring: { enabled: true, stack: { enabled: true }, grafana } });
/** monitoring.grafana as validated, from `grafana`. */
function grafanaConfig(grafana: Record<string, unknown>) {
    const { config, problems } = validateConfig(raw({ ...base(), ...withStack(grafana) }));
    assert.deepEqual(problems, []);
    return config!.monitoring.grafana;
}

describe("Grafana: admin, Ingress, persistence", () => {
    it("by default the admin's password is the Secret the program generates, and the chart's values name it (no adminPassword)", () => {
        const spec = grafanaSpec(grafanaConfig({}), release);
        assert.deepEqual(spec, { admin: { secretName: "kube-prometheus-stack-grafana-admin", userKey: "admin-user", passwordKey: "admin-password", generated: true } });
        assert.deepEqual(grafanaValues(spec), { admin: { existingSecret: "kube-prometheus-stack-grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } });
    });

    it("an existing Secret instead, with its own keys", () => {
        const spec = grafanaSpec(grafanaConfig({ admin: { existingSecret: "grafana-admin", passwordKey: "password" } }), release);
        assert.deepEqual(spec.admin, { secretName: "grafana-admin", userKey: "admin-user", passwordKey: "password", generated: false });
    });

    it("an Ingress with TLS from cert-manager, and a PersistentVolumeClaim", () => {
        const spec = grafanaSpec(grafanaConfig({ ingress: { enabled: true, host: "grafana.example.com", certManagerClusterIssuer: "letsencrypt-prod" }, persistence: { enabled: true, size: "5Gi", storageClass: "gp3" } }), release);
        const values = grafanaValues(spec);
        assert.deepEqual(values.ingress, {
            enabled: true,
            ingressClassName: "nginx",
            hosts: ["grafana.example.com"],
            path: "/",
            annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" },
            tls: [{ secretName: "kube-prometheus-stack-grafana-tls", hosts: ["grafana.example.com"] }],
        });
        assert.deepEqual(values.persistence, { enabled: true, type: "pvc", size: "5Gi", storageClassName: "gp3" });
    });

    it("an HTTPRoute to the chart's Grafana Service, attached to a Gateway, passing the Gateway API schema", async () => {
        const run = await runStack("dev", { set: withStack({ route: { enabled: true, parentRefs: [{ name: "platform-gateway", namespace: "gateway-system", sectionName: "https" }], hostnames: ["grafana.example.com"] } }) });
        const route = run.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "monitoring-stack-grafana-route");
        assert.deepEqual([route.inputs.metadata.name, route.inputs.metadata.namespace], ["kube-prometheus-stack-grafana", "monitoring"]);
        assert.deepEqual(route.inputs.spec, {
            parentRefs: [{ name: "platform-gateway", namespace: "gateway-system", sectionName: "https" }],
            hostnames: ["grafana.example.com"],
            rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "kube-prometheus-stack-grafana", port: 80 }] }],
        });
        assert.deepEqual(await schemaProblems({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: route.inputs.metadata, spec: route.inputs.spec }), []);
    });

    it("Grafana's settings need the monitoring stack, and an Ingress its host", () => {
        assert.equal(
            reportOf(base, (v) => { v.monitoring = { grafana: { admin: { existingSecret: "grafana-admin" }, ingress: { enabled: true }, persistence: { enabled: true }, route: { enabled: true } } }; }),
            "Stack config of \"test\" has 4 problems:\n" +
            "  - monitoring.grafana.admin: given an existing Secret; expected unset while monitoring.stack.enabled is false: it configures the monitoring stack's Grafana\n" +
            "  - monitoring.grafana.ingress.enabled: given true; expected unset while monitoring.stack.enabled is false: it configures the monitoring stack's Grafana\n" +
            "  - monitoring.grafana.persistence.enabled: given true; expected unset while monitoring.stack.enabled is false: it configures the monitoring stack's Grafana\n" +
            "  - monitoring.grafana.route.enabled: given true; expected unset while monitoring.stack.enabled is false: it configures the monitoring stack's Grafana",
        );
        assert.equal(
            reportOf(base, (v) => Object.assign(v, withStack({ ingress: { enabled: true }, route: { enabled: true } }))),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - monitoring.grafana.ingress.host: given nothing; expected a host name such as \"grafana.example.com\", because monitoring.grafana.ingress.enabled is true\n" +
            "  - monitoring.grafana.route.parentRefs: given []; expected at least one Gateway, because monitoring.grafana.route.enabled is true",
        );
    });

    it("dev with the monitoring stack: a RandomPassword in a Secret of the monitoring namespace, which the chart waits for and reads", async () => {
        const run = await runStack("dev", { set: withStack() });
        const password = run.one("random:index/randomPassword:RandomPassword", "monitoring-stack-grafana-admin-password");
        assert.equal(password.inputs.special, false);
        const secret = run.one("kubernetes:core/v1:Secret", "monitoring-stack-grafana-admin");
        const chart = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        assert.deepEqual([secret.inputs.metadata.name, secret.inputs.metadata.namespace], ["kube-prometheus-stack-grafana-admin", "monitoring"]);
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), ["admin-password", "admin-user"]);
        assert.ok(secret.secretPaths.includes("stringData"), "the password travels as a secret, encrypted in state");
        assert.ok(!JSON.stringify(chart.inputs).includes(secret.inputs.stringData["admin-password"]), "the chart's values do not hold the password");
        assert.ok(chart.options.dependsOn.includes(secret.urn), "the chart waits for the Secret");
        assert.deepEqual(chart.inputs.values.grafana.admin, { existingSecret: "kube-prometheus-stack-grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.equal(chart.inputs.values.grafana.adminPassword, undefined);
        assert.equal(run.outputs.grafanaAdminSecret, "kube-prometheus-stack-grafana-admin");
    });

    it("with an existing Secret nothing is generated", async () => {
        const run = await runStack("dev", { set: withStack({ admin: { existingSecret: "grafana-admin" } }) });
        assert.deepEqual(run.ofType("random:index/randomPassword:RandomPassword").filter((p) => p.name.startsWith("monitoring-stack")), []);
        assert.equal(run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart").inputs.values.grafana.admin.existingSecret, "grafana-admin");
    });
});
