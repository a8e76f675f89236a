/**
 * The decisions behind an Application's Kubernetes objects, as pure functions of typed inputs:
 * pod and container specs, probes, HPA, PDB, ServiceMonitor, Ingress and the ConfigMap's data
 * (its NetworkPolicy: network-policies.ts). application.ts turns their results into resources (and wires names and
 * dependencies between them), so each rule is tested here without mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { routeUrl } from "./route.specs";
import type { Environment } from "../validation/primitives";
import type { MonitoringConfig } from "../observability/monitoring.schema";
import type { DisruptionBudget, ServiceConfig } from "./service.schema";
import type { VectorDbConfig } from "./settings.schema";
import { imageReference } from "../lib/image";
import { podsOf } from "../lib/quantity";
import { Labels, trackLabel } from "../lib/labels";
import { featureEnvName, vectorDbKeyEntry, vectorDbProviderEnv, VectorDbType } from "../lib/builtin-secrets";
import { compact, writableVolumeName } from "../lib/objects";
import * as k8s from "../platform/k8s";
import type { CheckTarget } from "./post-deploy-check";
import { PostgresEndpoint, DataStoreEndpoint } from "../data-tier/data-tier.args";
import { SecretEnv, AppSecretEnv } from "../secrets/secrets.args";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security-context.specs";

type Input<T> = pulumi.Input<T>;
type Resource = pulumi.Resource;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;

/** The writable emptyDirs of a service and where they are mounted. */
export function writableVolumes(security: Pick<ServiceConfig["securityContext"], "writablePaths">): { volumes: k8s.types.input.core.v1.Volume[]; mounts: k8s.types.input.core.v1.VolumeMount[] } {
    return {
        volumes: security.writablePaths.map((w) => ({ name: writableVolumeName(w.path), emptyDir: { sizeLimit: w.sizeLimit } })),
        mounts: security.writablePaths.map((w) => ({ name: writableVolumeName(w.path), mountPath: w.path })),
    };
}

type ProbeConfig = ServiceConfig["probes"]["liveness"];

/** A probe's port as a number: "http" and "metrics" are the service's ports (gRPC probes take numbers only). */
export function probePort(probe: Pick<ProbeConfig, "port">, ports: ServiceConfig["ports"]): number {
    return typeof probe.port === "number" ? probe.port : probe.port === "metrics" ? ports.metrics : ports.http;
}

/** One probe of the container, or undefined when it is off. */
export function probeOf(probe: ProbeConfig, ports: ServiceConfig["ports"]): Probe | undefined {
    if (!probe.enabled) return undefined;
    const headers = Object.entries(probe.headers).map(([name, value]) => ({ name, value }));
    const action: Probe =
        probe.type === "tcp"
            ? { tcpSocket: { port: probe.port } }
            : probe.type === "exec"
              ? { exec: { command: [...(probe.command ?? [])] } }
              : probe.type === "grpc"
                ? { grpc: { port: probePort(probe, ports), ...(probe.service === undefined ? {} : { service: probe.service }) } }
                : { httpGet: { path: probe.path, port: probe.port, ...(headers.length > 0 ? { httpHeaders: headers } : {}) } };
    return {
        ...action,
        initialDelaySeconds: probe.initialDelaySeconds,
        periodSeconds: probe.periodSeconds,
        timeoutSeconds: probe.timeoutSeconds,
        failureThreshold: probe.failureThreshold,
        ...(probe.successThreshold === undefined ? {} : { successThreshold: probe.successThreshold }),
    };
}

/** Liveness, readiness and startup probes, each as configured (HTTP on the http port by default), or none when off. */
export function probes(service: ServiceConfig): Pick<Container, "livenessProbe" | "readinessProbe" | "startupProbe"> {
    const { liveness, readiness, startup } = service.probes;
    return compact({
        livenessProbe: probeOf(liveness, service.ports),
        readinessProbe: probeOf(readiness, service.ports),
        startupProbe: probeOf(startup, service.ports),
    });
}

/** What the post-deploy check calls: the readiness probe's HTTP endpoint, or for TCP and gRPC its port, through the Service. */
export function checkTarget(service: ServiceConfig, host: pulumi.Input<string>): CheckTarget {
    const readiness = service.probes.readiness;
    if (readiness.type === "http") return { kind: "http", url: pulumi.interpolate`http://${host}:${service.ports.http}${readiness.path}`, headers: readiness.headers };
    return { kind: "tcp", host, port: service.ports.http };
}

/** What the application is told, beyond its own settings, about the rest of the platform. */
export interface PlatformContext {
    environment: Environment;
    database?: PostgresEndpoint;
    redis?: DataStoreEndpoint;
    /** The enabled LLM providers, with their default models. */
    llmProviders: readonly { readonly name: string; readonly defaultModel?: string }[];
    vectorDb: VectorDbConfig;
    /** Vault's address, when the secret store is Vault. */
    vaultAddress?: string;
}

/** The optional application settings: rate limiting, tracing, Vault; none unless enabled. */
export function featureSettings(settings: ServiceConfig["settings"], vaultAddress: string | undefined): Record<string, string> {
    const data: Record<string, string> = {};
    if (settings.rateLimiting.enabled) {
        data.RATE_LIMIT_ENABLED = "true";
        data.RATE_LIMIT_REQUESTS_PER_MINUTE = String(settings.rateLimiting.requestsPerMinute);
    }
    const { tracing, vault } = settings;
    if (tracing.enabled && tracing.otlpEndpoint !== undefined) {
        data.TRACING_ENABLED = "true";
        data.OTEL_EXPORTER_OTLP_ENDPOINT = tracing.otlpEndpoint;
        data.OTEL_TRACES_SAMPLER = "parentbased_traceidratio";
        data.OTEL_TRACES_SAMPLER_ARG = String(tracing.sampleRatio);
    }
    if (vault.enabled && vaultAddress !== undefined) {
        data.VAULT_ADDR = vaultAddress;
        if (vault.role !== undefined) data.VAULT_ROLE = vault.role;
        // VAULT_SECRET_PATH is the seed application's name for the same path (#27), beside ours.
        if (vault.path !== undefined) Object.assign(data, { VAULT_PATH: vault.path, VAULT_SECRET_PATH: vault.path });
    }
    return data;
}

/** The feature flags as FEATURE_<UPPER_SNAKE>=true|false, in the order written. */
export function featureFlagSettings(features: ServiceConfig["features"]): Record<string, string> {
    return Object.fromEntries(Object.entries(features).map(([flag, on]) => [featureEnvName(flag), String(on)]));
}

/** The vector DB's settings under its generic names, and under the provider's own when asked. */
export function vectorDbSettings(vectorDb: VectorDbConfig): Record<string, string> {
    if (vectorDb.type === "none") return {};
    const names = vectorDbProviderEnv[vectorDb.type];
    const data: Record<string, string> = { VECTOR_DB_TYPE: vectorDb.type };
    if (vectorDb.url) data.VECTOR_DB_URL = vectorDb.url;
    if (vectorDb.index) data.VECTOR_DB_INDEX = vectorDb.index;
    if (vectorDb.providerEnvNames) {
        if (vectorDb.url) data[names.url] = vectorDb.url;
        if (vectorDb.index) data[names.index] = vectorDb.index;
    }
    return data;
}

/** LOG_FORMAT: as set, else "text" in development (read by people) and "json" otherwise (parsed by the log pipeline, LogQL's `| json`). */
export function logFormatOf(logFormat: "json" | "text" | undefined, environment: string): "json" | "text" {
    return logFormat ?? (environment === "development" ? "text" : "json");
}

/**
 * How long `pulumi up` waits for a Deployment's rollout, in seconds. The progress deadline counts
 * from the last progress, so a healthy rollout of n steps (the most pods, maxSurge plus
 * maxUnavailable at a time) may take n deadlines; a stuck one fails at its first deadline, by the
 * Deployment's own ProgressDeadlineExceeded condition, which the provider reports. The margin lets
 * that condition, not the provider's timeout, be what fails it.
 */
export function rolloutTimeoutSeconds(service: Pick<ServiceConfig, "autoscaling" | "replicas" | "strategy">, progressDeadlineSeconds: number): number {
    const pods = Math.max(1, service.autoscaling.enabled ? service.autoscaling.maxReplicas : service.replicas);
    const { maxSurge, maxUnavailable } = service.strategy;
    // Kubernetes rounds a percentage of maxSurge up and one of maxUnavailable down.
    const unavailable = typeof maxUnavailable === "number" ? maxUnavailable : Math.floor((Number(maxUnavailable.slice(0, -1)) * pods) / 100);
    const steps = Math.ceil(pods / Math.max(1, podsOf(maxSurge, pods) + unavailable));
    return steps * progressDeadlineSeconds + 60;
}

/** The non-secret settings of a service, as its ConfigMap's data. */
export function configMapData(service: ServiceConfig, context: PlatformContext): Record<string, Input<string>> {
    const data: Record<string, Input<string>> = {
        ENVIRONMENT: context.environment,
        LOG_LEVEL: service.settings.logLevel,
        LOG_FORMAT: logFormatOf(service.settings.logFormat, context.environment),
        HTTP_PORT: String(service.ports.http),
        METRICS_ENABLED: String(service.metrics.enabled),
        METRICS_PORT: String(service.ports.metrics),
        METRICS_PATH: service.metrics.path,
        WORKFLOW_TIMEOUT_SECONDS: String(service.settings.workflowTimeoutSeconds),
        // The seed application's name for the same timeout, in seconds (#27): set beside ours, so apps reading either work.
        WORKFLOW_TIMEOUT: String(service.settings.workflowTimeoutSeconds),
    };
    // Where the preset's writable directories are, for the libraries that honour these variables.
    const writable = new Set(service.securityContext.writablePaths.map((w) => w.path));
    if (writable.has("/tmp")) data.TMPDIR = "/tmp";
    if (writable.has("/cache")) data.XDG_CACHE_HOME = "/cache";
    if (service.connectsTo.postgresql && context.database) {
        data.DATABASE_HOST = context.database.host;
        data.DATABASE_PORT = String(context.database.port);
        data.DATABASE_NAME = context.database.database;
        data.DATABASE_USER = context.database.user;
        if (context.database.readHost !== undefined) data.DATABASE_READ_HOST = context.database.readHost;
    }
    if (service.connectsTo.redis && context.redis) {
        data.REDIS_HOST = context.redis.host;
        data.REDIS_PORT = String(context.redis.port);
    }
    if (service.connectsTo.llmProviders) {
        data.LLM_PROVIDERS = context.llmProviders.map((p) => p.name).join(",");
        for (const provider of context.llmProviders) {
            if (provider.defaultModel) data[`${provider.name.toUpperCase()}_DEFAULT_MODEL`] = provider.defaultModel;
        }
    }
    if (service.connectsTo.vectorDb) Object.assign(data, vectorDbSettings(context.vectorDb));
    return { ...data, ...featureSettings(service.settings, context.vaultAddress), ...featureFlagSettings(service.features), ...service.env };
}

/** The variables a service reads from Secrets: data-store passwords and the application secrets it receives. */
export function secretEnv(service: ServiceConfig, context: PlatformContext, appSecrets: readonly AppSecretEnv[]): SecretEnv[] {
    const env: SecretEnv[] = [];
    if (service.connectsTo.postgresql && context.database) env.push({ name: "DATABASE_PASSWORD", secret: context.database.passwordSecret });
    if (service.connectsTo.redis && context.redis) env.push({ name: "REDIS_PASSWORD", secret: context.redis.passwordSecret });
    // The vector DB key under the provider's own name too, from the same Secret key.
    const vectorDb = context.vectorDb;
    const providerKeys = vectorDb.type !== "none" && vectorDb.providerEnvNames
        ? appSecrets.filter((e) => e.entry === vectorDbKeyEntry).map((e) => ({ name: vectorDbProviderEnv[vectorDb.type as VectorDbType].apiKey, secret: e.secret }))
        : [];
    return [...env, ...appSecrets.map((e) => ({ name: e.name, secret: e.secret })), ...providerKeys];
}

/**
 * The rotated data-store passwords a service reads: a pod annotation per store with the password's
 * generation (a new one rolls the pods, which read the password at start), and what must finish
 * before they roll (PostgreSQL's password sync, Redis's restart). Empty for passwords never rotated.
 */
export function passwordRotations(service: Pick<ServiceConfig, "connectsTo">, context: Pick<PlatformContext, "database" | "redis">): { annotations: Record<string, string>; after: Resource[] } {
    const stores = [["postgresql", service.connectsTo.postgresql ? context.database : undefined], ["redis", service.connectsTo.redis ? context.redis : undefined]] as const;
    const rotated = stores.flatMap(([store, endpoint]) => (endpoint?.passwordRotation ? [[store, endpoint.passwordRotation] as const] : []));
    return {
        annotations: Object.fromEntries(rotated.map(([store, rotation]) => [`llm-platform/${store}-password-generation`, String(rotation.generation)])),
        after: rotated.map(([, rotation]) => rotation.after),
    };
}

/** Stakater Reloader's annotation: roll the Deployment when one of these Secrets changes. */
export const reloaderSecretAnnotation = "secret.reloader.stakater.com/reload";

/**
 * The Deployment annotations that make Stakater Reloader roll the pods when a Secret they read
 * changes in the cluster (ESO refreshed it, or something else rotated it): the Secrets' names,
 * sorted and comma-separated, never their values.
 */
export function reloaderAnnotations(secretNames: readonly string[]): Record<string, string> {
    const names = [...new Set(secretNames)].sort();
    return names.length === 0 ? {} : { [reloaderSecretAnnotation]: names.join(",") };
}

function envVarOf(env: SecretEnv): EnvVar {
    return { name: env.name, valueFrom: { secretKeyRef: { name: env.secret.name, key: env.secret.key } } };
}

/** The data stores the init container waits for, as "VAR_HOST:VAR_PORT" pairs of ConfigMap variables. */
export function dependencyWaitScript(service: ServiceConfig, context: PlatformContext): string | undefined {
    const targets: string[] = [];
    if (service.connectsTo.postgresql && context.database) targets.push("${DATABASE_HOST}:${DATABASE_PORT}");
    if (service.connectsTo.redis && context.redis) targets.push("${REDIS_HOST}:${REDIS_PORT}");
    if (targets.length === 0) return undefined;
    return [
        "set -eu",
        `for target in ${targets.join(" ")}; do`,
        '  host="${target%:*}"; port="${target##*:}"',
        '  until nc -z -w 2 "$host" "$port"; do echo "waiting for $host:$port"; sleep 2; done',
        '  echo "$host:$port is up"',
        "done",
    ].join("\n");
}

/** Pod anti-affinity and any raw affinity from config, merged. */
export function affinity(scheduling: ServiceConfig["scheduling"], selector: Labels): k8s.types.input.core.v1.Affinity | undefined {
    type Terms = Record<string, unknown[] | undefined>;
    const raw = scheduling.affinity as { podAntiAffinity?: Terms } & Record<string, unknown>;
    const term = { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" };
    const generated: Terms =
        scheduling.podAntiAffinity === "required"
            ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
            : scheduling.podAntiAffinity === "preferred"
              ? { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] }
              : {};
    const podAntiAffinity: Terms = { ...raw.podAntiAffinity };
    for (const [field, terms] of Object.entries(generated)) {
        podAntiAffinity[field] = [...terms!, ...(raw.podAntiAffinity?.[field] ?? [])];
    }
    const merged = { ...raw, ...(Object.keys(podAntiAffinity).length > 0 ? { podAntiAffinity } : {}) };
    return Object.keys(merged).length > 0 ? (merged as k8s.types.input.core.v1.Affinity) : undefined;
}

/** Zone spread of the replicas, per rollout (pod-template-hash) so a new ReplicaSet spreads too. */
export function topologySpreadConstraints(scheduling: ServiceConfig["scheduling"], selector: Labels): k8s.types.input.core.v1.TopologySpreadConstraint[] | undefined {
    if (scheduling.zoneSpread === "none") return undefined;
    return [
        {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: scheduling.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
            labelSelector: { matchLabels: selector },
            matchLabelKeys: ["pod-template-hash"],
        },
    ];
}

/** The inputs of a service's pod spec that are not in its config. */
export interface PodInputs {
    name: string;
    selector: Labels;
    configMapName: Input<string>;
    serviceAccountName: Input<string>;
    secretEnv: readonly SecretEnv[];
    waitScript?: string;
}

/** The pod spec of a service's Deployment. */
export function podSpec(service: ServiceConfig, inputs: PodInputs): PodSpec {
    const { scheduling } = service;
    const envFrom = [{ configMapRef: { name: inputs.configMapName } }];
    const initContainers: Container[] = [];
    if (service.waitForDependencies.enabled && inputs.waitScript) {
        initContainers.push({
            name: "wait-for-dependencies",
            image: service.waitForDependencies.image,
            command: ["timeout", String(service.waitForDependencies.timeoutSeconds), "sh", "-c", inputs.waitScript],
            envFrom,
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
            securityContext: restrictedContainerSecurityContext(),
        });
    }
    initContainers.push(...(service.extraInitContainers as Container[]));
    const ports = [{ name: "http", containerPort: service.ports.http, protocol: "TCP" }];
    if (service.metrics.enabled) ports.push({ name: "metrics", containerPort: service.ports.metrics, protocol: "TCP" });
    for (const extra of service.service.extraPorts) ports.push({ name: extra.name, containerPort: extra.targetPort ?? extra.port, protocol: extra.protocol });
    const writable = writableVolumes(service.securityContext);
    return {
        serviceAccountName: inputs.serviceAccountName,
        automountServiceAccountToken: service.serviceAccount.automountToken,
        securityContext: restrictedPodSecurityContext(service.securityContext),
        terminationGracePeriodSeconds: service.terminationGracePeriodSeconds,
        imagePullSecrets: service.imagePullSecrets.length ? service.imagePullSecrets.map((name) => ({ name })) : undefined,
        priorityClassName: scheduling.priorityClassName,
        nodeSelector: Object.keys(scheduling.nodeSelector).length ? scheduling.nodeSelector : undefined,
        tolerations: scheduling.tolerations.length ? (scheduling.tolerations as k8s.types.input.core.v1.Toleration[]) : undefined,
        affinity: affinity(scheduling, inputs.selector),
        topologySpreadConstraints: topologySpreadConstraints(scheduling, inputs.selector),
        initContainers: initContainers.length ? initContainers : undefined,
        containers: [
            {
                name: inputs.name,
                image: imageReference(service.image),
                imagePullPolicy: service.image.pullPolicy,
                ports,
                envFrom,
                env: [...inputs.secretEnv.map(envVarOf), ...(service.extraEnv as EnvVar[])],
                resources: { requests: service.resources.requests, limits: service.resources.limits },
                ...probes(service),
                lifecycle: service.preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: service.preStopSleepSeconds } } } : undefined,
                securityContext: restrictedContainerSecurityContext(service.securityContext),
                volumeMounts: [...writable.mounts, ...(service.extraVolumeMounts as unknown as k8s.types.input.core.v1.VolumeMount[])],
            },
        ],
        volumes: [...writable.volumes, ...(service.extraVolumes as k8s.types.input.core.v1.Volume[])],
    };
}

/** The Service spec: http, metrics when on, the extra ports; node ports and the external traffic settings as configured. */
export function serviceSpec(service: ServiceConfig, selector: Labels): k8s.types.input.core.v1.ServiceSpec {
    const { nodePort, externalTrafficPolicy, loadBalancerSourceRanges, extraPorts } = service.service;
    const ports: k8s.types.input.core.v1.ServicePort[] = [{ name: "http", port: service.ports.http, targetPort: "http", protocol: "TCP", ...(nodePort === undefined ? {} : { nodePort }) }];
    if (service.metrics.enabled) ports.push({ name: "metrics", port: service.ports.metrics, targetPort: "metrics", protocol: "TCP" });
    for (const extra of extraPorts) ports.push(compact({ name: extra.name, port: extra.port, targetPort: extra.name, protocol: extra.protocol, nodePort: extra.nodePort }));
    return {
        type: service.service.type,
        selector,
        ports,
        ...(externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy }),
        ...(loadBalancerSourceRanges.length > 0 ? { loadBalancerSourceRanges: [...loadBalancerSourceRanges] } : {}),
    };
}

/** The HorizontalPodAutoscaler spec (autoscaling/v2) scaling `deploymentName` (or another workload with a scale subresource: a canary's Rollout). */
export function hpaSpec(autoscaling: ServiceConfig["autoscaling"], deploymentName: Input<string>, workload: { apiVersion: string; kind: string } = { apiVersion: "apps/v1", kind: "Deployment" }): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [];
    for (const [resource, target] of [
        ["cpu", autoscaling.targetCPUUtilizationPercentage],
        ["memory", autoscaling.targetMemoryUtilizationPercentage],
    ] as const) {
        if (target !== undefined) {
            metrics.push({ type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization: target } } });
        }
    }
    metrics.push(...(autoscaling.metrics as k8s.types.input.autoscaling.v2.MetricSpec[]));
    const rules = (p: ServiceConfig["autoscaling"]["behavior"]["scaleUp"]) => ({
        stabilizationWindowSeconds: p.stabilizationWindowSeconds,
        selectPolicy: p.selectPolicy,
        policies: [
            { type: "Percent", value: p.percent, periodSeconds: p.periodSeconds },
            ...(p.pods ? [{ type: "Pods", value: p.pods.value, periodSeconds: p.pods.periodSeconds }] : []),
        ],
    });
    return {
        scaleTargetRef: { apiVersion: workload.apiVersion, kind: workload.kind, name: deploymentName },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics,
        behavior: { scaleUp: rules(autoscaling.behavior.scaleUp), scaleDown: rules(autoscaling.behavior.scaleDown) },
    };
}

/** The PodDisruptionBudget spec (policy/v1). */
export function pdbSpec(pdb: DisruptionBudget, selector: Labels): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
    return {
        selector: { matchLabels: selector },
        ...(pdb.minAvailable !== undefined ? { minAvailable: pdb.minAvailable } : { maxUnavailable: pdb.maxUnavailable }),
        // Pods that never became ready must not hold up a node drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
    };
}

/**
 * The ServiceMonitor spec (monitoring.coreos.com/v1) scraping a service's metrics port. With
 * `trackedAs` (a blue-green service's object name) it selects the tracks' Services only, so each
 * pod is scraped once (the live Service selects the same pods), and its series carry the service
 * label `trackedAs` and the pod's track, so the alerts see one service across both tracks.
 */
export function serviceMonitorSpec(service: ServiceConfig, monitoring: MonitoringConfig, selector: Labels, namespace: Input<string>, trackedAs?: string) {
    const copy = (source: string, target: string) => ({ action: "replace", sourceLabels: [source], targetLabel: target });
    const serviceLabel = trackedAs === undefined
        ? [copy("__meta_kubernetes_service_name", "service")]
        : [{ action: "replace", targetLabel: "service", replacement: trackedAs }, copy(`__meta_kubernetes_pod_label_${promLabelName(trackLabel)}`, "track")];
    return {
        selector: { matchLabels: selector, ...(trackedAs === undefined ? {} : { matchExpressions: [{ key: trackLabel, operator: "Exists" }] }) },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [
            {
                port: "metrics",
                path: service.metrics.path,
                interval: monitoring.interval,
                scrapeTimeout: monitoring.scrapeTimeout,
                relabelings: [
                    copy("__meta_kubernetes_pod_name", "pod"),
                    copy("__meta_kubernetes_namespace", "namespace"),
                    ...serviceLabel,
                ],
            },
        ],
    };
}

/** A Kubernetes label's name as Prometheus's service discovery writes it: every character outside [a-zA-Z0-9_] becomes "_". */
export function promLabelName(label: string): string {
    return label.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** The Ingress spec: one rule per host, TLS for all hosts when enabled. */
export function ingressSpec(service: ServiceConfig, serviceName: Input<string>, defaultTlsSecret: string): k8s.types.input.networking.v1.IngressSpec {
    const { ingress } = service;
    return {
        ingressClassName: ingress.className,
        rules: ingress.hosts.map((h) => ({
            host: h.host,
            http: {
                paths: h.paths.map((p) => ({
                    path: p.path,
                    pathType: p.pathType,
                    backend: { service: { name: serviceName, port: { name: "http" } } },
                })),
            },
        })),
        tls: ingress.tls.enabled ? [{ hosts: ingress.hosts.map((h) => h.host), secretName: ingress.tls.secretName ?? defaultTlsSecret }] : undefined,
    };
}

/** The Ingress annotations: cert-manager's issuer when set, then the configured ones. */
export function ingressAnnotations(ingress: ServiceConfig["ingress"]): Record<string, string> {
    return {
        ...(ingress.certManagerClusterIssuer ? { "cert-manager.io/cluster-issuer": ingress.certManagerClusterIssuer } : {}),
        ...ingress.annotations,
    };
}

/**
 * The URL a service is reached at from outside: its route's first host name when it has a route
 * (the target of a migration from Ingress), else its Ingress's first host, else inside the cluster.
 */
export function serviceUrl(service: ServiceConfig, serviceName: string, namespace: string, clusterDomain: string): string {
    const routed = routeUrl(service.route);
    if (routed !== undefined) return routed;
    const host = service.ingress.enabled ? service.ingress.hosts[0] : undefined;
    if (host) return `${service.ingress.tls.enabled ? "https" : "http"}://${host.host}${host.paths[0]?.path ?? "/"}`;
    return `http://${serviceName}.${namespace}.svc.${clusterDomain}:${service.ports.http}`;
}
