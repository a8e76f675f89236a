import { strict as assert } from "assert";
import { monitoringSchema } from "../observability/monitoring.schema";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { vectorDbSchema } from "../application/settings.schema";
import { affinity, configMapData, dependencyWaitScript, hpaSpec, ingressSpec, pdbSpec, PlatformContext, podSpec, secretEnv, serviceMonitorSpec, serviceUrl, topologySpreadConstraints } from "../application/application.specs";
import { AppSecretEntry } from "../secrets/secrets.args";
import { secretEnvFor } from "../secrets/app-secrets";
import { labelValue, selectorLabels, standardLabels } from "../lib/labels";
import { llmProviders, programEnvNames, vectorDbProviderEnv } from "../lib/builtin-secrets";
import { PostgresEndpoint, DataStoreEndpoint } from "../data-tier/data-tier.args";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, ...overrides });
const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "llm-platform-test" };
const database: PostgresEndpoint = {
    host: "pg.ns.svc.cluster.local",
    port: 5432,
    database: "llm",
    user: "llm",
    passwordSecret: { name: "pg-auth", key: "password" },
    networkPeer: { kind: "pods", podSelector: { "app.kubernetes.io/name": "postgresql" } },
};
const redis: DataStoreEndpoint = {
    host: "redis.example.com",
    port: 6380,
    passwordSecret: { name: "redis-auth", key: "redis-password" },
    networkPeer: { kind: "external", cidrs: ["10.0.0.0/16"] },
};
const context = (overrides: Partial<PlatformContext> = {}): PlatformContext => ({
    environment: "staging",
    database,
    redis,
    llmProviders: [{ name: "anthropic", defaultModel: "claude" }, { name: "openai" }],
    vectorDb: vectorDbSchema.parse({ type: "qdrant", url: "https://qdrant.example.com:6333", index: "docs" }),
    ...overrides,
});
const podInputs = { name: "api", selector, configMapName: "api-config-x", serviceAccountName: "api", secretEnv: [] };

describe("labels", () => {
    it("standard labels hold the recommended set; selectors only name and instance", () => {
        const id = { name: "api", instance: "llm-platform-prod", component: "api", partOf: "llm-platform", version: "1.2.3" };
        assert.deepEqual(standardLabels(id), {
            "app.kubernetes.io/name": "api",
            "app.kubernetes.io/instance": "llm-platform-prod",
            "app.kubernetes.io/version": "1.2.3",
            "app.kubernetes.io/component": "api",
            "app.kubernetes.io/part-of": "llm-platform",
            "app.kubernetes.io/managed-by": "pulumi",
        });
        assert.deepEqual(selectorLabels(id), { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "llm-platform-prod" });
    });

    it("a digest becomes a valid label value", () => {
        const value = labelValue(`sha256:${"a".repeat(64)}`);
        assert.equal(value, `sha256_${"a".repeat(56)}`);
        assert.ok(value.length <= 63);
    });
});

describe("pod spec", () => {
    it("runs as non-root UID 1000 with RuntimeDefault seccomp, a read-only root and no capabilities", () => {
        const spec = podSpec(service(), podInputs);
        assert.deepEqual(spec.securityContext, {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        const container = (spec.containers as any[])[0];
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"] });
        assert.deepEqual(container.volumeMounts, [
            { name: "tmp", mountPath: "/tmp" },
            { name: "cache", mountPath: "/cache" },
        ]);
        assert.deepEqual((spec.volumes as any[]).map((v) => [v.name, Object.keys(v)]), [
            ["tmp", ["name", "emptyDir"]],
            ["cache", ["name", "emptyDir"]],
        ]);
    });

    it("probes /health/live, /health/ready and a startup probe on the http port", () => {
        const container = (podSpec(service(), podInputs).containers as any[])[0];
        assert.deepEqual(container.livenessProbe, { httpGet: { path: "/health/live", port: "http" }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
        assert.deepEqual(container.readinessProbe.httpGet, { path: "/health/ready", port: "http" });
        assert.equal(container.startupProbe.failureThreshold, 30);
        assert.deepEqual(container.ports, [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { name: "metrics", containerPort: 9090, protocol: "TCP" },
        ]);
    });

    it("pins the image by digest when one is given", () => {
        const spec = podSpec(service({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0", digest: `sha256:${"b".repeat(64)}` } }), podInputs);
        assert.equal((spec.containers as any[])[0].image, `ghcr.io/acme/api@sha256:${"b".repeat(64)}`);
    });

    it("a preStop sleep and the grace period; none when the sleep is 0", () => {
        const withSleep = (podSpec(service({ preStopSleepSeconds: 7, terminationGracePeriodSeconds: 45 }), podInputs));
        assert.deepEqual((withSleep.containers as any[])[0].lifecycle, { preStop: { sleep: { seconds: 7 } } });
        assert.equal(withSleep.terminationGracePeriodSeconds, 45);
        assert.equal((podSpec(service({ preStopSleepSeconds: 0 }), podInputs).containers as any[])[0].lifecycle, undefined);
    });

    it("the init container waits for PostgreSQL and Redis and runs restricted", () => {
        const script = dependencyWaitScript(service(), context())!;
        assert.match(script, /for target in \$\{DATABASE_HOST\}:\$\{DATABASE_PORT\} \$\{REDIS_HOST\}:\$\{REDIS_PORT\}; do/);
        const spec = podSpec(service(), { ...podInputs, waitScript: script });
        const init = (spec.initContainers as any[])[0];
        assert.equal(init.name, "wait-for-dependencies");
        assert.deepEqual(init.command.slice(0, 4), ["timeout", "300", "sh", "-c"]);
        assert.equal(init.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(init.envFrom, [{ configMapRef: { name: "api-config-x" } }]);
    });

    it("a service without data stores waits for nothing", () => {
        const frontend = service({ connectsTo: { postgresql: false, redis: false } });
        assert.equal(dependencyWaitScript(frontend, context()), undefined);
        assert.equal(podSpec(frontend, podInputs).initContainers, undefined);
    });

    it("escape hatches reach the pod as written", () => {
        const spec = podSpec(
            service({
                extraEnv: [{ name: "FEATURE_X", value: "on" }],
                extraVolumes: [{ name: "models", persistentVolumeClaim: { claimName: "models" } }],
                extraVolumeMounts: [{ name: "models", mountPath: "/models", readOnly: true }],
                extraInitContainers: [{ name: "migrate", image: "ghcr.io/acme/migrate:1.0.0" }],
            }),
            podInputs,
        );
        const container = (spec.containers as any[])[0];
        assert.deepEqual(container.env.at(-1), { name: "FEATURE_X", value: "on" });
        assert.deepEqual(container.volumeMounts.at(-1), { name: "models", mountPath: "/models", readOnly: true });
        assert.deepEqual((spec.volumes as any[]).at(-1), { name: "models", persistentVolumeClaim: { claimName: "models" } });
        assert.deepEqual(spec.initContainers, [{ name: "migrate", image: "ghcr.io/acme/migrate:1.0.0" }]);
    });
});

describe("settings and secrets", () => {
    it("the ConfigMap carries non-secret settings only", () => {
        const data = configMapData(service({ env: { FEATURE_FLAGS: "a,b" } }), context());
        assert.deepEqual(data, {
            ENVIRONMENT: "staging",
            LOG_LEVEL: "info",
            LOG_FORMAT: "json",
            HTTP_PORT: "8080",
            METRICS_ENABLED: "true",
            METRICS_PORT: "9090",
            METRICS_PATH: "/metrics",
            WORKFLOW_TIMEOUT_SECONDS: "300",
            WORKFLOW_TIMEOUT: "300",
            TMPDIR: "/tmp",
            XDG_CACHE_HOME: "/cache",
            DATABASE_HOST: "pg.ns.svc.cluster.local",
            DATABASE_PORT: "5432",
            DATABASE_NAME: "llm",
            DATABASE_USER: "llm",
            REDIS_HOST: "redis.example.com",
            REDIS_PORT: "6380",
            LLM_PROVIDERS: "anthropic,openai",
            ANTHROPIC_DEFAULT_MODEL: "claude",
            VECTOR_DB_TYPE: "qdrant",
            VECTOR_DB_URL: "https://qdrant.example.com:6333",
            VECTOR_DB_INDEX: "docs",
            FEATURE_FLAGS: "a,b",
        });
    });

    it("the seed application's WORKFLOW_TIMEOUT comes beside WORKFLOW_TIMEOUT_SECONDS, in seconds (#27)", () => {
        const data = configMapData(service({ settings: { workflowTimeoutSeconds: 900 } }), context());
        assert.deepEqual([data.WORKFLOW_TIMEOUT_SECONDS, data.WORKFLOW_TIMEOUT], ["900", "900"]);
    });

    it("with read replicas, DATABASE_READ_HOST names their host; without, it is absent", () => {
        const withReplicas = context({ database: { ...database, readHost: "pg-read.ns.svc.cluster.local" } });
        assert.equal(configMapData(service(), withReplicas).DATABASE_READ_HOST, "pg-read.ns.svc.cluster.local");
        assert.ok(!("DATABASE_READ_HOST" in configMapData(service(), context())));
        assert.ok(!("DATABASE_READ_HOST" in configMapData(service({ connectsTo: { postgresql: false } }), withReplicas)));
    });

    it("passwords and API keys come from Secrets by name and key: the owned one, the synced one or an existing one", () => {
        const entries: AppSecretEntry[] = [
            { name: "anthropicApiKey", env: "ANTHROPIC_API_KEY", dataKey: "anthropic-api-key", source: { kind: "existing", secretName: "anthropic-credentials", key: "api-key" } },
            { name: "appSecretKey", env: "APP_SECRET_KEY", dataKey: "app-secret-key", source: { kind: "pulumi", value: "v" } },
            { name: "smtpPassword", env: "SMTP_PASSWORD", dataKey: "smtp-password", source: { kind: "external-secrets", remoteRef: { key: "smtp" } } },
        ];
        const receives = ["anthropicApiKey", "appSecretKey", "smtpPassword"];
        const env = secretEnv(service(), context(), secretEnvFor(receives, entries, "app-secrets-x", "llm-app-secrets"));
        assert.deepEqual(env, [
            { name: "DATABASE_PASSWORD", secret: { name: "pg-auth", key: "password" } },
            { name: "REDIS_PASSWORD", secret: { name: "redis-auth", key: "redis-password" } },
            { name: "ANTHROPIC_API_KEY", secret: { name: "anthropic-credentials", key: "api-key" } },
            { name: "APP_SECRET_KEY", secret: { name: "app-secrets-x", key: "app-secret-key" } },
            { name: "SMTP_PASSWORD", secret: { name: "llm-app-secrets", key: "smtp-password" } },
        ]);
        const frontend = service({ connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false } });
        assert.deepEqual(secretEnv(frontend, context(), secretEnvFor([], entries, "app-secrets-x", "llm-app-secrets")), [], "a service receiving no entry reads no Secret");
        assert.deepEqual(secretEnvFor(["smtpPassword"], entries, "app-secrets-x", "llm-app-secrets").map((e) => e.name), ["SMTP_PASSWORD"]);
    });
});

describe("the variables the program sets itself (lib/secret-catalog.ts programEnvNames, which no secret entry may take)", () => {
    it("every ConfigMap key and Secret variable the program writes, with every setting on, is one of them", () => {
        const everything = service({
            settings: { rateLimiting: { enabled: true }, tracing: { enabled: true, otlpEndpoint: "http://otel:4317" }, vault: { enabled: true, role: "r", path: "p" } },
            env: { FEATURE_FLAGS: "a" },
        });
        const written = new Set<string>();
        for (const type of Object.keys(vectorDbProviderEnv)) {
            const full = context({
                database: { ...database, readHost: "pg-read" },
                llmProviders: llmProviders.map((name) => ({ name, defaultModel: "m" })),
                vectorDb: vectorDbSchema.parse({ type, url: "https://v.example.com", index: "i", providerEnvNames: true }),
                vaultAddress: "https://vault.example.com",
            });
            for (const key of Object.keys(configMapData(everything, full))) written.add(key);
            const vectorKey = { name: "VECTOR_DB_API_KEY", entry: "vectorDbApiKey", secret: { name: "s", key: "k" } };
            for (const env of secretEnv(everything, full, [vectorKey])) if (env.name !== vectorKey.name) written.add(env.name);
        }
        written.delete("FEATURE_FLAGS");
        assert.deepEqual([...written].filter((name) => !programEnvNames.includes(name)), []);
        assert.deepEqual(programEnvNames.filter((name) => !written.has(name)), [], "no name is reserved that the program never writes");
    });
});

describe("scaling and disruption", () => {
    it("HPA defaults: up 100% per 30 s without stabilisation, down 50% per 60 s after 300 s", () => {
        const spec = hpaSpec(service({ autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 20, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } }).autoscaling, "api");
        assert.deepEqual(spec, {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
            minReplicas: 5,
            maxReplicas: 20,
            metrics: [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
                { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
            ],
            behavior: {
                scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 30 }] },
                scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] },
            },
        });
    });

    it("HPA targets: CPU 70% when none is set; a memory target alone scales on memory only", () => {
        const metricsOf = (autoscaling: Record<string, unknown>) =>
            (hpaSpec(service({ autoscaling: { enabled: true, ...autoscaling } }).autoscaling, "api").metrics as any[]).map((m: any) => [m.resource.name, m.resource.target.averageUtilization]);
        assert.deepEqual(metricsOf({}), [["cpu", 70]]);
        assert.deepEqual(metricsOf({ targetMemoryUtilizationPercentage: 80 }), [["memory", 80]]);
        assert.deepEqual(metricsOf({ targetCPUUtilizationPercentage: 50, targetMemoryUtilizationPercentage: 80 }), [["cpu", 50], ["memory", 80]]);
    });

    it("the PDB selects the pods and sets exactly the configured bound", () => {
        assert.deepEqual(pdbSpec(service({ podDisruptionBudget: { enabled: true, minAvailable: 3 } }).podDisruptionBudget, selector), {
            selector: { matchLabels: selector },
            minAvailable: 3,
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
        assert.deepEqual(pdbSpec(service({ podDisruptionBudget: { enabled: true, maxUnavailable: "25%" } }).podDisruptionBudget, selector).maxUnavailable, "25%");
    });
});

describe("scheduling", () => {
    it("required anti-affinity keeps replicas on different nodes, merged with raw affinity", () => {
        const result = affinity(
            service({ scheduling: { podAntiAffinity: "required", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } } }).scheduling,
            selector,
        ) as any;
        assert.deepEqual(result.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
            { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" },
        ]);
        assert.ok(result.nodeAffinity);
        assert.equal(affinity(service({ scheduling: { podAntiAffinity: "none" } }).scheduling, selector), undefined);
    });

    it("zone spread: DoNotSchedule when required, ScheduleAnyway when preferred, none by default", () => {
        const required = topologySpreadConstraints(service({ scheduling: { zoneSpread: "required" } }).scheduling, selector)!;
        assert.deepEqual(required, [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector }, matchLabelKeys: ["pod-template-hash"] },
        ]);
        assert.equal(topologySpreadConstraints(service({ scheduling: { zoneSpread: "preferred" } }).scheduling, selector)![0].whenUnsatisfiable, "ScheduleAnyway");
        assert.equal(topologySpreadConstraints(service().scheduling, selector), undefined);
    });
});

describe("monitoring and ingress", () => {
    it("the ServiceMonitor scrapes the metrics port with pod, namespace and service relabelings", () => {
        const spec = serviceMonitorSpec(service(), monitoringSchema.parse({ interval: "15s" }), selector, "ns");
        assert.deepEqual(spec, {
            selector: { matchLabels: selector },
            namespaceSelector: { matchNames: ["ns"] },
            endpoints: [
                {
                    port: "metrics",
                    path: "/metrics",
                    interval: "15s",
                    scrapeTimeout: "10s",
                    relabelings: [
                        { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod" },
                        { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace" },
                        { action: "replace", sourceLabels: ["__meta_kubernetes_service_name"], targetLabel: "service" },
                    ],
                },
            ],
        });
    });

    it("the Ingress routes every host to the http port, with TLS for all hosts", () => {
        const svc = service({ ingress: { enabled: true, hosts: [{ host: "a.example.com" }, { host: "b.example.com", paths: [{ path: "/v1", pathType: "Exact" }] }], tls: { enabled: true } } });
        const spec = ingressSpec(svc, "api", "api-tls");
        assert.deepEqual(spec.tls, [{ hosts: ["a.example.com", "b.example.com"], secretName: "api-tls" }]);
        assert.deepEqual((spec.rules as any[])[1], {
            host: "b.example.com",
            http: { paths: [{ path: "/v1", pathType: "Exact", backend: { service: { name: "api", port: { name: "http" } } } }] },
        });
        assert.equal(serviceUrl(svc, "api", "ns", "cluster.local"), "https://a.example.com/");
        assert.equal(serviceUrl(service(), "api", "ns", "cluster.local"), "http://api.ns.svc.cluster.local:8080");
    });
});
