/**
 * Proof by an engine nobody here wrote (#15): cyclonus simulates each stack's NetworkPolicies (the
 * recorded objects, plus a model of the data-tier charts' policies: tests/network-matrix.ts) on a
 * cluster model, and the expected allowed and denied connections are asserted cell by cell.
 * In CI, which builds cyclonus, a missing simulator fails; elsewhere the suite is skipped with the
 * command that builds it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProgramRun, projectRoot, runStack } from "./mocks";
import { Matrix, cell, connectivityMatrix, documentedStacks, talkTable, withTables } from "./network-matrix";
import { describeWithTool } from "./toolchain";

const variations: Record<string, { run: () => Promise<ProgramRun>; coTenant: boolean }> = {
    dev: { run: () => runStack("dev"), coTenant: false },
    staging: { run: () => runStack("staging"), coTenant: false },
    prod: { run: () => runStack("prod"), coTenant: false },
    /** DNS-01 challenges, and the cluster's pod CIDR given (the model's pods are in 10.0.0.0/8). */
    "prod-dns01-cluster-cidrs": { run: () => runStack("prod", { set: { networkPolicy: { acmeChallenge: "dns01", clusterCidrs: ["10.0.0.0/8"] } } }), coTenant: false },
    "prod-shared-namespace": { run: () => runStack("prod", { set: { namespace: { name: "shared-team", create: false } } }), coTenant: true },
};

describeWithTool("cyclonus", "network matrix: the stacks' NetworkPolicies simulated by cyclonus", (cyclonus) => {
    const matrices = new Map<string, { matrix: Matrix; ns: string }>();
    const of = async (name: string) => {
        if (!matrices.has(name)) {
            const run = await variations[name].run();
            matrices.set(name, { matrix: connectivityMatrix(cyclonus, { run, coTenant: variations[name].coTenant }), ns: run.outputs.namespaceName as string });
        }
        return matrices.get(name)!;
    };
    const expect = (m: Matrix, probe: string, from: string, to: string, want: "." | "X") =>
        assert.equal(cell(m, probe, from, to), want, `${probe}: ${from} -> ${to} should be ${want === "." ? "allowed" : "denied"}`);

    for (const name of ["staging", "prod", "prod-dns01-cluster-cidrs", "prod-shared-namespace"]) {
        describe(name, () => {
            it("ingress controller -> app http allowed; Prometheus -> metrics allowed; a random pod -> app denied", async () => {
                const { matrix, ns } = await of(name);
                expect(matrix, "http", "ingress-nginx/controller", `${ns}/orchestrator`, ".");
                expect(matrix, "metrics", "monitoring/prometheus", `${ns}/orchestrator`, ".");
                expect(matrix, "http", "other/random", `${ns}/orchestrator`, "X");
                expect(matrix, "metrics", "other/random", `${ns}/orchestrator`, "X");
            });

            it("app -> postgres and redis allowed; a random pod -> postgres and redis denied (the charts' modelled policies)", async () => {
                const { matrix, ns } = await of(name);
                expect(matrix, "postgresql", `${ns}/orchestrator`, `${ns}/postgresql`, ".");
                expect(matrix, "redis", `${ns}/orchestrator`, `${ns}/redis`, ".");
                expect(matrix, "postgresql", "other/random", `${ns}/postgresql`, "X");
                expect(matrix, "redis", "other/random", `${ns}/redis`, "X");
                expect(matrix, "postgresql", `${ns}/orchestrator-check`, `${ns}/postgresql`, "X");
            });

            it("app -> a random pod in another namespace denied; DNS only to kube-dns; HTTPS to the Internet but not the metadata address", async () => {
                const { matrix, ns } = await of(name);
                for (const probe of ["http", "postgresql", "dns"]) expect(matrix, probe, `${ns}/orchestrator`, "other/random", "X");
                // Port 443 of in-cluster pods is inside httpsEgressCidrs unless clusterCidrs leaves the cluster out.
                expect(matrix, "https", `${ns}/orchestrator`, "other/random", name === "prod-dns01-cluster-cidrs" ? "X" : ".");
                expect(matrix, "dns", `${ns}/orchestrator`, "kube-system/kube-dns", ".");
                expect(matrix, "https", `${ns}/orchestrator`, "internet/api", ".");
                expect(matrix, "https", `${ns}/orchestrator`, "metadata/metadata", "X");
            });

            it("the post-deploy check reaches its service", async () => {
                const { matrix, ns } = await of(name);
                expect(matrix, "http", `${ns}/orchestrator-check`, `${ns}/orchestrator`, ".");
                expect(matrix, "http", `${ns}/orchestrator-check`, "other/random", "X");
            });
        });
    }

    it("staging and prod (ACME issuer, HTTP-01): the solver pod is reachable from the ingress controller only", async () => {
        for (const name of ["staging", "prod"]) {
            const { matrix, ns } = await of(name);
            expect(matrix, "acme-solver", "ingress-nginx/controller", `${ns}/acme-solver`, ".");
            expect(matrix, "acme-solver", "other/random", `${ns}/acme-solver`, "X");
            expect(matrix, "acme-solver", `${ns}/orchestrator`, `${ns}/acme-solver`, "X");
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

    it("dev (networkPolicy.enabled: false): nothing is isolated", async () => {
        const { matrix, ns } = await of("dev");
        expect(matrix, "http", "other/random", `${ns}/orchestrator`, ".");
        expect(matrix, "postgresql", "other/random", `${ns}/postgresql`, ".");
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
