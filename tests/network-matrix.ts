/**
 * The connectivity matrix of a stack, computed by cyclonus (an offline NetworkPolicy simulator
 * nobody here wrote) from the NetworkPolicy objects the program registers: the services', the
 * jobs', the namespace's and the data stores' (the Bitnami charts' own are off, so every policy of
 * a stack is a recorded object).
 *
 * The cluster model: the stack's namespace with its services' pods, checks, migrations and
 * PostgreSQL jobs (one pod per Deployment, Job and CronJob, from their pod templates), the data
 * stores' pods as the pinned charts render them (`chartPods`: one per StatefulSet, with its labels
 * and container ports; tests/chart-pods.test.ts compares them with the real charts' output), and a
 * cert-manager HTTP-01 solver pod; ingress-nginx, monitoring (Prometheus), kube-system (kube-dns),
 * the Kubernetes API server, a namespace "other" with a random pod; "internet" and "metadata" pods
 * at an Internet address and 169.254.169.254, so that ipBlock rules are probed; in a namespace the
 * program did not create, a co-tenant pod beside the stack's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramRun, readStackConfig, runStack } from "./mocks";

type Values = Record<string, any>;
type Labels = Record<string, string>;

/** One connectivity table of `cyclonus analyze --mode probe`: from "ns/pod" to "ns/pod" to the cell ("." allowed, "X" blocked, "N" no such port). */
export function parseProbeTable(lines: string[]): Map<string, Map<string, string>> {
    const rows = lines.filter((l) => l.startsWith("|")).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
    const [header, ...body] = rows;
    const table = new Map<string, Map<string, string>>();
    for (const [from, ...cells] of body) {
        table.set(from, new Map(cells.map((cell, i) => [header[i + 1].toLowerCase(), cell])));
    }
    return table;
}

/** The "Combined" (ingress and egress) table of the first probe in cyclonus's output. */
export function combinedTable(output: string): Map<string, Map<string, string>> {
    return combinedTables(output, 1)[0];
}

/** The "Combined" tables of the first `count` probes in cyclonus's output, in the model's order. */
export function combinedTables(output: string, count: number): Map<string, Map<string, string>>[] {
    const lines = output.split("\n");
    const tables: Map<string, Map<string, string>>[] = [];
    let start = lines.indexOf("Combined:");
    while (start >= 0 && tables.length < count) {
        const end = lines.findIndex((l, i) => i > start && l.trim() === "");
        tables.push(parseProbeTable(lines.slice(start + 1, end)));
        start = lines.indexOf("Combined:", end);
    }
    assert.equal(tables.length, count, `cyclonus's output has ${tables.length} "Combined:" tables, not one per probe (${count}):\n${output}`);
    return tables;
}

/** A probe: a protocol and port, named for the tables. */
export interface Probe {
    readonly name: string;
    readonly protocol: "TCP" | "UDP";
    readonly port: number;
}

/** The ports the matrix probes. */
export const probes: readonly Probe[] = [
    { name: "http", protocol: "TCP", port: 8080 },
    { name: "metrics", protocol: "TCP", port: 9090 },
    { name: "dns", protocol: "UDP", port: 53 },
    { name: "postgresql", protocol: "TCP", port: 5432 },
    { name: "postgresql-metrics", protocol: "TCP", port: 9187 },
    { name: "redis", protocol: "TCP", port: 6379 },
    { name: "sentinel", protocol: "TCP", port: 26379 },
    { name: "redis-metrics", protocol: "TCP", port: 9121 },
    { name: "acme-solver", protocol: "TCP", port: 8089 },
    { name: "https", protocol: "TCP", port: 443 },
    { name: "kube-api", protocol: "TCP", port: 6443 },
];

/** Where the model's Kubernetes API server is (a stack may name it in networkPolicy.kubernetesApi.cidrs). */
export const kubernetesApiAddress = "172.20.0.10";

interface Pod {
    Namespace: string;
    Name: string;
    Labels: Labels;
    IP: string;
    Containers: { Name: string; Port: number; PortName: string; Protocol: string }[];
}

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CHART = "kubernetes:helm.sh/v4:Chart";

function pod(namespace: string, name: string, labels: Labels, ip: string, ports: readonly Probe[]): Pod {
    return { Namespace: namespace, Name: name, Labels: labels, IP: ip, Containers: ports.map((p) => ({ Name: `${p.name}-${p.port}`, Port: p.port, PortName: p.name, Protocol: p.protocol })) };
}

const probe = (name: string) => probes.find((p) => p.name === name)!;

/** A pod a data store's chart runs, named like the StatefulSet's pods without the release: "<store>-<component>-<ordinal>". */
export interface ChartPod {
    readonly name: string;
    /** The labels of its pod template that a NetworkPolicy may select on. */
    readonly labels: Labels;
    /** The probed ports its containers serve. */
    readonly ports: readonly Probe[];
}

/**
 * The pods the pinned Bitnami chart runs for the values the program gives it, one per StatefulSet:
 * PostgreSQL's primary (and a read replica with replication), Redis's master (and a replica), or
 * with Sentinel two of its nodes, which serve Redis and Sentinel to each other (every other pod
 * talks to pods of another StatefulSet); the exporter's port beside the store's with metrics. Each pod
 * carries the chart's name and instance labels, the part-of label of commonLabels and its
 * component. tests/chart-pods.test.ts checks this against the real charts' StatefulSets.
 */
export function chartPods(values: Values): ChartPod[] {
    const store = values.nameOverride as "postgresql" | "redis";
    const base = { "app.kubernetes.io/name": store, "app.kubernetes.io/instance": values.fullnameOverride as string, ...(values.commonLabels as Labels) };
    const metrics = values.metrics?.enabled === true;
    const replication = values.architecture === "replication";
    const of = (component: string, ports: string[], ordinal = 0): ChartPod => ({
        name: `${store}-${component}-${ordinal}`,
        labels: { ...base, "app.kubernetes.io/component": component },
        ports: [...ports, ...(metrics ? [`${store}-metrics`] : [])].map(probe),
    });
    if (store === "postgresql") return [of("primary", ["postgresql"]), ...(replication ? [of("read", ["postgresql"])] : [])];
    if (values.sentinel?.enabled === true) return [of("node", ["redis", "sentinel"]), of("node", ["redis", "sentinel"], 1)];
    return [of("master", ["redis"]), ...(replication ? [of("replica", ["redis"])] : [])];
}

/** The pods of the stack: one per Deployment, Job and CronJob, from their pod templates, on every probed port they could serve; the charts' pods. */
function stackPods(run: ProgramRun, namespace: string): Pod[] {
    const pods: Pod[] = [];
    let n = 10;
    const templates = [
        ...[...run.ofType("kubernetes:apps/v1:Deployment"), ...run.ofType("kubernetes:batch/v1:Job")].map((r) => r.inputs.spec.template),
        ...run.ofType("kubernetes:batch/v1:CronJob").map((r) => r.inputs.spec.jobTemplate.spec.template),
    ];
    for (const template of templates) {
        const labels: Labels = template.metadata.labels;
        pods.push(pod(namespace, labels["app.kubernetes.io/name"], labels, `10.1.0.${n++}`, [probe("http"), probe("metrics")]));
    }
    for (const chart of run.ofType(CHART)) {
        for (const p of chartPods(chart.inputs.values)) pods.push(pod(namespace, p.name, p.labels, `10.1.0.${n++}`, p.ports));
    }
    return pods;
}

/**
 * The labels the Bitnami charts' own policies admit to the data stores whatever the values
 * ("<fullname>-client", and PostgreSQL's "<primary or read fullname>-client"). The co-tenant pod
 * carries them all, so the matrix shows that no such label opens a data store.
 */
export function chartClientLabels(run: ProgramRun): Labels {
    const releases = run.ofType(CHART).map((chart) => chart.inputs.values.fullnameOverride as string);
    return Object.fromEntries(releases.flatMap((release) => ["", "-primary", "-read"].map((suffix) => [`${release}${suffix}-client`, "true"])));
}

/** What the matrix of a stack is built from. */
export interface MatrixInput {
    readonly run: ProgramRun;
    /** Put a co-tenant pod in the stack's namespace (a namespace the program did not create). */
    readonly coTenant: boolean;
}

/** The cells of a stack's matrix: probe name -> "from" pod -> "to" pod -> cell. */
export type Matrix = Map<string, Map<string, Map<string, string>>>;

/** Builds the cluster model and the policies of a stack, runs cyclonus once with every probe, and returns the Combined tables. */
export function connectivityMatrix(cyclonus: string, input: MatrixInput): Matrix {
    const namespace = input.run.outputs.namespaceName as string;
    const pods: Pod[] = [
        ...stackPods(input.run, namespace),
        pod(namespace, "acme-solver", { "acme.cert-manager.io/http01-solver": "true" }, "10.1.1.1", [probe("acme-solver")]),
        pod("ingress-nginx", "controller", { "app.kubernetes.io/name": "ingress-nginx" }, "10.2.0.1", [probe("http")]),
        // Envoy Gateway's proxy of the platform Gateway, as the stack files' gatewayDataPlane selects it.
        pod("envoy-gateway-system", "envoy-proxy", { "app.kubernetes.io/component": "proxy", "app.kubernetes.io/managed-by": "envoy-gateway" }, "10.2.1.1", [probe("http")]),
        pod("monitoring", "prometheus", { "app.kubernetes.io/name": "prometheus" }, "10.3.0.1", [probe("http")]),
        pod("kube-system", "kube-dns", { "k8s-app": "kube-dns" }, "10.4.0.1", [probe("dns")]),
        // The API server runs on the control plane's host network; the model gives it an address and its port.
        pod("control-plane", "kube-apiserver", {}, kubernetesApiAddress, [probe("kube-api"), probe("https")]),
        pod("other", "random", { app: "random" }, "10.5.0.1", probes),
        pod("internet", "api", {}, "93.184.216.34", [probe("https")]),
        pod("metadata", "metadata", {}, "169.254.169.254", [probe("https")]),
        ...(input.coTenant ? [pod(namespace, "co-tenant", { app: "co-tenant", ...chartClientLabels(input.run) }, "10.1.2.1", probes)] : []),
    ];
    const namespaces = Object.fromEntries([...new Set(pods.map((p) => p.Namespace))].map((ns) => [ns, { "kubernetes.io/metadata.name": ns }]));
    const policies = input.run.ofType(NP).map((r) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: r.inputs.metadata.name, namespace }, spec: r.inputs.spec }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "network-matrix-"));
    try {
        fs.mkdirSync(path.join(dir, "policies"));
        // JSON is YAML, which is what cyclonus reads; an empty directory is no policy at all.
        policies.forEach((p, i) => fs.writeFileSync(path.join(dir, "policies", `${i}.yaml`), JSON.stringify(p)));
        // One model with every probe: cyclonus prints the tables of each in turn.
        const model = path.join(dir, "model.json");
        fs.writeFileSync(model, JSON.stringify({ Probes: probes.map((p) => ({ Protocol: p.protocol, Port: p.port })), Resources: { Namespaces: namespaces, Pods: pods } }));
        const r = spawnSync(cyclonus, ["analyze", "--mode", "probe", "--policy-path", path.join(dir, "policies"), "--probe-path", model], { encoding: "utf8", timeout: 30_000 });
        if (r.error) throw r.error;
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const tables = combinedTables(r.stdout, probes.length);
        return new Map(probes.map((p, i) => [p.name, tables[i]]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** One cell: "." allowed, "X" blocked. */
export function cell(matrix: Matrix, probeName: string, from: string, to: string): string | undefined {
    return matrix.get(probeName)?.get(from)?.get(to);
}

/**
 * Who talks to whom in a matrix, as a Markdown table: one row per pair of distinct pods, one of
 * them in the stack's namespace, with at least one allowed probe, and the probes allowed between
 * them (the other namespaces' pods have no policy: they reach each other freely).
 * docs/network.md holds these tables.
 */
export function talkTable(matrix: Matrix, namespace: string): string {
    const allowed = new Map<string, string[]>();
    for (const p of probes) {
        for (const [from, row] of matrix.get(p.name) ?? []) {
            for (const [to, value] of row) {
                if (value !== "." || from === to || ![from, to].some((pod) => pod.startsWith(`${namespace}/`))) continue;
                const key = `${from}\t${to}`;
                allowed.set(key, [...(allowed.get(key) ?? []), p.name]);
            }
        }
    }
    const rows = [...allowed.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, names]) => {
            const [from, to] = key.split("\t");
            return `| ${from} | ${to} | ${names.join(", ")} |`;
        });
    return ["| from | to | allowed |", "| --- | --- | --- |", ...rows].join("\n");
}

const section = (stack: string, key: string): Values => structuredClone((readStackConfig(stack).values[`llm-platform:${key}`] as Values | undefined) ?? {});

/** The services with their Ingresses off: only their routes remain. */
const routeOnly = (services: Values): Values => Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { ...s, ingress: { enabled: false } }]));

/**
 * staging with Redis Sentinel and every PostgreSQL job: scheduled backups that upload, a restore and
 * a password sync (a rotation of the generated passwords). `kubernetesApi` narrows the API egress.
 */
function withSentinelAndJobs(kubernetesApi?: Values): Promise<ProgramRun> {
    const postgresql = section("staging", "postgresql");
    return runStack("staging", {
        set: {
            redis: { ...section("staging", "redis"), sentinel: { enabled: true, quorum: 2 } },
            postgresql: {
                ...postgresql,
                auth: { ...postgresql.auth, rotation: 1 },
                backup: { enabled: true, upload: { image: "docker.io/amazon/aws-cli:2.17.0", command: ["sh", "-c", 'aws s3 cp "$BACKUP_DIR/$(cat /tmp/latest-dump)" s3://backups/'] } },
                restore: { file: "llm_platform-20250101T030000Z.dump" },
            },
            ...(kubernetesApi ? { networkPolicy: { ...section("staging", "networkPolicy"), kubernetesApi } } : {}),
        },
    });
}

/** A stack or variation the matrix is built for. */
export interface MatrixVariation {
    readonly run: () => Promise<ProgramRun>;
    /** A co-tenant pod in the stack's namespace (a namespace the program did not create). */
    readonly coTenant: boolean;
}

/** The stacks and variations network-matrix.test.ts simulates. */
export const matrixVariations: Readonly<Record<string, MatrixVariation>> = {
    dev: { run: () => runStack("dev"), coTenant: false },
    staging: { run: () => runStack("staging"), coTenant: false },
    prod: { run: () => runStack("prod"), coTenant: false },
    /** DNS-01 challenges, and the cluster's pod CIDR given (the model's pods are in 10.0.0.0/8). */
    "prod-dns01-cluster-cidrs": { run: () => runStack("prod", { set: { networkPolicy: { ...section("prod", "networkPolicy"), acmeChallenge: "dns01", clusterCidrs: ["10.0.0.0/8"] } } }), coTenant: false },
    /** Staging with its route and no Ingress (#29): the Gateway's proxies reach the service, the ingress controller doesn't. */
    "staging-route-only": { run: () => runStack("staging", { set: { services: routeOnly(section("staging", "services")) } }), coTenant: false },
    "prod-shared-namespace": { run: () => runStack("prod", { set: { namespace: { name: "shared-team", create: false } } }), coTenant: true },
    "staging-sentinel-jobs": { run: () => withSentinelAndJobs(), coTenant: false },
    /** The same, with the API server's address given: Sentinel's pods reach it and nothing else outside. */
    "staging-sentinel-jobs-api-cidrs": { run: () => withSentinelAndJobs({ cidrs: [`${kubernetesApiAddress}/32`] }), coTenant: false },
};

/** The stacks whose tables docs/network.md shows (dev turns the policies off: everything is open). */
export const documentedStacks = ["staging", "prod", "staging-sentinel-jobs"] as const;

/** The markers around a stack's generated table in docs/network.md. */
export function docMarkers(stack: string): { start: string; end: string } {
    return { start: `<!-- matrix:${stack}:start (generated by tests/update-network-docs.ts) -->`, end: `<!-- matrix:${stack}:end -->` };
}

/** docs/network.md with each documented stack's table replaced by `tables[stack]`. */
export function withTables(doc: string, tables: Readonly<Record<string, string>>): string {
    let out = doc;
    for (const [stack, table] of Object.entries(tables)) {
        const { start, end } = docMarkers(stack);
        const from = out.indexOf(start);
        const to = out.indexOf(end);
        if (from < 0 || to < from) throw new Error(`docs/network.md has no ${start} … ${end} section`);
        out = `${out.slice(0, from + start.length)}\n${table}\n${out.slice(to)}`;
    }
    return out;
}
