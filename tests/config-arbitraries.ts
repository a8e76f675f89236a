/**
 * Generated stack configs for the property tests (tests/config-properties.test.ts) and the e2e's
 * server-side dry run (e2e/generated-configs.ts): valid configs built from the schema's keys, and
 * mutations of them of the kinds a user makes (a key renamed, a value of the wrong type, a number
 * out of range, a string with spaces or uppercase, a secret moved into a plain object).
 */
import { createHash } from "crypto";
import fc from "fast-check";
import { isSecretLikeKey } from "../lib/credentials";

export type Values = Record<string, any>;

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const labelKey = fc.constantFrom("team", "app.example.com/tier", "cost-center", "example.com/owner");
const labelValue = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?$/);
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((n) => !isSecretLikeKey(n));
const envValue = fc.stringMatching(/^[a-z0-9 ./-]{0,12}$/);

/**
 * The pod's and container's security: a preset, or its fields overridden within the namespace's
 * Pod Security level (root and the runtime's default capabilities only under "baseline").
 */
const securityContext = (podSecurity: string | undefined) =>
    fc.oneof(
        fc.constant(undefined),
        fc.constant({ preset: "web-server" }),
        fc.record({
            runAsUser: podSecurity === "baseline" ? fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 })) : fc.integer({ min: 1, max: 65535 }),
            runAsGroup: fc.integer({ min: 1, max: 65535 }),
            fsGroup: fc.integer({ min: 1, max: 65535 }),
            readOnlyRootFilesystem: fc.boolean(),
            writablePaths: fc.constantFrom([{ path: "/tmp", sizeLimit: "64Mi" }], [{ path: "/tmp" }, { path: "/var/lib/app/cache", sizeLimit: "1Gi" }]),
            addCapabilities: podSecurity === "baseline" ? fc.constantFrom([], ["NET_BIND_SERVICE"], ["CHOWN", "SETUID", "SETGID"]) : fc.constantFrom([], ["NET_BIND_SERVICE"]),
        }),
    );

/** One probe of each kind the schema has, with its timings. */
const probe = (readiness: boolean) =>
    fc.oneof(
        fc.record({ enabled: fc.constant(false) }),
        fc.record({ type: fc.constant("http"), path: fc.constantFrom("/", "/healthz"), headers: fc.constantFrom({}, { "X-Probe": "kubelet" }), periodSeconds: fc.integer({ min: 1, max: 30 }) }),
        fc.record({ type: fc.constant("tcp"), port: fc.constant("http"), timeoutSeconds: fc.integer({ min: 1, max: 10 }) }),
        fc.record({ type: fc.constant("exec"), command: fc.constant(["cat", "/tmp/healthy"]), failureThreshold: fc.integer({ min: 1, max: 10 }) }),
        fc.record({ type: fc.constant("grpc"), service: fc.constantFrom("", "health"), initialDelaySeconds: fc.integer({ min: 0, max: 30 }), ...(readiness ? { successThreshold: fc.integer({ min: 1, max: 3 }) } : {}) })
            .map(({ service, ...p }) => (service === "" ? p : { ...p, service })),
    );

/** The Service: its type, and what only NodePort and LoadBalancer have; an extra port clear of http and metrics. */
const serviceExposure = (index: number) =>
    fc.record({ type: fc.constantFrom("ClusterIP", "NodePort", "LoadBalancer"), fixedNodePort: fc.boolean(), local: fc.boolean(), extraPort: fc.boolean() }).map((s): Values => ({
        type: s.type,
        ...(s.type !== "ClusterIP" && s.fixedNodePort ? { nodePort: 30080 + index } : {}),
        ...(s.type !== "ClusterIP" ? { externalTrafficPolicy: s.local ? "Local" : "Cluster" } : {}),
        ...(s.type === "LoadBalancer" ? { loadBalancerSourceRanges: ["203.0.113.0/24"], annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } } : {}),
        ...(s.extraPort
            ? {
                  extraPorts: [
                      { name: "grpc", port: 9500 + index, protocol: "TCP", ...(s.type !== "ClusterIP" && s.fixedNodePort ? { nodePort: 30090 + index } : {}) },
                      { name: "syslog", port: 9600 + index, targetPort: 5514, protocol: "UDP" },
                  ],
              }
            : {}),
    }));

const serviceAccount = fc.oneof(
    fc.constant(undefined),
    fc.record({ annotations: fc.constant({ "iam.gke.io/gcp-service-account": "app@acme-prod.iam.gserviceaccount.com" }), automountToken: fc.boolean() }),
    fc.constant({ create: false, name: "existing-workload" }),
);

/** Application settings: every log level (and the synonym), rate limiting, tracing to an OTLP endpoint; Vault's env where the store is Vault. */
const settings = (vault: boolean) => fc.record({
    logLevel: fc.constantFrom("trace", "debug", "info", "warn", "warning", "error"),
    logFormat: fc.constantFrom("json", "text"),
    rateLimiting: fc.record({ enabled: fc.boolean(), requestsPerMinute: fc.integer({ min: 1, max: 6000 }) }),
    tracing: fc.oneof(fc.constant({ enabled: false }), fc.record({ enabled: fc.constant(true), otlpEndpoint: fc.constant("http://otel-collector.observability:4317"), sampleRatio: fc.constantFrom(0, 0.25, 1) })),
    vault: vault ? fc.record({ enabled: fc.boolean(), role: fc.constant("llm-app"), path: fc.constant("secret/data/llm-app") }) : fc.constant({ enabled: false }),
});

/** The HPA's behaviour per direction (Percent and Pods policies, selectPolicy, stabilisation) and an escape-hatch metric. */
const autoscaling = fc.record({
    scaleUpPods: fc.boolean(),
    scaleUpSelect: fc.constantFrom("Max", "Min"),
    scaleDownSelect: fc.constantFrom("Max", "Min", "Disabled"),
    window: fc.integer({ min: 0, max: 600 }),
    percent: fc.integer({ min: 1, max: 200 }),
    period: fc.integer({ min: 1, max: 1800 }),
    podsMetric: fc.boolean(),
}).map((a): Values => ({
    enabled: true,
    minReplicas: 2,
    maxReplicas: 4,
    behavior: {
        scaleUp: { selectPolicy: a.scaleUpSelect, percent: a.percent, ...(a.scaleUpPods ? { pods: { value: 2, periodSeconds: 60 } } : {}) },
        scaleDown: { selectPolicy: a.scaleDownSelect, stabilizationWindowSeconds: a.window, periodSeconds: a.period },
    },
    metrics: a.podsMetric ? [{ type: "Pods", pods: { metric: { name: "requests_per_second" }, target: { type: "AverageValue", averageValue: "10" } } }] : [],
}));

/** A service whose every value the README documents as valid; the first of a stack is its backend, calling the LLM providers with the stack's own secrets. */
function serviceArbitrary(serviceName: string, index: number, ownSecrets: readonly string[], stack: { podSecurity?: string; vault: boolean }) {
    return fc
        .record({
            component: fc.constantFrom("api", "frontend", "worker"),
            image: fc.record({
                repository: fc.constantFrom("ghcr.io/acme/api", "registry.internal:5000/team/web", "busybox", "docker.io/library/nginx"),
                tag: fc.constantFrom("1.0.0", "v2.3.4", "2024.01.15-r1"),
            }),
            replicas: fc.integer({ min: 1, max: 4 }),
            http: fc.integer({ min: 1024, max: 9000 }),
            metricsOffset: fc.integer({ min: 1, max: 500 }),
            cpu: fc.constantFrom(["100m", "500m"], ["0.25", "1"], [0.5, 2]),
            memory: fc.constantFrom(["128Mi", "256Mi"], ["512Mi", "1Gi"], ["1G", "2G"]),
            maxSurge: fc.constantFrom<number | string>(1, "25%", "100%"),
            env: fc.dictionary(envName, envValue, { maxKeys: 3 }),
            // The seed's flags, in either spelling: FEATURE_* names no generated env variable has (at most 9 characters).
            features: fc.uniqueArray(fc.constantFrom("compression", "rateLimiting", "metrics", "tracing", "semantic-cache"), { maxLength: 3 }).chain((names) =>
                fc.tuple(...names.map(() => fc.boolean())).map((on) => Object.fromEntries(names.map((n, i) => [n, on[i]])))),
            nodeSelector: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
            ingress: fc.boolean(),
            grace: fc.integer({ min: 10, max: 60 }),
            preStop: fc.integer({ min: 0, max: 9 }),
            pdb: fc.boolean(),
            autoscaling: fc.option(autoscaling, { nil: undefined }),
            metrics: fc.boolean(),
            securityContext: securityContext(stack.podSecurity),
            probes: fc.record({ liveness: probe(false), readiness: probe(true), startup: probe(false) }),
            service: serviceExposure(index),
            serviceAccount,
            settings: settings(stack.vault),
            overrides: fc.boolean(),
            callsNothing: fc.boolean(),
        })
        .map((s): Values => ({
            component: s.component,
            image: s.image,
            replicas: s.replicas,
            ports: { http: s.http, metrics: s.http + s.metricsOffset },
            metrics: { enabled: s.metrics },
            resources: { requests: { cpu: s.cpu[0], memory: s.memory[0] }, limits: { cpu: s.cpu[1], memory: s.memory[1] } },
            strategy: { maxSurge: s.maxSurge, maxUnavailable: 0 },
            env: s.env,
            ...(Object.keys(s.features).length > 0 ? { features: s.features } : {}),
            scheduling: { nodeSelector: s.nodeSelector, podAntiAffinity: "none" },
            terminationGracePeriodSeconds: s.grace,
            preStopSleepSeconds: s.preStop,
            ...(s.securityContext ? { securityContext: s.securityContext } : {}),
            probes: s.probes,
            service: s.service,
            ...(s.serviceAccount ? { serviceAccount: s.serviceAccount } : {}),
            settings: s.settings,
            ...(s.overrides ? { nameOverride: `${serviceName}-app`, fullnameOverride: `${serviceName}-svc` } : {}),
            // The backend lists its secrets; another service calls nothing and receives none, or takes connectsTo's defaults.
            ...(index === 0 ? { secrets: ["anthropicApiKey", ...ownSecrets] } : s.callsNothing ? { connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false } } : {}),
            ...(s.autoscaling ? { autoscaling: s.autoscaling } : {}),
            ...(s.pdb && (s.autoscaling || s.replicas > 1) ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } : {}),
            ...(s.ingress
                ? { ingress: { enabled: true, hosts: [{ host: `${serviceName}.example.com`, paths: [{ path: "/", pathType: "Prefix" }] }], tls: { enabled: true, secretName: `${serviceName}-tls` } } }
                : {}),
        }));
}

/** The stack's own secret entries, each from one of the places an entry can name (a remote ref needs the store). */
const ownSecretEntries = fc.uniqueArray(fc.constantFrom("jwtSecret", "encryptionKey", "smtpPassword"), { maxLength: 3 }).chain((names) =>
    fc.tuple(...names.map(() => fc.constantFrom("stack config", "remote ref", "existing Secret", "variable named"))).map((places) =>
        Object.fromEntries(names.map((name, i): [string, Values] => {
            switch (places[i]) {
                case "remote ref":
                    return [name, { remoteRef: { key: "generated/app", property: name } }];
                case "existing Secret":
                    return [name, { existingSecret: { name: `${name.toLowerCase()}-credentials`, key: "value" } }];
                case "variable named":
                    return [name, { env: `APP_${name.toUpperCase()}` }];
                default:
                    return [name, {}];
            }
        })),
    ),
);

/** Vault's KV through a created SecretStore, which its Kubernetes auth role reads. */
const vaultStore = { provider: "vault", vault: { server: "https://vault.example.com:8200", kubernetesAuth: { role: "llm-platform" } } };

const synced = (entries: Record<string, Values>) => Object.values(entries).some((e) => "remoteRef" in e);

/** The stack's own entries; with a Vault store, one at least from it, so the store has a use. */
function withVaultEntry(entries: Record<string, Values>, vault: boolean): Record<string, Values> {
    return vault && !synced(entries) ? { ...entries, vaultToken: { remoteRef: { key: "llm-platform/generated", property: "token" } } } : entries;
}

/** The secrets section: the stack's own entries, and a store when anything syncs through ESO (a created Vault store, or an existing ClusterSecretStore). */
function secretsSection(entries: Record<string, Values>, vault: boolean): Values {
    if (vault) return { source: "pulumi", entries, store: vaultStore };
    return { source: "pulumi", entries, ...(synced(entries) ? { store: { create: false, kind: "ClusterSecretStore", name: "generated-store" } } : {}) };
}

/** A valid stack config with every top-level key set (external data stores: the charts are the provider's to render). */
export const validConfig = fc
    .record({
        environment: fc.constantFrom("development", "staging", "production"),
        names: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
        namespaceLabels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
        podSecurity: fc.constantFrom(undefined, "restricted", "baseline"),
        vault: fc.boolean(),
        networkPolicy: fc.boolean(),
        monitoring: fc.record({ enabled: fc.boolean(), interval: fc.constantFrom("30s", "1m", "1m30s"), scrapeTimeout: fc.constantFrom("10s", "15s") }),
        egress: fc.constantFrom(["0.0.0.0/0"], ["10.0.0.0/8", "2001:db8::/32"]),
        vectorDb: fc.constantFrom({ type: "none" }, { type: "qdrant", url: "https://qdrant.example.com:6333", index: "documents", providerEnvNames: true }),
        registry: fc.constantFrom(undefined, "mirror.example.com", "registry.internal:5000"),
        clusterDomain: fc.constantFrom("cluster.local", "corp.internal"),
        entries: ownSecretEntries,
    })
    .map((c) => ({ ...c, entries: withVaultEntry(c.entries, c.vault) }))
    .chain((c) =>
        fc.tuple(...c.names.map((n, i) => serviceArbitrary(n, i, Object.keys(c.entries), c))).map((services): Values => ({
            environment: c.environment,
            namespace: { name: "generated", labels: c.namespaceLabels, ...(c.podSecurity ? { podSecurity: c.podSecurity } : {}) },
            networkPolicy: { enabled: c.networkPolicy, httpsEgressCidrs: c.egress },
            monitoring: c.monitoring,
            llm: { providers: { anthropic: { enabled: true, defaultModel: "claude-sonnet-4-5" } } },
            vectorDb: c.vectorDb,
            services: Object.fromEntries(c.names.map((n, i) => [n, services[i]])),
            postgresql: { mode: "external", external: { host: "pg.example.com", existingSecret: "pg-credentials" } },
            redis: { mode: "external", external: { host: "redis.example.com", existingSecret: "redis-credentials" } },
            secrets: secretsSection(c.entries, c.vault),
            images: c.registry === undefined ? {} : { registry: c.registry },
            clusterDomain: c.clusterDomain,
        })),
    );

/**
 * The secrets a generated config needs, set with `pulumi config set --secret`: the Anthropic key,
 * and each of the stack's own entries whose value comes from stack config. Reads mutated configs
 * too, as far as their shape allows.
 */
export function generatedSecrets(config: Values): Record<string, string> {
    const entries = config?.secrets?.entries;
    const own = entries !== null && typeof entries === "object" && !Array.isArray(entries) ? Object.entries<any>(entries) : [];
    const fromConfig = own.filter(([, e]) => e === null || typeof e !== "object" || (e.remoteRef === undefined && e.existingSecret === undefined));
    return Object.fromEntries([["anthropicApiKey", "sk-ant-generated-config-test-value"], ...fromConfig.map(([entry, e]) => [typeof e?.configKey === "string" ? e.configKey : entry, `generated-${entry}-value`])]);
}

/**
 * A secret as a user would paste it: a provider key ("sk-…", "AKIA…", "ghp_…") or a long random
 * token, from a seed so that every character is random.
 */
export const generatedSecret = fc.tuple(fc.constantFrom("sk-proj-", "AKIA", "ghp_", ""), fc.integer()).map(([prefix, seed]) => {
    const random = createHash("sha256").update(String(seed)).digest("base64").replace(/[+/=]/g, "");
    if (prefix === "AKIA") return `AKIA${random.toUpperCase().replace(/[^A-Z0-9]/g, "").padEnd(16, "7").slice(0, 16)}`;
    return `${prefix}${random.slice(0, prefix === "ghp_" ? 36 : 32)}`;
});

/** The paths to every value of a config, with the value. */
export function leaves(value: unknown, path: string[] = []): { path: string[]; value: unknown }[] {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        return [{ path, value }, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))];
    }
    if (Array.isArray(value)) return [{ path, value }, ...value.flatMap((v, i) => leaves(v, [...path, String(i)]))];
    return [{ path, value }];
}

function setAt(root: Values, path: string[], value: unknown): void {
    const parent = path.slice(0, -1).reduce((at, k) => at[k], root);
    parent[path[path.length - 1]] = value;
}

function renameAt(root: Values, path: string[], to: string): void {
    const parent = path.slice(0, -1).reduce((at, k) => at[k], root);
    const value = parent[path[path.length - 1]];
    delete parent[path[path.length - 1]];
    parent[to] = value;
}

/** One mistake in a valid config; `secret` is what a "secret moved in" mutation pasted, if any. */
export interface Mutation {
    readonly config: Values;
    readonly kind: string;
    readonly secret?: string;
}

/** A valid config with one mistake made in it. */
export const mutatedConfig = fc
    .tuple(validConfig, fc.nat(), fc.constantFrom("rename", "wrongType", "outOfRange", "spaces", "uppercase", "secretKey", "secretValue"), generatedSecret, fc.constantFrom("password", "apiKey", "token", "clientSecret", "note"))
    .map(([valid, pick, kind, secret, secretKeyName]): Mutation => {
        const config = structuredClone(valid);
        const all = leaves(config).filter((l) => l.path.length > 0);
        const at = (predicate: (l: { path: string[]; value: unknown }) => boolean) => {
            const candidates = all.filter(predicate);
            return candidates[pick % candidates.length];
        };
        switch (kind) {
            case "rename": {
                const target = at((l) => !/^[0-9]+$/.test(l.path[l.path.length - 1]));
                renameAt(config, target.path, `${target.path[target.path.length - 1]}x`);
                return { config, kind };
            }
            case "wrongType": {
                const target = at(() => true);
                setAt(config, target.path, typeof target.value === "number" ? "three" : typeof target.value === "string" ? 3 : typeof target.value === "boolean" ? "yes" : 42);
                return { config, kind };
            }
            case "outOfRange": {
                const target = at((l) => typeof l.value === "number") ?? at(() => true);
                setAt(config, target.path, [-1, 1e12, 0.5, 70000][pick % 4]);
                return { config, kind };
            }
            case "spaces":
            case "uppercase": {
                const target = at((l) => typeof l.value === "string");
                setAt(config, target.path, kind === "spaces" ? `${target.value} x` : String(target.value).toUpperCase() + "X");
                return { config, kind };
            }
            case "secretKey": {
                const target = at((l) => l.value !== null && typeof l.value === "object" && !Array.isArray(l.value));
                (target.value as Values)[secretKeyName] = secret;
                return { config, kind, secret };
            }
            default: {
                const target = at((l) => typeof l.value === "string");
                setAt(config, target.path, secret);
                return { config, kind, secret };
            }
        }
    });
