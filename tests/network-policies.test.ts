/**
 * The NetworkPolicy decisions (network/network-policies.ts), one rule at a time, on plain data.
 * The whole stacks' connectivity is checked by an independent simulator in network-matrix.test.ts.
 */
import { strict as assert } from "assert";
import { acmeSolverPolicySpec, checkNetworkPolicySpec, dataStoreNetworkPolicySpec, dataStorePorts, dnsEgress, extraEgressRules, extraIngressRules, ipBlockPeers, kubernetesApiEgress, namespacePolicies, portOfUrl, serviceNetworkPolicySpec } from "../network/network-policies";
import { serviceGraph } from "../network/service-graph";
import { DataStoreEndpoint, PostgresEndpoint } from "../data-tier/data-tier.args";
import { needsAcmeHttp01Solver } from "../platform/platform.resolve";
import { configSchema } from "../config/schema";
import { networkPolicySchema } from "../network/network.schema";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { vectorDbSchema } from "../application/settings.schema";
import { cidrCovers, cidrStrictlyContains } from "../lib/cidr";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig => serviceSchema.parse({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, ...overrides });
const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "llm-platform-test" };
const database: PostgresEndpoint = {
    host: "pg",
    port: 5432,
    database: "llm",
    user: "llm",
    passwordSecret: { name: "pg-auth", key: "password" },
    networkPeer: { kind: "pods", podSelector: { "app.kubernetes.io/name": "postgresql" } },
};
const redis: DataStoreEndpoint = { host: "redis.example.com", port: 6380, passwordSecret: { name: "r", key: "k" }, networkPeer: { kind: "external", cidrs: ["10.0.0.0/16"] } };
const vectorDb = vectorDbSchema.parse({ type: "qdrant", url: "https://qdrant.example.com:6333" });
const policy = networkPolicySchema.parse({});
const inputs = { selector, database, redis, vectorDb, calls: [], calledBy: [], monitoringEnabled: true };
const kubeDns = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
const dnsRule = { to: [kubeDns], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };

describe("network policies: a service", () => {
    it("ingress only from the ingress controller on http and Prometheus on metrics", () => {
        const spec = serviceNetworkPolicySpec(service({ ingress: { enabled: true, hosts: [{ host: "a.example.com" }] } }), policy, inputs);
        assert.deepEqual(spec.policyTypes, ["Ingress", "Egress"]);
        assert.deepEqual(spec.ingress, [
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9090 }] },
        ]);
    });

    it("egress only to the cluster DNS, the data stores' pods or hosts on their ports, and HTTPS APIs without the metadata address", () => {
        const spec = serviceNetworkPolicySpec(service(), policy, inputs);
        assert.deepEqual(spec.egress, [
            dnsRule,
            { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgresql" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
            { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 6380 }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6333 }] },
        ]);
    });

    it("DNS goes to the configured DNS pods only, not to every address on port 53 (the old rule had no `to`)", () => {
        assert.deepEqual(dnsEgress(policy.dns), dnsRule);
        const coreDns = networkPolicySchema.parse({ dns: { namespaceSelector: { "kubernetes.io/metadata.name": "dns" }, podSelector: {} } }).dns;
        assert.deepEqual(dnsEgress(coreDns).to, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } } }]);
    });

    it("HTTPS egress leaves out the metadata address and the cluster CIDRs it contains; a block they cover whole is dropped", () => {
        const custom = networkPolicySchema.parse({ httpsEgressCidrs: ["0.0.0.0/0", "10.1.0.0/24", "52.0.0.0/8"], clusterCidrs: ["10.0.0.0/8", "172.20.0.0/16"] });
        const spec = serviceNetworkPolicySpec(service({ connectsTo: { vectorDb: false } }), custom, inputs);
        assert.deepEqual((spec.egress as any[]).at(-1).to, [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "10.0.0.0/8", "172.20.0.0/16"] } }, { ipBlock: { cidr: "52.0.0.0/8" } }]);
        assert.deepEqual(ipBlockPeers(["::/0"], ["169.254.169.254/32", "fd00:ec2::254/128"]), [{ ipBlock: { cidr: "::/0", except: ["fd00:ec2::254/128"] } }]);
    });

    it("CIDR containment: strict inside for except, covering for dropping", () => {
        assert.ok(cidrStrictlyContains("0.0.0.0/0", "169.254.169.254/32"));
        assert.ok(!cidrStrictlyContains("10.0.0.0/8", "10.0.0.0/8"));
        assert.ok(!cidrStrictlyContains("10.0.0.0/8", "11.0.0.0/16"));
        assert.ok(!cidrStrictlyContains("10.0.0.0/8", "fd00::/8"));
        assert.ok(cidrCovers("10.0.0.0/8", "10.0.0.0/8"));
        assert.ok(cidrStrictlyContains("fd00::/8", "fd00:ec2::254/128"));
    });

    it("a frontend calling the api: egress to the api pods, and the api admits it", () => {
        const services = { api: service(), web: service({ component: "frontend", connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false, services: ["api"] } }) };
        const graph = serviceGraph(services, { instance: "i", partOf: "p" });
        const apiSelector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "i" };
        const webSelector = { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "i" };
        const webSpec = serviceNetworkPolicySpec(services.web, policy, { ...inputs, selector: webSelector, ...graph.peersOf("web") });
        assert.deepEqual(webSpec.egress, [dnsRule, { to: [{ podSelector: { matchLabels: apiSelector } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        const apiSpec = serviceNetworkPolicySpec(services.api, policy, { ...inputs, ...graph.peersOf("api") });
        assert.deepEqual((apiSpec.ingress as any[])[0], { from: [{ podSelector: { matchLabels: webSelector } }], ports: [{ protocol: "TCP", port: 8080 }] });
    });

    it("URL ports default by scheme", () => {
        assert.equal(portOfUrl("https://x.example.com"), 443);
        assert.equal(portOfUrl("http://weaviate.example.com"), 80);
        assert.equal(portOfUrl("http://weaviate.example.com:8081"), 8081);
    });
});

describe("network policies: extra rules from config", () => {
    const extras = networkPolicySchema.parse({
        extraEgress: [
            { to: [{ namespaceSelector: { "kubernetes.io/metadata.name": "search" }, podSelector: { app: "opensearch" } }], ports: [{ port: 9200 }] },
            { to: [{ cidr: "10.40.0.0/16" }], ports: [{ port: 25 }, { port: 4317, protocol: "TCP" }] },
            { to: [{ podSelector: { app: "internal-api" } }, { namespaceSelector: {} }], ports: [{ port: 8443 }] },
        ],
        extraIngress: [{ from: [{ namespaceSelector: { team: "batch" } }] }, { from: [{ cidr: "192.168.0.0/16" }], ports: [{ port: 9090 }] }],
    });

    it("egress to named workloads (another namespace, or the stack's) or CIDRs on the given ports", () => {
        assert.deepEqual(extraEgressRules(extras.extraEgress), [
            { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "search" } }, podSelector: { matchLabels: { app: "opensearch" } } }], ports: [{ protocol: "TCP", port: 9200 }] },
            { to: [{ ipBlock: { cidr: "10.40.0.0/16" } }], ports: [{ protocol: "TCP", port: 25 }, { protocol: "TCP", port: 4317 }] },
            { to: [{ podSelector: { matchLabels: { app: "internal-api" } } }, { namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 8443 }] },
        ]);
    });

    it("ingress from more peers, on the http port unless ports are given", () => {
        assert.deepEqual(extraIngressRules(extras.extraIngress, 8080), [
            { from: [{ namespaceSelector: { matchLabels: { team: "batch" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            { from: [{ ipBlock: { cidr: "192.168.0.0/16" } }], ports: [{ protocol: "TCP", port: 9090 }] },
        ]);
    });

    it("a service gets the stack's extra rules and its own, after the platform's", () => {
        const own = service({ networkPolicy: { extraEgress: [{ to: [{ cidr: "10.50.0.0/16" }], ports: [{ port: 5672 }] }] } });
        const egress = serviceNetworkPolicySpec(own, extras, inputs).egress as any[];
        assert.deepEqual(egress.slice(-4).map((rule) => rule.ports[0].port), [9200, 25, 8443, 5672]);
        const ingress = serviceNetworkPolicySpec(own, extras, inputs).ingress as any[];
        assert.deepEqual(ingress.slice(-2).map((rule) => rule.ports[0].port), [8080, 9090]);
    });

    it("refuses a peer that is both a CIDR and a selector, a bad CIDR, a bad port and a rule without ports", () => {
        const problems = (value: unknown) => networkPolicySchema.safeParse(value).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
        assert.deepEqual(problems({ extraEgress: [{ to: [{ cidr: "10.0.0.0/8", podSelector: { a: "b" } }], ports: [{ port: 80 }] }] }), [
            "extraEgress.0.to.0: a peer is either a cidr or a namespaceSelector and/or podSelector, not both or neither",
        ]);
        assert.equal(problems({ extraEgress: [{ to: [{ cidr: "10.0.0.0/33" }], ports: [{ port: 80 }] }] })?.[0].startsWith("extraEgress.0.to.0.cidr: a CIDR"), true);
        assert.deepEqual(problems({ extraEgress: [{ to: [{ cidr: "10.0.0.0/8" }], ports: [{ port: 70000 }] }] })?.map((p) => p.split(":")[0]), ["extraEgress.0.ports.0.port"]);
        assert.deepEqual(problems({ extraEgress: [{ to: [{ cidr: "10.0.0.0/8" }], ports: [] }] })?.map((p) => p.split(":")[0]), ["extraEgress.0.ports"]);
        assert.deepEqual(problems({ extraIngress: [{ from: [{ podSelector: { "bad key!": "x" } }] }] })?.map((p) => p.split(":")[0]), ["extraIngress.0.from.0.podSelector.bad key!"]);
    });
});

describe("network policies: the namespace", () => {
    const stack = { instance: "llm-platform-prod", partOf: "llm-platform" };

    it("a created namespace keeps the namespace-wide default-deny", () => {
        assert.deepEqual(namespacePolicies({ created: true, ...stack }), [{ suffix: "default-deny", name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }]);
    });

    it("a namespace the program did not create: the deny selects only the stack's pods (and its data stores') and is named after the stack", () => {
        const [deny, ...rest] = namespacePolicies({ created: false, ...stack, acmeSolverIngressFrom: [policy.ingressController] });
        assert.equal(deny.name, "llm-platform-prod-default-deny");
        assert.deepEqual(deny.spec.podSelector, {
            matchExpressions: [
                { key: "app.kubernetes.io/part-of", operator: "In", values: ["llm-platform"] },
                { key: "app.kubernetes.io/instance", operator: "In", values: ["llm-platform-prod", "llm-platform-prod-postgresql", "llm-platform-prod-redis"] },
            ],
        });
        // The solver pods are not denied there, and a policy for them would select other tenants' solvers.
        assert.deepEqual(rest, []);
        const other = namespacePolicies({ created: false, instance: "llm-platform-staging", partOf: "llm-platform" });
        assert.notEqual(other[0].name, deny.name);
    });

    it("a shared namespace's deny selects only the data stores the stack has (redis.enabled false: no Redis release, #27)", () => {
        const [deny] = namespacePolicies({ created: false, ...stack, dataStores: ["postgresql"] });
        assert.deepEqual((deny.spec.podSelector as any).matchExpressions[1].values, ["llm-platform-prod", "llm-platform-prod-postgresql"]);
    });

    it("with an ACME issuer, the solver pods admit the ingress controller on the solver port, and nothing else", () => {
        const [, solver] = namespacePolicies({ created: true, ...stack, acmeSolverIngressFrom: [policy.ingressController] });
        assert.equal(solver.name, "llm-platform-prod-acme-http01-solver");
        assert.deepEqual(solver.spec, acmeSolverPolicySpec([policy.ingressController]));
        assert.deepEqual(solver.spec, {
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ protocol: "TCP", port: 8089 }] }],
        });
    });

    it("the solver policy is wanted when an Ingress has a cert-manager issuer and the challenge is HTTP-01; DNS-01 opens nothing", () => {
        const config = (networkPolicy: unknown, ingress: unknown) =>
            configSchema.parse({ environment: "staging", networkPolicy, services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1" }, ingress } } });
        const issued = { enabled: true, hosts: [{ host: "a.example.com" }], certManagerClusterIssuer: "letsencrypt" };
        assert.equal(needsAcmeHttp01Solver(config({}, issued)), true);
        assert.equal(needsAcmeHttp01Solver(config({}, { enabled: true, hosts: [{ host: "a.example.com" }], annotations: { "cert-manager.io/issuer": "acme" } })), true);
        assert.equal(needsAcmeHttp01Solver(config({ acmeChallenge: "dns01" }, issued)), false);
        assert.equal(needsAcmeHttp01Solver(config({}, { enabled: true, hosts: [{ host: "a.example.com" }] })), false);
        assert.equal(needsAcmeHttp01Solver(config({ enabled: false }, issued)), false);
    });
});

describe("network policies: the Jobs", () => {
    it("a post-deploy check reaches only the cluster DNS and its service's pods, and admits nothing", () => {
        assert.deepEqual(checkNetworkPolicySpec({ c: "1" }, selector, 8080, policy.dns), {
            podSelector: { matchLabels: { c: "1" } },
            policyTypes: ["Ingress", "Egress"],
            egress: [dnsRule, { to: [{ podSelector: { matchLabels: selector } }], ports: [{ protocol: "TCP", port: 8080 }] }],
        });
    });
});

describe("network policies: the data stores (the program's, in place of the charts')", () => {
    const pgPods = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "llm-platform-prod-postgresql" };
    const redisPods = { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "llm-platform-prod-redis" };
    const backup = { "app.kubernetes.io/name": "postgresql-backup", "app.kubernetes.io/instance": "llm-platform-prod" };
    const monitoringNs = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
    const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
    const common = { clients: [selector, backup], prometheus: policy.prometheus, dns: policy.dns, kubernetesApi: policy.kubernetesApi };

    it("the ports: PostgreSQL 5432 between its pods and 9187 for the exporter; Redis 6379, with Sentinel 26379 between its pods and the Kubernetes API", () => {
        assert.deepEqual(dataStorePorts("postgresql", false), { port: 5432, peerPorts: [5432], metricsPort: 9187, callsKubernetesApi: false });
        assert.deepEqual(dataStorePorts("redis", false), { port: 6379, peerPorts: [6379], metricsPort: 9121, callsKubernetesApi: false });
        assert.deepEqual(dataStorePorts("redis", true), { port: 6379, peerPorts: [6379, 26379], metricsPort: 9121, callsKubernetesApi: true });
    });

    it("PostgreSQL: in, its clients on 5432, its own pods on 5432 (replication), Prometheus on 9187; out, the cluster DNS and its own pods only", () => {
        assert.deepEqual(dataStoreNetworkPolicySpec({ ...dataStorePorts("postgresql", false), selector: pgPods, ...common }), {
            podSelector: { matchLabels: pgPods },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [{ podSelector: { matchLabels: selector } }, { podSelector: { matchLabels: backup } }], ports: tcp(5432) },
                { from: [{ podSelector: { matchLabels: pgPods } }], ports: tcp(5432) },
                { from: [monitoringNs], ports: tcp(9187) },
            ],
            egress: [dnsRule, { to: [{ podSelector: { matchLabels: pgPods } }], ports: tcp(5432) }],
        });
    });

    it("DNS egress goes to the cluster DNS only: the charts' rule opened port 53 of every address", () => {
        for (const spec of [dataStoreNetworkPolicySpec({ ...dataStorePorts("postgresql", false), selector: pgPods, ...common }), dataStoreNetworkPolicySpec({ ...dataStorePorts("redis", true), selector: redisPods, ...common })]) {
            const dnsRules = (spec.egress as any[]).filter((rule) => rule.ports.some((p: any) => p.port === 53));
            assert.deepEqual(dnsRules, [dnsRule]);
            assert.ok((spec.egress as any[]).every((rule) => rule.to !== undefined || !rule.ports.some((p: any) => p.port === 53)), "no port-53 rule without a destination");
        }
    });

    it("the exporter's port admits Prometheus alone, and only with metrics; nothing else admits it", () => {
        const withMetrics = dataStoreNetworkPolicySpec({ ...dataStorePorts("postgresql", false), selector: pgPods, ...common });
        const scrapers = (withMetrics.ingress as any[]).filter((rule) => rule.ports.some((p: any) => p.port === 9187));
        assert.deepEqual(scrapers, [{ from: [monitoringNs], ports: tcp(9187) }]);
        const without = dataStoreNetworkPolicySpec({ ...dataStorePorts("postgresql", false), selector: pgPods, ...common, prometheus: undefined });
        assert.ok((without.ingress as any[]).every((rule) => !rule.ports.some((p: any) => p.port === 9187)));
        const ownPods = networkPolicySchema.parse({ prometheus: { namespaceSelector: { "kubernetes.io/metadata.name": "obs" }, podSelector: { app: "prometheus" } } }).prometheus;
        const narrowed = dataStoreNetworkPolicySpec({ ...dataStorePorts("redis", false), selector: redisPods, ...common, prometheus: ownPods });
        assert.deepEqual((narrowed.ingress as any[]).at(-1), { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "obs" } }, podSelector: { matchLabels: { app: "prometheus" } } }], ports: tcp(9121) });
    });

    it("Redis with Sentinel: clients on 6379 only; 6379 and 26379 between its pods; out, the DNS, its pods and the Kubernetes API's ports (to any address by default)", () => {
        const spec = dataStoreNetworkPolicySpec({ ...dataStorePorts("redis", true), selector: redisPods, ...common, clients: [selector] });
        assert.deepEqual(spec.ingress, [
            { from: [{ podSelector: { matchLabels: selector } }], ports: tcp(6379) },
            { from: [{ podSelector: { matchLabels: redisPods } }], ports: tcp(6379, 26379) },
            { from: [monitoringNs], ports: tcp(9121) },
        ]);
        assert.deepEqual(spec.egress, [dnsRule, { to: [{ podSelector: { matchLabels: redisPods } }], ports: tcp(6379, 26379) }, { ports: tcp(443, 6443) }]);
    });

    it("Redis without Sentinel calls no API: its egress is the DNS and its own pods on 6379", () => {
        const spec = dataStoreNetworkPolicySpec({ ...dataStorePorts("redis", false), selector: redisPods, ...common });
        assert.deepEqual(spec.egress, [dnsRule, { to: [{ podSelector: { matchLabels: redisPods } }], ports: tcp(6379) }]);
    });

    it("the Kubernetes API: its configured addresses on its ports, or its ports to any address", () => {
        assert.deepEqual(kubernetesApiEgress(policy.kubernetesApi), { ports: tcp(443, 6443) });
        const narrowed = networkPolicySchema.parse({ kubernetesApi: { cidrs: ["172.20.0.10/32", "172.20.0.11/32"], ports: [6443] } }).kubernetesApi;
        assert.deepEqual(kubernetesApiEgress(narrowed), { to: [{ ipBlock: { cidr: "172.20.0.10/32" } }, { ipBlock: { cidr: "172.20.0.11/32" } }], ports: tcp(6443) });
    });

    it("no clients (nothing connects): no client rule, which would otherwise admit every pod", () => {
        const spec = dataStoreNetworkPolicySpec({ ...dataStorePorts("redis", false), selector: redisPods, ...common, clients: [] });
        assert.ok((spec.ingress as any[]).every((rule) => Array.isArray(rule.from) && rule.from.length > 0));
    });

    it("networkPolicy.kubernetesApi is validated: CIDRs and ports, at least one port", () => {
        const problems = (value: unknown) => networkPolicySchema.safeParse({ kubernetesApi: value }).error?.issues.map((i) => i.path.join("."));
        assert.deepEqual(problems({ cidrs: ["172.20.0.10/33"], ports: [0] }), ["kubernetesApi.cidrs.0", "kubernetesApi.ports.0"]);
        assert.deepEqual(problems({ ports: [] }), ["kubernetesApi.ports"]);
        assert.deepEqual(problems({ cidr: ["10.0.0.1/32"] }), ["kubernetesApi"]);
    });
});
