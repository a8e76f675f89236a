/**
 * The Helm values of the postgresql release, as pure functions of typed inputs. No password ever
 * appears here: only the name of the Secret that holds them.
 */
import { RegistryImage } from "../lib/image";
import { postgresMetricsPort, postgresPort, postgresSecretKeys, postgresqlChart } from "../lib/bitnami-charts";
import {
    ChartValuesInput,
    IngressRule,
    PersistenceSpec,
    ResourcesSpec,
    clientIngress,
    imagesValues,
    mergeValues,
    metricsValues,
    releaseValues,
    persistenceValues,
    resourcesValues,
    scrapeIngress,
} from "./chart-values";

/** The in-cluster settings of the postgresql config section that the values depend on. */
export interface PostgresqlSpec {
    readonly architecture: "standalone" | "replication";
    readonly auth: { readonly database: string; readonly username: string };
    readonly primary: { readonly resources?: ResourcesSpec };
    readonly readReplicas: { readonly replicaCount: number; readonly resources?: ResourcesSpec };
    readonly persistence: PersistenceSpec;
    readonly volumePermissions: boolean;
    readonly images: Readonly<Record<keyof typeof postgresqlChart.images, RegistryImage>>;
    readonly imagePullSecrets: readonly string[];
}

/** Everything the PostgreSQL values depend on. */
export type PostgresqlValuesInput = ChartValuesInput<PostgresqlSpec>;

/** A StatefulSet's NetworkPolicy values in the postgresql chart (primary.* and readReplicas.*). */
export function postgresqlNetworkPolicy(input: Pick<PostgresqlValuesInput, "networkPolicy" | "monitoring">): Record<string, unknown> {
    const policy = input.networkPolicy;
    if (policy === undefined) return { enabled: false };
    const extraIngress: IngressRule[] = [...clientIngress(policy.clientPodSelectors, [postgresPort])];
    if (input.monitoring !== undefined && policy.prometheus !== undefined) {
        extraIngress.push(scrapeIngress(policy.prometheus, postgresMetricsPort));
    }
    // allowExternal: false limits the chart's own rule to the release's pods (replication) and
    // pods labelled "<fullname>-client"; the application and Prometheus come in through extraIngress.
    // allowExternalEgress: false leaves DNS and the release's own pods, which is all PostgreSQL calls.
    return { enabled: true, allowExternal: false, allowExternalEgress: false, extraIngress };
}

/** The Helm values of the postgresql release. No password ever appears here: only the Secret's name. */
export function postgresqlValues(input: PostgresqlValuesInput): Record<string, unknown> {
    const { config, names, protect, monitoring } = input;
    const networkPolicy = postgresqlNetworkPolicy(input);
    const replication = config.architecture === "replication";
    const values: Record<string, unknown> = {
        ...releaseValues(input),
        auth: {
            enablePostgresUser: true,
            username: config.auth.username,
            database: config.auth.database,
            existingSecret: names.secret,
            secretKeys: { ...postgresSecretKeys },
            usePasswordFiles: true,
        },
        // A pre-upgrade hook; v4.Chart runs no hooks, and the passwords never change anyway.
        passwordUpdateJob: { enabled: false },
        primary: {
            ...resourcesValues(config.primary.resources),
            ...persistenceValues(config.persistence, protect),
            networkPolicy,
        },
        ...(replication
            ? {
                  readReplicas: {
                      replicaCount: config.readReplicas.replicaCount,
                      ...resourcesValues(config.readReplicas.resources),
                      ...persistenceValues(config.persistence, protect),
                      networkPolicy,
                  },
              }
            : {}),
        volumePermissions: { enabled: config.volumePermissions },
        metrics: metricsValues(monitoring, "labels"),
    };
    return mergeValues(values, imagesValues(config.images, postgresqlChart, config.imagePullSecrets));
}
