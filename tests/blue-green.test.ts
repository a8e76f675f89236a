/**
 * Blue-green releases (#25, item 4): the plan of a service's two tracks, the rules of
 * `services.<name>.release`, and a staging stack with a blue-green orchestrator through the whole
 * program: both tracks' objects, the live Service and routes on the active track, the order that
 * makes a switch wait for the check, and a flip of `release.active` that changes the selector only.
 */
import { strict as assert } from "assert";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { serviceMonitorSpec } from "../application/application.specs";
import { activeTrack, blueGreenPlan, trackImage, trackService, trackServiceSpec } from "../delivery/blue-green.specs";
import { otherTrack, trackLabel, trackSelector } from "../lib/labels";
import { serviceAlerts } from "../lib/alert-catalog";
import { queriesOf, serviceDashboard } from "../observability/dashboards.specs";
import { problemsOf, reportOf, stagingBase, Values } from "./config-harness";
import { ProgramRun, RecordedResource, readStackConfig, runStack } from "./mocks";
import { asPolicyTarget, readPolicyConfig, runPack } from "./policy-harness";
import { blueGreenStaging } from "./state-snapshot";

const repository = "ghcr.io/acme/api";
const blueGreen = (release: Record<string, unknown> = {}) => ({ strategy: "blueGreen", blue: { image: { tag: "1.0.0" } }, green: { image: { tag: "1.1.0" } }, ...release });
const service = (overrides: Record<string, unknown> = {}): ServiceConfig => serviceSchema.parse({ image: { repository }, release: blueGreen(), ...overrides });

const target = { namespace: "ns", name: "api", http: { requests: "http_requests_total", durationBucket: "http_request_duration_seconds_bucket", statusLabel: "status" }, has: { metrics: true, autoscaling: true, disruptionBudget: true, postDeployCheck: true } };

describe("blue-green: the plan of a service's tracks", () => {
    it("a rolling service has no plan: its objects stay what they were", () => {
        assert.equal(blueGreenPlan(serviceSchema.parse({ image: { repository, tag: "1.0.0" } })), undefined);
    });

    it("blue is live unless release.active says green; the live track comes first", () => {
        assert.equal(activeTrack(service().release), "blue");
        const plan = blueGreenPlan(service({ release: blueGreen({ active: "green" }) }))!;
        assert.deepEqual([plan.active, plan.idle, plan.tracks.map((t) => [t.track, t.live])], ["green", "blue", [["green", true], ["blue", false]]]);
        assert.deepEqual([otherTrack("blue"), otherTrack("green")], ["green", "blue"]);
    });

    it("each track runs its own image with the service's repository and pull policy, and its env over the service's", () => {
        const s = service({ image: { repository, pullPolicy: "Always" }, env: { A: "1", B: "2" }, release: blueGreen({ green: { image: { repository: "ghcr.io/acme/api-next", digest: `sha256:${"a".repeat(64)}` }, env: { B: "3" } } }) });
        assert.deepEqual(trackImage(s, "blue"), { repository, tag: "1.0.0", pullPolicy: "Always" });
        assert.deepEqual(trackImage(s, "green"), { repository: "ghcr.io/acme/api-next", digest: `sha256:${"a".repeat(64)}`, pullPolicy: "Always" });
        assert.deepEqual(trackService(s, "green").env, { A: "1", B: "3" });
        assert.deepEqual(trackService(s, "blue").env, { A: "1", B: "2" });
    });

    it("without autoscaling the live track runs replicas and the idle one idleReplicas (default: replicas); with it, each track's HPA owns them", () => {
        const replicasOf = (s: ServiceConfig) => blueGreenPlan(s)!.tracks.map((t) => [t.track, t.replicas]);
        assert.deepEqual(replicasOf(service({ replicas: 3 })), [["blue", 3], ["green", 3]]);
        assert.deepEqual(replicasOf(service({ replicas: 3, release: blueGreen({ active: "green", idleReplicas: 1 }) })), [["green", 3], ["blue", 1]]);
        assert.deepEqual(replicasOf(service({ autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } })), [["blue", undefined], ["green", undefined]]);
    });

    it("a track's selector is the service's and the track: the two Deployments' selectors never overlap", () => {
        const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "x" };
        assert.deepEqual(trackSelector(selector, "green"), { ...selector, "llm-platform/track": "green" });
        assert.equal(trackLabel, "llm-platform/track");
    });

    it("a track's Service is ClusterIP with the live Service's ports, even when the live one is a LoadBalancer with node ports", () => {
        const s = service({ service: { type: "LoadBalancer", nodePort: 30080, externalTrafficPolicy: "Local", loadBalancerSourceRanges: ["10.0.0.0/8"], extraPorts: [{ name: "grpc", port: 9000, nodePort: 30090 }] } });
        assert.deepEqual(trackServiceSpec(s, { a: "b" }), {
            type: "ClusterIP",
            selector: { a: "b" },
            ports: [
                { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
                { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
                { name: "grpc", port: 9000, targetPort: "grpc", protocol: "TCP" },
            ],
        });
    });

    it("the ServiceMonitor of a blue-green service selects the tracks' Services only, labelled as the one service with the pod's track", () => {
        const spec = serviceMonitorSpec(service(), { interval: "30s", scrapeTimeout: "10s" } as never, { a: "b" }, "ns", "api");
        assert.deepEqual(spec.selector, { matchLabels: { a: "b" }, matchExpressions: [{ key: "llm-platform/track", operator: "Exists" }] });
        assert.deepEqual(spec.endpoints[0].relabelings.slice(2), [
            { action: "replace", targetLabel: "service", replacement: "api" },
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_llm_platform_track"], targetLabel: "track" },
        ]);
        assert.deepEqual(serviceMonitorSpec(service(), { interval: "30s", scrapeTimeout: "10s" } as never, { a: "b" }, "ns").selector, { matchLabels: { a: "b" } });
    });

    it("the alerts on a blue-green service's workloads match both tracks; without tracks they name the one workload", () => {
        const expr = (name: string, t: object) => serviceAlerts.find((a) => a.name === name)!.expr(t as never, 5);
        assert.match(expr("ServiceNoReadyPods", { ...target, tracks: ["blue", "green"] }), /deployment=~"api-\(blue\|green\)"/);
        assert.match(expr("ServiceNoReadyPods", target), /deployment="api"/);
        assert.match(expr("ServiceAutoscalerAtMax", { ...target, tracks: ["blue", "green"] }), /horizontalpodautoscaler=~"api-\(blue\|green\)"/);
        assert.match(expr("ServiceBelowDisruptionBudget", { ...target, tracks: ["blue", "green"] }), /poddisruptionbudget=~"api-\(blue\|green\)"/);
        assert.match(expr("ServicePostDeployCheckFailed", { ...target, tracks: ["blue", "green"] }), /job_name=~"api-\(blue\|green\)-check-\[a-z0-9\]\+"/);
        assert.match(expr("ServiceCrashLooping", { ...target, tracks: ["blue", "green"] }), /pod=~"api-\(blue\|green\)-\[a-z0-9\]\+-\[a-z0-9\]\+"/);
        // The service's own signals (error rate, latency) are the service's across both tracks.
        assert.equal(expr("ServiceHighErrorRate", { ...target, tracks: ["blue", "green"] }), expr("ServiceHighErrorRate", target));
    });

    it("the dashboard counts a blue-green service's pods over both tracks' Deployments; one workload's stays as it was", () => {
        const ready = (t: object) => queriesOf(serviceDashboard(t as never, "x")).find((q) => q.legend === "ready")!.expr;
        assert.equal(ready({ ...target, tracks: ["blue", "green"] }), 'sum(kube_deployment_status_replicas_available{namespace="ns",deployment=~"api-(blue|green)"})');
        assert.equal(ready(target), 'max(kube_deployment_status_replicas_available{namespace="ns",deployment="api"})');
    });
});

describe("blue-green: config rules", () => {
    const withRelease = (release: Values, more: (s: Values) => void = () => undefined) => (v: Values) => {
        v.services.api.image = { repository };
        v.services.api.release = release;
        more(v.services.api);
    };

    it("a valid blue-green service has no problem", () => {
        assert.deepEqual(problemsOf(stagingBase, withRelease(blueGreen({ active: "green", idleReplicas: 1 }))), []);
    });

    it("each track needs a tag or a digest; the service's own tag and digest are refused, since they would roll both tracks", () => {
        assert.equal(
            reportOf(stagingBase, withRelease({ strategy: "blueGreen", blue: { image: { tag: "1.0.0" } } }, (s) => { s.image.tag = "1.0.0"; })),
            'Stack config of "test" has 2 problems:\n' +
            "  - services.api.image.tag: given \"1.0.0\"; expected unset under release.strategy blueGreen: each track's image is release.blue.image and release.green.image (image keeps the repository and pullPolicy they share), so no change here rolls the live track\n" +
            "  - services.api.release.green.image: given {}; expected a tag or a digest: under release.strategy blueGreen each track runs its own image, and a new version goes to the idle track",
        );
    });

    it("production: a track's tag must be immutable", () => {
        const report = reportOf(() => ({ ...stagingBase(), environment: "production" }), withRelease(blueGreen({ green: { image: { tag: "latest" } } })));
        assert.match(report, /services\.api\.release\.green\.image\.tag: given "latest"; expected /);
    });

    it("the tracks' keys mean nothing to a rolling service and are refused there, naming the strategy", () => {
        assert.equal(
            reportOf(stagingBase, (v) => { v.services.api.release = { active: "green", idleReplicas: 0, green: { image: { tag: "2.0.0" } } }; }),
            'Stack config of "test" has 3 problems:\n' +
            '  - services.api.release.active: given "green"; expected unset, or release.strategy: blueGreen (the strategy is rolling, which has no tracks)\n' +
            "  - services.api.release.green: given {\"image\":{\"tag\":\"2.0.0\"},\"env\":{}}; expected unset, or release.strategy: blueGreen (the strategy is rolling, which has no tracks)\n" +
            "  - services.api.release.idleReplicas: given 0; expected unset, or release.strategy: blueGreen (the strategy is rolling, which has no tracks)",
        );
    });

    it("with autoscaling each track's HPA owns its replicas, so idleReplicas is refused", () => {
        assert.equal(
            reportOf(stagingBase, withRelease(blueGreen({ idleReplicas: 1 }), (s) => { s.autoscaling = { enabled: true, minReplicas: 2, maxReplicas: 4 }; })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.release.idleReplicas: given 1; expected unset with autoscaling.enabled: each track's HPA owns its replicas (autoscaling.minReplicas to maxReplicas)",
        );
    });

    it("an idle track of no pods can't be checked before a switch to it", () => {
        assert.equal(
            reportOf(stagingBase, withRelease(blueGreen({ idleReplicas: 0 }), (s) => { s.postDeployCheck = { enabled: true }; })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.release.idleReplicas: given 0; expected at least 1, or postDeployCheck.enabled: false: the post-deploy check calls the idle track's pods before a switch to it",
        );
        assert.deepEqual(problemsOf(stagingBase, withRelease(blueGreen({ idleReplicas: 0 }))), []);
    });

    it("a migration belongs to neither track, so it is refused under blueGreen", () => {
        assert.equal(
            reportOf(stagingBase, withRelease(blueGreen(), (s) => { s.migration = { enabled: true, command: ["migrate"] }; })),
            'Stack config of "test" has 1 problem:\n' +
            "  - services.api.migration.enabled: given true; expected false under release.strategy blueGreen: the two tracks run two versions against one database, so a migration belongs to neither; run it as a release of its own (docs/releases.md#blue-green)",
        );
    });

    it("the tracks' names must fit: \"<name>-green\" as a Service's name, \"<name>-green-check-<random>\" as a Job's", () => {
        const long = "a".repeat(58);
        assert.equal(
            reportOf(stagingBase, (v) => { v.services = { [long]: { image: { repository }, release: blueGreen() } }; }),
            'Stack config of "test" has 1 problem:\n' +
            `  - services.${long}: given "${long}"; expected a name of at most 57 characters under release.strategy blueGreen: the tracks' Deployments and Services are "${long}-blue" and "${long}-green", and a Service's name must fit in 63`,
        );
        const checked = "a".repeat(44);
        assert.equal(
            reportOf(stagingBase, (v) => { v.services = { [checked]: { image: { repository }, release: blueGreen(), postDeployCheck: { enabled: true } } }; }),
            'Stack config of "test" has 1 problem:\n' +
            `  - services.${checked}.postDeployCheck.enabled: given true; expected false, or a service name of at most 43 characters: under release.strategy blueGreen each track's check Job is named "${checked}-green-check-" and 7 random characters, and a Job's name must fit in 63`,
        );
        assert.deepEqual(problemsOf(stagingBase, (v) => { v.services = { [checked.slice(1)]: { image: { repository }, release: blueGreen(), postDeployCheck: { enabled: true } } }; }), []);
    });

    it("a strategy that doesn't exist is refused with the ones that do", () => {
        assert.match(reportOf(stagingBase, (v) => { v.services.api.release = { strategy: "blue-green" }; }), /services\.api\.release\.strategy: given "blue-green"; expected one of "rolling", "blueGreen"/);
    });
});

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    job: "kubernetes:batch/v1:Job",
    configMap: "kubernetes:core/v1:ConfigMap",
    netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
};

const named = (run: ProgramRun, type: string, name: string): RecordedResource => {
    const found = run.ofType(type).filter((r) => r.name === name);
    assert.equal(found.length, 1, `one ${type} ${name}: ${run.ofType(type).map((r) => r.name).join(", ")}`);
    return found[0];
};

describe("blue-green: a staging stack through the program", () => {
    let blue: ProgramRun;
    let green: ProgramRun;
    const selector = { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "llm-platform-staging" };

    before(async () => {
        blue = await runStack("staging", { set: blueGreenStaging("blue") }, { fresh: true });
        green = await runStack("staging", { set: blueGreenStaging("green") }, { fresh: true });
    });

    it("two Deployments, one per track, each selecting its track and running its image; no Deployment of the old name", () => {
        assert.deepEqual(blue.ofType(T.deployment).map((r) => r.inputs.metadata.name).sort(), ["orchestrator-blue", "orchestrator-green"]);
        for (const [track, tag] of [["blue", "1.4.2"], ["green", "1.5.0"]]) {
            const d = named(blue, T.deployment, `orchestrator-${track}-deployment`).inputs;
            assert.deepEqual(d.spec.selector.matchLabels, { ...selector, "llm-platform/track": track });
            assert.equal(d.spec.template.metadata.labels["llm-platform/track"], track);
            assert.equal(d.spec.template.metadata.labels["app.kubernetes.io/version"], tag);
            assert.equal(d.spec.template.spec.containers[0].name, "orchestrator");
            assert.equal(d.spec.template.spec.containers[0].image, `ghcr.io/example/llm-orchestrator:${tag}`);
            // staging autoscales: each track's HPA owns its replicas.
            assert.equal(d.spec.replicas, undefined);
        }
    });

    it("each track has its own ConfigMap, the track's env over the service's", () => {
        const data = (track: string) => named(blue, T.configMap, `orchestrator-${track}-config`).inputs.data;
        assert.equal(data("green").FEATURE_NEW_PLANNER, "true");
        assert.equal(data("blue").FEATURE_NEW_PLANNER, undefined);
        const envFrom = (track: string) => named(blue, T.deployment, `orchestrator-${track}-deployment`).inputs.spec.template.spec.containers[0].envFrom;
        assert.notDeepEqual(envFrom("blue"), envFrom("green"));
    });

    it("the live Service selects the active track; each track's own Service selects its track, ClusterIP", () => {
        assert.deepEqual(named(blue, T.service, "orchestrator-service").inputs.spec.selector, { ...selector, "llm-platform/track": "blue" });
        assert.deepEqual(named(green, T.service, "orchestrator-service").inputs.spec.selector, { ...selector, "llm-platform/track": "green" });
        assert.equal(named(blue, T.service, "orchestrator-service").inputs.metadata.name, "orchestrator");
        for (const track of ["blue", "green"]) {
            const svc = named(blue, T.service, `orchestrator-${track}-service`).inputs;
            assert.equal(svc.metadata.name, `orchestrator-${track}`);
            assert.equal(svc.metadata.labels["llm-platform/track"], track);
            assert.deepEqual([svc.spec.type, svc.spec.selector], ["ClusterIP", { ...selector, "llm-platform/track": track }]);
        }
    });

    it("the HTTPRoute sends traffic to the active track's Service; the Ingress to the live Service", () => {
        const route = (run: ProgramRun) => run.one(T.httpRoute).inputs.spec.rules.map((rule: any) => rule.backendRefs);
        assert.deepEqual(route(blue), [[{ name: "orchestrator-blue", port: 8080 }]]);
        assert.deepEqual(route(green), [[{ name: "orchestrator-green", port: 8080 }]]);
        const ingress = named(green, T.ingress, "orchestrator-ingress").inputs;
        assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "orchestrator");
    });

    it("an HPA and a PDB per track, each on its track's Deployment and pods", () => {
        for (const track of ["blue", "green"]) {
            const hpa = named(blue, T.hpa, `orchestrator-${track}-hpa`).inputs;
            assert.deepEqual([hpa.metadata.name, hpa.spec.scaleTargetRef.name, hpa.spec.minReplicas, hpa.spec.maxReplicas], [`orchestrator-${track}`, `orchestrator-${track}`, 2, 5]);
            const pdb = named(blue, T.pdb, `orchestrator-${track}-pdb`).inputs;
            assert.deepEqual([pdb.metadata.name, pdb.spec.selector.matchLabels, pdb.spec.minAvailable], [`orchestrator-${track}`, { ...selector, "llm-platform/track": track }, 1]);
        }
        assert.equal(blue.ofType(T.hpa).length, 2);
        assert.equal(blue.ofType(T.pdb).filter((r) => r.inputs.metadata.name.startsWith("orchestrator")).length, 2);
    });

    it("a check per track, through its track's Service, keyed on its track's image and ConfigMap", () => {
        for (const [track, tag] of [["blue", "1.4.2"], ["green", "1.5.0"]]) {
            const job = named(blue, T.job, `orchestrator-${track}-check`).inputs;
            const container = job.spec.template.spec.containers[0];
            assert.match(container.command.at(-1), new RegExp(`^http://orchestrator-${track}\\.llm-platform-staging\\.svc:8080/health/ready$`));
            const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
            assert.equal(env.CHECKED_IMAGE, `ghcr.io/example/llm-orchestrator:${tag}`);
            assert.equal(job.spec.template.metadata.labels["app.kubernetes.io/name"], `orchestrator-${track}-check`);
        }
    });

    it("the order: the live Service waits for the active track's rollout and check; the idle track's Deployment waits for the live Service", () => {
        for (const [run, active, idle] of [[blue, "blue", "green"], [green, "green", "blue"]] as const) {
            const live = named(run, T.service, "orchestrator-service");
            const urnOf = (type: string, name: string) => named(run, type, name).urn;
            // Depending on the check component is depending on its Job (and NetworkPolicy).
            for (const urn of [urnOf(T.deployment, `orchestrator-${active}-deployment`), urnOf(T.job, `orchestrator-${active}-check`)]) assert.ok(live.options.dependsOn.includes(urn), `the live Service waits for ${urn}`);
            for (const urn of [urnOf(T.deployment, `orchestrator-${idle}-deployment`), urnOf(T.job, `orchestrator-${idle}-check`)]) assert.ok(!live.options.dependsOn.includes(urn), `the live Service does not wait for ${urn}`);
            assert.ok(named(run, T.deployment, `orchestrator-${idle}-deployment`).options.dependsOn.includes(live.urn), "the idle track waits for the switch");
            assert.ok(!named(run, T.deployment, `orchestrator-${active}-deployment`).options.dependsOn.includes(live.urn));
        }
    });

    it("the NetworkPolicy selects both tracks' pods and admits both tracks' checks", () => {
        const policy = named(blue, T.netpol, "orchestrator-netpol").inputs.spec;
        assert.deepEqual(policy.podSelector, { matchLabels: selector });
        const from = JSON.stringify(policy.ingress);
        for (const track of ["blue", "green"]) assert.ok(from.includes(`"orchestrator-${track}-check"`), `admits the ${track} check`);
        for (const track of ["blue", "green"]) {
            const own = named(blue, T.netpol, `orchestrator-${track}-check-netpol`).inputs.spec;
            const toService = own.egress.find((e: any) => e.ports.some((p: any) => p.port === 8080));
            assert.deepEqual(toService.to, [{ podSelector: { matchLabels: { ...selector, "llm-platform/track": track } } }]);
        }
    });

    it("the ServiceMonitor scrapes the tracks' Services, and the alerts watch both tracks' workloads", () => {
        const monitor = blue.one(T.serviceMonitor).inputs.spec;
        assert.deepEqual(monitor.selector.matchExpressions, [{ key: "llm-platform/track", operator: "Exists" }]);
        const rules = JSON.stringify(blue.one(T.prometheusRule).inputs.spec);
        assert.match(rules, /deployment=~\\"orchestrator-\(blue\|green\)\\"/);
        assert.ok(!rules.includes('deployment=\\"orchestrator\\"'));
    });

    it("flipping release.active changes the live Service's selector, the route's backend and the order, and nothing else", () => {
        const byUrn = (run: ProgramRun) => new Map(run.resources.map((r) => [r.urn, r]));
        const before = byUrn(blue);
        const after = byUrn(green);
        assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), "the same resources");
        const changed = [...after].filter(([urn, r]) => JSON.stringify(r.inputs) !== JSON.stringify(before.get(urn)!.inputs)).map(([, r]) => `${r.type} ${r.name}`);
        assert.deepEqual(changed.sort(), [`${T.service} orchestrator-service`, `${T.httpRoute} orchestrator-httproute`]);
    });
});

describe("blue-green: the policy pack", () => {
    it("prod with a blue-green orchestrator: no mandatory violation under policy/config/prod.json (each track's PDB, pinned images, limits)", async () => {
        const services = structuredClone(readStackConfig("prod").values["llm-platform:services"]) as Values;
        services.orchestrator.image = { repository: services.orchestrator.image.repository };
        services.orchestrator.release = { strategy: "blueGreen", active: "green", blue: { image: { tag: "1.4.2" } }, green: { image: { tag: "1.5.0" } } };
        const run = await runStack("prod", { set: { services } }, { fresh: true });
        assert.equal(run.ofType(T.deployment).length, 2);
        const targets = run.resources.map(asPolicyTarget);
        const violations = await runPack(targets, readPolicyConfig("prod"));
        assert.deepEqual(violations.filter((v) => v.level === "mandatory"), []);
        // The control: without the green track's PDB the pack refuses its Deployment, so the tracks were judged.
        const withoutGreenPdb = targets.filter((t) => !(t.type === T.pdb && t.name === "orchestrator-green-pdb"));
        const refused = (await runPack(withoutGreenPdb, readPolicyConfig("prod"))).filter((v) => v.level === "mandatory");
        assert.ok(refused.length > 0 && refused.every((v) => JSON.stringify(v).includes("orchestrator-green")), JSON.stringify(refused));
    });
});
