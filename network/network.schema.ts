/** The schema of `networkPolicy` and of the extra allowances a service may add (`services.<name>.networkPolicy`). */
import { z } from "../validation/zod";
import { cidr, labels, networkProtocol, port } from "../validation/primitives";


const peerSelector = z.strictObject({
    /** Labels of the namespace the traffic comes from. */
    namespaceSelector: labels,
    /** Labels of the pods in it; {} means every pod of that namespace. */
    podSelector: labels.default({}),
});

/** A peer of an extra NetworkPolicy rule: in-cluster workloads by labels, or an IP block. */
const extraPeer = z
    .strictObject({
        /** Labels of the peer's namespace; unset with a podSelector: the stack's namespace. */
        namespaceSelector: labels.optional(),
        /** Labels of the peer's pods; unset with a namespaceSelector: every pod there. */
        podSelector: labels.optional(),
        /** An IP block instead of workloads, e.g. an SMTP relay outside the cluster. */
        cidr: cidr("10.40.0.0/16").optional(),
    })
    .refine((p) => (p.cidr === undefined) !== (p.namespaceSelector === undefined && p.podSelector === undefined), {
        error: "a peer is either a cidr or a namespaceSelector and/or podSelector, not both or neither",
    });

const extraPorts = z.array(z.strictObject({ port, protocol: networkProtocol.default("TCP") })).min(1);

/** Extra allowances, per stack (every service) or per service: egress to and ingress from peers. */
export const extraNetworkRulesSchema = z.strictObject({
    /** Egress to workloads or IP blocks the program doesn't know about, on the given ports. */
    extraEgress: z.array(z.strictObject({ to: z.array(extraPeer).min(1), ports: extraPorts })).default([]),
    /** Ingress from more peers; `ports` unset: the service's http port. */
    extraIngress: z.array(z.strictObject({ from: z.array(extraPeer).min(1), ports: extraPorts.optional() })).default([]),
});

export const networkPolicySchema = z.strictObject({
    /** Default-deny NetworkPolicies with only the traffic the platform needs allowed. */
    enabled: z.boolean().default(true),
    /** Where ingress traffic (on the http port) may come from. */
    ingressController: peerSelector.prefault({ namespaceSelector: { "kubernetes.io/metadata.name": "ingress-nginx" } }),
    /**
     * The Gateway's data-plane pods (its proxies), admitted to the http port (and a routed gRPC
     * port) of every service with a route; required with routes. Each implementation labels them
     * differently: docs/network.md lists Envoy Gateway's, Istio's, NGINX Gateway Fabric's, Traefik's.
     */
    gatewayDataPlane: peerSelector.optional(),
    /** Where scrapes (on the metrics port) may come from. */
    prometheus: peerSelector.prefault({ namespaceSelector: { "kubernetes.io/metadata.name": "monitoring" } }),
    /** The cluster DNS every pod may query on port 53. */
    dns: peerSelector.prefault({ namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" } }),
    /** Address ranges the LLM and vector DB APIs may be reached at, on 443 only. */
    httpsEgressCidrs: z.array(cidr("0.0.0.0/0")).default(["0.0.0.0/0"]),
    /** Left out of httpsEgressCidrs: the cloud metadata address by default. */
    httpsEgressExcept: z.array(cidr("169.254.169.254/32")).default(["169.254.169.254/32"]),
    /** The cluster's pod and service CIDRs, also left out of httpsEgressCidrs: in-cluster traffic goes by the rules. */
    clusterCidrs: z.array(cidr("10.0.0.0/8")).default([]),
    /** How cert-manager solves ACME challenges: http01 admits the ingress controller (Ingress) or the Gateway's data plane (the stack's Gateway) to its solver pods; dns01 opens nothing. */
    acmeChallenge: z.enum(["http01", "dns01"]).default("http01"),
    /**
     * The Kubernetes API server, which Redis Sentinel's kubectl sidecar calls to label the elected
     * master (no other pod of the stack calls it). A NetworkPolicy sees the API server's endpoint
     * addresses and ports, after the `kubernetes` Service's translation.
     */
    kubernetesApi: z
        .strictObject({
            /** The API server's endpoint addresses; empty: any address, on `ports` only. */
            cidrs: z.array(cidr("172.20.0.10/32")).default([]),
            /** Its ports: 443 (managed control planes) and 6443 (kubeadm, kind, k3s). */
            ports: z.array(port).min(1).default([443, 6443]),
        })
        .prefault({}),
    ...extraNetworkRulesSchema.shape,
});
export type NetworkPolicyConfig = z.infer<typeof networkPolicySchema>;
export type ExtraNetworkRules = z.infer<typeof extraNetworkRulesSchema>;
