import { strict as assert } from "assert";
import { buildDashboard, dashboardUid, dataTierDashboard, queriesOf, serviceDashboard, stableJson } from "../observability/dashboards.specs";
import { dashboardSpecs } from "../observability/dashboards";
import { providedMetrics } from "../lib/metric-catalog";
import { testSubjects } from "./alert-fixtures";
import { sdkDashboard } from "./grafana-oracle";
import { ProgramRun, runStack } from "./mocks";
import { metricNamesOf } from "./promql-names";
import { dashboardsOf } from "./rule-files";

const configMaps = (run: ProgramRun) => run.ofType("kubernetes:core/v1:ConfigMap").filter((c) => c.inputs.metadata?.name?.startsWith("grafana-dashboard-"));

describe("dashboards: the Grafana Foundation SDK's JSON model", () => {
    it("a service's dashboard has traffic, errors, latency, saturation, and pods and autoscaling", () => {
        const spec = serviceDashboard(testSubjects.service, "llm-platform-prod");
        assert.deepEqual(spec.rows.map((r) => r.title), ["Traffic", "Errors", "Latency", "Saturation", "Pods and autoscaling"]);
        assert.equal(spec.uid, "llm-platform-prod-orchestrator");
        const withoutMetrics = serviceDashboard({ ...testSubjects.service, has: { ...testSubjects.service.has, metrics: false } }, "x");
        assert.deepEqual(withoutMetrics.rows.map((r) => r.title), ["Saturation", "Pods and autoscaling"], "no HTTP panels for a service without metrics");
    });

    it("the data tier's dashboard has a row per in-cluster store, and none without one", () => {
        assert.deepEqual(dataTierDashboard(testSubjects, "p")!.rows.map((r) => r.title), ["PostgreSQL", "Redis"]);
        assert.deepEqual(dataTierDashboard({ redis: testSubjects.redis }, "p")!.rows.map((r) => r.title), ["Redis"]);
        assert.equal(dataTierDashboard({}, "p"), undefined);
    });

    it("the JSON model: explicit ids, panels laid out on the 24-column grid, Prometheus through a datasource variable", () => {
        const json = buildDashboard(serviceDashboard(testSubjects.service, "llm-platform-prod")) as any;
        const ids = json.panels.map((p: any) => p.id);
        assert.deepEqual(ids, ids.map((_: unknown, i: number) => i + 1));
        for (const panel of json.panels) assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, panel.title);
        assert.equal(json.templating.list[0].query, "prometheus");
        const targets = json.panels.flatMap((p: any) => p.targets ?? []);
        assert.ok(targets.length > 10);
        for (const t of targets) assert.deepEqual(t.datasource, { type: "prometheus", uid: "${datasource}" });
        const series = json.panels.filter((p: any) => p.type === "timeseries");
        assert.ok(series.length > 5);
        for (const panel of series) assert.equal(panel.options.legend.showLegend, true, `${panel.title}: its series are told apart by the legend`);
    });

    it("every dashboard's JSON is what the SDK's builders write for it, field for field (services with and without metrics and autoscaling, with a logs panel, the data tier with and without replication)", () => {
        const service = testSubjects.service;
        const specs = [
            ...dashboardSpecs({ instance: "p", services: [service], postgresql: testSubjects.postgresql, redis: testSubjects.redis }).map(({ spec }) => spec),
            serviceDashboard({ ...service, has: { ...service.has, metrics: false, autoscaling: false } }, "q"),
            dataTierDashboard({ postgresql: { ...testSubjects.postgresql!, replication: !testSubjects.postgresql!.replication } }, "r")!,
            dataTierDashboard({ redis: testSubjects.redis }, "s")!,
            serviceDashboard(service, "t", { instance: "t" }),
        ];
        assert.equal(specs.length, 6);
        assert.ok(specs[5].rows.some((r) => r.panels.some((p) => p.kind === "logs")), "one dashboard has a logs panel");
        for (const spec of specs) {
            const json = buildDashboard(spec);
            assert.equal(json.panels?.length, spec.rows.length + spec.rows.flatMap((r) => r.panels).length, spec.title);
            assert.deepStrictEqual(JSON.parse(JSON.stringify(json)), JSON.parse(JSON.stringify(sdkDashboard(spec, json.panels ?? []))), spec.title);
        }
    });

    it("uids fit Grafana's 40 characters, keeping a readable prefix", () => {
        const uid = dashboardUid(`llm-platform-a-very-long-stack-name-${"x".repeat(30)}`);
        assert.ok(uid.length <= 40, uid);
        assert.match(uid, /^llm-platform-a-very-long-stack-[0-9a-f]{8}$/);
    });

    it("the JSON is the same text every time: sorted keys, nothing random", () => {
        const build = () => stableJson(buildDashboard(serviceDashboard(testSubjects.service, "llm-platform-prod")));
        assert.equal(build(), build());
        assert.equal(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 3 } }), stableJson({ a: { c: 3, d: [{ y: 2, z: 1 }] }, b: 1 }));
    });

    it("every panel's query selects only metrics the stack's exporters and the configured HTTP metric names provide", () => {
        const provided = providedMetrics({ postgresExporter: true, redisExporter: true, http: testSubjects.service.http });
        for (const { spec } of dashboardSpecs({ instance: "p", services: [testSubjects.service], postgresql: testSubjects.postgresql, redis: testSubjects.redis })) {
            for (const query of queriesOf(spec)) {
                const names = metricNamesOf(query.expr);
                assert.ok(names.length > 0, query.expr);
                assert.deepEqual(names.filter((n) => !provided.has(n)), [], `${spec.title}: ${query.expr}`);
            }
        }
    });
});

describe("dashboards in the stacks", () => {
    it("dev: none (monitoring is off)", async () => {
        const run = await runStack("dev");
        assert.equal(configMaps(run).length, 0);
        assert.equal(run.outputs.grafanaDashboards, undefined);
    });

    it("staging: a ConfigMap per service and one for the data tier, with the sidecar's label and the folder annotation", async () => {
        const run = await runStack("staging");
        const maps = configMaps(run);
        assert.deepEqual(maps.map((c) => c.inputs.metadata.name).sort(), ["grafana-dashboard-data-tier", "grafana-dashboard-service-orchestrator"]);
        for (const map of maps) {
            assert.equal(map.inputs.metadata.labels.grafana_dashboard, "1");
            assert.equal(map.inputs.metadata.labels["app.kubernetes.io/instance"], "llm-platform-staging");
            assert.deepEqual(map.inputs.metadata.annotations, { grafana_folder: "llm-platform" });
            assert.equal(map.inputs.metadata.namespace, "llm-platform-staging");
        }
        assert.deepEqual(run.outputs.grafanaDashboards, ["grafana-dashboard-service-orchestrator", "grafana-dashboard-data-tier"]);
    });

    it("the sidecar label, folder annotation and folder come from config", async () => {
        const run = await runStack("staging", { set: { monitoring: { dashboards: { sidecarLabel: { name: "grafana/dashboard", value: "true" }, folderAnnotation: "k8s-sidecar-target-directory", folder: "LLM" } } } });
        const [map] = configMaps(run);
        assert.equal(map.inputs.metadata.labels["grafana/dashboard"], "true");
        assert.deepEqual(map.inputs.metadata.annotations, { "k8s-sidecar-target-directory": "LLM" });
    });

    it("prod: a second run produces the same dashboards, byte for byte (a second preview shows no change)", async () => {
        const first = configMaps(await runStack("prod")).map((c) => c.inputs);
        const second = configMaps(await runStack("prod", {}, { fresh: true })).map((c) => c.inputs);
        assert.ok(first.length >= 2);
        assert.deepStrictEqual(second, first);
    });

    it("prod: the queries select the stack's own namespace and releases; external stores have no row", async () => {
        const dashboards = dashboardsOf(await runStack("prod", { set: { postgresql: { mode: "external", auth: { database: "llm", username: "llm_app" }, external: { host: "db.example.com", existingSecret: "db" } } } }));
        const dataTier = dashboards["grafana-dashboard-data-tier"];
        const exprs = dataTier.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
        assert.ok(exprs.every((e) => e.includes('namespace="llm-platform"') && e.includes("llm-platform-prod-redis")), exprs.join("\n"));
        assert.ok(!dataTier.panels.some((p) => p.title === "PostgreSQL"));
    });
});
