/**
 * Generated stack configs for the property tests (tests/config-properties.test.ts) and the e2e's
 * server-side dry run (e2e/generated-configs.ts): valid configs built from the schema's keys, and
 * mutations of them of the kinds a user makes (a key renamed, a value of the wrong type, a number
 * out of range, a string with spaces or uppercase, a secret moved into a plain object).
 */
import { createHash } from "crypto";
import fc from "fast-check";
import { isSecretLikeKey } from "../lib/secret-detection";

export type Values = Record<string, any>;

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const labelKey = fc.constantFrom("team", "app.example.com/tier", "cost-center", "example.com/owner");
const labelValue = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?$/);
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((n) => !isSecretLikeKey(n));
const envValue = fc.stringMatching(/^[a-z0-9 ./-]{0,12}$/);

/** A service whose every value the README documents as valid. */
function serviceArbitrary(serviceName: string) {
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
            nodeSelector: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
            ingress: fc.boolean(),
            grace: fc.integer({ min: 10, max: 60 }),
            preStop: fc.integer({ min: 0, max: 9 }),
            pdb: fc.boolean(),
            autoscaling: fc.boolean(),
            metrics: fc.boolean(),
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
            scheduling: { nodeSelector: s.nodeSelector, podAntiAffinity: "none" },
            terminationGracePeriodSeconds: s.grace,
            preStopSleepSeconds: s.preStop,
            ...(s.autoscaling ? { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } } : {}),
            ...(s.pdb && (s.autoscaling || s.replicas > 1) ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } : {}),
            ...(s.ingress
                ? { ingress: { enabled: true, hosts: [{ host: `${serviceName}.example.com`, paths: [{ path: "/", pathType: "Prefix" }] }], tls: { enabled: true, secretName: `${serviceName}-tls` } } }
                : {}),
        }));
}

/** A valid stack config with every top-level key set (external data stores: the charts are the provider's to render). */
export const validConfig = fc
    .record({
        environment: fc.constantFrom("development", "staging", "production"),
        names: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
        namespaceLabels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
        networkPolicy: fc.boolean(),
        monitoring: fc.record({ enabled: fc.boolean(), interval: fc.constantFrom("30s", "1m", "1m30s"), scrapeTimeout: fc.constantFrom("10s", "15s") }),
        egress: fc.constantFrom(["0.0.0.0/0"], ["10.0.0.0/8", "2001:db8::/32"]),
    })
    .chain((c) =>
        fc.tuple(...c.names.map(serviceArbitrary)).map((services): Values => ({
            environment: c.environment,
            namespace: { name: "generated", labels: c.namespaceLabels },
            networkPolicy: { enabled: c.networkPolicy, httpsEgressCidrs: c.egress },
            monitoring: c.monitoring,
            llm: { providers: { anthropic: { enabled: true, defaultModel: "claude-sonnet-4-5" } } },
            vectorDb: { type: "none" },
            services: Object.fromEntries(c.names.map((n, i) => [n, services[i]])),
            postgresql: { mode: "external", external: { host: "pg.example.com", existingSecret: "pg-credentials" } },
            redis: { mode: "external", external: { host: "redis.example.com", existingSecret: "redis-credentials" } },
            secrets: { source: "pulumi" },
        })),
    );

/** The secrets a valid generated config needs, set with `pulumi config set --secret`. */
export const generatedSecrets = { anthropicApiKey: "sk-ant-generated-config-test-value" };

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
