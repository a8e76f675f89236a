/**
 * The Helm values of the redis release, as pure functions of typed inputs. No password ever
 * appears here: only the name of the Secret that holds it.
 */
import { redisChart, redisSecretKey } from "../lib/bitnami-charts";
import { ChartValuesInput, chartNetworkPolicyValues, imagesValues, mergeValues, metricsValues, persistenceValues, prometheusRuleValues, releaseValues, resourcesValues } from "./chart-values";
import { RedisSpec, RedisTuning } from "./data-tier.args";

/**
 * The chart's commonConfiguration with the tuning settings; undefined when none is set, leaving the
 * chart's own (AOF on, RDB snapshots off). Setting it replaces the chart's, so those two are kept.
 */
export function redisConfiguration(tuning: RedisTuning | undefined): string | undefined {
    if (tuning === undefined) return undefined;
    const typed: [string, string | undefined][] = [
        ["appendfsync", tuning.appendfsync],
        ["maxmemory", tuning.maxmemory],
        ["maxmemory-policy", tuning.maxmemoryPolicy],
        ...Object.entries(tuning.extra),
    ];
    const set = typed.filter(([, v]) => v !== undefined);
    if (set.length === 0 && tuning.appendonly === undefined) return undefined;
    const lines = [`appendonly ${tuning.appendonly === false ? "no" : "yes"}`, 'save ""', ...set.map(([k, v]) => `${k} ${v}`)];
    return `${lines.join("\n")}\n`;
}

/** Everything the Redis values depend on. */
export type RedisValuesInput = ChartValuesInput<RedisSpec> & {
    /** The password Secret and its key. @default the program's, "<release>-auth", key "redis-password" */
    readonly secret?: { readonly name: string; readonly key: string };
    /** The generation of a generated password (auth.rotation); above 0 it is a pod annotation, so a new one restarts Redis. @default 0 */
    readonly passwordGeneration?: number;
};

/** The pod annotation that carries the password's generation, so a rotation restarts the pods that read it at start. */
export const passwordGenerationAnnotation = "llm-platform/password-generation";

/** The pods' annotations for a password generation: none for 0, so stacks that never rotated keep their pods. */
export function passwordGenerationAnnotations(generation: number | undefined): Record<string, string> {
    return (generation ?? 0) > 0 ? { [passwordGenerationAnnotation]: String(generation) } : {};
}

/** The Helm values of the redis release. No password ever appears here: only the Secret's name. */
export function redisValues(input: RedisValuesInput): Record<string, unknown> {
    const { config, names, protect, monitoring } = input;
    const sentinel = config.sentinel.enabled;
    const secret = input.secret ?? { name: names.secret, key: redisSecretKey };
    const annotations = passwordGenerationAnnotations(input.passwordGeneration);
    const podAnnotations = Object.keys(annotations).length > 0 ? { podAnnotations: annotations } : {};
    const values: Record<string, unknown> = {
        ...releaseValues(input),
        auth: {
            enabled: true,
            sentinel: true,
            existingSecret: secret.name,
            existingSecretPasswordKey: secret.key,
            usePasswordFiles: true,
        },
        master: {
            ...resourcesValues(config.master.resources),
            ...persistenceValues(config.persistence, protect),
            ...podAnnotations,
        },
        ...(config.architecture === "replication"
            ? {
                  replica: {
                      replicaCount: config.replica.replicaCount,
                      ...resourcesValues(config.replica.resources),
                      ...persistenceValues(config.persistence, protect),
                      ...podAnnotations,
                      // The master Service's kubectl sidecar runs in these pods with their token.
                      ...(sentinel ? { automountServiceAccountToken: true } : {}),
                  },
              }
            : {}),
        sentinel: sentinel
            ? {
                  enabled: true,
                  quorum: config.sentinel.quorum,
                  ...resourcesValues(config.sentinel.resources),
                  // A Service that follows the elected master, so clients need not speak Sentinel.
                  // A kubectl sidecar labels the master pod through the Kubernetes API; the chart
                  // refuses to render it without rbac.create, serviceAccount.create and
                  // replica.automountServiceAccountToken.
                  masterService: { enabled: true },
              }
            : { enabled: false },
        rbac: { create: sentinel },
        ...(sentinel ? { serviceAccount: { create: true } } : {}),
        ...(redisConfiguration(config.tuning) === undefined ? {} : { commonConfiguration: redisConfiguration(config.tuning) }),
        networkPolicy: chartNetworkPolicyValues(),
        volumePermissions: { enabled: config.volumePermissions },
        metrics: {
            ...metricsValues(monitoring, "additionalLabels"),
            ...(input.alerts && monitoring ? { prometheusRule: prometheusRuleValues(input.alerts, "additionalLabels") } : {}),
        },
    };
    return mergeValues(values, imagesValues(config.images, redisChart, config.imagePullSecrets));
}
