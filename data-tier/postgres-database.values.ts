/**
 * The Helm values of the postgresql release, as pure functions of typed inputs. No password ever
 * appears here: only the name of the Secret that holds them.
 */
import { postgresSecretKeys, postgresqlChart } from "../lib/bitnami-charts";
import { ChartValuesInput, chartNetworkPolicyValues, imagesValues, mergeValues, metricsValues, prometheusRuleValues, releaseValues, persistenceValues, resourcesValues } from "./chart-values";
import { PostgresqlSpec, PostgresTuning } from "./data-tier.args";

/** The init script that creates the extensions; it runs first (the image runs scripts in name order). */
export const extensionsScriptName = "00-extensions.sh";

/**
 * The script that creates `extensions` in the application database. Extensions such as pgvector
 * need the superuser, so it logs in as "postgres" with the admin password file the chart mounts
 * (init .sql files run as the application user instead).
 */
export function extensionsScript(extensions: readonly string[]): string {
    return [
        "#!/bin/bash",
        "# From postgresql.extensions: created by the superuser in the application database.",
        "set -euo pipefail",
        'export PGPASSWORD="$(< "$POSTGRES_POSTGRES_PASSWORD_FILE")"',
        'psql -v ON_ERROR_STOP=1 --host 127.0.0.1 --port "${POSTGRESQL_PORT_NUMBER:-5432}" --username postgres --dbname "$POSTGRES_DATABASE" <<\'SQL\'',
        ...extensions.map((name) => `CREATE EXTENSION IF NOT EXISTS "${name}";`),
        "SQL",
        "",
    ].join("\n");
}

/** The chart's primary.initdb values: the extensions' script and inline scripts, an existing ConfigMap or Secret; {} for none. */
export function initdbValues(config: Pick<PostgresqlSpec, "extensions" | "initScripts">): Record<string, unknown> {
    const extensions = config.extensions ?? [];
    const init = config.initScripts ?? { scripts: {} };
    const scripts = { ...(extensions.length > 0 ? { [extensionsScriptName]: extensionsScript(extensions) } : {}), ...init.scripts };
    const initdb: Record<string, unknown> = {
        ...(Object.keys(scripts).length > 0 ? { scripts } : {}),
        ...(init.existingConfigMap !== undefined ? { scriptsConfigMap: init.existingConfigMap } : {}),
        ...(init.existingSecret !== undefined ? { scriptsSecret: init.existingSecret } : {}),
    };
    return Object.keys(initdb).length > 0 ? { initdb } : {};
}

/** The postgresql.conf lines of the tuning settings (the chart's extendedConfiguration); undefined when none is set. */
export function postgresqlConfiguration(tuning: PostgresTuning | undefined): string | undefined {
    if (tuning === undefined) return undefined;
    const settings: [string, string | number | undefined][] = [
        ["max_connections", tuning.maxConnections],
        ["shared_buffers", tuning.sharedBuffers],
        ["work_mem", tuning.workMem],
        ["statement_timeout", tuning.statementTimeoutMs],
        ...Object.entries(tuning.extra),
    ];
    const lines = settings.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`);
    return lines.length > 0 ? `${lines.join("\n")}\n` : undefined;
}

/** The Secret the chart reads the passwords from, and the key of each. */
export interface PostgresqlSecretRef {
    readonly name: string;
    readonly keys: { readonly [K in keyof typeof postgresSecretKeys]: string };
}

/** Everything the PostgreSQL values depend on. */
export type PostgresqlValuesInput = ChartValuesInput<PostgresqlSpec> & {
    /** The password Secret. @default the program's, "<release>-auth", with the chart's keys */
    readonly secret?: PostgresqlSecretRef;
};

/**
 * A StatefulSet's update strategy as the API server stores it. The postgresql chart's default is
 * `rollingUpdate: {}`, which the Kubernetes provider drops on update while the server fills in
 * `partition: 0`: after any update of the StatefulSet, every preview showed
 * `~ spec.updateStrategy: + rollingUpdate: {}` (issue #10). The redis chart renders no
 * `rollingUpdate` at all, so its StatefulSets need nothing.
 */
export const statefulSetUpdateStrategy = { type: "RollingUpdate", rollingUpdate: { partition: 0 } } as const;

/** The Helm values of the postgresql release. No password ever appears here: only the Secret's name. */
export function postgresqlValues(input: PostgresqlValuesInput): Record<string, unknown> {
    const { config, names, protect, monitoring } = input;
    const secret = input.secret ?? { name: names.secret, keys: postgresSecretKeys };
    const replication = config.architecture === "replication";
    const configuration = postgresqlConfiguration(config.tuning);
    const extended = configuration === undefined ? {} : { extendedConfiguration: configuration };
    const values: Record<string, unknown> = {
        ...releaseValues(input),
        auth: {
            enablePostgresUser: true,
            username: config.auth.username,
            database: config.auth.database,
            existingSecret: secret.name,
            secretKeys: { ...secret.keys },
            usePasswordFiles: true,
        },
        // A pre-upgrade hook; v4.Chart runs no hooks, and the passwords never change anyway.
        passwordUpdateJob: { enabled: false },
        primary: {
            ...resourcesValues(config.primary.resources),
            ...persistenceValues(config.persistence, protect),
            updateStrategy: statefulSetUpdateStrategy,
            networkPolicy: chartNetworkPolicyValues(),
            ...initdbValues(config),
            ...extended,
        },
        ...(replication
            ? {
                  readReplicas: {
                      replicaCount: config.readReplicas.replicaCount,
                      ...resourcesValues(config.readReplicas.resources),
                      ...persistenceValues(config.persistence, protect),
                      updateStrategy: statefulSetUpdateStrategy,
                      networkPolicy: chartNetworkPolicyValues(),
                      ...extended,
                  },
              }
            : {}),
        volumePermissions: { enabled: config.volumePermissions },
        metrics: {
            ...metricsValues(monitoring, "labels"),
            ...(input.alerts && monitoring ? { prometheusRule: prometheusRuleValues(input.alerts, "labels") } : {}),
        },
    };
    return mergeValues(values, imagesValues(config.images, postgresqlChart, config.imagePullSecrets));
}
