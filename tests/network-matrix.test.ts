/**
 * Proof by an engine nobody here wrote (#15): cyclonus simulates each stack's NetworkPolicies (the
 * recorded objects: the services', the jobs', the namespace's and the data stores', the charts' own
 * being off) on a cluster model (tests/network-matrix.ts), and the expected allowed and denied
 * connections are asserted cell by cell.
 * In CI, which builds cyclonus, a missing simulator fails; elsewhere the suite is skipped with the
 * command that builds it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProgramRun, projectRoot } from "./mocks";
import { Matrix, cell, chartPods, connectivityMatrix, documentedStacks, matrixVariations, talkTable, withTables } from "./network-matrix";
import { describeWithTool } from "./toolchain";

/** The stack's pod names ("<namespace>/<pod>") of a data store's chart pods in a run. */
function storePods(run: ProgramRun, ns: string, store: "postgresql" | "redis"): { name: string; probes: string[] }[] {
    const chart = run.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.values.nameOverride === store);
    assert.ok(chart, `the stack installs ${store}`);
    const pods = chartPods(chart.inputs.values).map((p) => ({ name: `${ns}/${p.name}`, probes: p.ports.map((port) => port.name) }));
    assert.ok(pods.length > 0, `${store} runs pods`);
    return pods;
}

/** The PostgreSQL jobs' pods the stack runs (backup, restore, password sync). */
function jobPods(run: ProgramRun, ns: string): string[] {
    const templates = [...run.ofType("kubernetes:batch/v1:Job").map((r) => r.inputs.spec.template), ...run.ofType("kubernetes:batch/v1:CronJob").map((r) => r.inputs.spec.jobTemplate.spec.template)];
    return templates.map((t) => t.metadata.labels["app.kubernetes.io/name"] as string).filter((name) => name.startsWith("postgresql-")).map((name) => `${ns}/${name}`);
}

const isolated = ["staging", "prod", "prod-dns01-cluster-cidrs", "prod-shared-namespace", "staging-sentinel-jobs", "staging-sentinel-jobs-api-cidrs"];
const sentinel = ["staging-sentinel-jobs", "staging-sentinel-jobs-api-cidrs"];

describeWithTool("cyclonus", "network matrix: the stacks' NetworkPolicies simulated by cyclonus", (cyclonus) => {
    const matrices = new Map<string, { matrix: Matrix; ns: string; run: ProgramRun }>();
    const of = async (name: string) => {
        if (!matrices.has(name)) {
            const run = await matrixVariations[name].run();
            matrices.set(name, { matrix: connectivityMatrix(cyclonus, { run, coTenant: matrixVariations[name].coTenant }), ns: run.outputs.namespaceName as string, run });
        }
        return matrices.get(name)!;
    };
    const expect = (m: Matrix, probe: string, from: string, to: string, want: "." | "X") =>
        assert.equal(cell(m, probe, from, to), want, `${probe}: ${from} -> ${to} should be ${want === "." ? "allowed" : "denied"}`);

    for (const name of isolated) {
        describe(name, () => {
            it("ingress controller -> app http allowed; Prometheus -> metrics allowed; a random pod -> app denied", async () => {
                const { matrix, ns } = await of(name);
                expect(matrix, "http", "ingress-nginx/controller", `${ns}/orchestrator`, ".");
                expect(matrix, "metrics", "monitoring/prometheus", `${ns}/orchestrator`, ".");
                expect(matrix, "http", "other/random", `${ns}/orchestrator`, "X");
                expect(matrix, "metrics", "other/random", `${ns}/orchestrator`, "X");
            });

            it("app -> every PostgreSQL and Redis pod on its port allowed; a random pod and the check -> them denied", async () => {
                const { matrix, ns, run } = await of(name);
                for (const store of ["postgresql", "redis"] as const) {
                    for (const pod of storePods(run, ns, store)) {
                        expect(matrix, store, `${ns}/orchestrator`, pod.name, ".");
                        expect(matrix, store, "other/random", pod.name, "X");
                        expect(matrix, store, `${ns}/orchestrator-check`, pod.name, "X");
                    }
                }
            });

            it("the data stores' exporters: Prometheus allowed; a random pod, the app and the check denied", async () => {
                const { matrix, ns, run } = await of(name);
                for (const store of ["postgresql", "redis"] as const) {
                    for (const pod of storePods(run, ns, store)) {
                        const metrics = `${store}-metrics`;
                        assert.ok(pod.probes.includes(metrics), `${pod.name} runs the exporter (monitoring is on in ${name})`);
                        expect(matrix, metrics, "monitoring/prometheus", pod.name, ".");
                        for (const from of ["other/random", `${ns}/orchestrator`, `${ns}/orchestrator-check`]) expect(matrix, metrics, from, pod.name, "X");
                    }
                }
            });

            it("the data stores call only the cluster DNS and their own pods: DNS elsewhere, a random pod, the Internet and the metadata address denied (Sentinel's nodes: the API server, and by default its ports anywhere)", async () => {
                const { matrix, ns, run } = await of(name);
                for (const store of ["postgresql", "redis"] as const) {
                    const callsApi = sentinel.includes(name) && store === "redis";
                    // Sentinel's nodes reach the API's ports (443, 6443) at any address unless kubernetesApi.cidrs names it.
                    const apiPortsOpen = callsApi && name === "staging-sentinel-jobs" ? "." : "X";
                    for (const pod of storePods(run, ns, store)) {
                        expect(matrix, "dns", pod.name, "kube-system/kube-dns", ".");
                        // The charts' own rule opened port 53 of every address.
                        expect(matrix, "dns", pod.name, "other/random", "X");
                        for (const probe of ["http", "postgresql", "redis", "sentinel"]) expect(matrix, probe, pod.name, "other/random", "X");
                        expect(matrix, "kube-api", pod.name, "other/random", apiPortsOpen);
                        expect(matrix, "https", pod.name, "internet/api", apiPortsOpen);
                        expect(matrix, "https", pod.name, "metadata/metadata", apiPortsOpen);
                        expect(matrix, "kube-api", pod.name, "control-plane/kube-apiserver", callsApi ? "." : "X");
                    }
                }
            });

            it("replication between a store's own pods allowed, and to no other pod of the stack", async () => {
                const { matrix, ns, run } = await of(name);
                const [primary, read] = storePods(run, ns, "postgresql").map((p) => p.name);
                expect(matrix, "postgresql", read, primary, ".");
                expect(matrix, "http", primary, `${ns}/orchestrator`, "X");
                const [master, replica] = storePods(run, ns, "redis").map((p) => p.name);
                expect(matrix, "redis", replica, master, ".");
                expect(matrix, "http", master, `${ns}/orchestrator`, "X");
                expect(matrix, "postgresql", master, primary, "X");
            });

            it("app -> a random pod in another namespace denied; DNS only to kube-dns; HTTPS to the Internet but not the metadata address", async () => {
                const { matrix, ns } = await of(name);
                for (const probe of ["http", "postgresql", "dns"]) expect(matrix, probe, `${ns}/orchestrator`, "other/random", "X");
                // Port 443 of in-cluster pods is inside httpsEgressCidrs unless clusterCidrs leaves the cluster out.
                expect(matrix, "https", `${ns}/orchestrator`, "other/random", name === "prod-dns01-cluster-cidrs" ? "X" : ".");
                expect(matrix, "dns", `${ns}/orchestrator`, "kube-system/kube-dns", ".");
                expect(matrix, "https", `${ns}/orchestrator`, "internet/api", ".");
                expect(matrix, "https", `${ns}/orchestrator`, "metadata/metadata", "X");
                expect(matrix, "kube-api", `${ns}/orchestrator`, "control-plane/kube-apiserver", "X");
            });

            it("the post-deploy check reaches its service", async () => {
                const { matrix, ns } = await of(name);
                expect(matrix, "http", `${ns}/orchestrator-check`, `${ns}/orchestrator`, ".");
                expect(matrix, "http", `${ns}/orchestrator-check`, "other/random", "X");
            });
        });
    }

    it("the PostgreSQL jobs (backup with an upload, restore, password sync) reach PostgreSQL and the DNS; only the uploader reaches HTTPS, never the metadata address; none reaches Redis", async () => {
        const { matrix, ns, run } = await of("staging-sentinel-jobs");
        const jobs = jobPods(run, ns);
        assert.deepEqual(jobs.map((j) => j.split("/")[1]).sort(), ["postgresql-backup", "postgresql-password-sync", "postgresql-restore"]);
        for (const job of jobs) {
            for (const pod of storePods(run, ns, "postgresql")) expect(matrix, "postgresql", job, pod.name, ".");
            for (const pod of storePods(run, ns, "redis")) expect(matrix, "redis", job, pod.name, "X");
            expect(matrix, "dns", job, "kube-system/kube-dns", ".");
            expect(matrix, "dns", job, "other/random", "X");
            expect(matrix, "https", job, "internet/api", job.endsWith("/postgresql-backup") ? "." : "X");
            expect(matrix, "https", job, "metadata/metadata", "X");
        }
        const prod = await of("prod");
        const [backup] = jobPods(prod.run, prod.ns);
        assert.equal(backup, `${prod.ns}/postgresql-backup`, "prod runs scheduled backups");
        expect(prod.matrix, "postgresql", backup, storePods(prod.run, prod.ns, "postgresql")[0].name, ".");
        expect(prod.matrix, "https", backup, "internet/api", "X");
    });

    it("Redis Sentinel: its nodes talk on 6379 and 26379 to each other; clients reach 6379 only; a random pod neither", async () => {
        for (const name of sentinel) {
            const { matrix, ns, run } = await of(name);
            const nodes = storePods(run, ns, "redis").map((p) => p.name);
            assert.deepEqual(nodes, [`${ns}/redis-node-0`, `${ns}/redis-node-1`]);
            for (const probe of ["redis", "sentinel"]) {
                expect(matrix, probe, nodes[0], nodes[1], ".");
                expect(matrix, probe, nodes[1], nodes[0], ".");
                expect(matrix, probe, "other/random", nodes[0], "X");
            }
            expect(matrix, "sentinel", `${ns}/orchestrator`, nodes[0], "X");
        }
    });

    it("Redis Sentinel: the nodes reach the Kubernetes API (the master-labelling kubectl); by default its ports at any address, with kubernetesApi.cidrs its address alone", async () => {
        const open = await of("staging-sentinel-jobs");
        const narrowed = await of("staging-sentinel-jobs-api-cidrs");
        for (const { matrix, ns } of [open, narrowed]) expect(matrix, "kube-api", `${ns}/redis-node-0`, "control-plane/kube-apiserver", ".");
        expect(open.matrix, "https", `${open.ns}/redis-node-0`, "internet/api", ".");
        expect(narrowed.matrix, "https", `${narrowed.ns}/redis-node-0`, "internet/api", "X");
        expect(narrowed.matrix, "https", `${narrowed.ns}/redis-node-0`, "metadata/metadata", "X");
        expect(narrowed.matrix, "kube-api", `${narrowed.ns}/redis-node-0`, "other/random", "X");
    });

    it("staging and prod (ACME issuer, HTTP-01): the solver pod is reachable from the ingress controller only", async () => {
        for (const name of ["staging", "prod"]) {
            const { matrix, ns } = await of(name);
            expect(matrix, "acme-solver", "ingress-nginx/controller", `${ns}/acme-solver`, ".");
            expect(matrix, "acme-solver", "other/random", `${ns}/acme-solver`, "X");
            expect(matrix, "acme-solver", `${ns}/orchestrator`, `${ns}/acme-solver`, "X");
        }
    });

    it("staging with its route and no Ingress (#29): the Gateway's proxy reaches the app's http port, the ingress controller no longer does; no solver is opened", async () => {
        const { matrix, ns } = await of("staging-route-only");
        expect(matrix, "http", "envoy-gateway-system/envoy-proxy", `${ns}/orchestrator`, ".");
        expect(matrix, "http", "ingress-nginx/controller", `${ns}/orchestrator`, "X");
        expect(matrix, "metrics", "envoy-gateway-system/envoy-proxy", `${ns}/orchestrator`, "X");
        expect(matrix, "acme-solver", "envoy-gateway-system/envoy-proxy", `${ns}/acme-solver`, "X");
        expect(matrix, "acme-solver", "ingress-nginx/controller", `${ns}/acme-solver`, "X");
    });

    it("staging and prod, with an Ingress and a route while traffic moves: both the ingress controller and the Gateway's proxy reach the app", async () => {
        for (const name of ["staging", "prod"]) {
            const { matrix, ns } = await of(name);
            expect(matrix, "http", "ingress-nginx/controller", `${ns}/orchestrator`, ".");
            expect(matrix, "http", "envoy-gateway-system/envoy-proxy", `${ns}/orchestrator`, ".");
        }
    });

    it("prod with DNS-01: nothing opens the solver, so the namespace's deny blocks it", async () => {
        const { matrix, ns } = await of("prod-dns01-cluster-cidrs");
        expect(matrix, "acme-solver", "ingress-nginx/controller", `${ns}/acme-solver`, "X");
    });

    it("a shared namespace: a co-tenant pod is unaffected, in and out, and isn't admitted to the stack's pods", async () => {
        const { matrix, ns } = await of("prod-shared-namespace");
        for (const probe of ["http", "metrics", "postgresql", "https"]) {
            expect(matrix, probe, "other/random", `${ns}/co-tenant`, ".");
            expect(matrix, probe, `${ns}/co-tenant`, "other/random", ".");
        }
        expect(matrix, "dns", `${ns}/co-tenant`, "kube-system/kube-dns", ".");
        expect(matrix, "https", `${ns}/co-tenant`, "metadata/metadata", ".");
        expect(matrix, "http", `${ns}/co-tenant`, `${ns}/orchestrator`, "X");
        expect(matrix, "acme-solver", "ingress-nginx/controller", `${ns}/acme-solver`, ".");
    });

    it("a shared namespace: a co-tenant labelled as the charts' clients (<fullname>-client, <fullname>-primary-client) reaches no data store", async () => {
        const { matrix, ns, run } = await of("prod-shared-namespace");
        for (const store of ["postgresql", "redis"] as const) {
            for (const pod of storePods(run, ns, store)) {
                for (const probe of pod.probes) expect(matrix, probe, `${ns}/co-tenant`, pod.name, "X");
            }
        }
    });

    it("dev (networkPolicy.enabled: false): nothing is isolated", async () => {
        const { matrix, ns, run } = await of("dev");
        expect(matrix, "http", "other/random", `${ns}/orchestrator`, ".");
        for (const store of ["postgresql", "redis"] as const) {
            for (const pod of storePods(run, ns, store)) expect(matrix, store, "other/random", pod.name, ".");
        }
    });

    it("docs/network.md's who-talks-to-whom tables are the matrix's (tests/update-network-docs.ts writes them)", async () => {
        const tables: Record<string, string> = {};
        for (const stack of documentedStacks) {
            const { matrix, ns } = await of(stack);
            tables[stack] = talkTable(matrix, ns);
            assert.ok(tables[stack].split("\n").length > 5, `${stack}: the table lists the stack's connections`);
        }
        const doc = fs.readFileSync(path.join(projectRoot, "docs", "network.md"), "utf8");
        assert.equal(doc, withTables(doc, tables), "docs/network.md is stale: run node -r ./scripts/register-ts.cjs tests/update-network-docs.ts");
    });
});
