/**
 * From the validated `postgresql` and `redis` sections to what PostgresDatabase and RedisCache
 * take (their args, less what exists only at deploy time): the placement, where each password
 * comes from, data safety, the backups and the restore. Runs only on config that passed validation.
 */
import type { DataStoreTarget } from "../lib/alert-catalog";
import { postgresSecretKeys, redisSecretKey } from "../lib/bitnami-charts";
import type { StackIdentity } from "../lib/labels";
import { OmitDistributive, must, omit } from "../lib/objects";
import type { AlertRuleSettings } from "../observability/observability.args";
import type { SecretSync } from "../secrets/secrets.args";
import type { Environment } from "../validation/primitives";
import type { DataStoreCommonArgs, DataStoreDeployInputs, ExternalServer, PostgresBackupSpec, PostgresDatabaseArgs, PostgresRestoreSpec, RedisCacheArgs } from "./data-tier.args";
import { backupEnabled } from "./data-tier.rules";
import type { PostgresqlConfig, RedisConfig } from "./data-tier.schema";

/** What both data stores take from the rest of the stack. */
export interface DataTierContext {
    readonly environment: Environment;
    readonly identity: StackIdentity;
    /** The cluster's DNS domain (clusterDomain). */
    readonly clusterDomain: string;
    /** Where ExternalSecrets read from, when the stack has a secret store. */
    readonly sync?: SecretSync;
    /** The exporters' ServiceMonitors; absent, none (monitoring.enabled off). */
    readonly monitoring?: DataStoreCommonArgs["monitoring"];
    /** The platform's NetworkPolicies; absent, none (networkPolicy.enabled off). */
    readonly networkPolicy?: DataStoreCommonArgs["networkPolicy"];
    /** The stack's storageClass, for every claim that sets none of its own; absent, the claims' own. */
    readonly storageClass?: string;
}

/** The data's claims on the stack's StorageClass where they set none of their own. */
function withStorageClassOf<T extends PostgresqlConfig | RedisConfig>(section: T, storageClass: string | undefined): T {
    if (storageClass === undefined) return section;
    return { ...section, persistence: { ...section.persistence, storageClass: section.persistence.storageClass ?? storageClass } };
}

/** PostgreSQL's claims (the data's, the backups') on the stack's StorageClass where they set none of their own. */
export function postgresqlWithStorageClass(section: PostgresqlConfig, storageClass: string | undefined): PostgresqlConfig {
    if (storageClass === undefined) return section;
    const { storage } = section.backup;
    return { ...withStorageClassOf(section, storageClass), backup: { ...section.backup, storage: { ...storage, storageClass: storage.storageClass ?? storageClass } } };
}

/** Whether a data store's data is protected: as configured, else on in production only. */
export function dataSafety(environment: Environment, section: { protect?: boolean }): boolean {
    return section.protect ?? environment === "production";
}

/** Whether a store that exists protects data: a disabled store (enabled: false) holds none. */
export function storeHoldsProtectedData(environment: Environment, section: { enabled: boolean; protect?: boolean }): boolean {
    return section.enabled && dataSafety(environment, section);
}

/** What both stores' args hold beside their placement. */
function commonArgs(section: PostgresqlConfig | RedisConfig, context: DataTierContext, alerts: (AlertRuleSettings & { readonly target: DataStoreTarget }) | undefined): Omit<DataStoreCommonArgs, DataStoreDeployInputs> {
    const { identity, clusterDomain, monitoring, networkPolicy } = context;
    return { ...identity, clusterDomain, protect: dataSafety(context.environment, section), monitoring, networkPolicy, alerts };
}

function externalServer(section: PostgresqlConfig | RedisConfig, store: string): ExternalServer {
    const { external } = section;
    return { host: must(external.host, `${store}.external.host`), port: external.port, passwordKey: external.passwordKey, cidrs: [...external.cidrs] };
}

/** The backups and the restore of the PostgreSQL data store: absent when off or external. */
export function resolvePostgresqlOperations(section: PostgresqlConfig, environment: Environment): { backup?: PostgresBackupSpec; restore?: PostgresRestoreSpec } {
    return {
        ...(backupEnabled(environment, section) ? { backup: omit(section.backup, ["enabled"]) } : {}),
        ...(section.mode === "in-cluster" && section.restore !== undefined ? { restore: section.restore } : {}),
    };
}

/** PostgresDatabase's args: the placement, with the Secret keys each synced password goes to, the database and user, the backups and the restore; undefined when postgresql.enabled is false. */
export function resolvePostgresql(
    configured: PostgresqlConfig,
    context: DataTierContext,
    alerts?: AlertRuleSettings & { readonly target: DataStoreTarget },
): OmitDistributive<PostgresDatabaseArgs, DataStoreDeployInputs> | undefined {
    if (!configured.enabled) return undefined;
    const section = postgresqlWithStorageClass(configured, context.storageClass);
    const common = { ...commonArgs(section, context, alerts), database: section.auth.database, user: section.auth.username, ...resolvePostgresqlOperations(section, context.environment) };
    const refs = section.auth.remoteRefs;
    const sync = () => must(context.sync, "secrets.store");
    if (section.mode === "external") {
        const server = externalServer(section, "postgresql");
        const credentials =
            section.auth.passwordSource === "external-secrets"
                ? { source: "external-secrets" as const, sync: sync(), remoteRefs: { [server.passwordKey]: must(refs.userPassword, "postgresql.auth.remoteRefs.userPassword") } }
                : { source: "existing" as const, secretName: must(section.external.existingSecret, "postgresql.external.existingSecret") };
        return { ...common, mode: "external", server, credentials };
    }
    const inCluster = { ...common, mode: "in-cluster" as const, chart: section.chart, settings: section };
    if (section.auth.passwordSource === "existing") {
        const secret = must(section.auth.existingSecret, "postgresql.auth.existingSecret");
        const keys = {
            [postgresSecretKeys.adminPasswordKey]: secret.keys.adminPassword,
            [postgresSecretKeys.userPasswordKey]: secret.keys.userPassword,
            [postgresSecretKeys.replicationPasswordKey]: secret.keys.replicationPassword,
        };
        return { ...inCluster, credentials: { source: "existing", secretName: secret.name, keys } };
    }
    if (section.auth.passwordSource === "generated") return { ...inCluster, credentials: { source: "generated", generation: section.auth.rotation } };
    const replication = section.architecture === "replication" || refs.replicationPassword !== undefined;
    const remoteRefs = {
        [postgresSecretKeys.adminPasswordKey]: must(refs.adminPassword, "postgresql.auth.remoteRefs.adminPassword"),
        [postgresSecretKeys.userPasswordKey]: must(refs.userPassword, "postgresql.auth.remoteRefs.userPassword"),
        ...(replication ? { [postgresSecretKeys.replicationPasswordKey]: must(refs.replicationPassword, "postgresql.auth.remoteRefs.replicationPassword") } : {}),
    };
    return { ...inCluster, credentials: { source: "external-secrets", sync: sync(), remoteRefs } };
}

/** RedisCache's args: the placement and where its password comes from; undefined when redis.enabled is false. */
export function resolveRedis(configured: RedisConfig, context: DataTierContext, alerts?: AlertRuleSettings & { readonly target: DataStoreTarget }): OmitDistributive<RedisCacheArgs, DataStoreDeployInputs> | undefined {
    if (!configured.enabled) return undefined;
    const section = withStorageClassOf(configured, context.storageClass);
    const common = commonArgs(section, context, alerts);
    const synced = section.auth.passwordSource === "external-secrets";
    const remoteRef = () => must(section.auth.remoteRef, "redis.auth.remoteRef");
    const sync = () => must(context.sync, "secrets.store");
    if (section.mode === "external") {
        const server = externalServer(section, "redis");
        const credentials = synced
            ? { source: "external-secrets" as const, sync: sync(), remoteRefs: { [server.passwordKey]: remoteRef() } }
            : { source: "existing" as const, secretName: must(section.external.existingSecret, "redis.external.existingSecret") };
        return { ...common, mode: "external", server, credentials };
    }
    const inCluster = { ...common, mode: "in-cluster" as const, chart: section.chart, settings: section };
    if (section.auth.passwordSource === "existing") {
        const secret = must(section.auth.existingSecret, "redis.auth.existingSecret");
        return { ...inCluster, credentials: { source: "existing", secretName: secret.name, keys: { [redisSecretKey]: secret.key } } };
    }
    return { ...inCluster, credentials: synced ? { source: "external-secrets", sync: sync(), remoteRefs: { [redisSecretKey]: remoteRef() } } : { source: "generated", generation: section.auth.rotation } };
}
