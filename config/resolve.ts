/**
 * From validated config to what the components take: every value the program derives from the
 * stack config (names, per-store data safety, which secrets exist and where each comes from,
 * which settings are present) is decided here, once, so index.ts only passes values on and no
 * component re-checks a rule. Runs only on config that passed validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { RegistryImage, referenceAt, repositoryAt } from "../lib/image";
import { postgresSecretKeys, redisSecretKey } from "../lib/bitnami-charts";
import { podSecurityEnforceLabel } from "../lib/pod-security";
import { appSecretCatalog, llmProviders, SecretKey } from "../lib/secret-catalog";
import { PostgresqlConfig, RedisConfig } from "./data-tier";
import { Environment } from "./primitives";
import { LlmConfig, MonitoringConfig, NetworkPolicyConfig, ServiceConfig, ValidatedConfig, VectorDbConfig } from "./schema";
import { RemoteRefConfig, StoreConfig, StoreProviderSettings } from "./secrets";

/** A value a validation rule guarantees; its absence is a bug in the rules, not in the stack file. */
function must<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`internal error: ${what} passed validation without a value`);
    return value;
}

/** Who the stack is: app.kubernetes.io/instance and part-of of every object. */
export interface PlatformIdentity {
    /** "<project>-<stack>". */
    readonly instance: string;
    /** The Pulumi project. */
    readonly partOf: string;
}

/** Where ExternalSecrets read from: the store, and how often. */
export interface ResolvedSync {
    readonly store: { readonly kind: "SecretStore" | "ClusterSecretStore"; readonly name: string };
    readonly refreshInterval: string;
}

/** Where a data store's passwords come from, resolved. */
export type ResolvedCredentials =
    /** RandomPasswords in state, written into the program's Secret (in-cluster only). */
    | { readonly source: "generated" }
    /** An ExternalSecret syncs each Secret key from the manager. */
    | { readonly source: "external-secrets"; readonly sync: ResolvedSync; readonly remoteRefs: Readonly<Record<string, RemoteRefConfig>> }
    /** A Secret that exists (external mode). */
    | { readonly source: "existing"; readonly secretName: string };

/** A managed data store the application connects to. */
export interface ResolvedExternalServer {
    readonly host: string;
    readonly port: number;
    /** The key of the password in the credentials Secret. */
    readonly passwordKey: string;
    /** The addresses the application may reach it at. */
    readonly cidrs: readonly string[];
}

/** A data store: in the cluster from its chart, or an external server. */
export type ResolvedDataStore<Settings> =
    | {
          readonly mode: "in-cluster";
          readonly protect: boolean;
          readonly chart: Settings extends { chart: infer C } ? C : never;
          readonly settings: Settings;
          readonly credentials: Exclude<ResolvedCredentials, { source: "existing" }>;
      }
    | {
          readonly mode: "external";
          readonly protect: boolean;
          readonly server: ResolvedExternalServer;
          readonly credentials: Exclude<ResolvedCredentials, { source: "generated" }>;
      };

/** Whether a data store's data is protected: as configured, else on in production only. */
export function dataSafety(environment: Environment, section: { protect?: boolean }): boolean {
    return section.protect ?? environment === "production";
}

function externalServer(section: PostgresqlConfig | RedisConfig, store: string): ResolvedExternalServer {
    const { external } = section;
    return { host: must(external.host, `${store}.external.host`), port: external.port, passwordKey: external.passwordKey, cidrs: [...external.cidrs] };
}

/** The PostgreSQL data store, with the Secret keys each synced password goes to. */
export function resolvePostgresql(section: PostgresqlConfig, environment: Environment, sync: ResolvedSync | undefined): ResolvedDataStore<PostgresqlConfig> {
    const protect = dataSafety(environment, section);
    const refs = section.auth.remoteRefs;
    const synced = section.auth.passwordSource === "external-secrets";
    if (section.mode === "external") {
        const server = externalServer(section, "postgresql");
        const credentials = synced
            ? { source: "external-secrets" as const, sync: must(sync, "secrets.store"), remoteRefs: { [server.passwordKey]: must(refs.userPassword, "postgresql.auth.remoteRefs.userPassword") } }
            : { source: "existing" as const, secretName: must(section.external.existingSecret, "postgresql.external.existingSecret") };
        return { mode: "external", protect, server, credentials };
    }
    const replication = section.architecture === "replication" || refs.replicationPassword !== undefined;
    const credentials = synced
        ? {
              source: "external-secrets" as const,
              sync: must(sync, "secrets.store"),
              remoteRefs: {
                  [postgresSecretKeys.adminPasswordKey]: must(refs.adminPassword, "postgresql.auth.remoteRefs.adminPassword"),
                  [postgresSecretKeys.userPasswordKey]: must(refs.userPassword, "postgresql.auth.remoteRefs.userPassword"),
                  ...(replication ? { [postgresSecretKeys.replicationPasswordKey]: must(refs.replicationPassword, "postgresql.auth.remoteRefs.replicationPassword") } : {}),
              },
          }
        : { source: "generated" as const };
    return { mode: "in-cluster", protect, chart: section.chart, settings: section, credentials };
}

/** The Redis data store. */
export function resolveRedis(section: RedisConfig, environment: Environment, sync: ResolvedSync | undefined): ResolvedDataStore<RedisConfig> {
    const protect = dataSafety(environment, section);
    const synced = section.auth.passwordSource === "external-secrets";
    const remoteRef = () => must(section.auth.remoteRef, "redis.auth.remoteRef");
    if (section.mode === "external") {
        const server = externalServer(section, "redis");
        const credentials = synced
            ? { source: "external-secrets" as const, sync: must(sync, "secrets.store"), remoteRefs: { [server.passwordKey]: remoteRef() } }
            : { source: "existing" as const, secretName: must(section.external.existingSecret, "redis.external.existingSecret") };
        return { mode: "external", protect, server, credentials };
    }
    const credentials = synced ? { source: "external-secrets" as const, sync: must(sync, "secrets.store"), remoteRefs: { [redisSecretKey]: remoteRef() } } : { source: "generated" as const };
    return { mode: "in-cluster", protect, chart: section.chart, settings: section, credentials };
}

/** The secret manager's store: referenced by kind and name, and created from its provider's settings. */
export interface ResolvedSecretStore {
    readonly kind: "SecretStore" | "ClusterSecretStore";
    readonly name: string;
    /** How often every ExternalSecret re-reads the manager. */
    readonly refreshInterval: string;
    /** What to create; absent, the store exists and is only referenced. */
    readonly create?: {
        readonly provider: { [P in keyof StoreProviderSettings]: { readonly kind: P; readonly settings: StoreProviderSettings[P] } }[keyof StoreProviderSettings];
        readonly serviceAccount?: { readonly name: string; readonly create: boolean; readonly annotations: Readonly<Record<string, string>> };
    };
}

/** The store of `secrets.store`: a created store's name defaults to "<instance>-secrets". */
export function resolveSecretStore(store: StoreConfig, instance: string, refreshInterval: string): ResolvedSecretStore {
    const ref = { kind: store.kind, name: store.name ?? `${instance}-secrets`, refreshInterval };
    if (!store.create) return ref;
    const kind = must(store.provider, "secrets.store.provider");
    const provider = { kind, settings: must(store[kind], `secrets.store.${kind}`) } as NonNullable<ResolvedSecretStore["create"]>["provider"];
    return { ...ref, create: { provider, serviceAccount: store.serviceAccount } };
}

/** One application secret the stack carries. */
export interface ResolvedAppSecret {
    readonly env: string;
    readonly key: string;
    readonly audience: (typeof appSecretCatalog)[number]["audience"];
}

/** Where the application's secrets come from, with the entries the stack carries. */
export type ResolvedAppSecrets =
    | { readonly kind: "pulumi"; readonly entries: readonly (ResolvedAppSecret & { readonly value: pulumi.Output<string> })[] }
    | { readonly kind: "external-secrets"; readonly name: string; readonly sync: ResolvedSync; readonly entries: readonly (ResolvedAppSecret & { readonly remoteRef: RemoteRefConfig })[] }
    | { readonly kind: "existing"; readonly name: string; readonly entries: readonly ResolvedAppSecret[] };

/** The catalog entries a stack wants: its enabled providers' keys, the vector DB key with a vector DB, the rest always. */
function wantedSecrets(config: ValidatedConfig): (typeof appSecretCatalog)[number][] {
    return appSecretCatalog.filter((entry) => {
        if (entry.provider !== undefined) return config.llm.providers[entry.provider].enabled;
        return entry.audience !== "vectorDb" || config.vectorDb.type !== "none";
    });
}

function resolveAppSecrets(
    config: ValidatedConfig,
    instance: string,
    sync: ResolvedSync | undefined,
    values: Partial<Record<SecretKey, pulumi.Output<string>>>,
): ResolvedAppSecrets {
    const wanted = wantedSecrets(config);
    const entry = (e: (typeof appSecretCatalog)[number]) => ({ env: e.env, key: e.dataKey, audience: e.audience });
    const { secrets } = config;
    switch (secrets.source) {
        case "pulumi":
            return { kind: "pulumi", entries: wanted.flatMap((e) => (values[e.configKey] === undefined ? [] : [{ ...entry(e), value: values[e.configKey]! }])) };
        case "external-secrets":
            return {
                kind: "external-secrets",
                name: `${instance}-app-secrets`,
                sync: must(sync, "secrets.store"),
                entries: wanted.flatMap((e) => (secrets.remoteRefs[e.configKey] === undefined ? [] : [{ ...entry(e), remoteRef: secrets.remoteRefs[e.configKey]! }])),
            };
        case "existing": {
            const existing = must(secrets.existingSecret, "secrets.existingSecret");
            return { kind: "existing", name: existing.name, entries: wanted.flatMap((e) => (existing.keys[e.configKey] === undefined ? [] : [{ ...entry(e), key: existing.keys[e.configKey]! }])) };
        }
    }
}

/** A created namespace's labels: the configured ones, and the Pod Security level namespace.podSecurity sets. */
export function namespaceLabels(namespace: ValidatedConfig["namespace"]): Record<string, string> {
    return namespace.podSecurity === undefined ? namespace.labels : { ...namespace.labels, [podSecurityEnforceLabel]: namespace.podSecurity };
}

/** What every service is told about the platform and how it is watched and isolated. */
export interface ResolvedApplicationSettings {
    readonly environment: Environment;
    /** The enabled LLM providers, by name, with their default models. */
    readonly llmProviders: readonly { readonly name: string; readonly defaultModel?: string }[];
    readonly vectorDb: VectorDbConfig;
    /** The platform's NetworkPolicies; absent, none. */
    readonly networkPolicy?: NetworkPolicyConfig;
    /** ServiceMonitors; absent, none. */
    readonly monitoring?: MonitoringConfig;
    /** Roll pods when a Secret they read changes (Stakater Reloader). */
    readonly reloadOnSecretChange: boolean;
    /** The cluster's DNS domain. */
    readonly clusterDomain: string;
    /** Vault's address when the secret store is Vault, for services that read it themselves. */
    readonly vaultAddress?: string;
}

/** The whole config the program is built from, resolved. */
export interface PlatformConfig {
    /** The Pulumi project and stack. */
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly identity: PlatformIdentity;
    readonly namespace: {
        readonly name: string;
        readonly create: boolean;
        readonly labels: Readonly<Record<string, string>>;
        readonly annotations: Readonly<Record<string, string>>;
        /** A default-deny NetworkPolicy, with the platform's NetworkPolicies on. */
        readonly defaultDeny: boolean;
        readonly partOf: string;
    };
    readonly secretStore?: ResolvedSecretStore;
    readonly appSecrets: ResolvedAppSecrets;
    readonly postgresql: ResolvedDataStore<PostgresqlConfig> & { readonly database: string; readonly user: string };
    readonly redis: ResolvedDataStore<RedisConfig>;
    readonly application: ResolvedApplicationSettings;
    readonly services: Readonly<Record<string, ServiceConfig>>;
}

/** Every image of the stack moved to `images.registry`, when set: the services', their helpers' and the data tier's. */
export function withImageRegistry(config: ValidatedConfig): ValidatedConfig {
    const registry = config.images.registry;
    if (registry === undefined) return config;
    const services = Object.fromEntries(Object.entries(config.services).map(([name, s]) => [name, {
        ...s,
        image: { ...s.image, repository: repositoryAt(s.image.repository, registry) },
        waitForDependencies: { ...s.waitForDependencies, image: referenceAt(s.waitForDependencies.image, registry) },
        postDeployCheck: { ...s.postDeployCheck, image: referenceAt(s.postDeployCheck.image, registry) },
    }]));
    const moved = <T extends Record<string, RegistryImage>>(images: T): T => Object.fromEntries(Object.entries(images).map(([k, i]) => [k, { ...i, registry }])) as T;
    return {
        ...config,
        services,
        postgresql: { ...config.postgresql, images: moved(config.postgresql.images) },
        redis: { ...config.redis, images: moved(config.redis.images) },
    };
}

/** Resolves validated config for a stack; `secretValues` are the secret config values that are set. */
export function resolveConfig(
    validated: ValidatedConfig,
    stack: { project: string; stack: string },
    secretValues: Partial<Record<SecretKey, pulumi.Output<string>>>,
): PlatformConfig {
    const config = withImageRegistry(validated);
    const instance = `${stack.project}-${stack.stack}`;
    const identity = { instance, partOf: stack.project };
    const secretStore = config.secrets.store && resolveSecretStore(config.secrets.store, instance, config.secrets.refreshInterval);
    const sync = secretStore && { store: { kind: secretStore.kind, name: secretStore.name }, refreshInterval: secretStore.refreshInterval };
    const llm: LlmConfig = config.llm;
    return {
        project: stack.project,
        stack: stack.stack,
        environment: config.environment,
        identity,
        namespace: {
            create: config.namespace.create,
            annotations: config.namespace.annotations,
            labels: namespaceLabels(config.namespace),
            name: config.namespace.name ?? instance,
            defaultDeny: config.networkPolicy.enabled,
            partOf: stack.project,
        },
        secretStore,
        appSecrets: resolveAppSecrets(config, instance, sync, secretValues),
        postgresql: { ...resolvePostgresql(config.postgresql, config.environment, sync), database: config.postgresql.auth.database, user: config.postgresql.auth.username },
        redis: resolveRedis(config.redis, config.environment, sync),
        application: {
            environment: config.environment,
            llmProviders: llmProviders.filter((p) => llm.providers[p].enabled).map((name) => ({ name, defaultModel: llm.providers[name].defaultModel })),
            vectorDb: config.vectorDb,
            networkPolicy: config.networkPolicy.enabled ? config.networkPolicy : undefined,
            monitoring: config.monitoring.enabled ? config.monitoring : undefined,
            reloadOnSecretChange: config.secrets.rolloutOnChange === "reloader",
            clusterDomain: config.clusterDomain,
            vaultAddress: config.secrets.store?.vault?.server,
        },
        services: config.services,
    };
}
