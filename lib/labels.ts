/**
 * The recommended Kubernetes labels, defined once. Every object a component creates carries
 * `standardLabels`, and every selector (Deployment, Service, PDB, NetworkPolicy, ServiceMonitor)
 * is `selectorLabels` of the same identity, so the two can never drift apart.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** Who a workload is. */
export interface WorkloadIdentity {
    /** app.kubernetes.io/name: the application, e.g. "orchestrator". */
    readonly name: string;
    /** app.kubernetes.io/instance: this installation of it, e.g. "llm-platform-prod". */
    readonly instance: string;
    /** app.kubernetes.io/component: its role, e.g. "api", "frontend", "database". */
    readonly component: string;
    /** app.kubernetes.io/part-of: the larger application, e.g. "llm-platform". */
    readonly partOf: string;
    /** app.kubernetes.io/version: e.g. the image tag. Never part of a selector: it changes on upgrade. */
    readonly version?: string;
}

export type Labels = Record<string, string>;

export const managedBy = "pulumi";

/** The immutable subset that selects a workload's pods. */
export function selectorLabels(id: WorkloadIdentity): Labels {
    return {
        "app.kubernetes.io/name": id.name,
        "app.kubernetes.io/instance": id.instance,
    };
}

/** All recommended labels, for every object's metadata and the pod template. */
export function standardLabels(id: WorkloadIdentity): Labels {
    return {
        ...selectorLabels(id),
        ...(id.version === undefined ? {} : { "app.kubernetes.io/version": labelValue(id.version) }),
        "app.kubernetes.io/component": id.component,
        "app.kubernetes.io/part-of": id.partOf,
        "app.kubernetes.io/managed-by": managedBy,
    };
}

/**
 * The labels of a service's objects that don't run its image (its Service, ServiceAccount,
 * ConfigMap, PDB, HPA, NetworkPolicy, ServiceMonitor, rules, Ingress and routes): the recommended
 * labels without app.kubernetes.io/version. A release that changes an image then changes only
 * what runs it (the Deployment, its pods and its Jobs, which keep `standardLabels`): one update in
 * `pulumi preview --diff` instead of one per object, and no Service awaited again for its endpoints.
 */
export function objectLabels(id: WorkloadIdentity): Labels {
    return standardLabels({ ...id, version: undefined });
}

/**
 * Makes a string a valid label value: at most 63 characters of [A-Za-z0-9._-], starting and
 * ending with an alphanumeric (an image digest "sha256:abc…" becomes "sha256_abc…", cut to 63).
 */
export function labelValue(value: string): string {
    return value
        .replace(/[^A-Za-z0-9._-]/g, "_")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+/, "")
        .replace(/[^A-Za-z0-9]+$/, "");
}

/** Who a stack is: app.kubernetes.io/instance and part-of of every object it creates. */
export interface StackIdentity {
    /** app.kubernetes.io/instance: "<project>-<stack>", e.g. "llm-platform-prod". */
    readonly instance: string;
    /** app.kubernetes.io/part-of: the Pulumi project, e.g. "llm-platform". */
    readonly partOf: string;
}

/** The two tracks of a blue-green service (`services.<name>.release.strategy: blueGreen`). */
export const tracks = ["blue", "green"] as const;
export type Track = (typeof tracks)[number];

/** The label that tells a blue-green service's tracks apart, on their pods, Deployments and Services. */
export const trackLabel = "llm-platform/track";

/** The other track: the idle one when `track` is live. */
export function otherTrack(track: Track): Track {
    return track === "blue" ? "green" : "blue";
}

/**
 * The labels selecting one track's pods: the service's selector and the track. A Deployment's
 * selector is immutable, and the two tracks' must not overlap, so each selects its own track;
 * what must see both tracks (the NetworkPolicy, the monitoring) keeps the service's selector.
 */
export function trackSelector(selector: Labels, track: Track): Labels {
    return { ...selector, [trackLabel]: track };
}
