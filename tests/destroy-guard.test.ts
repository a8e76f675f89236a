/**
 * The production destroy guard (issue #10): a protected ConfigMap that depends on every other
 * resource, so `pulumi destroy` must delete it first and fails before deleting anything. The engine
 * side of that promise is tested with the real engine in e2e/engine.test.mjs.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ChartObjects, childUrn, composeTransforms, withoutEmptyRules } from "../platform/chart-objects";
import { destroyGuardNote } from "../platform/destroy-guard";
import { chartObjectUrns } from "./fixtures/programs/guard-with-chart-objects";
import { RecordedResource, applyTransforms, promiseOf, readStackConfig, runProgram, runStack } from "./mocks";

const configMapType = "kubernetes:core/v1:ConfigMap";
const guardOf = (resources: RecordedResource[]) => resources.filter((r) => r.type === configMapType && r.name === "destroy-guard");

/** What the engine deletes: custom resources and remote components such as v4.Chart (local components hold only state). */
function deletable(resources: RecordedResource[]): RecordedResource[] {
    return resources.filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("llm-platform:"));
}

/** The prod stack file's section of a data store, with data safety set. */
function prodSection(store: "postgresql" | "redis", protect: boolean): Record<string, unknown> {
    return { ...(readStackConfig("prod").values[`llm-platform:${store}`] as Record<string, unknown>), protect };
}

describe("destroy guard", () => {
    it("prod: a protected guard depends on every other resource, so a destroy must delete it first and stops there", async () => {
        const run = await runStack("prod");
        const [guard] = guardOf(run.resources);
        assert.ok(guard, "no destroy guard in prod");
        assert.equal(guard.options.protect, true);
        assert.equal(guard.inputs.data.note, destroyGuardNote);
        const unguarded = deletable(run.resources)
            .filter((r) => r !== guard && !guard.options.dependsOn.includes(r.urn))
            .map((r) => `${r.type} ${r.name}`);
        assert.deepEqual(unguarded, []);
        assert.ok(guard.options.dependsOn.some((urn) => urn.includes("helm.sh/v4:Chart")), "the charts are guarded");
    });

    it("prod without the data stores (enabled: false, #27): nothing holds data, so the guard stays, unprotected", async () => {
        const services = structuredClone(readStackConfig("prod").values["llm-platform:services"] as Record<string, any>);
        services.orchestrator.connectsTo = { postgresql: false, redis: false };
        const run = await runStack("prod", { set: { services, postgresql: { enabled: false }, redis: { enabled: false } } });
        const [guard] = guardOf(run.resources);
        assert.ok(guard, "no destroy guard in prod");
        assert.equal(guard.options.protect, false);
        assert.deepEqual(run.resources.filter((r) => r.options.protect).map((r) => `${r.type} ${r.name}`), []);
    });

    it("prod with only Redis disabled: PostgreSQL still holds data, so the guard is protected", async () => {
        const services = structuredClone(readStackConfig("prod").values["llm-platform:services"] as Record<string, any>);
        services.orchestrator.connectsTo = { redis: false };
        const run = await runStack("prod", { set: { services, redis: { enabled: false } } });
        assert.equal(guardOf(run.resources)[0].options.protect, true);
    });

    it("prod with data safety off for both stores: the guard stays, unprotected, so `pulumi up` then `pulumi destroy` tears down", async () => {
        const one = await runStack("prod", { set: { redis: prodSection("redis", false) } });
        assert.equal(guardOf(one.resources)[0].options.protect, true, "still protected while PostgreSQL is");
        const off = await runStack("prod", { set: { postgresql: prodSection("postgresql", false), redis: prodSection("redis", false) } });
        const [guard] = guardOf(off.resources);
        assert.ok(guard, "the guard is kept (a protected resource removed from the program would fail the up)");
        assert.equal(guard.options.protect, false);
    });

    it("dev and staging: no guard", async () => {
        for (const stack of ["dev", "staging"] as const) {
            assert.deepEqual(guardOf((await runStack(stack)).resources), [], stack);
        }
    });

    it("the guard depends on each chart object by URN: the provider registers them, so a dependency on the chart's component doesn't reach them", async () => {
        const run = await runProgram("prod", {}, { program: "tests/fixtures/programs/guard-with-chart-objects.ts" });
        const [guard] = guardOf(run.resources);
        for (const urn of chartObjectUrns) assert.ok(guard.options.dependsOn.includes(urn), urn);
        assert.ok(guard.options.dependsOn.some((urn) => urn.endsWith("kubernetes:core/v1:ConfigMap::other-config")), "and still on the components' own resources");
    });
});

describe("chart objects (platform/chart-objects.ts)", () => {
    it("a Role or ClusterRole with rules: [] loses the empty list, which the API server would drop (a perpetual diff otherwise); other objects are untouched", async () => {
        const role = { metadata: { name: "kube-prometheus-stack-grafana" }, rules: [] };
        assert.deepEqual(withoutEmptyRules("kubernetes:rbac.authorization.k8s.io/v1:Role", role), { metadata: { name: "kube-prometheus-stack-grafana" } });
        assert.deepEqual(withoutEmptyRules("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "loki-clusterrole" }, rules: [] }), { metadata: { name: "loki-clusterrole" } });
        assert.equal(withoutEmptyRules("kubernetes:rbac.authorization.k8s.io/v1:Role", { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] }), undefined);
        assert.equal(withoutEmptyRules("kubernetes:core/v1:ConfigMap", { rules: [] }), undefined);
        // Every chart of the program applies it (the monitoring stack's, as one).
        const run = await runStack("dev", { set: { monitoring: { enabled: true, stack: { enabled: true } } } });
        const chart = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        const { props } = await applyTransforms(chart, { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", name: "monitoring-stack-chart:monitoring/kube-prometheus-stack-grafana", custom: true, props: role });
        assert.deepEqual(props, { metadata: { name: "kube-prometheus-stack-grafana" } });
    });

    const chartUrn = "urn:pulumi:prod::llm-platform::llm-platform:data:PostgresDatabase$kubernetes:helm.sh/v4:Chart::postgresql-chart";

    it("a chart object's URN: the chart's type chain, then its own type and name", () => {
        assert.equal(
            childUrn(chartUrn, "kubernetes:apps/v1:StatefulSet", "postgresql-chart:llm-platform/llm-platform-prod-postgresql"),
            "urn:pulumi:prod::llm-platform::llm-platform:data:PostgresDatabase$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:StatefulSet::postgresql-chart:llm-platform/llm-platform-prod-postgresql",
        );
        assert.throws(() => childUrn("postgresql-chart", "t", "n"), /^Error: not a URN: postgresql-chart$/);
    });

    it("the transform records each object once (not the chart itself) and changes nothing", async () => {
        const objects = new ChartObjects();
        const seen = (type: string, name: string, custom: boolean) => objects.transform({ type, name, custom, props: {}, opts: {} });
        assert.equal(seen("kubernetes:helm.sh/v4:Chart", "postgresql-chart", false), undefined);
        assert.equal(seen("kubernetes:core/v1:Service", "postgresql-chart:llm-platform/pg", true), undefined);
        assert.equal(seen("kubernetes:apps/v1:StatefulSet", "postgresql-chart:llm-platform/pg", true), undefined);
        assert.equal(seen("kubernetes:core/v1:Service", "postgresql-chart:llm-platform/pg", true), undefined);
        const chart = { urn: pulumi.output(chartUrn) } as unknown as pulumi.Resource;
        assert.deepEqual(await promiseOf(objects.urnsOf(chart)), [
            `${chartUrn.replace("::postgresql-chart", "")}$kubernetes:apps/v1:StatefulSet::postgresql-chart:llm-platform/pg`,
            `${chartUrn.replace("::postgresql-chart", "")}$kubernetes:core/v1:Service::postgresql-chart:llm-platform/pg`,
        ]);
    });

    describe("composeTransforms: a chart's transforms as one (one callback per object instead of one per transform)", () => {
        const object = { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "chart:ns/data", custom: true, props: { a: 1 }, opts: {} };

        it("applies them in order, each seeing what the one before returned", async () => {
            const seen: unknown[] = [];
            const composed = composeTransforms([
                (args) => ({ props: { ...args.props, b: 2 }, opts: { ...args.opts, protect: true } }),
                async (args) => {
                    seen.push(args.props, args.opts);
                    return { props: { ...args.props, c: 3 }, opts: { ...args.opts, retainOnDelete: true } };
                },
            ]);
            assert.deepEqual(await composed(object), { props: { a: 1, b: 2, c: 3 }, opts: { protect: true, retainOnDelete: true } });
            assert.deepEqual(seen, [{ a: 1, b: 2 }, { protect: true }]);
        });

        it("a transform returning undefined leaves the object as it was; all of them undefined is undefined (nothing sent back)", async () => {
            const names: string[] = [];
            const record: pulumi.ResourceTransform = (args) => {
                names.push(args.name);
                return undefined;
            };
            assert.equal(await composeTransforms([record, record])(object), undefined);
            assert.deepEqual(await composeTransforms([record, (args) => ({ props: args.props, opts: { protect: true } }), record])(object), { props: { a: 1 }, opts: { protect: true } });
            assert.deepEqual(names, ["chart:ns/data", "chart:ns/data", "chart:ns/data", "chart:ns/data"]);
            assert.equal(await composeTransforms([])(object), undefined);
        });
    });
});
