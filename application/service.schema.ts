/**
 * The schema of one service (`services.<name>`): every key, its type and its default, each
 * sub-object a schema of its own. Every object is strict, so a misspelt key is an error.
 */
import { z } from "../validation/zod";
import { absolutePath, annotations, byteQuantity, capabilityName, cidr, cpuQuantity, dnsLabel, imageDigest, imageReference, imageRepository, imageTag, httpHeaderName, ingressHost, ingressPath, intOrPercent, kubernetesName, labels, namedRawObject, nonNegativeInt, objectName, nodePort, port, portNameOrNumber, positiveInt, profileName, ProfileName, rawObject, url, gatewayDuration, gatewayHostname, settingName } from "../validation/primitives";
import { extraNetworkRulesSchema } from "../network/network.schema";
import { releaseStrategyKeys } from "../delivery/release.schema";
import type { PerEnvironment } from "../lib/environments";
import { sloSchema } from "../observability/alerting.schema";


/** The HPA's CPU utilization target when a stack sets no target. */
export const defaultCpuTarget = 70;

const probeSchema = (path: string, periodSeconds: number, failureThreshold: number) =>
    z
        .strictObject({
            /** Off: no such probe. */
            enabled: z.boolean().default(true),
            /** How the kubelet probes: an HTTP GET, a TCP connect, a command in the container, or gRPC health. */
            type: z.enum(["http", "tcp", "exec", "grpc"]).default("http"),
            /** HTTP path probed (http). */
            path: z.string().startsWith("/").default(path),
            /** The port probed (http, tcp, grpc): "http", "metrics" or a number. */
            port: portNameOrNumber.default("http"),
            /** Request headers (http). */
            headers: z.record(httpHeaderName, z.string()).default({}),
            /** The command (exec); required then. */
            command: z.array(z.string().min(1)).min(1).optional(),
            /** The gRPC health service name (grpc); unset, the server's overall health. */
            service: z.string().min(1).optional(),
            initialDelaySeconds: nonNegativeInt.default(0),
            periodSeconds: positiveInt.default(periodSeconds),
            timeoutSeconds: positiveInt.default(3),
            failureThreshold: positiveInt.default(failureThreshold),
            /** Successes in a row that count as passing: only readiness may ask more than 1. */
            successThreshold: positiveInt.optional(),
        })
        .prefault({});

const resourceSet = (cpu: string, memory: string) =>
    z.strictObject({ cpu: cpuQuantity.default(cpu), memory: byteQuantity.default(memory) }).prefault({});

const scalingPolicy = (stabilizationWindowSeconds: number, percent: number, periodSeconds: number) =>
    z
        .strictObject({
            /** How long the autoscaler looks back before acting. */
            stabilizationWindowSeconds: nonNegativeInt.max(3600).default(stabilizationWindowSeconds),
            /** At most this percentage of the current pods added or removed per period. */
            percent: positiveInt.default(percent),
            /** The period of that policy, in seconds. */
            periodSeconds: positiveInt.max(1800).default(periodSeconds),
            /** A Pods policy beside it: at most `value` pods per `periodSeconds`. */
            pods: z.strictObject({ value: positiveInt, periodSeconds: positiveInt.max(1800).default(periodSeconds) }).optional(),
            /** Which policy wins when both apply (Max: the larger change, Min: the smaller), or Disabled: never in this direction. */
            selectPolicy: z.enum(["Max", "Min", "Disabled"]).default("Max"),
        })
        .prefault({});

/** A writable emptyDir of a container whose root filesystem is read-only. */
const writablePath = z.strictObject({ path: absolutePath("/var/cache/nginx"), sizeLimit: byteQuantity.default("256Mi") });
type WritablePath = z.infer<typeof writablePath>;

/**
 * The security presets: "restricted" is what every service ran with before presets existed (UID
 * 1000, writable /tmp and /cache); "web-server" fits nginx-unprivileged-style images (UID 101,
 * writable nginx cache, run and tmp directories).
 */
export const securityPresets = {
    restricted: { uid: 1000, writablePaths: [{ path: "/tmp", sizeLimit: "256Mi" }, { path: "/cache", sizeLimit: "1Gi" }] },
    "web-server": { uid: 101, writablePaths: [{ path: "/tmp", sizeLimit: "256Mi" }, { path: "/var/cache/nginx", sizeLimit: "256Mi" }, { path: "/var/run", sizeLimit: "16Mi" }] },
} as const satisfies Record<string, { uid: number; writablePaths: readonly WritablePath[] }>;

const securityContextSchema = z
    .strictObject({
        /** The starting point the other keys override. */
        preset: z.enum(["restricted", "web-server"]).default("restricted"),
        /** The UID the pod and its container run as; 0 (root) needs namespace.podSecurity baseline or privileged. */
        runAsUser: nonNegativeInt.optional(),
        /** The GID; unset, the UID. */
        runAsGroup: nonNegativeInt.optional(),
        /** The group owning mounted volumes; unset, the GID. */
        fsGroup: nonNegativeInt.optional(),
        /** A read-only root filesystem: the writable paths are emptyDirs. */
        readOnlyRootFilesystem: z.boolean().default(true),
        /** Writable emptyDirs; set, they replace the preset's. */
        writablePaths: z.array(writablePath).optional(),
        /** Capabilities added after dropping ALL: "restricted" allows only NET_BIND_SERVICE. */
        addCapabilities: z.array(capabilityName).default([]),
    })
    .transform((c) => {
        const preset = securityPresets[c.preset];
        const runAsUser = c.runAsUser ?? preset.uid;
        const runAsGroup = c.runAsGroup ?? runAsUser;
        return { ...c, runAsUser, runAsGroup, fsGroup: c.fsGroup ?? runAsGroup, writablePaths: c.writablePaths ?? preset.writablePaths.map((w) => ({ ...w })) };
    })
    .prefault({});

/** A key of a ConfigMap or Secret an extra variable reads (EnvVarSource's configMapKeyRef, secretKeyRef). */
const keyRef = (example: string) => z.strictObject({ name: objectName(example), key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: "a key of the object, such as \"url\"" }), optional: z.boolean().optional() });

/** Where an extra variable's value comes from (EnvVarSource): exactly one source, as the API server requires. */
const envVarSource = z
    .strictObject({
        fieldRef: z.strictObject({ fieldPath: z.string().min(1), apiVersion: z.string().min(1).optional() }).optional(),
        resourceFieldRef: z.strictObject({ resource: z.string().min(1), containerName: z.string().min(1).optional(), divisor: z.union([z.string(), z.number()]).optional() }).optional(),
        configMapKeyRef: keyRef("app-settings").optional(),
        secretKeyRef: keyRef("smtp-credentials").optional(),
    })
    .refine((source) => Object.values(source).filter((v) => v !== undefined).length === 1, { error: "exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef" });

/**
 * An extra variable, as a container's EnvVar: a name (a C identifier, as the API server's classic
 * rule has it: letters, digits, '_', '-', '.', not starting with a digit) and either a string value
 * or a valueFrom: exactly one (the API server would take neither as an empty value; here an empty
 * value is written `value: ""`, so a forgotten value is not silently empty).
 */
const extraEnvVar = z
    .strictObject({
        name: z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, { error: "a variable name such as \"FEATURE_X\" (letters, digits, '_', '-', '.'; not starting with a digit)" }),
        /** The value, a string: quote numbers and booleans ("5", "true"). */
        value: z.string().optional(),
        valueFrom: envVarSource.optional(),
    })
    .refine((v) => (v.value === undefined) !== (v.valueFrom === undefined), { error: 'exactly one of value (a string; "" for an empty one) and valueFrom' });

/** A small helper container of the platform's own (an init container, a check): on or off, its image and time limit. */
const helperContainer = (enabled: boolean, image: string, timeoutSeconds: number) =>
    z
        .strictObject({ enabled: z.boolean().default(enabled), image: imageReference(image).default(image), timeoutSeconds: positiveInt.default(timeoutSeconds) })
        .prefault({});

/** `services.<name>.image`: the image the pods run: a repository with an immutable tag, or a digest. */
const imageSchema = z.strictObject({
    /** e.g. "ghcr.io/acme/llm-orchestrator". */
    repository: imageRepository("ghcr.io/acme/llm-orchestrator"),
    /** An immutable release tag such as "1.4.2". */
    tag: imageTag("1.4.2").optional(),
    /** A content digest; when set it is what the pods run. */
    digest: imageDigest.optional(),
    pullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
});

/** `services.<name>.probes`: the kubelet's liveness, readiness and startup probes. */
const probesSchema = z
    .strictObject({
        liveness: probeSchema("/health/live", 10, 3),
        readiness: probeSchema("/health/ready", 5, 3),
        /** Gives a slow start (model warm-up, migrations) time before liveness counts. */
        startup: probeSchema("/health/live", 5, 30),
    })
    .prefault({});

/** `services.<name>.resources`: the container's requests and limits. */
const resourcesSchema = z
    .strictObject({ requests: resourceSet("250m", "512Mi"), limits: resourceSet("1", "1Gi") })
    .prefault({});

/** `services.<name>.autoscaling`: a HorizontalPodAutoscaler, which then owns the replica count. */
const autoscalingSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        minReplicas: positiveInt.default(2),
        maxReplicas: positiveInt.default(5),
        /** Unset: 70, unless a memory target is set (memory-only autoscaling). */
        targetCPUUtilizationPercentage: positiveInt.max(100).optional(),
        targetMemoryUtilizationPercentage: positiveInt.max(100).optional(),
        behavior: z
            .strictObject({ scaleUp: scalingPolicy(0, 100, 30), scaleDown: scalingPolicy(300, 50, 60) })
            .prefault({}),
        /** Escape hatch: more autoscaling/v2 MetricSpecs (Pods, Object, External), as written, beside the resource targets. */
        metrics: z.array(z.looseObject({ type: z.enum(["Resource", "Pods", "Object", "External", "ContainerResource"]) })).default([]),
    })
    .transform((a) => ({
        ...a,
        targetCPUUtilizationPercentage: a.targetCPUUtilizationPercentage ?? (a.targetMemoryUtilizationPercentage === undefined ? defaultCpuTarget : undefined),
    }))
    .prefault({});

/** `services.<name>.podDisruptionBudget`: a PodDisruptionBudget: minAvailable or maxUnavailable. */
const podDisruptionBudgetSchema = z
    .strictObject({
        /**
         * Unset: on when autoscaling is (as the seed charts did with their HPA), then with
         * maxUnavailable: 1 unless minAvailable or maxUnavailable is given; false: none, even then.
         */
        enabled: z.boolean().optional(),
        minAvailable: intOrPercent.optional(),
        maxUnavailable: intOrPercent.optional(),
    })
    .prefault({});

/** `services.<name>.service`: the Service in front of the pods, and its extra ports. */
const exposureSchema = z
    .strictObject({
        type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP"),
        /** Annotations, e.g. a cloud load balancer's settings. */
        annotations: annotations.default({}),
        /** A fixed node port for the http port (NodePort, LoadBalancer); unset, the cluster picks one. */
        nodePort: nodePort.optional(),
        /** Local keeps the client's source address and routes only to nodes with a pod (NodePort, LoadBalancer). */
        externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
        /** The client ranges a LoadBalancer admits; the NetworkPolicy admits the same. Empty: any. */
        loadBalancerSourceRanges: z.array(cidr("203.0.113.0/24")).default([]),
        /** More ports of the Service and the container, beside http and metrics. */
        extraPorts: z
            .array(
                z.strictObject({
                    name: kubernetesName("dns1123Label", "grpc", 15),
                    port,
                    /** The container's port; unset, `port`. */
                    targetPort: port.optional(),
                    protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP"),
                    nodePort: nodePort.optional(),
                }),
            )
            .default([]),
    })
    .prefault({});

/** `services.<name>.ingress`: an Ingress (networking.k8s.io/v1) to the http port, with TLS from cert-manager. */
const ingressSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        className: objectName("nginx").default("nginx"),
        hosts: z
            .array(
                z.strictObject({
                    host: ingressHost,
                    paths: z
                        .array(
                            z.strictObject({
                                path: ingressPath.default("/"),
                                pathType: z.enum(["Prefix", "Exact", "ImplementationSpecific"]).default("Prefix"),
                            }),
                        )
                        .default([{ path: "/", pathType: "Prefix" }]),
                }),
            )
            .default([]),
        /** TLS for every host, from this Secret (cert-manager writes it when an issuer is set). */
        tls: z.strictObject({ enabled: z.boolean().default(false), secretName: objectName("llm-example-com-tls").optional() }).prefault({}),
        /** cert-manager ClusterIssuer that issues the TLS certificate. */
        certManagerClusterIssuer: objectName("letsencrypt-prod").optional(),
        annotations: annotations.default({}),
    })
    .prefault({});

/** A reference from a route to the Gateway (a listener of it) it attaches to. */
export const routeParentSchema = z.strictObject({
    /** The Gateway's name. */
    name: objectName("platform-gateway"),
    /** The Gateway's namespace; unset: the stack's. Another namespace must admit this one in its listeners' allowedRoutes. */
    namespace: dnsLabel("gateway-system").optional(),
    /** The listener's name, to attach to that listener only. */
    sectionName: kubernetesName("dns1123Subdomain", "https").optional(),
    /** The listener's port, to attach to the listeners on that port only. */
    port: port.optional(),
});

/** Request or response header changes (HTTPHeaderFilter): set replaces, add appends, remove drops. */
const headerModifierSchema = z
    .strictObject({
        set: z.record(httpHeaderName, z.string()).default({}),
        add: z.record(httpHeaderName, z.string()).default({}),
        remove: z.array(httpHeaderName).default([]),
    })
    .prefault({});

/** One rule of the HTTPRoute: its path matches, timeouts and header changes, to the service's http port. */
const routeRuleSchema = z.strictObject({
    /** The paths this rule takes; a request matching any of them is routed. */
    matches: z
        .array(
            z.strictObject({
                path: z
                    .strictObject({
                        type: z.enum(["PathPrefix", "Exact", "RegularExpression"]).default("PathPrefix"),
                        value: z.string().min(1).max(1024).default("/"),
                    })
                    .prefault({}),
            }),
        )
        .default([{ path: { type: "PathPrefix", value: "/" } }]),
    /** request: the whole request, through the Gateway; backendRequest: each try to the service (at most request). nginx's proxy-read-timeout 300 is backendRequest "300s". */
    timeouts: z.strictObject({ request: gatewayDuration.optional(), backendRequest: gatewayDuration.optional() }).prefault({}),
    requestHeaders: headerModifierSchema,
    responseHeaders: headerModifierSchema,
});

/**
 * `services.<name>.route`: an HTTPRoute (gateway.networking.k8s.io/v1) to the http port, attached
 * to a Gateway the platform owns, and optionally a GRPCRoute to a port that speaks gRPC.
 */
const routeSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** The Gateways (or their listeners) the routes attach to. */
        parentRefs: z.array(routeParentSchema).default([]),
        /** The host names the routes take; empty: every host of the listener. */
        hostnames: z.array(gatewayHostname).default([]),
        /** The scheme the listener serves: the stack's URL output only (the route doesn't choose it). */
        scheme: z.enum(["https", "http"]).default("https"),
        rules: z.array(routeRuleSchema).default([{ matches: [{ path: { type: "PathPrefix", value: "/" } }], timeouts: {}, requestHeaders: { set: {}, add: {}, remove: [] }, responseHeaders: { set: {}, add: {}, remove: [] } }]),
        /** A GRPCRoute, with the same parents and host names, to this port of service.extraPorts (by name), e.g. "grpc". */
        grpcPort: kubernetesName("dns1123Label", "grpc", 15).optional(),
        annotations: annotations.default({}),
    })
    .prefault({});

/** `services.<name>.serviceAccount`: the pods' ServiceAccount: created, or an existing one. */
const serviceAccountSchema = z
    .strictObject({
        /** Create the service's own ServiceAccount (true), or run as an existing one named by `name` (false). */
        create: z.boolean().default(true),
        /** The ServiceAccount's name: the created one's (unset: the service's name), or the existing one's (required then). */
        name: objectName("llm-orchestrator").optional(),
        /** Annotations for cloud workload identity (eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account, …). */
        annotations: annotations.default({}),
        /** Mount the Kubernetes API token into the pods. */
        automountToken: z.boolean().default(false),
    })
    .prefault({});

/** Application settings, delivered through the ConfigMap. */
const appSettingsSchema = z
    .strictObject({
        /** LOG_LEVEL as written; "warning" is accepted beside "warn" (the charts' apps read both). */
        logLevel: z.enum(["trace", "debug", "info", "warn", "warning", "error"]).default("info"),
        /** LOG_FORMAT. Unset: "text" in development, "json" otherwise (what a log pipeline parses). */
        logFormat: z.enum(["json", "text"]).optional(),
        /** WORKFLOW_TIMEOUT_SECONDS and WORKFLOW_TIMEOUT (the seed app's name), both in seconds. */
        workflowTimeoutSeconds: positiveInt.default(300),
        /** Request rate limiting in the application (RATE_LIMIT_*). */
        rateLimiting: z.strictObject({ enabled: z.boolean().default(false), requestsPerMinute: positiveInt.default(60) }).prefault({}),
        /** OpenTelemetry tracing (OTEL_*) to an OTLP endpoint, whose port the NetworkPolicy opens. */
        tracing: z
            .strictObject({ enabled: z.boolean().default(false), otlpEndpoint: url("http://otel-collector.observability:4317").optional(), sampleRatio: z.number().min(0).max(1).default(1) })
            .prefault({}),
        /** For apps that read Vault themselves (needs secrets.store.provider vault): VAULT_ADDR, VAULT_ROLE, VAULT_PATH and VAULT_SECRET_PATH (the seed app's name). */
        vault: z.strictObject({ enabled: z.boolean().default(false), role: z.string().min(1).optional(), path: z.string().min(1).optional() }).prefault({}),
    })
    .prefault({});

/** A feature flag's name: letters, digits, '-' and '_', starting with a letter (FEATURE_ and the name fit a ConfigMap key). */
const featureFlagName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, { error: "a flag name such as \"rateLimiting\": letters, digits, '-' and '_', starting with a letter, at most 100 characters" });

/** What this service talks to: decides its env, default secrets, init checks and egress rules. */
const connectsToSchema = z
    .strictObject({
        postgresql: z.boolean().default(true),
        redis: z.boolean().default(true),
        /** Receives the enabled LLM providers' keys and may reach them on 443. */
        llmProviders: z.boolean().default(true),
        /** Receives the vector DB settings and key. */
        vectorDb: z.boolean().default(true),
        /** Other services of this stack it calls on their http port, e.g. a frontend calling the api. */
        services: z.array(z.string()).default([]),
    })
    .prefault({});

/** `services.<name>.scheduling`: node selection, tolerations, anti-affinity and zone spread. */
const schedulingSchema = z
    .strictObject({
        nodeSelector: labels.default({}),
        tolerations: z.array(rawObject).default([]),
        /** Raw affinity merged with the generated pod anti-affinity. */
        affinity: rawObject.default({}),
        /** Keep replicas on different nodes: not at all, if possible, or always. */
        podAntiAffinity: z.enum(["none", "preferred", "required"]).default("preferred"),
        /** Spread replicas across zones (topology.kubernetes.io/zone): not at all, if possible, or always. */
        zoneSpread: z.enum(["none", "preferred", "required"]).default("none"),
        priorityClassName: objectName("llm-platform-critical").optional(),
    })
    .prefault({});

/**
 * A Job, like Helm's pre-upgrade hook, that runs the service's image with this command (its
 * env, secrets and security context) before the Deployment rolls out; a failure stops the rollout.
 */
const migrationSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** The command, e.g. ["alembic", "upgrade", "head"]; required when enabled. */
        command: z.array(z.string().min(1)).min(1).optional(),
        /** Its arguments. */
        args: z.array(z.string()).default([]),
        /** How long the Job may run, retries and waiting for the data stores included. */
        timeoutSeconds: positiveInt.max(86400).default(600),
        /** Retries after a failed run; 0 fails the rollout at the first failure. */
        backoffLimit: nonNegativeInt.max(10).default(0),
    })
    .prefault({});

/**
 * How long a rollout may go without progress (a new pod becoming available) before the Deployment
 * fails (`spec.progressDeadlineSeconds`), when `services.<name>.release.progressDeadlineSeconds` is
 * unset: development fails fast; staging and production keep Kubernetes' own default.
 */
export const defaultProgressDeadlineSeconds: PerEnvironment<number> = { development: 300, staging: 600, production: 600 };

/** `services.<name>.release`: how a new version rolls out (its strategy's keys: delivery/release.schema.ts) and when it counts as failed. */
const releaseSchema = z
    .strictObject({
        /** Seconds without progress before the rollout fails (and `npm run release` rolls back); unset: the environment's default (progressDeadlineOf). */
        progressDeadlineSeconds: positiveInt.max(86400).optional(),
        ...releaseStrategyKeys,
    })
    .prefault({});

/**
 * The seed chart's (LLM Orchestrator's) sizes, `services.<name>.profile`: each is the stack file's
 * keys it stands for, merged under what the service sets (which wins key by key) before defaults.
 * Medium and large autoscale; their replica count is the one used if autoscaling is turned off.
 */
export const serviceProfiles = {
    small: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } }, replicas: 1, autoscaling: { enabled: false } },
    medium: { resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } }, replicas: 3, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 10 } },
    large: { resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } }, replicas: 5, autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 20 } },
} as const satisfies Record<ProfileName, object>;

/** Who the service is: its names and its component. */
const identityKeys = {
    /** app.kubernetes.io/name of its objects and pods (the charts' nameOverride); unset, the service's name. */
    nameOverride: dnsLabel("orchestrator").optional(),
    /** The name of its objects, Deployment, Service, ConfigMap's prefix aside (the charts' fullnameOverride); unset, the service's name. */
    fullnameOverride: kubernetesName("dns1035Label", "llm-orchestrator").optional(),
    /** app.kubernetes.io/component, e.g. "api" or "frontend". */
    component: dnsLabel("api").default("api"),
    /** A size (serviceProfiles): its resources, replicas and autoscaling under the service's own keys. Unset: none. */
    profile: profileName.optional(),
};

/** What runs: the image, its security, its ports and probes, its resources. */
const podKeys = {
    image: imageSchema,
    /** Names of existing docker-registry Secrets. */
    imagePullSecrets: z.array(objectName("ghcr-credentials")).default([]),
    /** The pod's and the container's security settings, within what namespace.podSecurity allows. */
    securityContext: securityContextSchema,
    /** Pod count when autoscaling is off. */
    replicas: nonNegativeInt.default(1),
    ports: z.strictObject({ http: port.default(8080), metrics: port.default(9090) }).prefault({}),
    /** Prometheus metrics served on the metrics port at `path`; off for services without metrics. */
    metrics: z.strictObject({ enabled: z.boolean().default(true), path: z.string().startsWith("/").default("/metrics") }).prefault({}),
    /** Service level objectives (availability, optional latency, window), with recording rules and burn-rate alerts. Unset: none. */
    slo: sloSchema.optional(),
    probes: probesSchema,
    resources: resourcesSchema,
    strategy: z.strictObject({ maxSurge: intOrPercent.default(1), maxUnavailable: intOrPercent.default(0) }).prefault({}),
};

/** How it scales and survives disruptions. */
const scalingKeys = {
    autoscaling: autoscalingSchema,
    podDisruptionBudget: podDisruptionBudgetSchema,
};

/** How traffic reaches it and what it may reach. */
const trafficKeys = {
    service: exposureSchema,
    ingress: ingressSchema,
    route: routeSchema,
    /** This service's own extra NetworkPolicy allowances, added to the stack's. */
    networkPolicy: extraNetworkRulesSchema.prefault({}),
    serviceAccount: serviceAccountSchema,
};

/** What the application is told: its settings, secrets and dependencies. */
const applicationKeys = {
    /** Application settings, delivered through the ConfigMap. */
    settings: appSettingsSchema,
    /** Extra non-secret settings for the ConfigMap (UPPER_SNAKE_CASE names). */
    env: z.record(settingName, z.string()).default({}),
    /**
     * The entries of the secret catalog (secrets.entries and the built-in ones) the service
     * receives as variables. Unset: what its connectsTo implies, the enabled LLM providers' keys
     * and appSecretKey with llmProviders, vectorDbApiKey with vectorDb; a service using neither
     * (a frontend) receives none.
     */
    secrets: z.array(z.string().min(1)).optional(),
    /**
     * Feature flags by name (the seed's compression, rateLimiting, metrics, tracing are examples):
     * each is FEATURE_<UPPER_SNAKE>=true|false in the ConfigMap, so a change rolls the pods.
     */
    features: z.record(featureFlagName, z.boolean()).default({}),
    /** What this service talks to: decides its env, default secrets, init checks and egress rules. */
    connectsTo: connectsToSchema,
    /** An init container that waits until PostgreSQL and Redis accept connections. */
    waitForDependencies: helperContainer(true, "busybox:1.37.0", 300),
    /** Seconds Kubernetes waits for the pod to exit after SIGTERM. */
    terminationGracePeriodSeconds: nonNegativeInt.default(30),
    /** Seconds the preStop hook sleeps so endpoints are removed before the process stops. */
    preStopSleepSeconds: nonNegativeInt.default(5),
};

/** Where it runs, the escape hatches, and the Jobs around each rollout. */
const placementKeys = {
    scheduling: schedulingSchema,
    /** Escape hatches, passed to the pod spec as written. */
    extraEnv: z.array(extraEnvVar).default([]),
    extraVolumes: z.array(namedRawObject).default([]),
    extraVolumeMounts: z.array(namedRawObject).default([]),
    extraInitContainers: z.array(namedRawObject).default([]),
    /** A Job, like `helm test`, that calls the readiness endpoint after each rollout. */
    postDeployCheck: helperContainer(false, "curlimages/curl:8.17.0", 120),
    /**
     * A Job, like Helm's pre-upgrade hook, that runs the service's image with this command (its
     * env, secrets and security context) before the Deployment rolls out; a failure stops the rollout.
     */
    migration: migrationSchema,
    /** How a new version reaches the pods (a rolling update, blue-green tracks or a canary: delivery/release.schema.ts) and when it counts as failed. */
    release: releaseSchema,
};

/** One service of the stack (`services.<name>`): every key, in the stack file's order. */
export const serviceSchema = z.strictObject({ ...identityKeys, ...podKeys, ...scalingKeys, ...trafficKeys, ...applicationKeys, ...placementKeys });

/**
 * A service's name: its Deployment's, Service's (an RFC 1035 label) and ServiceMonitor's name and
 * app.kubernetes.io/name. Its post-deploy check's Job is "<name>-check-<7 random characters>",
 * which platform/names.rules.ts checks where the check is on.
 */
export const serviceName = kubernetesName("dns1035Label", "orchestrator");

export type ServiceConfig = z.infer<typeof serviceSchema>;
export type MigrationConfig = ServiceConfig["migration"];

/**
 * The service with its default hosts, with the stack's `domain` set: "<service>.<domain>" for an
 * enabled Ingress without hosts of its own (at "/", Prefix) and for an enabled route without
 * hostnames of its own; otherwise as configured.
 */
export function withDomainHost(name: string, service: ServiceConfig, domain: string | undefined): ServiceConfig {
    if (domain === undefined) return service;
    const { ingress, route } = service;
    const host = `${name}.${domain}`;
    return {
        ...service,
        ...(ingress.enabled && ingress.hosts.length === 0 ? { ingress: { ...ingress, hosts: [{ host, paths: [{ path: "/", pathType: "Prefix" as const }] }] } } : {}),
        ...(route.enabled && route.hostnames.length === 0 ? { route: { ...route, hostnames: [host] } } : {}),
    };
}

/** The budget a service's PodDisruptionBudget has. */
export type DisruptionBudget = Pick<ServiceConfig["podDisruptionBudget"], "minAvailable" | "maxUnavailable">;

/**
 * The service's PodDisruptionBudget, or undefined for none: as configured when `enabled` is true,
 * and when it is unset but autoscaling is on (then maxUnavailable: 1 if no budget is given);
 * none when `enabled` is false, or unset without autoscaling.
 */
export function disruptionBudgetOf(service: Pick<ServiceConfig, "podDisruptionBudget" | "autoscaling">): DisruptionBudget | undefined {
    const { enabled, minAvailable, maxUnavailable } = service.podDisruptionBudget;
    if (!(enabled ?? service.autoscaling.enabled)) return undefined;
    if (enabled === undefined && minAvailable === undefined && maxUnavailable === undefined) return { maxUnavailable: 1 };
    return { minAvailable, maxUnavailable };
}

export type RouteConfig = ServiceConfig["route"];

/** The seconds the startup probe gives a pod to start: initialDelaySeconds + periodSeconds × failureThreshold; 0 without one. */
export function startupBudgetOf(service: Pick<ServiceConfig, "probes">): number {
    const startup = service.probes.startup;
    return startup.enabled ? startup.initialDelaySeconds + startup.periodSeconds * startup.failureThreshold : 0;
}

/**
 * The service's progress deadline: its own `release.progressDeadlineSeconds`; unset, the
 * environment's default, or, where the startup probe gives a pod longer to start, that and a minute
 * (a default must not fail a slow but healthy start).
 */
export function progressDeadlineOf(service: Pick<ServiceConfig, "release" | "probes">, environment: keyof typeof defaultProgressDeadlineSeconds): number {
    return service.release.progressDeadlineSeconds ?? Math.max(defaultProgressDeadlineSeconds[environment], startupBudgetOf(service) + 60);
}
