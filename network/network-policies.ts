/**
 * Every NetworkPolicy a stack creates, as pure decisions: which pods may talk to which, on which
 * ports, in both directions. The services' policies, the post-deploy checks' and migrations', the
 * namespace's default-deny and cert-manager's HTTP-01 solver policy are built here from the same
 * labels and selectors as everything else (lib/labels.ts, service-graph.ts); the components only
 * register what these functions return. The data stores' policies are the program's too (the
 * Bitnami charts' own are turned off: see `dataStoreNetworkPolicySpec`), with their clients from
 * service-graph.ts. docs/network.md shows the result per stack.
 *
 * Each rule is its own function, so a new allowance is one more function in the list of
 * `serviceIngressRules` or `serviceEgressRules`.
 */
import type { ExtraNetworkRules, NetworkPolicyConfig } from "./network.schema";
import type { ServiceConfig } from "../application/service.schema";
import type { VectorDbConfig } from "../application/settings.schema";
import { DataStoreKind, postgresMetricsPort, postgresPort, redisMetricsPort, redisPort, releaseNames, sentinelPort } from "../lib/bitnami-charts";
import { cidrCovers, cidrStrictlyContains } from "../lib/cidr";
import { Labels } from "../lib/labels";
import * as k8s from "../platform/k8s";
import { WorkloadPeer } from "./network.args";
import { DataStoreEndpoint, NetworkPeer } from "../data-tier/data-tier.args";
import { PeerSelector, KubernetesApi } from "./network.args";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type NetworkPolicyIngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type NetworkPolicyEgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type NetworkPolicyPort = k8s.types.input.networking.v1.NetworkPolicyPort;

/** Where HTTPS egress may go: these blocks, less the excluded ones. */
export interface HttpsEgress {
    readonly cidrs: readonly string[];
    readonly excluded: readonly string[];
}

/** The data stores a workload may connect to. */
export interface DataStores {
    readonly database?: DataStoreEndpoint;
    readonly redis?: DataStoreEndpoint;
}

const tcp = (port: number): NetworkPolicyPort => ({ protocol: "TCP", port });

/**
 * A peer selected by namespace and pod labels. The API server drops an empty pod selector, so a
 * spec that held one would differ from the stored object on every apply.
 */
export function selectorPeer(peer: PeerSelector): NetworkPolicyPeer {
    return {
        namespaceSelector: { matchLabels: peer.namespaceSelector },
        ...(Object.keys(peer.podSelector).length > 0 ? { podSelector: { matchLabels: peer.podSelector } } : {}),
    };
}

/** DNS: port 53 (UDP and TCP) of the cluster DNS pods only, not of every address. */
export function dnsEgress(dns: PeerSelector): NetworkPolicyEgressRule {
    return { to: [selectorPeer(dns)], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] };
}

/** The blocks HTTPS egress leaves out: the configured exceptions (the metadata address) and the cluster's CIDRs. */
export function excludedBlocks(policy: { readonly httpsEgressExcept: readonly string[]; readonly clusterCidrs: readonly string[] }): string[] {
    return [...new Set([...policy.httpsEgressExcept, ...policy.clusterCidrs])];
}

/**
 * ipBlock peers for `cidrs` without the `excluded` blocks. The API server accepts an `except`
 * entry only strictly inside its cidr, so each block lists the exclusions it contains, and a
 * block that an exclusion covers whole is dropped.
 */
export function ipBlockPeers(cidrs: readonly string[], excluded: readonly string[]): NetworkPolicyPeer[] {
    return cidrs
        .filter((cidr) => !excluded.some((block) => cidrCovers(block, cidr)))
        .map((cidr) => {
            const except = excluded.filter((block) => cidrStrictlyContains(cidr, block));
            return { ipBlock: { cidr, ...(except.length > 0 ? { except } : {}) } };
        });
}

/** The peers a NetworkPolicy rule allows for a data store: its pods, or its addresses. */
export function dataStorePeers(peer: NetworkPeer): NetworkPolicyPeer[] {
    return peer.kind === "pods" ? [{ podSelector: { matchLabels: peer.podSelector } }] : peer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

/** The port of a URL, with the scheme's default. */
export function portOfUrl(url: string): number {
    const parsed = new URL(url);
    return parsed.port ? Number(parsed.port) : parsed.protocol === "http:" ? 80 : 443;
}

/** Egress to DNS and to the data stores a workload connects to. */
export function dataStoreEgress(service: Pick<ServiceConfig, "connectsTo">, stores: DataStores, dns: PeerSelector): NetworkPolicyEgressRule[] {
    const egress: NetworkPolicyEgressRule[] = [dnsEgress(dns)];
    for (const store of [service.connectsTo.postgresql ? stores.database : undefined, service.connectsTo.redis ? stores.redis : undefined]) {
        if (store) egress.push({ to: dataStorePeers(store.networkPeer), ports: [tcp(store.port)] });
    }
    return egress;
}

/** A peer of an extra rule from config: an IP block, or workloads by labels (the stack's namespace without a namespaceSelector). */
export function extraPeer(peer: ExtraNetworkRules["extraEgress"][number]["to"][number]): NetworkPolicyPeer {
    if (peer.cidr !== undefined) return { ipBlock: { cidr: peer.cidr } };
    // An empty selector matches everything and the API server stores it as {}, without matchLabels.
    const selector = (labels: Labels) => (Object.keys(labels).length > 0 ? { matchLabels: labels } : {});
    return {
        ...(peer.namespaceSelector !== undefined ? { namespaceSelector: selector(peer.namespaceSelector) } : {}),
        ...(peer.podSelector !== undefined && (Object.keys(peer.podSelector).length > 0 || peer.namespaceSelector === undefined)
            ? { podSelector: selector(peer.podSelector) }
            : {}),
    };
}

/** The extra egress rules of config, as they are. */
export function extraEgressRules(rules: ExtraNetworkRules["extraEgress"]): NetworkPolicyEgressRule[] {
    return rules.map((rule) => ({ to: rule.to.map(extraPeer), ports: rule.ports.map((p) => ({ protocol: p.protocol, port: p.port })) }));
}

/** The extra ingress rules of config; a rule without ports opens `defaultPort` (the http port). */
export function extraIngressRules(rules: ExtraNetworkRules["extraIngress"], defaultPort: number): NetworkPolicyIngressRule[] {
    return rules.map((rule) => ({
        from: rule.from.map(extraPeer),
        ports: rule.ports ? rule.ports.map((p) => ({ protocol: p.protocol, port: p.port })) : [tcp(defaultPort)],
    }));
}

/** What a service's NetworkPolicy must allow beyond its own config. */
export interface ServicePolicyInputs extends DataStores {
    readonly selector: Labels;
    readonly vectorDb: VectorDbConfig;
    /** Services of the stack this one calls. */
    readonly calls: readonly WorkloadPeer[];
    /** Pods that call this service on its http port (other services, the post-deploy check). */
    readonly calledBy: readonly Labels[];
    readonly monitoringEnabled: boolean;
    /** Vault's address, opened for services that read Vault themselves. */
    readonly vaultAddress?: string;
}

/** The ports the Service serves on the container: http and the extra ports (their target ports). */
function servedPorts(service: ServiceConfig): NetworkPolicyPort[] {
    return [tcp(service.ports.http), ...service.service.extraPorts.map((p) => ({ protocol: p.protocol, port: p.targetPort ?? p.port }))];
}

type IngressRuleOf = (service: ServiceConfig, policy: NetworkPolicyConfig, inputs: ServicePolicyInputs) => NetworkPolicyIngressRule[];
type EgressRuleOf = (service: ServiceConfig, policy: NetworkPolicyConfig, inputs: ServicePolicyInputs) => NetworkPolicyEgressRule[];

/** The ingress controller to the http port, when the service has an Ingress. */
export const ingressControllerIngress: IngressRuleOf = (service, policy) =>
    service.ingress.enabled ? [{ from: [selectorPeer(policy.ingressController)], ports: [tcp(service.ports.http)] }] : [];

/** The Gateway's data plane to the http port and the routed gRPC port, when the service has a route. */
export const gatewayIngress: IngressRuleOf = (service, policy) => {
    if (!service.route.enabled || !policy.gatewayDataPlane) return [];
    const grpc = service.service.extraPorts.find((p) => p.name === service.route.grpcPort);
    return [{ from: [selectorPeer(policy.gatewayDataPlane)], ports: [tcp(service.ports.http), ...(grpc ? [{ protocol: grpc.protocol, port: grpc.targetPort ?? grpc.port }] : [])] }];
};

/**
 * The load balancer's source ranges (unset: any address) to the served ports, when the Service is
 * reachable from outside the cluster (NodePort, LoadBalancer).
 */
export const externalServiceIngress: IngressRuleOf = (service) => {
    if (service.service.type === "ClusterIP") return [];
    const ranges = service.service.loadBalancerSourceRanges.length > 0 ? service.service.loadBalancerSourceRanges : ["0.0.0.0/0"];
    return [{ from: ranges.map((cidr) => ({ ipBlock: { cidr } })), ports: servedPorts(service) }];
};

/** The stack's callers (other services, the post-deploy check) to the served ports. */
export const callerIngress: IngressRuleOf = (service, _policy, inputs) =>
    inputs.calledBy.length > 0 ? [{ from: inputs.calledBy.map((labels) => ({ podSelector: { matchLabels: labels } })), ports: servedPorts(service) }] : [];

/** Prometheus to the metrics port, when metrics and monitoring are on. */
export const prometheusIngress: IngressRuleOf = (service, policy, inputs) =>
    service.metrics.enabled && inputs.monitoringEnabled ? [{ from: [selectorPeer(policy.prometheus)], ports: [tcp(service.ports.metrics)] }] : [];

/** The stack's and the service's extra ingress from config. */
export const configuredIngress: IngressRuleOf = (service, policy) =>
    extraIngressRules([...policy.extraIngress, ...service.networkPolicy.extraIngress], service.ports.http);

/** The ingress rules of a service, in order. */
export const serviceIngressRules: readonly IngressRuleOf[] = [ingressControllerIngress, gatewayIngress, externalServiceIngress, callerIngress, prometheusIngress, configuredIngress];

/** DNS and the data stores the service connects to. */
export const dataStoreEgressOf: EgressRuleOf = (service, policy, inputs) => dataStoreEgress(service, inputs, policy.dns);

/** The services of the stack it calls, on their http ports. */
export const callEgress: EgressRuleOf = (_service, _policy, inputs) =>
    inputs.calls.map((peer) => ({ to: [{ podSelector: { matchLabels: peer.selector } }], ports: [tcp(peer.port)] }));

/**
 * The LLM and vector DB APIs: the configured CIDRs on 443 (and the vector DB URL's port), without
 * the metadata address and the cluster's own blocks.
 */
export const apiEgress: EgressRuleOf = (service, policy, inputs) => {
    const ports = new Set<number>();
    if (service.connectsTo.llmProviders) ports.add(443);
    if (service.connectsTo.vectorDb && inputs.vectorDb.type !== "none" && inputs.vectorDb.url) ports.add(portOfUrl(inputs.vectorDb.url));
    const to = ipBlockPeers(policy.httpsEgressCidrs, excludedBlocks(policy));
    if (ports.size === 0 || to.length === 0) return [];
    return [{ to, ports: [...ports].sort((a, b) => a - b).map(tcp) }];
};

/** Tracing's OTLP endpoint and Vault go wherever their URLs point (often in the cluster): their ports, to any destination. */
export const toolEgress: EgressRuleOf = (service, _policy, inputs) => {
    const tracing = service.settings.tracing;
    const ports = [
        ...(tracing.enabled && tracing.otlpEndpoint ? [portOfUrl(tracing.otlpEndpoint)] : []),
        ...(service.settings.vault.enabled && inputs.vaultAddress ? [portOfUrl(inputs.vaultAddress)] : []),
    ];
    return ports.length > 0 ? [{ ports: [...new Set(ports)].map(tcp) }] : [];
};

/** The stack's and the service's extra egress from config. */
export const configuredEgress: EgressRuleOf = (service, policy) => extraEgressRules([...policy.extraEgress, ...service.networkPolicy.extraEgress]);

/** The egress rules of a service, in order. */
export const serviceEgressRules: readonly EgressRuleOf[] = [dataStoreEgressOf, callEgress, toolEgress, apiEgress, configuredEgress];

/**
 * The NetworkPolicy of a service. With both policy types listed, everything not allowed here is
 * denied: ingress only from the ingress controller (http), Prometheus (metrics), the stack's own
 * callers and configured peers; egress only to the cluster DNS, the data stores, the services it
 * calls, the HTTPS APIs and configured peers.
 */
export function serviceNetworkPolicySpec(service: ServiceConfig, policy: NetworkPolicyConfig, inputs: ServicePolicyInputs): NetworkPolicySpec {
    const ingress = serviceIngressRules.flatMap((rule) => rule(service, policy, inputs));
    const egress = serviceEgressRules.flatMap((rule) => rule(service, policy, inputs));
    // The API server drops an empty rule list, so a spec that held one would differ on every apply.
    return { podSelector: { matchLabels: inputs.selector }, policyTypes: ["Ingress", "Egress"], ...(ingress.length > 0 ? { ingress } : {}), egress };
}

/**
 * The NetworkPolicy of the PostgreSQL jobs' pods (backup, restore, password sync): nothing in; the
 * cluster DNS and PostgreSQL's pods on its port out, and with `https` (the backup uploader) HTTPS
 * to those blocks, without the excluded ones (the metadata address, the cluster's CIDRs).
 */
export function postgresJobNetworkPolicySpec(selector: Labels, postgres: Labels, dns: PeerSelector, https?: HttpsEgress): NetworkPolicySpec {
    const to = https ? ipBlockPeers(https.cidrs, https.excluded) : [];
    return {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress", "Egress"],
        egress: [
            dnsEgress(dns),
            { to: [{ podSelector: { matchLabels: postgres } }], ports: [tcp(postgresPort)] },
            ...(to.length > 0 ? [{ to, ports: [tcp(443)] }] : []),
        ],
    };
}

/** A post-deploy check's NetworkPolicy: the cluster DNS and the checked service's pods on its port out; nothing in. */
export function checkNetworkPolicySpec(check: Labels, target: Labels, port: number, dns: PeerSelector): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: check },
        policyTypes: ["Ingress", "Egress"],
        egress: [dnsEgress(dns), { to: [{ podSelector: { matchLabels: target } }], ports: [tcp(port)] }],
    };
}

/** A migration's NetworkPolicy: the cluster DNS and the data stores the service connects to out; nothing in. */
export function migrationNetworkPolicySpec(service: Pick<ServiceConfig, "connectsTo">, selector: Labels, stores: DataStores, dns: PeerSelector): NetworkPolicySpec {
    return { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"], egress: dataStoreEgress(service, stores, dns) };
}

/** What a data store's pods serve and call, as its NetworkPolicy sees them. */
export interface DataStorePorts {
    /** The port clients connect to. */
    readonly port: number;
    /** The ports the release's pods use among themselves: replication, and Sentinel's. */
    readonly peerPorts: readonly number[];
    /** The exporter sidecar's port. */
    readonly metricsPort: number;
    /** Whether its pods call the Kubernetes API: Redis Sentinel's kubectl sidecar labels the elected master. */
    readonly callsKubernetesApi: boolean;
}

/**
 * The ports of a data store's release. PostgreSQL's read replicas stream from the primary on its
 * port; Redis replicas follow the master on 6379 and, with Sentinel, the Sentinels talk on 26379,
 * which clients never need (they write through the master Service).
 */
export function dataStorePorts(store: DataStoreKind, sentinel: boolean): DataStorePorts {
    return store === "postgresql"
        ? { port: postgresPort, peerPorts: [postgresPort], metricsPort: postgresMetricsPort, callsKubernetesApi: false }
        : { port: redisPort, peerPorts: sentinel ? [redisPort, sentinelPort] : [redisPort], metricsPort: redisMetricsPort, callsKubernetesApi: sentinel };
}

/**
 * Egress to the Kubernetes API: its ports to its addresses, or to any address when none are given.
 * A rule without `to` is also the one form every CNI applies to a control plane on the nodes'
 * host network, which some (Cilium) never match by ipBlock.
 */
export function kubernetesApiEgress(api: KubernetesApi): NetworkPolicyEgressRule {
    return { ...(api.cidrs.length > 0 ? { to: api.cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: api.ports.map(tcp) };
}

/** What a data store's NetworkPolicy admits and lets out. */
export interface DataStorePolicyInputs extends DataStorePorts {
    /** The release's pods: every StatefulSet of the chart. */
    readonly selector: Labels;
    /** The pods that connect to it: the services, their migrations, the store's own jobs. */
    readonly clients: readonly Labels[];
    /** Prometheus, admitted to the exporter's port; unset without metrics. */
    readonly prometheus?: PeerSelector;
    readonly dns: PeerSelector;
    /** Where the Kubernetes API is, for pods that call it (`callsKubernetesApi`). */
    readonly kubernetesApi: KubernetesApi;
}

/**
 * The NetworkPolicy of a data store's pods, which the program owns instead of the chart: in, its
 * clients on its port, its own pods on the peer ports, Prometheus on the exporter's port; out, the
 * cluster DNS, its own pods on the peer ports and (Sentinel) the Kubernetes API. The pinned charts'
 * own policies cannot be narrowed to this: their egress always opens port 53 to every address,
 * their ingress admits any pod labelled "<fullname>-client" (and, for PostgreSQL, opens the
 * exporter's port to those pods), and with Sentinel, Redis's egress is everything.
 */
export function dataStoreNetworkPolicySpec(inputs: DataStorePolicyInputs): NetworkPolicySpec {
    const own: NetworkPolicyPeer = { podSelector: { matchLabels: inputs.selector } };
    const peerPorts = inputs.peerPorts.map(tcp);
    const ingress: NetworkPolicyIngressRule[] = [
        ...(inputs.clients.length > 0 ? [{ from: inputs.clients.map((labels) => ({ podSelector: { matchLabels: labels } })), ports: [tcp(inputs.port)] }] : []),
        { from: [own], ports: peerPorts },
        ...(inputs.prometheus ? [{ from: [selectorPeer(inputs.prometheus)], ports: [tcp(inputs.metricsPort)] }] : []),
    ];
    const egress: NetworkPolicyEgressRule[] = [
        dnsEgress(inputs.dns),
        { to: [own], ports: peerPorts },
        ...(inputs.callsKubernetesApi ? [kubernetesApiEgress(inputs.kubernetesApi)] : []),
    ];
    return { podSelector: { matchLabels: inputs.selector }, policyTypes: ["Ingress", "Egress"], ingress, egress };
}

/** cert-manager's ACME HTTP-01 solver pods: the label cert-manager gives them and the port they serve the token on. */
export const acmeHttp01Solver = { labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;

/** The solver pods admit the ingress controller or the Gateway's data plane (whichever serves the challenge) on the solver port; they call nothing. */
export function acmeSolverPolicySpec(from: readonly PeerSelector[]): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { ...acmeHttp01Solver.labels } },
        policyTypes: ["Ingress"],
        ingress: [{ from: from.map(selectorPeer), ports: [tcp(acmeHttp01Solver.port)] }],
    };
}

/**
 * The pods of one stack: its part-of label and its instance, or one of its data stores' releases
 * (the charts label their pods with the release as instance).
 */
export function stackPodSelector(stack: { readonly instance: string; readonly partOf: string; readonly dataStores?: readonly DataStoreKind[] }): k8s.types.input.meta.v1.LabelSelector {
    const instances = [stack.instance, ...(stack.dataStores ?? ["postgresql", "redis"]).map((store) => releaseNames(stack.instance, store).release)];
    return {
        matchExpressions: [
            { key: "app.kubernetes.io/part-of", operator: "In", values: [stack.partOf] },
            { key: "app.kubernetes.io/instance", operator: "In", values: instances },
        ],
    };
}

/** What decides the namespace-level policies of a stack. */
export interface NamespacePolicyInputs {
    /** The program created the namespace (it belongs to the stack alone). */
    readonly created: boolean;
    readonly instance: string;
    readonly partOf: string;
    /** The data stores the stack has, whose release pods its default-deny selects in a shared namespace; unset, both. */
    readonly dataStores?: readonly DataStoreKind[];
    /** Admit these peers to cert-manager's HTTP-01 solver pods; unset or empty, no solver policy. */
    readonly acmeSolverIngressFrom?: readonly PeerSelector[];
}

/** A NetworkPolicy to create: the suffix of its resource name, its object name and its spec. */
export interface NamedPolicy {
    readonly suffix: string;
    readonly name: string;
    readonly spec: NetworkPolicySpec;
}

/**
 * The namespace-level policies. In a namespace the program created, the default-deny selects
 * every pod ("default-deny", as before) and the solver pods, which the deny cuts off from the
 * ingress controller, get their own policy. In a namespace it did not create (shared with other
 * workloads), the deny selects only this stack's pods and is named after the stack, so neither
 * other workloads nor a second stack's deny are touched; the solver pods are not denied there, so
 * no solver policy is made for them (it would select other tenants' solvers too).
 */
export function namespacePolicies(inputs: NamespacePolicyInputs): NamedPolicy[] {
    const deny: NamedPolicy = inputs.created
        ? { suffix: "default-deny", name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }
        : { suffix: "default-deny", name: `${inputs.instance}-default-deny`, spec: { podSelector: stackPodSelector(inputs), policyTypes: ["Ingress", "Egress"] } };
    const solver: NamedPolicy[] =
        inputs.created && inputs.acmeSolverIngressFrom && inputs.acmeSolverIngressFrom.length > 0
            ? [{ suffix: "acme-solver", name: `${inputs.instance}-acme-http01-solver`, spec: acmeSolverPolicySpec(inputs.acmeSolverIngressFrom) }]
            : [];
    return [deny, ...solver];
}

/**
 * Loki's NetworkPolicy, in the monitoring namespace: its pods admit the log collector and Grafana
 * on Loki's HTTP port, and one another on every port (memberlist and gRPC between the read,
 * write and backend pods); nothing else. Egress stays open (object storage).
 */
export function lokiNetworkPolicySpec(loki: Labels, clients: readonly Labels[], httpPort: number): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: loki },
        policyTypes: ["Ingress"],
        ingress: [
            { from: clients.map((c) => ({ podSelector: { matchLabels: c } })), ports: [tcp(httpPort)] },
            { from: [{ podSelector: { matchLabels: loki } }] },
        ],
    };
}
