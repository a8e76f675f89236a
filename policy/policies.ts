/**
 * The project's baseline, as CrossGuard policies. Each policy and its validate function is
 * exported so tests call them directly; only index.ts builds the PolicyPack (constructing one
 * starts the analyzer server the CLI talks to).
 *
 * The enforcement levels and config defaults here are the production baseline. Lower
 * environments relax it in policy/config/<stack>.json, which the CLI reads with
 * `--policy-pack-config` (and Pulumi Cloud policy groups take the same JSON).
 */
import {
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
} from "@pulumi/policy";
import {
    ContainerRef,
    LabelSelector,
    PodSpec,
    containersOf,
    describeContainer,
    kindOf,
    parseImage,
    podTemplate,
    selectorMatches,
    workloadKinds,
} from "./kubernetes";
import { EntropyThresholds, credentialIn, hasHighEntropyToken, isSecretLikeKey } from "./secret-detection";

/** The pack's name in Pulumi Cloud and in `--policy-pack` output. */
export const packName = "llm-platform";

/** A policy's config: its schema defaults, overridden by what the stack's policy config sets. */
function settings<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
    const given = args.getConfig<Partial<T>>();
    const set = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    return { ...defaults, ...set } as T;
}

/** A check of one container, given its pod spec and the resource's validation args. */
type ContainerCheck = (ref: ContainerRef, pod: PodSpec | undefined, report: ReportViolation, args: ResourceValidationArgs) => void;

/** Runs `check` on every container and init container of a resource that runs pods. */
function forEachContainer(check: ContainerCheck): ResourceValidation {
    return (args, reportViolation) => {
        const template = podTemplate(args.type, args.props);
        if (template === undefined) return;
        for (const ref of containersOf(template.spec)) check(ref, template.spec, reportViolation, args);
    };
}

// ---- Container security context -------------------------------------------------------------

export const validateRunAsNonRoot: ResourceValidation = forEachContainer((ref, pod, report) => {
    const context = ref.container.securityContext;
    const runAsNonRoot = context?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot;
    const runAsUser = context?.runAsUser ?? pod?.securityContext?.runAsUser;
    if (runAsNonRoot !== true) {
        report(`${describeContainer(ref)} must set securityContext.runAsNonRoot: true (on the container or the pod).`);
    } else if (runAsUser === 0) {
        report(`${describeContainer(ref)} sets runAsUser: 0 (root), which contradicts runAsNonRoot: true.`);
    }
});

export const runAsNonRoot: ResourceValidationPolicy = {
    name: "containers-run-as-non-root",
    description: "Every container and init container runs as a non-root user (securityContext.runAsNonRoot: true).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod or on each container; use an image that does not need root.",
    validateResource: validateRunAsNonRoot,
};

export const validateReadOnlyRootFilesystem: ResourceValidation = forEachContainer((ref, _pod, report) => {
    if (ref.container.securityContext?.readOnlyRootFilesystem !== true) {
        report(`${describeContainer(ref)} must set securityContext.readOnlyRootFilesystem: true.`);
    }
});

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "containers-read-only-root-filesystem",
    description: "Every container and init container has a read-only root filesystem.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write (/tmp, caches).",
    validateResource: validateReadOnlyRootFilesystem,
};

export const validateNoPrivilegeEscalation: ResourceValidation = forEachContainer((ref, _pod, report) => {
    const context = ref.container.securityContext;
    if (context?.privileged === true) {
        report(`${describeContainer(ref)} must not be privileged.`);
    }
    if (context?.allowPrivilegeEscalation !== false) {
        report(`${describeContainer(ref)} must set securityContext.allowPrivilegeEscalation: false.`);
    }
});

export const noPrivilegeEscalation: ResourceValidationPolicy = {
    name: "containers-no-privilege-escalation",
    description: "No container is privileged or may gain more privileges than its parent process.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.allowPrivilegeEscalation: false and leave privileged unset.",
    validateResource: validateNoPrivilegeEscalation,
};

export const validateDropAllCapabilities: ResourceValidation = forEachContainer((ref, _pod, report) => {
    const capabilities = ref.container.securityContext?.capabilities;
    if (!(capabilities?.drop ?? []).includes("ALL")) {
        report(`${describeContainer(ref)} must drop all capabilities (securityContext.capabilities.drop: ["ALL"]).`);
    }
    const added = (capabilities?.add ?? []).filter((capability) => capability !== "NET_BIND_SERVICE");
    if (added.length > 0) {
        report(`${describeContainer(ref)} adds capabilities ${added.join(", ")}; only NET_BIND_SERVICE may be added back.`);
    }
});

export const dropAllCapabilities: ResourceValidationPolicy = {
    name: "containers-drop-all-capabilities",
    description: "Every container drops all Linux capabilities (adding back at most NET_BIND_SERVICE, as Pod Security Standards \"restricted\" allows).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.capabilities.drop: [\"ALL\"] on each container.",
    validateResource: validateDropAllCapabilities,
};

// ---- Resources and images -------------------------------------------------------------------

export interface ResourceLimitsConfig {
    /** The limits every container must set. */
    requiredLimits: ("cpu" | "memory")[];
}

export const resourceLimitsDefaults: ResourceLimitsConfig = { requiredLimits: ["cpu", "memory"] };

export const validateResourceLimits: ResourceValidation = forEachContainer((ref, _pod, report, args) => {
    const { requiredLimits } = settings(args, resourceLimitsDefaults);
    const limits = ref.container.resources?.limits ?? {};
    const missing = requiredLimits.filter((resource) => limits[resource] === undefined || limits[resource] === "");
    if (missing.length > 0) {
        report(`${describeContainer(ref)} must set resources.limits.${missing.join(" and resources.limits.")}.`);
    }
});

export const resourceLimits: ResourceValidationPolicy = {
    name: "containers-resource-limits",
    description: "Every container and init container sets CPU and memory limits, so one pod cannot starve its node.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set resources.limits.cpu and resources.limits.memory on each container (Bitnami charts: `resources`, or a `resourcesPreset`).",
    configSchema: {
        properties: {
            requiredLimits: {
                type: "array",
                items: { type: "string", enum: ["cpu", "memory"] },
                uniqueItems: true,
                default: resourceLimitsDefaults.requiredLimits,
                description: "The limits every container must set.",
            },
        },
    },
    validateResource: validateResourceLimits,
};

export interface PinnedImagesConfig {
    /** Tags that move, and so pin nothing. */
    forbiddenTags: string[];
}

export const pinnedImagesDefaults: PinnedImagesConfig = { forbiddenTags: ["latest"] };

export const validatePinnedImages: ResourceValidation = forEachContainer((ref, _pod, report, args) => {
    const image = ref.container.image;
    if (image === undefined || image === "") {
        report(`${describeContainer(ref)} has no image.`);
        return;
    }
    const { tag, digest } = parseImage(image);
    if (digest !== undefined) return;
    if (tag === undefined) {
        report(`${describeContainer(ref)} image "${image}" has no tag; pin a release tag or a digest.`);
    } else if (settings(args, pinnedImagesDefaults).forbiddenTags.includes(tag)) {
        report(`${describeContainer(ref)} image "${image}" uses the moving tag "${tag}"; pin a release tag or a digest.`);
    }
});

export const pinnedImages: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Every image is pinned by a release tag or a digest: no untagged images and no `latest`.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Reference images as repository:1.2.3 or repository@sha256:….",
    configSchema: {
        properties: {
            forbiddenTags: {
                type: "array",
                items: { type: "string" },
                default: pinnedImagesDefaults.forbiddenTags,
                description: "Tags that move and so pin nothing.",
            },
        },
    },
    validateResource: validatePinnedImages,
};

// ---- Autoscaling and availability ------------------------------------------------------------

export const validateHpaReplicaRange: ResourceValidation = (args, reportViolation) => {
    if (kindOf(args.type) !== "HorizontalPodAutoscaler") return;
    const minReplicas: number = args.props.spec?.minReplicas ?? 1;
    const maxReplicas: number | undefined = args.props.spec?.maxReplicas;
    if (maxReplicas !== undefined && minReplicas > maxReplicas) {
        reportViolation(`'minReplicas' (${minReplicas}) must be less than or equal to 'maxReplicas' (${maxReplicas}).`);
    }
};

export const hpaReplicaRange: ResourceValidationPolicy = {
    name: "hpa-replica-range",
    description: "A HorizontalPodAutoscaler's maxReplicas is at least its minReplicas.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: validateHpaReplicaRange,
};

/** A stack resource as the stack policies read it (a PolicyResource's type, URN and outputs). */
export interface StackResource {
    type: string;
    urn: string;
    props: Record<string, any>;
}

function namespaceOf(resource: StackResource): string {
    return resource.props.metadata?.namespace ?? "default";
}

function nameOf(resource: StackResource): string {
    return resource.props.metadata?.name ?? "(unnamed)";
}

function podLabelsOf(resource: StackResource): Record<string, string> {
    return podTemplate(resource.type, resource.props)?.metadata?.labels ?? {};
}

function ofKind(resources: readonly StackResource[], ...kinds: string[]): StackResource[] {
    return resources.filter((resource) => kinds.includes(kindOf(resource.type) ?? ""));
}

/**
 * The fewest pods a Deployment or StatefulSet runs: the minReplicas of the HPA that scales it,
 * else its spec.replicas (both default to 1).
 */
export function minimumReplicas(workload: StackResource, resources: readonly StackResource[]): number {
    const kind = kindOf(workload.type);
    const hpa = ofKind(resources, "HorizontalPodAutoscaler").find(
        (h) =>
            namespaceOf(h) === namespaceOf(workload) &&
            h.props.spec?.scaleTargetRef?.kind === kind &&
            h.props.spec?.scaleTargetRef?.name === nameOf(workload),
    );
    return hpa !== undefined ? (hpa.props.spec?.minReplicas ?? 1) : (workload.props.spec?.replicas ?? 1);
}

export const validatePdbForMultiReplicaWorkloads: StackValidation = (args, reportViolation) => {
    const pdbs = ofKind(args.resources, "PodDisruptionBudget");
    for (const workload of ofKind(args.resources, "Deployment", "StatefulSet")) {
        const replicas = minimumReplicas(workload, args.resources);
        if (replicas <= 1) continue;
        const labels = podLabelsOf(workload);
        const covered = pdbs.some(
            (pdb) => namespaceOf(pdb) === namespaceOf(workload) && selectorMatches(pdb.props.spec?.selector as LabelSelector | undefined, labels),
        );
        if (!covered) {
            reportViolation(
                `${kindOf(workload.type)} "${nameOf(workload)}" runs at least ${replicas} replicas, but no PodDisruptionBudget in namespace "${namespaceOf(workload)}" selects its pods.`,
                workload.urn,
            );
        }
    }
};

export const pdbForMultiReplicaWorkloads: StackValidationPolicy = {
    name: "pdb-for-multi-replica-workloads",
    description: "Every Deployment or StatefulSet that runs more than one replica (by spec.replicas or its HPA's minReplicas) has a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Enable the service's podDisruptionBudget in the stack config (or the chart's pdb values).",
    validateStack: validatePdbForMultiReplicaWorkloads,
};

// ---- Network ---------------------------------------------------------------------------------

export const validateNetworkPolicyCoverage: StackValidation = (args, reportViolation) => {
    const networkPolicies = ofKind(args.resources, "NetworkPolicy");
    for (const workload of ofKind(args.resources, ...workloadKinds)) {
        const labels = podLabelsOf(workload);
        const covered = networkPolicies.some(
            (policy) => namespaceOf(policy) === namespaceOf(workload) && selectorMatches(policy.props.spec?.podSelector as LabelSelector | undefined, labels),
        );
        if (!covered) {
            reportViolation(
                `${kindOf(workload.type)} "${nameOf(workload)}": no NetworkPolicy in namespace "${namespaceOf(workload)}" selects its pods.`,
                workload.urn,
            );
        }
    }
};

export const networkPolicyCoverage: StackValidationPolicy = {
    name: "network-policy-coverage",
    description: "The pods of every workload are selected by at least one NetworkPolicy in their namespace (a default-deny policy with an empty podSelector counts).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Keep networkPolicy.enabled in the stack config, which creates a default-deny policy and one allow policy per service.",
    validateStack: validateNetworkPolicyCoverage,
};

export interface LoadBalancerConfig {
    /** Whether this stack may expose Services through a cloud load balancer. */
    allowLoadBalancer: boolean;
}

export const loadBalancerDefaults: LoadBalancerConfig = { allowLoadBalancer: false };

export const validateNoLoadBalancer: ResourceValidation = (args, reportViolation) => {
    if (kindOf(args.type) !== "Service" || args.props.spec?.type !== "LoadBalancer") return;
    if (!settings(args, loadBalancerDefaults).allowLoadBalancer) {
        reportViolation(`Service type LoadBalancer exposes the service outside the cluster; use an Ingress, or set allowLoadBalancer: true for this stack in the policy config.`);
    }
};

export const noLoadBalancer: ResourceValidationPolicy = {
    name: "no-load-balancer-services",
    description: "No Service is of type LoadBalancer unless the stack's policy config allows it; traffic enters through the Ingress controller.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            allowLoadBalancer: {
                type: "boolean",
                default: loadBalancerDefaults.allowLoadBalancer,
                description: "Whether this stack may expose Services through a cloud load balancer.",
            },
        },
    },
    validateResource: validateNoLoadBalancer,
};

// ---- Gateway API routes ----------------------------------------------------------------------

const routeKinds = ["HTTPRoute", "GRPCRoute"];

export const validateRouteHostnames: ResourceValidation = (args, reportViolation) => {
    const kind = kindOf(args.type);
    if (kind === undefined || !routeKinds.includes(kind)) return;
    for (const hostname of (args.props.spec?.hostnames ?? []) as string[]) {
        if (typeof hostname === "string" && hostname.startsWith("*.")) {
            reportViolation(`${kind} hostname "${hostname}" is a wildcard: it takes every host of that domain from the Gateway's listener, including ones other teams route; name each host.`);
        }
    }
};

export const routeHostnames: ResourceValidationPolicy = {
    name: "route-hostnames-no-wildcard",
    description: "An HTTPRoute or GRPCRoute names its hosts; a wildcard hostname (\"*.example.com\") is refused in production.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: validateRouteHostnames,
};

export interface RouteGatewaysConfig {
    /** The Gateways routes may attach to, as "<namespace>/<name>"; empty: any Gateway. */
    allowedGateways: string[];
}

export const routeGatewaysDefaults: RouteGatewaysConfig = { allowedGateways: [] };

export const validateRouteGateways: ResourceValidation = (args, reportViolation) => {
    const kind = kindOf(args.type);
    if (kind === undefined || !routeKinds.includes(kind)) return;
    const allowed = settings(args, routeGatewaysDefaults).allowedGateways;
    if (allowed.length === 0) return;
    const ownNamespace = args.props.metadata?.namespace;
    for (const parent of (args.props.spec?.parentRefs ?? []) as { kind?: string; name?: string; namespace?: string }[]) {
        if ((parent.kind ?? "Gateway") !== "Gateway") continue;
        const namespace = parent.namespace ?? ownNamespace;
        // The route's own namespace is unknown during a preview of a new namespace: judged at update.
        if (typeof namespace !== "string") continue;
        const gateway = `${namespace}/${parent.name}`;
        if (!allowed.includes(gateway)) reportViolation(`${kind} attaches to the Gateway ${gateway}, which is not one of allowedGateways (${allowed.join(", ")}) in the policy config.`);
    }
};

export const routeGateways: ResourceValidationPolicy = {
    name: "routes-allowed-gateways",
    description: "HTTPRoutes and GRPCRoutes attach only to the Gateways the stack's policy config allows (the platform team's).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            allowedGateways: {
                type: "array",
                items: { type: "string" },
                default: routeGatewaysDefaults.allowedGateways,
                description: "The Gateways routes may attach to, as \"<namespace>/<name>\"; empty: any Gateway.",
            },
        },
    },
    validateResource: validateRouteGateways,
};

// ---- ConfigMaps ------------------------------------------------------------------------------

export interface ConfigMapSecretsConfig {
    /** Regular expressions of ConfigMap keys that are known not to hold secrets. */
    allowedKeys: string[];
}

export const configMapSecretsDefaults: ConfigMapSecretsConfig = { allowedKeys: [] };

function configMapEntries(props: Record<string, any>): { key: string; value?: string }[] {
    return [
        ...Object.entries<string>(props.data ?? {}).map(([key, value]) => ({ key, value })),
        // binaryData is base64 of arbitrary bytes: only its keys say anything.
        ...Object.keys(props.binaryData ?? {}).map((key) => ({ key })),
    ];
}

export const validateConfigMapSecrets: ResourceValidation = (args, reportViolation) => {
    if (kindOf(args.type) !== "ConfigMap") return;
    const allowed = settings(args, configMapSecretsDefaults).allowedKeys.map((pattern) => new RegExp(pattern));
    for (const { key, value } of configMapEntries(args.props)) {
        if (allowed.some((pattern) => pattern.test(key))) continue;
        if (isSecretLikeKey(key)) {
            reportViolation(`ConfigMap key "${key}" names a secret; put it in a Secret and reference it with secretKeyRef.`);
            continue;
        }
        const credential = typeof value === "string" ? credentialIn(value) : undefined;
        if (credential !== undefined) {
            reportViolation(`ConfigMap key "${key}" holds what looks like ${credential}; put it in a Secret and reference it with secretKeyRef.`);
        }
    }
};

export const configMapSecrets: ResourceValidationPolicy = {
    name: "configmaps-no-secrets",
    description: "No ConfigMap key names a secret (password, secret, token, API key, private key, credentials) or holds a known credential shape (sk-… keys, PEM private keys, cloud and GitHub tokens, URLs with passwords).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Move the value to a Kubernetes Secret (from a secret stack config value) and reference it by name.",
    configSchema: {
        properties: {
            allowedKeys: {
                type: "array",
                items: { type: "string", format: "regex" },
                default: configMapSecretsDefaults.allowedKeys,
                description: "Regular expressions of ConfigMap keys known not to hold secrets.",
            },
        },
    },
    validateResource: validateConfigMapSecrets,
};

export const entropyDefaults: EntropyThresholds = { minLength: 32, minEntropy: 4.3 };

export const validateConfigMapEntropy: ResourceValidation = (args, reportViolation) => {
    if (kindOf(args.type) !== "ConfigMap") return;
    const thresholds = settings(args, entropyDefaults);
    for (const { key, value } of configMapEntries(args.props)) {
        if (typeof value === "string" && hasHighEntropyToken(value, thresholds)) {
            reportViolation(`ConfigMap key "${key}" holds a long random-looking string; if it is a key or a password, put it in a Secret.`);
        }
    }
};

export const configMapEntropy: ResourceValidationPolicy = {
    name: "configmaps-no-random-strings",
    description: "No ConfigMap value contains a long high-entropy string, the shape of most generated keys. A heuristic, so advisory.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: {
        properties: {
            minLength: { type: "integer", minimum: 16, default: entropyDefaults.minLength, description: "Shortest run of token characters considered." },
            minEntropy: { type: "number", minimum: 0, maximum: 6, default: entropyDefaults.minEntropy, description: "Least Shannon entropy, in bits per character, that counts as random." },
        },
    },
    validateResource: validateConfigMapEntropy,
};

/** Every policy of the pack, in the order the CLI reports them. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    runAsNonRoot,
    readOnlyRootFilesystem,
    noPrivilegeEscalation,
    dropAllCapabilities,
    resourceLimits,
    pinnedImages,
    hpaReplicaRange,
    pdbForMultiReplicaWorkloads,
    networkPolicyCoverage,
    noLoadBalancer,
    routeHostnames,
    routeGateways,
    configMapSecrets,
    configMapEntropy,
];

