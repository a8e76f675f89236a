/** The network's contract: peers, selectors and the stack identity the NetworkPolicies are derived from. */
import type * as pulumi from "@pulumi/pulumi";
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

/** One listener of the stack's Gateway, resolved: an HTTPS one has its TLS Secret. */
export interface GatewayListenerSpec {
    readonly name: string;
    readonly protocol: "HTTP" | "HTTPS";
    readonly port: number;
    /** The host (or "*.domain") it takes; unset, every host. */
    readonly hostname?: string;
    /** An HTTPS listener's certificate: the Secret and, when not the Gateway's, its namespace. */
    readonly certificate?: { readonly name: string; readonly namespace?: string };
}

/** The Gateway (gateway.networking.k8s.io/v1) the stack owns. */
export interface GatewayArgs {
    /** The namespace of the Gateway. */
    readonly namespace: pulumi.Input<string>;
    /** The Gateway's name. */
    readonly name: string;
    /** Its GatewayClass. */
    readonly className: string;
    readonly listeners: readonly GatewayListenerSpec[];
    /** Which namespaces' routes every listener admits. @default "Same" */
    readonly allowedRoutesFrom?: "Same" | "All";
    /** cert-manager's ClusterIssuer, as cert-manager.io/cluster-issuer: it issues each HTTPS listener's certificate into its Secret. @default none */
    readonly certManagerClusterIssuer?: string;
    /** More annotations of the Gateway. @default {} */
    readonly annotations?: Readonly<Record<string, string>>;
    /** The labels of the Gateway and its ReferenceGrants. */
    readonly labels: Labels;
}

/** GatewayArgs' fields that exist only at deploy time. */
export type GatewayDeployInputs = "namespace";
