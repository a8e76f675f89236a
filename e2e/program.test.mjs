// The project's own program against the local API server.
//
// 1. "API server accepts": the objects the program produces for each stack (rendered under the
//    unit tests' mocks by e2e/render.ts), and what its charts render (`helm template` of the same
//    chart, release and values, e2e/charts.mjs), are server-side applied to the real API server
//    (schema validation, defaulting, Pod Security admission of the namespace's labels), exist
//    with the expected spec, the Deployments and StatefulSets roll out Ready on kwok's nodes, the
//    charts' claims bind and the Ingresses get an address from the cluster's stand-ins, and a
//    second apply changes nothing. Needs only the cluster (and helm for the charts' part).
// 2. "pulumi up": the real engine with the Kubernetes and random provider plugins, for dev,
//    staging and prod: up, no-op preview, a scaling change, a StatefulSet update followed by a
//    no-op preview, secrets not in plaintext, and destroy (in prod: refused, deleting nothing,
//    then the deliberate path). Needs the provider plugins; skipped, saying so, where
//    scripts/toolchain/build.sh could not build them (see docs/e2e.md).
//
// Each stack starts from a verified cluster state: its namespace is deleted, and waited for,
// before and after. A test that needs an earlier one fails, naming it, when that one failed.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";

import { missingForCharts } from "./charts.mjs";
import { Steps, Workspace, deleteNamespace, exists, git as gitIn, kubectl, kubectlJson, missingForProgram, projectRoot, releaseTool, rolloutStatus, run } from "./lib.mjs";
import { PROJECT, blueGreenServices, deepMerge, logChartPaths, stackOverrides, stackVariants, variantOverrides } from "./stack-overrides.mjs";

const STACKS = (process.env.E2E_STACKS ?? "dev,staging,prod").split(",").filter(Boolean);
// Example stack files (examples/<name>.yaml) whose objects part 1 applies too, as the stack their name says.
const EXAMPLES = (process.env.E2E_EXAMPLES ?? "backend-frontend").split(",").filter(Boolean);
// Variations of the stacks (stack-overrides.mjs stackVariants) whose objects part 1 applies too.
const VARIANTS = (process.env.E2E_VARIANTS ?? Object.keys(stackVariants).join(",")).split(",").filter(Boolean);
// Variations part 2 deploys with pulumi up too, after the stacks: the route-only stack (#29) by default.
const UP_VARIANTS = (process.env.E2E_UP_VARIANTS ?? "staging-route-only").split(",").filter(Boolean);
const FIXTURES = path.join(projectRoot, "e2e", "fixtures");

/** What each variant must show in the objects the API server holds, beyond what every stack must. */
const variantChecks = {
    "staging-no-redis": {
        title: "nothing of Redis exists: no chart object, Secret, variable, wait or egress names it",
        check: (items) => {
            const live = items.map((o) => kubectlJson(["get", o.kind, o.metadata.name, ...(o.metadata.namespace ? ["-n", o.metadata.namespace] : [])]));
            assert.deepEqual(live.filter((o) => /redis/i.test(JSON.stringify(o.spec ?? o.data ?? o))).map((o) => `${o.kind}/${o.metadata.name}`), []);
            assert.ok(live.some((o) => o.kind === "StatefulSet" && /postgresql/.test(o.metadata.name)), "PostgreSQL is still there");
        },
    },
    "staging-route-only": {
        title: "the route is the only way in: no Ingress, the HTTPRoute to the Service, and the service's NetworkPolicy admits the Gateway's data plane and no ingress controller",
        check: (items) => {
            assert.deepEqual(items.filter((o) => o.kind === "Ingress").map((o) => o.metadata.name), []);
            const [route, ...others] = items.filter((o) => o.kind === "HTTPRoute");
            assert.equal(others.length, 0, "one HTTPRoute");
            const live = kubectlJson(["get", "httproute", route.metadata.name, "-n", route.metadata.namespace]);
            const backends = live.spec.rules.flatMap((r) => r.backendRefs.map((b) => b.name));
            assert.ok(backends.length > 0, "the route has no backend");
            for (const name of backends) kubectlJson(["get", "service", name, "-n", route.metadata.namespace]);
            const policy = kubectlJson(["get", "networkpolicy", backends[0], "-n", route.metadata.namespace]);
            const peers = JSON.stringify(policy.spec.ingress.flatMap((rule) => rule.from ?? []));
            assert.match(peers, /envoy-gateway-system/, "the Gateway's data plane is not admitted");
            assert.doesNotMatch(peers, /ingress-nginx/, "an ingress controller is still admitted");
        },
    },
    "dev-logs": {
        title: "logs: the monitoring namespace enforces privileged; Loki, the collector and Grafana run there; the collector pushes to Loki's Service and Grafana reads it; each dashboard has a logs panel; Alertmanager selects the stack's routing, which pages the pager on critical and posts warnings to the chat; Grafana's admin is the generated Secret's; every Secret the monitoring stack's pods mount or read exists",
        check: (items) => {
            checkAlertRouting(items);
            checkGrafanaAdmin(items);
            checkMountedSecrets(items, "monitoring");
            const monitoring = kubectlJson(["get", "namespace", "monitoring"]);
            assert.equal(monitoring.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
            const collector = kubectlJson(["get", "daemonset", "alloy", "-n", "monitoring"]);
            assert.ok(collector.status.numberReady >= 1 && collector.status.numberReady === collector.status.desiredNumberScheduled, `the collector runs on every node: ${JSON.stringify(collector.status)}`);
            assert.ok(collector.spec.template.spec.volumes.some((v) => v.hostPath?.path === "/var/log"), "the collector reads the node's /var/log");
            const config = kubectlJson(["get", "configmap", "alloy", "-n", "monitoring"]).data["config.alloy"];
            const push = /url = "http:\/\/([a-z0-9-]+)\.monitoring\.svc\.cluster\.local:3100\/loki\/api\/v1\/push"/.exec(config);
            assert.ok(push, `the collector pushes to Loki in the monitoring namespace:\n${config}`);
            kubectl(["get", "service", push[1], "-n", "monitoring"]);
            assert.match(config, /names = \["llm-platform-dev"\]/);
            const datasources = kubectlJson(["get", "configmap", "kube-prometheus-stack-grafana-datasource", "-n", "monitoring"]).data["datasource.yaml"];
            assert.match(datasources, /url: http:\/\/loki\.monitoring\.svc\.cluster\.local:3100/);
            rolloutStatus("statefulset", "loki", "monitoring", "180s");
            const dashboard = items.find((o) => o.kind === "ConfigMap" && o.metadata.name === "grafana-dashboard-service-orchestrator");
            const live = kubectlJson(["get", "configmap", dashboard.metadata.name, "-n", dashboard.metadata.namespace]);
            const panels = JSON.parse(Object.values(live.data)[0]).panels.filter((p) => p.type === "logs");
            assert.deepEqual(panels.map((p) => p.targets[0].expr), ['{namespace="llm-platform-dev", app_kubernetes_io_name="orchestrator", app_kubernetes_io_instance="llm-platform-dev"}']);
        },
    },
    "staging-logs": {
        title: "logs outside development: Loki's write, read and backend run three each, the collector pushes to loki-write, Grafana reads loki-read, and Loki's NetworkPolicy admits only the collector, Grafana and Loki",
        check: () => {
            for (const [kind, name] of [["statefulset", "loki-write"], ["deployment", "loki-read"], ["statefulset", "loki-backend"]]) {
                assert.equal(kubectlJson(["get", kind, name, "-n", "monitoring"]).status.readyReplicas, 3, `${kind}/${name}`);
            }
            assert.match(kubectlJson(["get", "configmap", "alloy", "-n", "monitoring"]).data["config.alloy"], /url = "http:\/\/loki-write\.monitoring\.svc\.cluster\.local:3100\/loki\/api\/v1\/push"/);
            assert.match(kubectlJson(["get", "configmap", "kube-prometheus-stack-grafana-datasource", "-n", "monitoring"]).data["datasource.yaml"], /url: http:\/\/loki-read\.monitoring\.svc\.cluster\.local:3100/);
            const policy = kubectlJson(["get", "networkpolicy", "loki-ingress", "-n", "monitoring"]);
            const pods = (selector) => kubectlJson(["get", "pods", "-n", "monitoring", "-l", Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",")]).items.length;
            assert.equal(pods(policy.spec.podSelector.matchLabels), 9, "the policy selects Loki's nine pods");
            assert.deepEqual(policy.spec.ingress[0].from.map((peer) => pods(peer.podSelector.matchLabels) > 0), [true, true], "its clients' selectors match the collector's and Grafana's pods");
        },
    },
    "staging-blue-green": {
        title: "both tracks run; flipping release.active moves the live Service's endpoints and the route to green with no pod started, and flipping it back moves them back",
        check: async (items) => {
            const namespace = items.find((o) => o.kind === "Deployment" && o.metadata.name === "orchestrator-blue").metadata.namespace;
            // Each track's HPA raises it to its minimum first (every 15 s): those pods are the HPA's, not the switch's.
            for (const hpa of items.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
                kubectl(["wait", `--for=jsonpath={.status.availableReplicas}=${hpa.spec.minReplicas}`, `deployment/${hpa.spec.scaleTargetRef.name}`, "-n", namespace, "--timeout=120s"]);
            }
            const pods = () => kubectlJson(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/name=orchestrator,llm-platform/track"]).items;
            const before = pods();
            for (const track of ["blue", "green"]) assert.ok(before.some((p) => p.metadata.labels["llm-platform/track"] === track), `the ${track} track has pods`);
            await switchedTo(namespace, "blue");
            let current = items;
            for (const active of ["green", "blue"]) {
                const overrides = variantOverrides("staging-blue-green");
                overrides.set.services = blueGreenServices(overrides.set.services, active);
                const next = render("staging", overrides, { chartObjects: false }).list.items;
                // What the switch changes: the live Service's selector and the route's backend, nothing else.
                assert.deepEqual(changedObjects(current, next), ["HTTPRoute/orchestrator", "Service/orchestrator"]);
                const file = path.join(fs.mkdtempSync("/tmp/llm-platform-switch-"), "switch.json");
                fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: next.filter((o) => changedObjects(current, [o]).length > 0) }));
                const start = performance.now();
                kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", file]);
                const ms = await switchedTo(namespace, active);
                console.log(`# blue-green switch to ${active}: the live Service's endpoints are the ${active} track's ${Math.round(performance.now() - start)} ms after the apply started (${ms} ms polling)`);
                const route = kubectlJson(["get", "httproute", "orchestrator", "-n", namespace]);
                assert.deepEqual(route.spec.rules.map((r) => r.backendRefs.map((b) => b.name)), [[`orchestrator-${active}`]]);
                current = next;
            }
            const after = pods();
            assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort(), "no pod started or stopped");
        },
    },
    "staging-canary": {
        title: "the Rollout and the AnalysisTemplate pass Argo Rollouts' own CRD schemas and are stored as the program set them; the Deployment they take over rolled out",
        check: (items) => {
            for (const kind of ["Rollout", "AnalysisTemplate"]) {
                const o = items.find((x) => x.kind === kind && x.metadata.name === "orchestrator");
                assert.ok(o, `the program renders the ${kind}`);
                const live = kubectlJson(["get", `${kind.toLowerCase()}s.argoproj.io`, o.metadata.name, "-n", o.metadata.namespace]);
                assert.deepEqual(live.spec, o.spec, `${kind}/${o.metadata.name}: the stored spec`);
            }
            const rollout = items.find((x) => x.kind === "Rollout");
            assert.deepEqual(rollout.spec.workloadRef, { apiVersion: "apps/v1", kind: "Deployment", name: "orchestrator", scaleDown: "progressively" });
            const hpa = items.find((x) => x.kind === "HorizontalPodAutoscaler" && x.spec.scaleTargetRef.name === "orchestrator");
            assert.equal(hpa.spec.scaleTargetRef.kind, "Rollout");
        },
    },
    "staging-profile": {
        title: "the Deployment and HPA the API server holds carry the medium profile's values, not its name",
        check: (items) => {
            const deployment = items.find((o) => o.kind === "Deployment" && o.metadata.name === "orchestrator");
            const live = kubectlJson(["get", "deployment", deployment.metadata.name, "-n", deployment.metadata.namespace]);
            const container = live.spec.template.spec.containers.find((c) => c.name === "orchestrator") ?? live.spec.template.spec.containers[0];
            assert.deepEqual(container.resources, { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } });
            const hpa = kubectlJson(["get", "hpa", "-n", deployment.metadata.namespace]).items[0];
            assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 10]);
            assert.ok(!JSON.stringify(live).includes("medium"), "the profile's name is in no object");
        },
    },
};

/** The `kind/name`s of the objects of `next` that differ from (or are missing in) `current`, sorted. */
function changedObjects(current, next) {
    const key = (o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const was = new Map(current.map((o) => [key(o), JSON.stringify(o)]));
    return next.filter((o) => was.get(key(o)) !== JSON.stringify(o)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

/**
 * Waits until the live Service's EndpointSlices hold exactly the ready pods of `track` (and no
 * other pod), as kube-proxy and the Gateway's data plane read them; returns how long it took.
 */
async function switchedTo(namespace, track) {
    const start = performance.now();
    const want = kubectlJson(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/name=orchestrator,llm-platform/track=${track}`]).items
        .filter((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((p) => p.metadata.name)
        .sort();
    assert.ok(want.length > 0, `the ${track} track has ready pods`);
    let got = [];
    for (;;) {
        const slices = kubectlJson(["get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=orchestrator"]).items;
        got = slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name)).sort();
        if (JSON.stringify(got) === JSON.stringify(want)) return Math.round(performance.now() - start);
        if (performance.now() - start > 30_000) assert.fail(`the live Service's endpoints are ${got.join(", ") || "none"}, not the ${track} track's ${want.join(", ")}, after 30 s`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

const decoded = (secret, key) => Buffer.from(secret.data?.[key] ?? "", "base64").toString("utf8");

/**
 * The stack's AlertmanagerConfig as the API server holds it (the operator's CRD validated it): the
 * chart's Alertmanager selects it (labels, every namespace), critical goes to the pager and
 * warning to the chat, and each receiver's credential is a key of a Secret in the stack's
 * namespace holding the value its secret entry was given.
 */
function checkAlertRouting(items) {
    const [config, ...others] = items.filter((o) => o.kind === "AlertmanagerConfig");
    assert.ok(config, "the stack has an AlertmanagerConfig");
    assert.equal(others.length, 0, "one AlertmanagerConfig");
    const live = kubectlJson(["get", "alertmanagerconfigs.monitoring.coreos.com", config.metadata.name, "-n", config.metadata.namespace]);
    const alertmanager = kubectlJson(["get", "alertmanagers.monitoring.coreos.com", "kube-prometheus-stack-alertmanager", "-n", "monitoring"]);
    const selector = alertmanager.spec.alertmanagerConfigSelector?.matchLabels ?? {};
    assert.ok(Object.keys(selector).length > 0, `the Alertmanager selects by labels: ${JSON.stringify(alertmanager.spec)}`);
    for (const [k, v] of Object.entries(selector)) assert.equal(live.metadata.labels?.[k], v, `the AlertmanagerConfig's label ${k}`);
    assert.deepEqual(alertmanager.spec.alertmanagerConfigNamespaceSelector, {}, "the Alertmanager reads AlertmanagerConfigs of every namespace");
    const severityRoute = (level) => live.spec.route.routes.find((r) => r.matchers?.some((m) => m.name === "severity" && m.value === level))?.receiver;
    assert.deepEqual([severityRoute("critical"), severityRoute("warning"), live.spec.route.receiver], ["pager", "chat", "chat"]);
    const refs = {
        pager: live.spec.receivers.find((r) => r.name === "pager").pagerdutyConfigs[0].routingKey,
        chat: live.spec.receivers.find((r) => r.name === "chat").slackConfigs[0].apiURL,
    };
    const { secrets } = stackVariants["dev-logs"];
    for (const [receiver, entry] of [["pager", "pagerdutyRoutingKey"], ["chat", "slackWebhookUrl"]]) {
        const secret = kubectlJson(["get", "secret", refs[receiver].name, "-n", config.metadata.namespace]);
        assert.equal(decoded(secret, refs[receiver].key), secrets[entry], `${receiver}'s ${refs[receiver].name}/${refs[receiver].key} holds ${entry}'s value`);
    }
    assert.doesNotMatch(JSON.stringify(live.spec), /plaintext-canary/, "no credential in the AlertmanagerConfig");
    assert.deepEqual(live.spec.inhibitRules.map((r) => [r.sourceMatch[0].value, r.targetMatch[0].value]), [["critical", "warning"]]);
}

/** Grafana logs in with the generated Secret the program owns: the chart's own Secret and its default password are not there. */
function checkGrafanaAdmin(items) {
    const admin = items.find((o) => o.kind === "Secret" && o.metadata.name === "kube-prometheus-stack-grafana-admin");
    assert.ok(admin, "the program's Grafana admin Secret");
    const grafana = kubectlJson(["get", "deployment", "kube-prometheus-stack-grafana", "-n", "monitoring"]);
    // By name: the real chart's pod has the dashboard sidecar first.
    const env = Object.fromEntries(grafana.spec.template.spec.containers.find((c) => c.name === "grafana").env.map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    assert.deepEqual(env.GF_SECURITY_ADMIN_PASSWORD, { name: admin.metadata.name, key: "admin-password" });
    assert.deepEqual(env.GF_SECURITY_ADMIN_USER, { name: admin.metadata.name, key: "admin-user" });
    const live = kubectlJson(["get", "secret", admin.metadata.name, "-n", "monitoring"]);
    const password = decoded(live, "admin-password");
    assert.ok(password.length >= 16 && password !== "prom-operator", `a generated password (${password.length} characters)`);
    assert.equal(decoded(live, "admin-user"), "admin");
    assert.equal(exists("secret", "kube-prometheus-stack-grafana", "monitoring"), false, "the chart's own admin Secret");
}

/**
 * Every Secret the pods of `namespace`'s workloads mount or read (not marked optional) exists once
 * the objects are applied: kwok starts a pod whatever its volumes, a kubelet doesn't. (The Prometheus
 * Operator's pod mounts "<release>-admission", which only the chart's hook Jobs would create.)
 */
function checkMountedSecrets(items, namespace) {
    const missing = [];
    for (const o of items.filter((x) => ["Deployment", "StatefulSet", "DaemonSet"].includes(x.kind) && x.metadata.namespace === namespace)) {
        const pod = o.spec.template.spec;
        const refs = [
            ...(pod.volumes ?? []).filter((v) => v.secret && !v.secret.optional).map((v) => v.secret.secretName),
            ...(pod.volumes ?? []).flatMap((v) => v.projected?.sources ?? []).filter((p) => p.secret && !p.secret.optional).map((p) => p.secret.name),
            ...[...(pod.containers ?? []), ...(pod.initContainers ?? [])].flatMap((c) => [
                ...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter((r) => r && !r.optional).map((r) => r.name),
                ...(c.envFrom ?? []).map((e) => e.secretRef).filter((r) => r && !r.optional).map((r) => r.name),
            ]),
        ];
        for (const name of new Set(refs)) if (!exists("secret", name, namespace)) missing.push(`${o.kind}/${o.metadata.name} reads the Secret ${name}`);
    }
    assert.deepEqual(missing, [], "Secrets the monitoring stack's pods need and nothing creates");
}

/**
 * Waits until each CRD is Established. (`kubectl wait --for=condition=Established` fails at once
 * on a CRD just created whose status has no conditions yet.)
 */
function crdsEstablished(names, seconds = 60) {
    const deadline = Date.now() + seconds * 1000;
    for (const name of names) {
        const status = () => kubectl(["get", "crd", name, "-o", 'jsonpath={.status.conditions[?(@.type=="Established")].status}']).stdout.trim();
        while (status() !== "True") {
            if (Date.now() > deadline) assert.fail(`the CRD ${name} is not Established after ${seconds} s`);
            run("sleep", ["0.2"]);
        }
    }
}

/** Where the Go module proxy's copy of `module@version` is unpacked (`go mod download`). */
function goModuleDir(module, version) {
    return JSON.parse(run("go", ["mod", "download", "-json", `${module}@${version}`], { cwd: fs.mkdtempSync("/tmp/llm-platform-go-module-") }).stdout).Dir;
}

/** The Argo Rollouts release whose CRDs a canary variant is validated against (its module on the Go module proxy holds them under manifests/crds). */
const ARGO_ROLLOUTS_VERSION = process.env.ARGO_ROLLOUTS_VERSION ?? "v1.8.3";

/** Argo Rollouts' CRDs (Rollout, AnalysisTemplate, …), as a cluster that runs Argo Rollouts has them; no controller. */
function installArgoRolloutsCrds() {
    const dir = goModuleDir("github.com/argoproj/argo-rollouts", ARGO_ROLLOUTS_VERSION);
    for (const crd of ["rollout-crd.yaml", "analysis-template-crd.yaml"]) kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", path.join(dir, "manifests", "crds", crd)]);
    crdsEstablished(["rollouts.argoproj.io", "analysistemplates.argoproj.io"]);
}

/**
 * The Prometheus Operator release whose Alertmanager and AlertmanagerConfig CRDs the variants with
 * the monitoring stack are validated against: kube-prometheus-stack 67.8.0's operator (its module on
 * the Go module proxy holds them under example/prometheus-operator-crd).
 */
const PROMETHEUS_OPERATOR_VERSION = process.env.PROMETHEUS_OPERATOR_VERSION ?? "v0.79.2";
/** A variant that runs kube-prometheus-stack (whose chart renders an Alertmanager object). */
const withMonitoringStack = (name) => variantOverrides(name).set.monitoring?.stack?.enabled === true;
/** A variant whose kube-prometheus-stack is the real chart (MONITORING_CHARTS_DIR), which ships the operator's CRDs. */
const withChartCrds = (name) => withMonitoringStack(name) && fs.existsSync(path.join(logChartPaths().kubePrometheusStack, "charts", "crds", "crds"));

/** The operator's CRDs of Alertmanager (the chart's object) and AlertmanagerConfig (the program's routing), as the real chart installs them; no operator. */
function installAlertmanagerCrds() {
    const dir = goModuleDir("github.com/prometheus-operator/prometheus-operator", PROMETHEUS_OPERATOR_VERSION);
    for (const crd of ["alertmanagers", "alertmanagerconfigs"]) kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", path.join(dir, "example", "prometheus-operator-crd", `monitoring.coreos.com_${crd}.yaml`)]);
    crdsEstablished(["alertmanagers.monitoring.coreos.com", "alertmanagerconfigs.monitoring.coreos.com"]);
}

/** What a platform team installs before the program (README "Prerequisites"), as the e2e's cluster gets it. */
function installPrerequisites() {
    // Forced: a real chart's CRDs applied by part 1 (MONITORING_CHARTS_DIR) give way to the stand-ins again.
    kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(FIXTURES, "crds.yaml")]);
    kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    kubectl(["apply", "--server-side", "-f", path.join(FIXTURES, "prerequisites.yaml")]);
    if (VARIANTS.includes("staging-canary")) installArgoRolloutsCrds();
    if ([...VARIANTS, ...UP_VARIANTS].some(withMonitoringStack)) installAlertmanagerCrds();
}

/**
 * The program's objects for a stack (or a stack file, e.g. an example), its charts' inputs, and,
 * where helm is at hand, what the charts render through the program's chart transforms (render.ts).
 */
function render(stack, overrides = stackOverrides(stack), { chartObjects = true } = {}) {
    const args = ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, "e2e", "render.ts"), stack];
    for (const [k, v] of Object.entries(overrides.set)) args.push(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(overrides.secrets)) args.push(`secret:${k}=${v}`);
    const dir = fs.mkdtempSync("/tmp/llm-platform-render-");
    const chartsFile = path.join(dir, "charts.json");
    const objectsFile = path.join(dir, "chart-objects.json");
    const env = { RENDER_CHARTS: chartsFile, ...(chartObjects && !missingForCharts() ? { RENDER_CHART_OBJECTS: objectsFile } : {}) };
    const out = run("node", args, { cwd: projectRoot, env });
    const chartItems = env.RENDER_CHART_OBJECTS ? JSON.parse(fs.readFileSync(objectsFile, "utf8")).items : [];
    return { list: JSON.parse(out.stdout), charts: JSON.parse(fs.readFileSync(chartsFile, "utf8")), chartItems };
}

/** The namespace a stack deploys to: its namespace.name, else <project>-<stack>. */
function stackNamespace(stack) {
    const cfg = parseYaml(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
    return cfg[`${PROJECT}:namespace`]?.name ?? `${PROJECT}-${stack}`;
}

const workloads = (items) => items.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");

/**
 * The Secrets the objects read that none of them creates (not a Secret among them, not an
 * ExternalSecret's target): what the stack expects a team to have, by name, with the keys read.
 */
function expectedExistingSecrets(items) {
    const made = new Set([
        ...items.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
        ...items.filter((o) => o.kind === "ExternalSecret").map((o) => o.spec.target?.name ?? o.metadata.name),
    ]);
    const wanted = new Map();
    for (const o of items.filter((x) => ["Deployment", "StatefulSet", "Job"].includes(x.kind))) {
        for (const c of [...(o.spec.template.spec.containers ?? []), ...(o.spec.template.spec.initContainers ?? [])]) {
            for (const ref of (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean)) {
                if (made.has(ref.name)) continue;
                const key = `${o.metadata.namespace}/${ref.name}`;
                wanted.set(key, new Set([...(wanted.get(key) ?? []), ref.key]));
            }
        }
    }
    return [...wanted].map(([key, keys]) => ({ namespace: key.split("/")[0], name: key.split("/")[1], keys: [...keys].sort() })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Polls `check` until it returns true or `seconds` pass; fails with `what`. */
async function eventually(what, seconds, check) {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (check()) return;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** Every PVC in the namespace is Bound (the provisioner stand-in made their volumes). */
async function claimsBound(namespace, expected) {
    await eventually(`${expected} PVCs Bound in ${namespace}`, 60, () => {
        const pvcs = kubectlJson(["get", "pvc", "-n", namespace]).items;
        return pvcs.length >= expected && pvcs.every((p) => p.status.phase === "Bound");
    });
}

/** Every Ingress in the namespace has an address (the ingress controller stand-in published it). */
async function ingressesAddressed(namespace) {
    await eventually(`Ingress addresses in ${namespace}`, 30, () =>
        kubectlJson(["get", "ingress", "-n", namespace]).items.every((i) => (i.status?.loadBalancer?.ingress ?? []).length > 0),
    );
}

/** The claims the StatefulSets' templates make, in `namespace` if given (a stack with logs has some in the monitoring namespace too). */
function expectedClaims(items, namespace) {
    return items.filter((o) => o.kind === "StatefulSet" && (namespace === undefined || o.metadata.namespace === namespace)).reduce((n, s) => n + (s.spec.volumeClaimTemplates?.length ?? 0) * (s.spec.replicas ?? 1), 0);
}

describe("the cluster's stand-ins for what real clusters have", { concurrency: false }, () => {
    const ns = `e2e-stand-ins-${process.pid}`;
    before(() => kubectl(["create", "namespace", ns]));
    after(() => deleteNamespace(ns));

    it("a StatefulSet's claim of the default StorageClass binds, and the pod becomes Ready", async () => {
        // Shaped like the Bitnami charts' claim templates: no storageClassName, the default class.
        const labels = { app: "stand-in-check" };
        const sts = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "db", namespace: ns },
            spec: {
                serviceName: "db",
                replicas: 1,
                selector: { matchLabels: labels },
                template: { metadata: { labels }, spec: { containers: [{ name: "db", image: "registry.invalid/db:1", volumeMounts: [{ name: "data", mountPath: "/data" }] }] } },
                volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
            },
        };
        kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(sts) });
        await claimsBound(ns, 1);
        const pvc = kubectlJson(["get", "pvc", "data-db-0", "-n", ns]);
        assert.equal(pvc.spec.storageClassName, "standard");
        assert.equal(kubectlJson(["get", "pv", pvc.spec.volumeName]).spec.capacity.storage, "1Gi");
        rolloutStatus("statefulset", "db", ns, "120s");
    });

    it("an Ingress of the nginx class gets an address", async () => {
        const ing = {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "web", namespace: ns },
            spec: { ingressClassName: "nginx", rules: [{ host: "web.e2e.invalid", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
        };
        kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(ing) });
        await ingressesAddressed(ns);
        assert.deepEqual(kubectlJson(["get", "ingress", "web", "-n", ns]).status.loadBalancer.ingress, [{ ip: "127.0.0.1" }]);
    });

    it("a broken release's pods (image tag …-e2e-never-ready) run and never become Ready, and the Deployment fails at its progress deadline", async () => {
        // The precondition of part 2's automatic rollback: kwok's pod-never-ready stage, and the
        // controller-manager marking a stalled rollout ProgressDeadlineExceeded.
        const labels = { app: "never-ready" };
        const deploy = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "never-ready", namespace: ns },
            spec: {
                replicas: 1,
                progressDeadlineSeconds: 10,
                selector: { matchLabels: labels },
                template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "registry.invalid/app:1.0.1-e2e-never-ready" }] } },
            },
        };
        kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(deploy) });
        const progressing = () => kubectlJson(["get", "deployment", "never-ready", "-n", ns]).status?.conditions?.find((c) => c.type === "Progressing");
        await eventually("the Deployment's Progressing condition is ProgressDeadlineExceeded", 90, () => progressing()?.reason === "ProgressDeadlineExceeded");
        assert.equal(progressing().status, "False");
        const [pod] = kubectlJson(["get", "pods", "-n", ns, "-l", "app=never-ready"]).items;
        assert.equal(pod.status.phase, "Running");
        assert.deepEqual(pod.status.conditions.filter((c) => c.type === "Ready").map((c) => c.status), ["False"]);
        assert.equal(kubectlJson(["get", "deployment", "never-ready", "-n", ns]).status.readyReplicas ?? 0, 0);
    });

    it("the PriorityClass prod references exists, as a platform team creates it (a documented prerequisite)", () => {
        installPrerequisites();
        assert.ok(exists("priorityclass", "llm-platform-critical"));
    });
});

describe("the program's objects on the real API server", { concurrency: false }, () => {
    before(installPrerequisites);

    const targets = [
        ...STACKS.map((stack) => ({ title: stack, stack, render: () => render(stack) })),
        ...VARIANTS.map((name) => ({
            title: `${stackVariants[name]?.stack} variant ${name}`,
            stack: stackVariants[name]?.stack,
            variant: variantChecks[name],
            render: () => render(stackVariants[name].stack, variantOverrides(name)),
        })),
        ...EXAMPLES.map((name) => {
            const file = path.join(projectRoot, "examples", `${name}.yaml`);
            return { title: `examples/${name}.yaml`, stack: name, example: true, render: () => render(file, stackOverrides(name, file)) };
        }),
    ];
    for (const target of targets) {
        const { stack } = target;
        describe(target.title, { concurrency: false }, () => {
            const steps = new Steps();
            let items;
            let file;
            let namespaces = [];

            before(() => {
                const { list, charts, chartItems } = target.render();
                const why = missingForCharts();
                if (charts.length > 0 && why) console.log(`# ${stack}: the charts' objects are not applied: ${why}`);
                items = [...list.items, ...chartItems];
                file = path.join(fs.mkdtempSync("/tmp/llm-platform-render-"), `${stack}.json`);
                fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
                namespaces = items.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
                for (const ns of namespaces) deleteNamespace(ns);
            });

            after(() => {
                for (const ns of namespaces) deleteNamespace(ns);
                // What lives outside those namespaces (a chart's ClusterRoles, kube-prometheus-stack's
                // Services in kube-system), or part 2's create of the same objects finds them there.
                // CRDs stay: the prerequisites' stand-ins are applied over them again.
                const outside = (items ?? []).filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition" && !namespaces.includes(o.metadata.namespace));
                if (outside.length > 0) kubectl(["delete", "--ignore-not-found", "--wait=false", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: outside }) });
            });

            it("renders Kubernetes objects, the charts' included", steps.step("render", () => {
                assert.ok(items.length > 0, "no objects");
                assert.ok(items.some((o) => o.kind === "Deployment"), "no Deployment");
                if (stack !== "dev" && !missingForCharts()) assert.ok(items.some((o) => o.kind === "StatefulSet"), "the charts rendered no StatefulSet");
            }));

            it("the API server validates every object (server-side apply, --dry-run=server)", steps.needs(["render"], "dry run", () => {
                // Namespaces must exist before a dry run of namespaced objects can pass, and a
                // chart's CRDs (kube-prometheus-stack's, with MONITORING_CHARTS_DIR) before its custom objects.
                const first = { apiVersion: "v1", kind: "List", items: items.filter((o) => o.kind === "Namespace" || o.kind === "CustomResourceDefinition") };
                // The real chart's CRDs take over from the stand-ins of e2e/fixtures/crds.yaml.
                kubectl(["apply", "--server-side", "--field-manager=e2e", "--force-conflicts", "-f", "-"], { input: JSON.stringify(first) });
                crdsEstablished(first.items.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name));
                kubectl(["apply", "--server-side", "--field-manager=e2e", "--dry-run=server", "-f", file]);
            }));

            if (target.example) {
                it("the Secrets the example expects the team to have are created first, as the team would (anthropic-credentials, smtp-credentials)", steps.needs(["dry run"], "team secrets", () => {
                    const wanted = expectedExistingSecrets(items);
                    assert.deepEqual(wanted.map((s) => [s.name, s.keys]), [["anthropic-credentials", ["api-key"]], ["smtp-credentials", ["password"]]]);
                    for (const secret of wanted) {
                        const manifest = { apiVersion: "v1", kind: "Secret", metadata: { name: secret.name, namespace: secret.namespace }, stringData: Object.fromEntries(secret.keys.map((k) => [k, `e2e-${secret.name}-${k}`])) };
                        kubectl(["apply", "--server-side", "--field-manager=e2e-team", "-f", "-"], { input: JSON.stringify(manifest) });
                    }
                }));
            }

            it("applies; every object exists with the spec the program set; the workloads roll out Ready", steps.needs(target.example ? ["team secrets"] : ["dry run"], "apply", async () => {
                const applied = kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", file]);
                // Pod Security admission warns about a workload whose pods the namespace's level would refuse.
                assert.doesNotMatch(applied.stderr, /PodSecurity/, `Pod Security warnings:\n${applied.stderr}`);
                const liveList = kubectlJson(["get", "-f", file]);
                const liveItems = liveList.kind === "List" ? liveList.items : [liveList];
                assert.equal(liveItems.length, items.length);
                for (const [i, o] of items.entries()) {
                    const live = liveItems[i];
                    assert.equal(live.kind, o.kind);
                    assert.equal(live.metadata.name, o.metadata.name);
                    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
                        assert.equal(live.metadata.labels?.[k], v, `${o.kind}/${o.metadata.name} label ${k}`);
                    }
                    if (o.kind === "Deployment" || o.kind === "StatefulSet") {
                        if (o.spec.replicas !== undefined) assert.equal(live.spec.replicas, o.spec.replicas);
                        assert.deepEqual(
                            live.spec.template.spec.containers.map((c) => c.image),
                            o.spec.template.spec.containers.map((c) => c.image),
                        );
                    }
                    if (o.kind === "StatefulSet" && o.spec.updateStrategy?.rollingUpdate !== undefined) {
                        // A rendered rollingUpdate map must be what the server stores: `{}` came back
                        // as `{partition: 0}`, a perpetual diff through the provider (issue #10).
                        assert.deepEqual(live.spec.updateStrategy, o.spec.updateStrategy, `${o.metadata.name} updateStrategy`);
                    }
                    if (o.kind === "ConfigMap") assert.deepEqual(live.data ?? {}, o.data ?? {});
                }
                for (const o of workloads(items)) {
                    rolloutStatus(o.kind.toLowerCase(), o.metadata.name, o.metadata.namespace, "180s");
                    const live = kubectlJson(["get", o.kind.toLowerCase(), o.metadata.name, "-n", o.metadata.namespace]);
                    assert.ok((live.status.readyReplicas ?? 0) >= 1, `${o.kind}/${o.metadata.name} has no ready replica`);
                }
                // The post-deploy check Jobs complete on kwok's nodes: the provider waits for that in part 2.
                for (const o of items.filter((x) => x.kind === "Job")) {
                    kubectl(["wait", "--for=condition=Complete", `job/${o.metadata.name}`, "-n", o.metadata.namespace, "--timeout=120s"]);
                }
            }));

            if (target.variant) {
                it(target.variant.title, steps.needs(["apply"], "variant", () => target.variant.check(items)));
            }

            if (target.example) {
                it("Pod Security \"restricted\" is enforced in its namespace, admitted every pod of the stack, and refuses a root pod there", steps.needs(["apply"], "pod security", () => {
                    const [namespace] = namespaces;
                    assert.equal(kubectlJson(["get", "namespace", namespace]).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                    const pods = kubectlJson(["get", "pods", "-n", namespace]).items;
                    for (const o of workloads(items)) {
                        const selector = o.spec.selector.matchLabels;
                        const own = pods.filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
                        assert.equal(own.length, o.spec.replicas ?? 1, `${o.kind}/${o.metadata.name}: its pods were admitted`);
                        assert.ok(own.every((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")), `${o.kind}/${o.metadata.name}: its pods are Ready`);
                    }
                    // The control: the same namespace refuses a pod "restricted" forbids, so the pods above were judged.
                    const root = { apiVersion: "v1", kind: "Pod", metadata: { name: "e2e-root", namespace }, spec: { containers: [{ name: "root", image: "registry.invalid/nginx:1", securityContext: { runAsUser: 0 } }] } };
                    const refused = kubectl(["apply", "--server-side", "--field-manager=e2e", "--dry-run=server", "-f", "-"], { input: JSON.stringify(root), allowFail: true });
                    assert.notEqual(refused.status, 0, "a root pod was admitted");
                    assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/);
                }));
            }

            it("every HTTPRoute and GRPCRoute is Accepted by its Gateway (the cluster's stand-in controller, as Envoy Gateway would report it)", steps.needs(["apply"], "routes", async (t) => {
                const routes = items.filter((o) => o.kind === "HTTPRoute" || o.kind === "GRPCRoute");
                if (routes.length === 0) return t.skip(`${stack} renders no route`);
                for (const o of routes) {
                    await eventually(`${o.kind}/${o.metadata.name} Accepted`, 30, () => {
                        const parents = kubectlJson(["get", o.kind.toLowerCase(), o.metadata.name, "-n", o.metadata.namespace]).status?.parents ?? [];
                        return parents.length === o.spec.parentRefs.length && parents.every((p) => p.conditions.some((c) => c.type === "Accepted" && c.status === "True"));
                    });
                }
            }));

            it("each HPA raises its Deployment to its minimum, and every replica is scheduled under the pods' own rules", steps.needs(["apply"], "autoscaled", async (t) => {
                // An HPA of a canary's Rollout scales it through Argo Rollouts' controller, which the e2e's cluster doesn't run.
                const hpas = items.filter((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.kind === "Deployment");
                if (hpas.length === 0) return t.skip(`${stack} renders no HorizontalPodAutoscaler of a Deployment`);
                for (const hpa of hpas) {
                    const { name } = hpa.spec.scaleTargetRef;
                    const ns = hpa.metadata.namespace;
                    const min = hpa.spec.minReplicas ?? 1;
                    // The HPA controller syncs every 15 s; without metrics it still holds the minimum.
                    kubectl(["wait", "--for=jsonpath={.status.availableReplicas}=" + min, `deployment/${name}`, "-n", ns, "--timeout=120s"]);
                    const deployment = items.find((o) => o.kind === "Deployment" && o.metadata.name === name && o.metadata.namespace === ns);
                    const selector = Object.entries(deployment.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
                    const pods = kubectlJson(["get", "pods", "-n", ns, "-l", selector, "--field-selector=status.phase=Running"]).items;
                    assert.equal(pods.length, min, `deployment/${name}: ${pods.length} running pods`);
                    const nodes = kubectlJson(["get", "nodes"]).items;
                    const zoneOf = Object.fromEntries(nodes.map((n) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]));
                    const podSpec = deployment.spec.template.spec;
                    if (podSpec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.some((term) => term.topologyKey === "kubernetes.io/hostname")) {
                        assert.equal(new Set(pods.map((p) => p.spec.nodeName)).size, min, `deployment/${name}: two replicas on one node`);
                    }
                    if (podSpec.topologySpreadConstraints?.some((c) => c.topologyKey === "topology.kubernetes.io/zone" && c.whenUnsatisfiable === "DoNotSchedule")) {
                        const counts = [...new Set(Object.values(zoneOf))].map((z) => pods.filter((p) => zoneOf[p.spec.nodeName] === z).length);
                        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `deployment/${name}: replicas per zone ${counts.join(", ")}`);
                    }
                }
            }));

            it("the charts' claims bind (provisioner stand-in)", steps.needs(["apply"], "claims", async (t) => {
                const expected = expectedClaims(items);
                if (expected === 0) return t.skip(`${stack} renders no claim (${stack === "dev" ? "external data stores" : missingForCharts() || "no persistence"})`);
                for (const ns of namespaces) if (expectedClaims(items, ns) > 0) await claimsBound(ns, expectedClaims(items, ns));
            }));

            it("the Ingresses get an address (ingress controller stand-in)", steps.needs(["apply"], "ingress", async (t) => {
                const ingresses = items.filter((o) => o.kind === "Ingress");
                if (ingresses.length === 0) return t.skip(`${stack} renders no Ingress`);
                for (const ns of new Set(ingresses.map((o) => o.metadata.namespace))) await ingressesAddressed(ns);
            }));

            it("a second apply of the same objects changes nothing (kubectl diff --server-side)", steps.needs(["apply"], "diff", () => {
                const res = kubectl(["diff", "--server-side", "--field-manager=e2e", "-f", file], { allowFail: true });
                assert.equal(res.status, 0, `kubectl diff found changes:\n${res.stdout}\n${res.stderr}`);
            }));
        });
    }
});

// Generated valid configs (tests/config-arbitraries.ts, fixed seed): "validation passed" and "the
// API server accepts it" checked against each other on the real server.
describe("generated valid configs on the real API server (server-side dry run)", { concurrency: false }, () => {
    const count = Number(process.env.E2E_GENERATED_CONFIGS ?? 4);
    let generated;
    const namespaces = [];

    before(() => {
        const out = run("node", ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, "e2e", "generated-configs.ts"), String(count)], { cwd: projectRoot });
        generated = JSON.parse(out.stdout);
    });

    after(() => {
        for (const ns of namespaces) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"], { allowFail: true });
    });

    for (let i = 0; i < count; i++) {
        it(`generated config ${i}: every object passes the API server's validation`, () => {
            const config = generated.configs[i];
            // The generated config is the whole stack config: dev's file is only the project's base, every key is set.
            const { list } = render("dev", { set: config, secrets: generated.secrets[i] }, { chartObjects: false });
            assert.ok(list.items.some((o) => o.kind === "Deployment"), "no Deployment");
            const file = path.join(fs.mkdtempSync("/tmp/llm-platform-generated-"), `generated-${i}.json`);
            fs.writeFileSync(file, JSON.stringify(list));
            const nsList = { ...list, items: list.items.filter((o) => o.kind === "Namespace") };
            namespaces.push(...nsList.items.map((o) => o.metadata.name));
            kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(nsList) });
            const res = kubectl(["apply", "--server-side", "--field-manager=e2e", "--dry-run=server", "-f", file], { allowFail: true });
            assert.equal(res.status, 0, `seed ${generated.seed}, config ${i} (${JSON.stringify(config)}):\n${res.stderr}`);
        });
    }
});

describe("pulumi up of the program with the Kubernetes and random providers", { concurrency: false }, () => {
    const why = missingForProgram();
    const targets = [
        ...STACKS.map((stack) => ({ title: stack, stack, overrides: () => stackOverrides(stack) })),
        ...UP_VARIANTS.map((name) => ({ title: `${stackVariants[name]?.stack} variant ${name}`, stack: stackVariants[name]?.stack, overrides: () => variantOverrides(name), chartCrds: withChartCrds(name) })),
    ];
    for (const { title, stack, overrides: overridesOf, chartCrds } of targets) {
        describe(title, { concurrency: false, skip: why ? `not run: ${why}` : false }, () => {
            const steps = new Steps();
            /** @type {Workspace} */
            let ws;
            const overrides = why ? { set: {}, secrets: {} } : overridesOf();
            const stackConfig = why ? {} : parseYaml(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
            const namespace = why ? "" : stackNamespace(stack);
            const current = (key) => overrides.set[key] ?? stackConfig[`${PROJECT}:${key}`];
            /** Sets `key` to its current value with `patch` merged in (whole objects: the program reads them as JSON). */
            const change = (key, patch) => {
                overrides.set[key] = deepMerge(current(key) ?? {}, patch);
                ws.setConfig(key, JSON.stringify(overrides.set[key]));
            };
            const service = () => Object.keys(current("services") ?? {})[0];
            const inCluster = (store) => (current(store)?.mode ?? "in-cluster") === "in-cluster";
            const production = () => current("environment") === "production";

            before(() => {
                installPrerequisites();
                // A real kube-prometheus-stack installs the operator's CRDs itself, as on a cluster
                // without them: the stand-ins and the Alertmanager CRDs go first (the next target's
                // prerequisites bring them back).
                if (chartCrds) {
                    const crds = kubectlJson(["get", "crd"]).items.filter((c) => c.spec.group === "monitoring.coreos.com").map((c) => c.metadata.name);
                    if (crds.length > 0) kubectl(["delete", "crd", ...crds, "--wait=true"]);
                }
                deleteNamespace(namespace);
                ws = new Workspace(projectRoot); // the whole project but node_modules and .git
                ws.useResourceTimeouts();
                ws.initStack(stack);
                for (const [k, v] of Object.entries(overrides.set)) ws.setConfig(k, typeof v === "string" ? v : JSON.stringify(v));
                for (const [k, v] of Object.entries(overrides.secrets)) ws.setConfig(k, v, { secret: true });
            });

            after(() => {
                if (ws && production() && steps.done.get("destroy") !== true) {
                    // The guard and the data tier are protected: the deliberate path, whatever failed.
                    try {
                        change("postgresql", { protect: false });
                        change("redis", { protect: false });
                        ws.pulumi(["up", "--yes", "--skip-preview", "-s", stack], { allowFail: true });
                    } catch (err) {
                        console.log(`# ${stack}: unprotecting for the cleanup failed: ${err.message.split("\n")[0]}`);
                    }
                }
                ws?.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack], { allowFail: true });
                ws?.cleanup();
                if (namespace) deleteNamespace(namespace);
            });

            it("pulumi up succeeds; every workload rolls out, claims bind, Ingresses get an address", steps.step("up", async () => {
                ws.up();
                assert.equal(ws.outputs().namespaceName, namespace);
                for (const kind of ["deployment", "statefulset"]) {
                    for (const o of kubectlJson(["get", kind, "-n", namespace]).items) rolloutStatus(kind, o.metadata.name, namespace, "180s");
                }
                const sts = kubectlJson(["get", "statefulsets", "-n", namespace]).items;
                if (stack !== "dev") assert.ok(sts.length > 0, "no StatefulSet: the charts did not install");
                await claimsBound(namespace, expectedClaims(sts));
                await ingressesAddressed(namespace);
            }));

            it("every HTTPRoute is Accepted by its Gateway, and each service's URL output is its route's, else its Ingress's", steps.needs(["up"], "routes", async () => {
                const routes = kubectlJson(["get", "httproutes,grpcroutes", "-n", namespace]).items;
                const ingresses = kubectlJson(["get", "ingresses", "-n", namespace]).items;
                for (const o of routes) {
                    await eventually(`${o.kind}/${o.metadata.name} Accepted`, 30, () => {
                        const parents = kubectlJson(["get", o.kind.toLowerCase(), o.metadata.name, "-n", namespace]).status?.parents ?? [];
                        return parents.length === o.spec.parentRefs.length && parents.every((p) => p.conditions.some((c) => c.type === "Accepted" && c.status === "True"));
                    });
                }
                const outputs = ws.outputs().services;
                for (const [name, svc] of Object.entries(current("services"))) {
                    const route = routes.find((o) => o.kind === "HTTPRoute" && o.metadata.name === name);
                    const ingress = ingresses.find((o) => o.metadata.name === name);
                    assert.equal(Boolean(route), Boolean(svc.route?.enabled), `${name}: an HTTPRoute exactly when route.enabled`);
                    assert.equal(Boolean(ingress), Boolean(svc.ingress?.enabled), `${name}: an Ingress exactly when ingress.enabled`);
                    const host = route ? route.spec.hostnames?.[0] : ingress?.spec.rules[0]?.host;
                    if (host) assert.match(outputs[name].url, new RegExp(`^https?://${host.replaceAll(".", "\\.")}/`), `${name}'s URL`);
                }
            }));

            it("a second preview has no changes", steps.needs(["up"], "no-op", () => {
                ws.pulumi(["preview", "--expect-no-changes", "-s", stack]);
            }));

            it("a scaling change previews as exactly that change, and up applies it", steps.needs(["up"], "scaling", () => {
                const svc = service();
                const autoscaling = current("services")[svc].autoscaling;
                if (autoscaling?.enabled) {
                    // The HPA owns the replica count: its minimum is the change.
                    const min = (autoscaling.minReplicas ?? 2) + 1;
                    change("services", { [svc]: { autoscaling: { minReplicas: min } } });
                    const steps = ws.previewSteps();
                    assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::")[2].split("$").pop()]), [["update", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"]]);
                    ws.up();
                    assert.equal(kubectlJson(["get", "hpa", "-n", namespace]).items[0].spec.minReplicas, min);
                } else {
                    change("services", { [svc]: { replicas: 2 } });
                    const steps = ws.previewSteps();
                    assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::")[2].split("$").pop()]), [["update", "kubernetes:apps/v1:Deployment"]]);
                    ws.up();
                    rolloutStatus("deployment", svc, namespace, "180s");
                    assert.equal(kubectlJson(["get", "deployment", svc, "-n", namespace]).status.readyReplicas, 2);
                }
            }));

            it("a StatefulSet update, then a preview with no changes (no perpetual updateStrategy diff)", steps.needs(["up"], "statefulset update", (t) => {
                if (!inCluster("postgresql")) return t.skip(`${stack} runs PostgreSQL in external mode: no StatefulSet`);
                const pg = current("postgresql");
                const workload = pg.architecture === "replication" ? "readReplicas" : "primary";
                const resources = { requests: { cpu: "300m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };
                change("postgresql", { [workload]: { resources } });
                // The chart's objects, not the chart (its own type is the URN's last; every object's URN holds the chart's type too).
                const ownType = (urn) => urn.split("::")[2].split("$").pop();
                const updated = ws.previewSteps().filter((s) => ownType(s.urn) !== "kubernetes:helm.sh/v4:Chart");
                assert.ok(updated.length > 0, "the resources change previews no update");
                for (const s of updated) {
                    assert.equal(s.op, "update", s.urn);
                    assert.match(s.urn, /apps\/v1:StatefulSet/);
                }
                ws.up();
                ws.pulumi(["preview", "--expect-no-changes", "-s", stack]);
            }));

            it("a release whose image never becomes ready comes back to the previous image by itself (npm run release), and the next preview is a no-op", steps.needs(["up"], "automatic rollback", () => {
                const svc = service();
                const git = (...args) => gitIn(ws.project, ...args);
                const commits = {};
                /** A release is a commit of the workspace's program and stack file, as the release tool requires. */
                const commit = (label) => {
                    if (!fs.existsSync(path.join(ws.project, ".git"))) git("init", "-q", "-b", "main");
                    git("add", "-A");
                    git("commit", "-q", "--allow-empty", "-m", label);
                    commits[label] = git("rev-parse", "HEAD");
                };
                const release = () => releaseTool(ws, stack, ["release"], { timeoutMs: 30 * 60_000 });
                const image = () => kubectlJson(["get", "deployment", svc, "-n", namespace]).spec.template.spec.containers[0].image;
                const servicesBefore = current("services");

                commit("good");
                const good = release();
                assert.equal(good.status, 0, `${good.stdout}\n${good.stderr}`);
                const [, goodVersion] = /^Released (\d+) of stack /.exec(good.stdout) ?? [];
                assert.ok(goodVersion, `no release number in: ${good.stdout}`);
                const goodImage = image();

                // The broken release: a tag whose pods never become Ready (kwok's pod-never-ready stage),
                // with a deadline a test can wait for (the startup probe's budget cut below it, as the rules require).
                change("services", { [svc]: { image: { tag: "1.4.3-e2e-never-ready" }, probes: { startup: { failureThreshold: 4 } }, release: { progressDeadlineSeconds: 30 } } });
                commit("broken");
                const started = Date.now();
                const res = release();
                const seconds = ((Date.now() - started) / 1000).toFixed(0);
                assert.equal(res.status, 1, `${res.stdout}\n${res.stderr}`);
                assert.equal(res.stdout.split("\n")[0].replace(/^Release \d+ /, "Release N "), `Release N of stack ${stack} (commit ${commits.broken}) failed:`);
                assert.match(res.stdout, new RegExp(`\\n  - rollout kubernetes:apps/v1:Deployment \\(${svc}[^)]*\\): .*ProgressDeadlineExceeded`));
                assert.match(res.stdout, new RegExp(`\\nRestored release ${goodVersion} \\(commit ${commits.good}\\)\\.\\n  - ${svc}: ${goodImage.replaceAll(".", "\\.")}`));
                console.log(`# ${stack}: the broken release failed at its deadline and the good one was back in ${seconds} s (deadline 30 s)`);

                // The cluster serves the good release: its image, every replica Ready, no broken pod left.
                assert.equal(image(), goodImage);
                rolloutStatus("deployment", svc, namespace, "180s");
                const live = kubectlJson(["get", "deployment", svc, "-n", namespace]).status;
                assert.equal(live.readyReplicas, live.replicas);
                const broken = () => kubectlJson(["get", "pods", "-n", namespace]).items.filter((p) => !p.metadata.deletionTimestamp && p.spec.containers.some((c) => c.image.endsWith("-e2e-never-ready")));
                assert.deepEqual(broken().map((p) => p.metadata.name), []);

                // The good release's program and config, checked out: a preview is a no-op.
                git("checkout", "-q", commits.good);
                try {
                    ws.pulumi(["preview", "--expect-no-changes", "-s", stack]);
                } finally {
                    git("checkout", "-q", "main");
                }
                // The next steps go on from the good release.
                git("revert", "--no-edit", "HEAD");
                overrides.set.services = servicesBefore;
            }));

            it("neither the stack export nor the stack file holds a secret in plaintext", steps.needs(["up"], "plaintext", () => {
                const exported = ws.stackExport();
                const stackFile = ws.stackFile();
                const state = JSON.parse(exported);
                assert.ok(state.deployment.resources.length > 10, "the state holds almost nothing");
                for (const v of Object.values(overrides.secrets)) {
                    assert.ok(!exported.includes(v), "stack export holds a secret");
                    assert.ok(!stackFile.includes(v), "the stack file holds a secret");
                }
                for (const r of state.deployment.resources) {
                    if (r.type === "random:index/randomPassword:RandomPassword") {
                        assert.equal(r.outputs?.result?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
                    }
                }
            }));

            if (stack !== "prod") {
                it("pulumi destroy removes the program's objects", steps.needs(["up"], "destroy", () => {
                    ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack]);
                    const left = kubectl(["get", "deployments,services,configmaps,ingresses,networkpolicies,statefulsets", "-n", namespace, "-o", "name", "--ignore-not-found"], { allowFail: true });
                    assert.doesNotMatch(left.stdout, /deployment|statefulset|ingress|networkpolic/);
                }));
            } else {
                it("pulumi destroy refuses at the guard and deletes nothing", steps.needs(["up"], "destroy refused", () => {
                    const kinds = "deployments,services,ingresses,hpa,pdb,configmaps,networkpolicies,statefulsets,externalsecrets,secrets";
                    const objects = () => kubectl(["get", kinds, "-n", namespace, "-o", "name"]).stdout.split("\n").filter(Boolean).sort();
                    // The program's resources; not the engine's default providers: the builtin `pulumi` provider
                    // (the SDK reads the charts' objects through it) has nothing depending on it, so a destroy
                    // removes it first, and the next up registers it again.
                    const urns = () => JSON.parse(ws.stackExport()).deployment.resources.map((r) => r.urn).filter((u) => !u.includes("::pulumi:providers:")).sort();
                    const [objectsBefore, urnsBefore] = [objects(), urns()];
                    assert.ok(objectsBefore.some((o) => o.startsWith("networkpolicy")), "no NetworkPolicy to protect");
                    const res = ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack], { allowFail: true });
                    assert.notEqual(res.status, 0, "destroy of prod succeeded");
                    // Either CLI's wording (as e2e/engine.test.mjs).
                    assert.match(res.stdout + res.stderr, /unable to delete resource "[^"]*::destroy-guard"\s+as it is currently marked for protection|resource "[^"]*::destroy-guard" cannot be deleted\s+because it is protected/);
                    assert.deepEqual(urns(), urnsBefore, "the state lost resources");
                    assert.deepEqual(objects(), objectsBefore, "objects were deleted");
                }));

                it("the deliberate path: data safety off, up, destroy", steps.needs(["destroy refused"], "destroy", () => {
                    change("postgresql", { protect: false });
                    change("redis", { protect: false });
                    ws.up();
                    ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack]);
                    const left = kubectl(["get", "deployments,ingresses,networkpolicies,statefulsets", "-n", namespace, "-o", "name", "--ignore-not-found"], { allowFail: true });
                    assert.doesNotMatch(left.stdout, /deployment|statefulset|ingress|networkpolic/);
                }));
            }
        });
    }
});
