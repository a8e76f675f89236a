/**
 * The data stores' NetworkPolicies are the program's alone (#15): the pinned Bitnami charts render
 * none with the values the program gives them, and the program's policies (and the connectivity
 * matrix's model, `chartPods`) see the pods those charts run, with their labels and ports.
 *
 * Two levels, each skipped (saying what it needs) without its files:
 *  - the values contract, from the reference copy of each chart's values.yaml (tests/bitnami-reference.ts,
 *    present in CI): every networkPolicy block of the chart is off in every stack, by a value the
 *    program sets or by a default shown to keep its template from rendering; the ports the policies
 *    open are the chart's container ports, which the program never changes.
 *  - the templates, from the pinned charts unpacked in $BITNAMI_CHARTS_DIR: helm renders each
 *    stack's values, and the output holds no NetworkPolicy, no workload but StatefulSets, and
 *    those StatefulSets' pods are `chartPods` of the matrix (labels and container ports).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { mergeValues } from "../data-tier/chart-values";
import { PinnedChart, postgresMetricsPort, postgresPort, postgresqlChart, redisChart, redisMetricsPort, redisPort, sentinelPort } from "../lib/bitnami-charts";
import { chartsRoot, referenceValues } from "./bitnami-reference";
import { ProgramRun } from "./mocks";
import { chartPods, matrixVariations } from "./network-matrix";
import { notBuilt, toolPath } from "./toolchain";

type Values = Record<string, any>;

/** The stacks whose chart values are checked: every topology the program gives the charts. */
const stacks = ["dev", "staging", "prod", "prod-shared-namespace", "staging-sentinel-jobs"] as const;

/**
 * Each networkPolicy block of a chart's values.yaml, and when its template renders a policy, for
 * values merged over the chart's defaults (read from the pinned templates: postgresql's
 * primary/networkpolicy.yaml, read/networkpolicy.yaml and backup/networkpolicy.yaml; redis's
 * networkpolicy.yaml). The template level below checks the outcome against the real charts.
 */
const policyBlocks: Readonly<Record<string, Readonly<Record<string, (values: Values) => boolean>>>> = {
    postgresql: {
        "primary.networkPolicy": (v) => v.primary.networkPolicy.enabled === true,
        "readReplicas.networkPolicy": (v) => v.architecture === "replication" && v.readReplicas.networkPolicy.enabled === true,
        "backup.cronjob.networkPolicy": (v) => v.backup.enabled === true && v.backup.cronjob.networkPolicy.enabled === true,
    },
    redis: {
        networkPolicy: (v) => v.networkPolicy.enabled === true,
    },
};

/** The container ports the program's policies open, where the chart's values.yaml sets them. */
const containerPorts: Readonly<Record<string, Readonly<Record<string, number>>>> = {
    postgresql: { "containerPorts.postgresql": postgresPort, "metrics.containerPorts.metrics": postgresMetricsPort },
    redis: {
        "master.containerPorts.redis": redisPort,
        "replica.containerPorts.redis": redisPort,
        "sentinel.containerPorts.sentinel": sentinelPort,
        "metrics.containerPorts.http": redisMetricsPort,
    },
};

/** The dotted paths of every key named `name` in `values`. */
function pathsOf(values: Values, name: string, at: string[] = []): string[] {
    return Object.entries(values).flatMap(([key, value]) => [
        ...(key === name ? [[...at, key].join(".")] : []),
        ...(value && typeof value === "object" && !Array.isArray(value) ? pathsOf(value, name, [...at, key]) : []),
    ]);
}

function get(values: Values, dotted: string): any {
    return dotted.split(".").reduce((v: any, k) => v?.[k], values);
}

/** The chart values of each checked stack, by store, from one program run per stack. */
function chartValuesOfStacks(): () => Promise<{ stack: string; store: string; values: Values }[]> {
    let cached: { stack: string; store: string; values: Values }[] | undefined;
    return async () => {
        if (!cached) {
            cached = [];
            for (const stack of stacks) {
                const run: ProgramRun = await matrixVariations[stack].run();
                for (const chart of run.ofType("kubernetes:helm.sh/v4:Chart")) cached.push({ stack, store: chart.inputs.values.nameOverride, values: chart.inputs.values });
            }
        }
        return cached;
    };
}

const valuesOfStacks = chartValuesOfStacks();

function describeValuesContract(chart: PinnedChart<string>): void {
    describe(`the ${chart.name} chart's NetworkPolicy values (${chart.version}, values.yaml)`, function () {
        let reference: Values;
        before(function () {
            reference = referenceValues(this, chart);
        });

        it("the networkPolicy blocks of values.yaml are the ones whose templates the test knows, each on by default", () => {
            assert.deepEqual(pathsOf(reference, "networkPolicy").sort(), Object.keys(policyBlocks[chart.name]).sort());
            for (const block of Object.keys(policyBlocks[chart.name])) assert.equal(get(reference, `${block}.enabled`), true, `${block}.enabled defaults to true`);
        });

        it("every stack turns each block off, by its enabled value or its template's gate, so no setting of a block (allowExternal, extraIngress, …) reaches the cluster", async () => {
            const checked = (await valuesOfStacks()).filter((c) => c.store === chart.name);
            assert.deepEqual([...new Set(checked.map((c) => c.stack))], [...stacks], "every stack installs the chart");
            for (const { stack, values } of checked) {
                const merged = mergeValues(reference, values);
                for (const [block, renders] of Object.entries(policyBlocks[chart.name])) assert.equal(renders(merged), false, `${stack}: ${block} renders a NetworkPolicy`);
            }
        });

        it("the ports the program's policies open are the chart's container ports, which no stack changes", async () => {
            for (const [key, port] of Object.entries(containerPorts[chart.name])) assert.equal(get(reference, key), port, key);
            for (const { stack, values } of (await valuesOfStacks()).filter((c) => c.store === chart.name)) {
                assert.deepEqual(pathsOf(values, "containerPorts"), [], `${stack} sets container ports`);
            }
        });
    });
}

/** `helm template` of an unpacked chart with `values`: the rendered objects. */
function render(helm: string, dir: string, release: string, values: Values): Values[] {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chart-values-"));
    try {
        const file = path.join(tmp, "values.json");
        fs.writeFileSync(file, JSON.stringify(values));
        const r = spawnSync(helm, ["template", release, dir, "--namespace", "llm-platform", "--values", file], { encoding: "utf8", timeout: 60_000 });
        if (r.error) throw r.error;
        assert.equal(r.status, 0, r.stderr);
        // YAML 1.1, as kubectl and the provider read it (the charts' `defaultMode: 0755` is octal).
        return parseAllDocuments(r.stdout, { version: "1.1" }).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

function describeTemplates(chart: PinnedChart<string>): void {
    describe(`the ${chart.name} chart's templates (${chart.version}, rendered by helm)`, function () {
        const dir = chartsRoot && path.join(chartsRoot, chart.name);
        let helm: string;
        before(function () {
            const found = toolPath("helm");
            const missing = [
                ...(found ? [] : [notBuilt("helm")]),
                ...(dir && fs.existsSync(path.join(dir, "Chart.yaml"))
                    ? []
                    : [
                          `no unpacked chart at ${dir ?? "$BITNAMI_CHARTS_DIR/" + chart.name}; set BITNAMI_CHARTS_DIR to a directory holding the pinned charts ` +
                              `(helm pull oci://registry-1.docker.io/bitnamicharts/${chart.name} --version ${chart.version} --untar -d "$BITNAMI_CHARTS_DIR")`,
                      ]),
            ];
            if (!found || missing.length > 0) {
                console.log(`      skipped: ${missing.join("; and ")}`);
                this.skip();
            }
            helm = found;
        });

        it("the unpacked chart is the pinned version", () => {
            const chartYaml = parseYaml(fs.readFileSync(path.join(dir!, "Chart.yaml"), "utf8"));
            assert.deepEqual([chartYaml.name, chartYaml.version], [chart.name, chart.version]);
        });

        it("with every stack's values it renders no NetworkPolicy, and its pods are the matrix's chartPods (labels, container ports)", async () => {
            const checked = (await valuesOfStacks()).filter((c) => c.store === chart.name);
            assert.ok(checked.length > 0);
            for (const { stack, values } of checked) {
                const objects = render(helm, dir!, values.fullnameOverride, values);
                assert.deepEqual(objects.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata.name), [], `${stack}: NetworkPolicies`);
                const workloads = objects.filter((o) => ["Deployment", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet", "StatefulSet"].includes(o.kind));
                assert.deepEqual([...new Set(workloads.map((o) => o.kind))], ["StatefulSet"], `${stack}: the chart runs StatefulSets only`);
                const rendered = workloads.map((s) => ({
                    labels: s.spec.template.metadata.labels as Record<string, string>,
                    ports: s.spec.template.spec.containers.flatMap((c: Values) => (c.ports ?? []).map((p: Values) => p.containerPort)).sort((a: number, b: number) => a - b),
                }));
                const modelled = [...new Map(chartPods(values).map((p) => [p.labels["app.kubernetes.io/component"], p])).values()];
                assert.equal(rendered.length, modelled.length, `${stack}: one modelled pod per StatefulSet`);
                for (const pod of modelled) {
                    const match = rendered.find((r) => r.labels["app.kubernetes.io/component"] === pod.labels["app.kubernetes.io/component"]);
                    assert.ok(match, `${stack}: a StatefulSet of component ${pod.labels["app.kubernetes.io/component"]}`);
                    assert.deepEqual(Object.fromEntries(Object.keys(pod.labels).map((k) => [k, match.labels[k]])), pod.labels, `${stack}: ${pod.name}'s labels`);
                    assert.deepEqual(match.ports, pod.ports.map((p) => p.port).sort((a, b) => a - b), `${stack}: ${pod.name}'s container ports`);
                }
            }
        });
    });
}

describe("chart network policy contract: the data stores' policies are the program's", () => {
    for (const chart of [postgresqlChart, redisChart]) {
        describeValuesContract(chart);
        describeTemplates(chart);
    }
});
