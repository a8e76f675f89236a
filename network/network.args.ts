/** The network's contract: peers, selectors and the stack identity the NetworkPolicies are derived from. */
import type { Labels } from "../lib/labels";
import type { NetworkPolicyConfig } from "./network.schema";


/** Pods in other namespaces, by their namespace's labels and their own ({} for every pod there). */
export type PeerSelector = NetworkPolicyConfig["ingressController"];

/** Where the Kubernetes API server is, for a NetworkPolicy (`networkPolicy.kubernetesApi`). */
export interface KubernetesApi {
    /** Its endpoint addresses; empty: any address on `ports`. */
    readonly cidrs: readonly string[];
    readonly ports: readonly number[];
}



/** Another workload of the stack, as a NetworkPolicy peer. */
export interface WorkloadPeer {
    readonly selector: Labels;
    readonly port: number;
}

/** A service's place in the graph. */
export interface ServicePeers {
    /** The services it calls, on their http ports. */
    readonly calls: readonly WorkloadPeer[];
    /** The pods of the services that call it. */
    readonly calledBy: readonly Labels[];
}
