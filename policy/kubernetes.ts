/**
 * What the policies need to know about Kubernetes objects, as pure functions of their properties:
 * where a kind keeps its pod template, which containers a pod runs, what an image reference pins,
 * and whether a label selector selects a set of labels. Resource types are matched by kind, so
 * every API version of a kind (and every object a Helm Chart v4 renders) is covered alike.
 */

/** The kind of a Kubernetes resource type token: "kubernetes:apps/v1:Deployment" → "Deployment". */
export function kindOf(type: string): string | undefined {
    const match = /^kubernetes:[^:]+:([A-Za-z0-9]+)$/.exec(type);
    return match?.[1];
}

/** A pod template as policies read it: plain objects, possibly incomplete. */
export interface PodTemplate {
    metadata?: { labels?: Record<string, string> };
    spec?: PodSpec;
}

export interface PodSpec {
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers?: Container[];
    initContainers?: Container[];
}

export interface Container {
    name?: string;
    image?: string;
    resources?: { limits?: Record<string, string | number> };
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        readOnlyRootFilesystem?: boolean;
        allowPrivilegeEscalation?: boolean;
        privileged?: boolean;
        capabilities?: { drop?: string[]; add?: string[] };
    };
}

/** Where each pod-creating kind keeps its pod template. */
const podTemplateOf: Record<string, (props: any) => PodTemplate | undefined> = {
    Pod: (props) => ({ metadata: props.metadata, spec: props.spec }),
    PodTemplate: (props) => props.template,
    Deployment: (props) => props.spec?.template,
    StatefulSet: (props) => props.spec?.template,
    DaemonSet: (props) => props.spec?.template,
    ReplicaSet: (props) => props.spec?.template,
    ReplicationController: (props) => props.spec?.template,
    Job: (props) => props.spec?.template,
    CronJob: (props) => props.spec?.jobTemplate?.spec?.template,
};

/** The kinds that run pods (a PodTemplate only describes some). */
export const workloadKinds: readonly string[] = Object.keys(podTemplateOf).filter((kind) => kind !== "PodTemplate");

/** The pod template of a resource that runs pods; undefined for every other resource. */
export function podTemplate(type: string, props: any): PodTemplate | undefined {
    const kind = kindOf(type);
    return kind === undefined ? undefined : podTemplateOf[kind]?.(props ?? {});
}

/** A container with what is needed to name it in a message. */
export interface ContainerRef {
    /** "container" or "init container". */
    readonly role: "container" | "init container";
    readonly container: Container;
}

/** Every container and init container of a pod spec. */
export function containersOf(spec: PodSpec | undefined): ContainerRef[] {
    return [
        ...(spec?.initContainers ?? []).map((container) => ({ role: "init container" as const, container })),
        ...(spec?.containers ?? []).map((container) => ({ role: "container" as const, container })),
    ];
}

/** How a message names a container: `init container "wait-for-deps"`. */
export function describeContainer(ref: ContainerRef): string {
    return `${ref.role} "${ref.container.name ?? "(unnamed)"}"`;
}

/** What an image reference pins. */
export interface ImageReference {
    /** Registry and path, e.g. "ghcr.io/acme/llm-orchestrator". */
    readonly repository: string;
    readonly tag?: string;
    /** e.g. "sha256:…". */
    readonly digest?: string;
}

/**
 * Splits an image reference. The tag is what follows the last ':' after the last '/', so a
 * registry port ("registry:5000/app") is not mistaken for a tag.
 */
export function parseImage(image: string): ImageReference {
    const at = image.indexOf("@");
    const name = at === -1 ? image : image.slice(0, at);
    const digest = at === -1 ? undefined : image.slice(at + 1);
    const colon = name.lastIndexOf(":");
    const hasTag = colon > name.lastIndexOf("/");
    return {
        repository: hasTag ? name.slice(0, colon) : name,
        tag: hasTag ? name.slice(colon + 1) : undefined,
        digest,
    };
}

/** A Kubernetes LabelSelector. */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether a selector selects a set of labels, by the Kubernetes rules: every matchLabels pair and
 * every matchExpression must hold; an empty selector selects everything, a missing one nothing.
 */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string>): boolean {
    if (selector === undefined || selector === null) return false;
    const pairs = Object.entries(selector.matchLabels ?? {});
    if (!pairs.every(([key, value]) => labels[key] === value)) return false;
    return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
        switch (operator) {
            case "In":
                return key in labels && values.includes(labels[key]);
            case "NotIn":
                return !(key in labels) || !values.includes(labels[key]);
            case "Exists":
                return key in labels;
            case "DoesNotExist":
                return !(key in labels);
            default:
                return false;
        }
    });
}
