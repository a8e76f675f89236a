import { strict as assert } from "assert";
import { kubePrometheusStackValues, prometheusOperatorValues } from "../observability/monitoring-stack.values";
import { kubePrometheusStackChart } from "../lib/monitoring-chart";
import { base } from "./alert-fixtures";
import { problemsOf } from "./config-harness";
import { runStack } from "./mocks";

const generatedAdmin = { admin: { secretName: "kube-prometheus-stack-grafana-admin", userKey: "admin-user", passwordKey: "admin-password", generated: true } };
const withStack = (stack: Record<string, unknown> = {}) => ({ monitoring: { enabled: true, stack: { enabled: true, ...stack } } });

describe("monitoring stack (kube-prometheus-stack), optional", () => {
    it("its Prometheus selects the stack's ServiceMonitors and PrometheusRules by monitoring.labels in every namespace; its Grafana loads the dashboards", () => {
        const values = kubePrometheusStackValues({ selectorLabels: { team: "llm" }, dashboards: { label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder" }, grafana: generatedAdmin, admissionWebhooks: "off", controlPlane: [] }) as any;
        assert.deepEqual(values.prometheus.prometheusSpec, {
            serviceMonitorSelector: { matchLabels: { team: "llm" } },
            serviceMonitorNamespaceSelector: {},
            ruleSelector: { matchLabels: { team: "llm" } },
            ruleNamespaceSelector: {},
        });
        assert.deepEqual(values.grafana.sidecar.dashboards, {
            enabled: true,
            label: "grafana_dashboard",
            labelValue: "1",
            searchNamespace: "ALL",
            folderAnnotation: "grafana_folder",
            provider: { foldersFromFilesStructure: true },
        });
    });

    it("off by default: no stack installs it", async () => {
        const run = await runStack("staging");
        assert.equal(run.ofType("llm-platform:observability:MonitoringStack").length, 0);
    });

    it("dev with monitoring and monitoring.stack on: the pinned chart in the monitoring namespace, and every ServiceMonitor and PrometheusRule waits for it", async () => {
        const run = await runStack("dev", { set: { monitoring: { enabled: true, alerts: { enabled: true }, stack: { enabled: true } } } });
        const namespace = run.one("kubernetes:core/v1:Namespace", "monitoring-stack-namespace");
        assert.equal(namespace.inputs.metadata.name, "monitoring");
        const chart = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        assert.deepEqual(
            { chart: chart.inputs.chart, version: chart.inputs.version, repo: chart.inputs.repositoryOpts.repo, name: chart.inputs.name, namespace: chart.inputs.namespace },
            { chart: "kube-prometheus-stack", version: kubePrometheusStackChart.version, repo: "https://prometheus-community.github.io/helm-charts", name: "kube-prometheus-stack", namespace: "monitoring" },
        );
        assert.ok(chart.options.dependsOn.includes(namespace.urn));
        const monitor = run.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "orchestrator-servicemonitor");
        assert.ok(monitor.options.dependsOn.includes(chart.urn), "the ServiceMonitor waits for the CRDs");
        assert.ok(run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "orchestrator-rules").options.dependsOn.includes(chart.urn), "the PrometheusRule waits for the CRDs");
        for (const store of ["postgresql-chart", "redis-chart"]) {
            assert.ok(run.one("kubernetes:helm.sh/v4:Chart", store).options.dependsOn.includes(chart.urn), `${store} waits for the CRDs of its ServiceMonitor`);
        }
        assert.equal(run.ofType("kubernetes:core/v1:ConfigMap").filter((c) => c.inputs.metadata?.name?.startsWith("grafana-dashboard-")).length, 2, "dev sees its dashboards");
    });

    it("its chart source is overridable like the Bitnami charts': a mirror, another version, or a local directory; the namespace may exist", async () => {
        const run = await runStack("dev", { set: withStack({ namespace: "observability", createNamespace: false, chart: { path: "/charts/kube-prometheus-stack" } }) });
        const chart = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        assert.equal(chart.inputs.chart, "/charts/kube-prometheus-stack");
        assert.equal(chart.inputs.version, undefined);
        assert.equal(chart.inputs.namespace, "observability");
        assert.equal(run.ofType("kubernetes:core/v1:Namespace").filter((n) => n.name.startsWith("monitoring-stack")).length, 0);
    });

    it("the operator's admission webhooks: off by default, since their certificate comes from Helm hook Jobs a helm.v4.Chart never runs", async () => {
        // Off: no webhooks, no patch Jobs, and no TLS, so the operator's pod mounts no "<release>-admission" Secret.
        assert.deepEqual(prometheusOperatorValues("off"), { admissionWebhooks: { enabled: false, patch: { enabled: false } }, tls: { enabled: false } });
        // cert-manager: the chart's Certificate makes the Secret, the CA injector the caBundle, and a refused rule fails the apply.
        assert.deepEqual(prometheusOperatorValues("certManager"), {
            admissionWebhooks: { enabled: true, failurePolicy: "Fail", patch: { enabled: false }, certManager: { enabled: true } },
            tls: { enabled: true },
        });
        const chartValues = async (stack: Record<string, unknown>) => (await runStack("dev", { set: withStack(stack) })).one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart").inputs.values;
        assert.deepEqual((await chartValues({})).prometheusOperator, prometheusOperatorValues("off"));
        assert.deepEqual((await chartValues({ admissionWebhooks: "certManager" })).prometheusOperator, prometheusOperatorValues("certManager"));
    });

    it("scrapes no control-plane component through a Service of its own unless listed: on a managed cluster such a Service never gets an endpoint, and the provider waits for one", async () => {
        const values = async (stack: Record<string, unknown>) => (await runStack("dev", { set: withStack(stack) })).one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart").inputs.values;
        const targets = (v: any) => Object.fromEntries(["coreDns", "kubeControllerManager", "kubeEtcd", "kubeProxy", "kubeScheduler"].map((k) => [k, v[k]]));
        assert.deepEqual(targets(await values({})), { coreDns: { enabled: false }, kubeControllerManager: { enabled: false }, kubeEtcd: { enabled: false }, kubeProxy: { enabled: false }, kubeScheduler: { enabled: false } });
        assert.deepEqual(targets(await values({ controlPlane: ["kubeProxy", "coreDns", "coreDns"] })), { coreDns: { enabled: true }, kubeControllerManager: { enabled: false }, kubeEtcd: { enabled: false }, kubeProxy: { enabled: true }, kubeScheduler: { enabled: false } });
    });

    it("a control-plane target that isn't one is an error", () => {
        assert.deepEqual(problemsOf(base, (v) => (v.monitoring = { enabled: true, stack: { enabled: true, controlPlane: ["etcd"] } })), [
            { key: "monitoring.stack.controlPlane.0", given: "etcd", expected: 'one of "coreDns", "kubeControllerManager", "kubeEtcd", "kubeProxy", "kubeScheduler"' },
        ]);
    });

    it("installs the operator's CRDs with the chart, unless the cluster has them (installCrds: false)", async () => {
        const chart = async (stack: Record<string, unknown>) => (await runStack("dev", { set: withStack(stack) })).one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart").inputs;
        assert.equal((await chart({})).skipCrds, undefined);
        assert.equal((await chart({ installCrds: false })).skipCrds, true);
    });

    it("an admission webhook mode that isn't one is an error", () => {
        assert.deepEqual(problemsOf(base, (v) => (v.monitoring = { enabled: true, stack: { enabled: true, admissionWebhooks: "patch" } })), [
            { key: "monitoring.stack.admissionWebhooks", given: "patch", expected: 'one of "off", "certManager"' },
        ]);
    });

    it("asked for with monitoring off is an error", () => {
        assert.deepEqual(problemsOf(base, (v) => (v.monitoring = { enabled: false, stack: { enabled: true } })), [
            {
                key: "monitoring.stack.enabled",
                given: true,
                expected: "false or unset while monitoring.enabled is false: without the exporters and ServiceMonitors there is nothing to watch",
            },
        ]);
    });
});
