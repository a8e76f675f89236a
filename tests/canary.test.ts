/**
 * Canary releases with Argo Rollouts (#25, item 5): the Rollout that takes the Deployment's pods
 * over (workloadRef), its steps from config, the AnalysisTemplate whose queries are the alert
 * catalog's, checked against @kubernetes-models/argo-rollouts; the rules, the clear error without
 * Argo Rollouts; a staging stack with a canary orchestrator through the whole program.
 */
import { strict as assert } from "assert";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { analysisTemplateSpec, rolloutSpec, withinThreshold } from "../delivery/canary.specs";
import { defaultCanary } from "../delivery/release.schema";
import { alertSettings } from "../observability/observability.resolve";
import { monitoringSchema } from "../observability/monitoring.schema";
import { serviceAlerts, serviceErrorRate, serviceLatencyP99 } from "../lib/alert-catalog";
import { problemsOf, reportOf, stagingBase, Values } from "./config-harness";
import { ProgramRun, readStackConfig, runStack } from "./mocks";
import { schemaProblems, unknownFields } from "./k8s-schema";

const repository = "ghcr.io/acme/api";
const prometheusAddress = "http://prometheus-operated.monitoring:9090";
const service = (overrides: Record<string, unknown> = {}): ServiceConfig => serviceSchema.parse({ image: { repository, tag: "1.0.0" }, release: { strategy: "canary", canary: { analysis: { prometheusAddress } } }, ...overrides });
const target = { namespace: "ns", name: "api", http: { requests: "http_requests_total", durationBucket: "http_request_duration_seconds_bucket", statusLabel: "status" }, has: { metrics: true, autoscaling: false, disruptionBudget: false, postDeployCheck: false } };
const settings = alertSettings({ environment: "production", monitoring: monitoringSchema.parse({}) });

describe("canary: the Rollout and the AnalysisTemplate", () => {
    it("the Rollout takes the Deployment's pods by reference, scaling it down as its own come up, with the steps and the background analysis", () => {
        const s = service({ replicas: 4 });
        assert.deepEqual(rolloutSpec(s, s.release.canary!, "api", { a: "b" }), {
            replicas: 4,
            revisionHistoryLimit: 5,
            selector: { matchLabels: { a: "b" } },
            workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api", scaleDown: "progressively" },
            strategy: {
                canary: {
                    maxSurge: 1,
                    maxUnavailable: 0,
                    steps: [{ setWeight: 20 }, { pause: { duration: "5m" } }, { setWeight: 50 }, { pause: { duration: "5m" } }],
                    analysis: { templates: [{ templateName: "api" }], startingStep: 1, args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }] },
                },
            },
        });
    });

    it("with an HPA the Rollout leaves replicas to it; without analysis it names no template", () => {
        const s = service({ autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 }, release: { strategy: "canary", canary: { steps: [{ setWeight: 10 }, { pause: {} }], analysis: { enabled: false } } } });
        const spec = rolloutSpec(s, s.release.canary!, "api", { a: "b" }) as any;
        assert.equal("replicas" in spec, false);
        assert.deepEqual(spec.strategy.canary, { maxSurge: 1, maxUnavailable: 0, steps: [{ setWeight: 10 }, { pause: {} }] });
    });

    it("the analysis's queries are the alerts' expressions, narrowed to the new version's pods, judged against the alerts' thresholds", () => {
        const s = service({ release: { strategy: "canary", canary: { analysis: { prometheusAddress, interval: "30s", count: 10, failureLimit: 2 } } } });
        const spec = analysisTemplateSpec(s.release.canary!, "api", { target, settings }) as any;
        const pods = { pod: { re: "api-{{args.canary-hash}}-[a-z0-9]+" } };
        assert.deepEqual(spec.args, [{ name: "canary-hash" }]);
        assert.deepEqual(spec.metrics, [
            { name: "error-rate", interval: "30s", count: 10, failureLimit: 2, successCondition: "len(result) == 0 || result[0] <= 5", provider: { prometheus: { address: prometheusAddress, query: serviceErrorRate(target, pods) } } },
            { name: "latency-p99", interval: "30s", count: 10, failureLimit: 2, successCondition: "len(result) == 0 || result[0] <= 5", provider: { prometheus: { address: prometheusAddress, query: serviceLatencyP99(target, pods) } } },
        ]);
        assert.match(spec.metrics[0].provider.prometheus.query, /pod=~"api-\{\{args\.canary-hash\}\}-\[a-z0-9\]\+"/);
        // One source: the alert is the same expression, with its threshold.
        assert.equal(serviceAlerts.find((a) => a.name === "ServiceHighErrorRate")!.expr(target, 5), `${serviceErrorRate(target)} > 5`);
        assert.equal(serviceAlerts.find((a) => a.name === "ServiceHighLatency")!.expr(target, 5), `${serviceLatencyP99(target)} > 5`);
        assert.equal(withinThreshold(2.5), "len(result) == 0 || result[0] <= 2.5");
    });

    it("the canary's defaults: four steps, analysis on from the second", () => {
        assert.deepEqual(defaultCanary, { steps: [{ setWeight: 20 }, { pause: { duration: "5m" } }, { setWeight: 50 }, { pause: { duration: "5m" } }], analysis: { enabled: true, startingStep: 1, interval: "1m", failureLimit: 1 } });
    });
});

describe("canary: config rules", () => {
    const canary = (release: Values = {}, more: (v: Values) => void = () => undefined) => (v: Values) => {
        v.cluster = { argoRollouts: true };
        v.services.api.release = { strategy: "canary", canary: { analysis: { prometheusAddress } }, ...release };
        more(v);
    };

    it("a canary in a cluster that declares Argo Rollouts, with its analysis's Prometheus, is valid", () => {
        assert.deepEqual(problemsOf(stagingBase, canary()), []);
    });

    it("asking for a canary without Argo Rollouts is a clear error", () => {
        assert.equal(
            reportOf(stagingBase, canary({}, (v) => { delete v.cluster; })),
            'Stack config of "test" has 1 problem:\n' +
            '  - services.api.release.strategy: given "canary"; expected rolling or blueGreen, or cluster.argoRollouts: true once the cluster runs Argo Rollouts (its controller and the CRDs rollouts.argoproj.io and analysistemplates.argoproj.io): a canary is an Argo Rollouts Rollout',
        );
    });

    it("the analysis needs a Prometheus address, the service's metrics and the alerts", () => {
        assert.equal(
            reportOf(stagingBase, canary({ canary: {} })),
            'Stack config of "test" has 1 problem:\n' +
            '  - services.api.release.canary.analysis.prometheusAddress: given nothing; expected the URL of the Prometheus that scrapes the service, which the Argo Rollouts controller queries (e.g. "http://prometheus-operated.monitoring:9090"), or release.canary.analysis.enabled: false',
        );
        assert.equal(
            reportOf(stagingBase, canary({}, (v) => { v.services.api.metrics = { enabled: false }; })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.release.canary.analysis.enabled: given true; expected false, or metrics.enabled: true: the analysis queries the service's HTTP metrics",
        );
        assert.equal(
            reportOf(stagingBase, canary({}, (v) => { v.monitoring = { alerts: { enabled: false } }; })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.release.canary.analysis.enabled: given true; expected false, or monitoring.enabled and monitoring.alerts.enabled: the analysis's queries and thresholds are the alerts ServiceHighErrorRate's and ServiceHighLatency's",
        );
        assert.deepEqual(problemsOf(stagingBase, canary({ canary: { analysis: { enabled: false } } }, (v) => { v.monitoring = { enabled: false }; })), []);
    });

    it("steps: a weight of 1-100 or a pause; the analysis starts at one of them", () => {
        assert.equal(
            reportOf(stagingBase, canary({ canary: { steps: [{ setWeight: 0 }, { pause: { duration: "5 minutes" } }, { setWeight: 10, pause: {} }, { wait: "5m" }], analysis: { prometheusAddress } } })),
            'Stack config of "test" has 5 problems:\n' +
            "  - services.api.release.canary.steps.0.setWeight: given 0; expected a number >= 1\n" +
            '  - services.api.release.canary.steps.1.pause.duration: given "5 minutes"; expected a duration such as "30s", "5m" or "1h"\n' +
            '  - services.api.release.canary.steps.2: given {"setWeight":10,"pause":{}}; expected exactly one of setWeight (1-100) and pause ({duration: "5m"}, or {} to wait for a promotion)\n' +
            '  - services.api.release.canary.steps.3: given {}; expected exactly one of setWeight (1-100) and pause ({duration: "5m"}, or {} to wait for a promotion)\n' +
            "  - services.api.release.canary.steps.3.wait: given a string of 2 characters; expected no such key; known keys here: setWeight, pause",
        );
        assert.equal(
            reportOf(stagingBase, canary({ canary: { steps: [{ setWeight: 50 }, { pause: {} }], analysis: { prometheusAddress, startingStep: 2 } } })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.release.canary.analysis.startingStep: given 2; expected less than the number of steps (2): the analysis starts at one of them",
        );
    });

    it("canary keys mean nothing to another strategy", () => {
        assert.deepEqual(
            problemsOf(stagingBase, (v) => { v.services.api.release = { canary: { steps: [{ setWeight: 50 }] } }; }).map((p) => [p.key, p.expected]),
            [["services.api.release.canary", "unset, or release.strategy: canary (the strategy is rolling, which has no canary steps)"]],
        );
    });
});

describe("canary: a staging stack through the program", () => {
    let run: ProgramRun;
    const selector = { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "llm-platform-staging" };

    before(async () => {
        const services = structuredClone(readStackConfig("staging").values["llm-platform:services"]) as Values;
        services.orchestrator.release = { strategy: "canary", canary: { analysis: { prometheusAddress } } };
        run = await runStack("staging", { set: { services, cluster: { argoRollouts: true } } }, { fresh: true });
    });

    it("the Deployment keeps its URN and pod template and leaves its scale to Argo Rollouts; the Rollout references it", async () => {
        const deployment = run.one("kubernetes:apps/v1:Deployment");
        assert.equal(deployment.name, "orchestrator-deployment");
        assert.equal(deployment.inputs.spec.replicas, undefined);
        const rollout = run.one("kubernetes:argoproj.io/v1alpha1:Rollout");
        assert.equal(rollout.inputs.metadata.name, "orchestrator");
        assert.deepEqual(rollout.inputs.spec.workloadRef, { apiVersion: "apps/v1", kind: "Deployment", name: "orchestrator", scaleDown: "progressively" });
        assert.deepEqual(rollout.inputs.spec.selector.matchLabels, selector);
        assert.deepEqual(rollout.inputs.spec.selector.matchLabels, deployment.inputs.spec.selector.matchLabels);
        assert.ok(rollout.options.dependsOn.includes(deployment.urn), "the Rollout comes after the Deployment it references");
    });

    it("the HPA scales the Rollout", () => {
        const hpa = run.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs;
        assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "orchestrator" });
        assert.equal("replicas" in run.one("kubernetes:argoproj.io/v1alpha1:Rollout").inputs.spec, false);
    });

    it("the AnalysisTemplate queries the orchestrator's canary pods with staging's thresholds", () => {
        const template = run.one("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate").inputs;
        assert.equal(template.metadata.name, "orchestrator");
        assert.deepEqual(template.spec.metrics.map((m: any) => [m.name, m.successCondition]), [["error-rate", "len(result) == 0 || result[0] <= 10"], ["latency-p99", "len(result) == 0 || result[0] <= 5"]]);
        assert.match(template.spec.metrics[0].provider.prometheus.query, /namespace="llm-platform-staging",service="orchestrator",pod=~"orchestrator-\{\{args\.canary-hash\}\}-\[a-z0-9\]\+"/);
    });

    it("the Rollout and the AnalysisTemplate are valid Argo Rollouts objects (@kubernetes-models/argo-rollouts), with no field it doesn't know", async () => {
        for (const kind of ["Rollout", "AnalysisTemplate"]) {
            const object = run.one(`kubernetes:argoproj.io/v1alpha1:${kind}`).inputs;
            assert.deepEqual(await schemaProblems(object), [], kind);
            assert.deepEqual(await unknownFields(object), [], kind);
        }
        const misspelt = { ...run.one("kubernetes:argoproj.io/v1alpha1:Rollout").inputs };
        misspelt.spec = { ...misspelt.spec, workloadRefs: misspelt.spec.workloadRef };
        assert.deepEqual(await unknownFields(misspelt), [".spec.workloadRefs"]);
    });

    it("a rolling stack has no Rollout and no AnalysisTemplate", async () => {
        const rolling = await runStack("staging");
        assert.deepEqual(rolling.ofType("kubernetes:argoproj.io/v1alpha1:Rollout"), []);
        assert.deepEqual(rolling.ofType("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate"), []);
    });
});
