/** The platform's contract: what PlatformNamespace and DestroyGuard take, and where a chart comes from. */
import type * as pulumi from "@pulumi/pulumi";
import type { DataStoreKind } from "../lib/bitnami-charts";
import type { Labels } from "../lib/labels";
import type { PeerSelector } from "../network/network.args";

export interface PlatformNamespaceArgs {
    /** The namespace's name. */
    readonly name: string;
    /** Create it (true) or use one that already exists (false). @default true */
    readonly create?: boolean;
    /** Extra labels on a created namespace, e.g. Pod Security admission labels. @default {} */
    readonly labels?: Labels;
    /** Extra annotations on a created namespace. @default {} */
    readonly annotations?: Record<string, string>;
    /**
     * Deny the pod traffic that a NetworkPolicy does not allow: for every pod of a created
     * namespace, for the stack's own pods only in one that exists. @default false
     */
    readonly defaultDeny?: boolean;
    /** app.kubernetes.io/part-of of the objects created. */
    readonly partOf: string;
    /** app.kubernetes.io/instance of the stack's pods: selects them, and names its policies, in a shared namespace. */
    readonly instance: string;
    /**
     * The data stores the stack has (postgresql, redis): in a shared namespace, the default-deny
     * selects their releases' pods beside the stack's. @default both
     */
    readonly dataStores?: readonly DataStoreKind[];
    /**
     * With the default-deny, admit these peers (the ingress controller, the Gateway's data plane)
     * to cert-manager's ACME HTTP-01 solver pods on the solver port. @default no solver policy
     */
    readonly acmeSolverIngressFrom?: readonly PeerSelector[];
}


export interface DestroyGuardArgs {
    /** The namespace of the guard's ConfigMap. */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the platform. */
    readonly instance: string;
    /** app.kubernetes.io/part-of of the platform. */
    readonly partOf: string;
    /**
     * Everything the guard protects: the stack's components (a component stands for every
     * resource in it; absent ones are skipped). The guard depends on each of them, so the engine
     * must delete it first.
     */
    readonly guards: readonly (pulumi.Resource | undefined)[];
    /**
     * The URNs of the objects of the Helm charts among them (ChartWithObjects.objects): the
     * provider registers a chart's objects itself, so a dependency on the component holding the
     * chart doesn't reach them (platform/chart-objects.ts). Absent ones are skipped.
     */
    readonly chartObjects: readonly (pulumi.Output<string[]> | undefined)[];
    /** Protect the guard: a destroy then fails before it deletes anything. */
    readonly protect: boolean;
}



/** Where a chart comes from (the resolved `chart` block of a data-tier config section). */
export interface ChartSourceSpec {
    /** An OCI registry path (oci://…) or a Helm repository URL (https://…) that holds the chart. */
    readonly repository: string;
    /** The chart's name in that repository. */
    readonly name: string;
    /** The chart version. Ignored when `path` is set. */
    readonly version: string;
    /** A local chart directory or .tgz; when set, it is used instead of the repository. */
    readonly path?: string;
}
