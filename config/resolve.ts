/**
 * From validated config to what the components take: every value the program derives from the
 * stack config (names, per-store data safety, which secrets exist and where each comes from,
 * which settings are present) is decided here, once, so index.ts only passes values on and no
 * component re-checks a rule. Runs only on config that passed validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlertSettings, DataStoreTarget, ServiceTarget, alertCatalog, defaultSettings } from "../lib/alert-catalog";
import { postgresSecretKeys, redisSecretKey, releaseNames } from "../lib/bitnami-charts";
import { Labels } from "../lib/labels";
import { kubePrometheusStackRelease } from "../lib/monitoring-chart";
import { omit } from "../lib/objects";
import { RegistryImage, referenceAt, repositoryAt } from "../lib/image";
import { podSecurityEnforceLabel } from "../lib/pod-security";
import { llmProviders } from "../lib/builtin-secrets";
import { PostgresqlConfig, RedisConfig } from "../data-tier/data-tier.schema";
import { backupEnabled } from "../data-tier/data-tier.rules";
import { Environment } from "../validation/primitives";
import { LlmConfig, VectorDbConfig } from "../application/settings.schema";
import { MonitoringConfig } from "../observability/monitoring.schema";
import { NetworkPolicyConfig } from "../network/network.schema";
import { ServiceConfig } from "../application/service.schema";
import { ValidatedConfig } from "./schema";
import { CatalogContext, SecretEntry, entryNeeds, receivedEntries, secretCatalog } from "../secrets/secret-catalog";
import { RemoteRefConfig, SecretsConfig, StoreConfig, StoreProviderSettings } from "../secrets/secrets.schema";
import { AlertRuleSettings, SubjectAlerts } from "../observability/observability.args";

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
    /** RandomPasswords in state, written into the program's Secret (in-cluster only); `generation` is auth.rotation. */
    | { readonly source: "generated"; readonly generation: number }
    /** An ExternalSecret syncs each Secret key from the manager. */
    | { readonly source: "external-secrets"; readonly sync: ResolvedSync; readonly remoteRefs: Readonly<Record<string, RemoteRefConfig>> }
    /**
     * A Secret that exists. In the cluster, `keys` maps each key the chart reads (lib/bitnami-charts.ts)
     * to the Secret's own key; in external mode the key is the server's passwordKey.
     */
    | { readonly source: "existing"; readonly secretName: string; readonly keys?: Readonly<Record<string, string>> };

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
          readonly credentials: ResolvedCredentials;
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
    const existing = section.auth.existingSecret;
    if (section.auth.passwordSource === "existing") {
        const secret = must(existing, "postgresql.auth.existingSecret");
        const keys = {
            [postgresSecretKeys.adminPasswordKey]: secret.keys.adminPassword,
            [postgresSecretKeys.userPasswordKey]: secret.keys.userPassword,
            [postgresSecretKeys.replicationPasswordKey]: secret.keys.replicationPassword,
        };
        return { mode: "in-cluster", protect, chart: section.chart, settings: section, credentials: { source: "existing", secretName: secret.name, keys } };
    }
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
        : { source: "generated" as const, generation: section.auth.rotation };
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
    if (section.auth.passwordSource === "existing") {
        const secret = must(section.auth.existingSecret, "redis.auth.existingSecret");
        return { mode: "in-cluster", protect, chart: section.chart, settings: section, credentials: { source: "existing", secretName: secret.name, keys: { [redisSecretKey]: secret.key } } };
    }
    const credentials = synced
        ? { source: "external-secrets" as const, sync: must(sync, "secrets.store"), remoteRefs: { [redisSecretKey]: remoteRef() } }
        : { source: "generated" as const, generation: section.auth.rotation };
    return { mode: "in-cluster", protect, chart: section.chart, settings: section, credentials };
}

/** Scheduled logical backups of the in-cluster database, resolved (postgresql.backup). */
export interface ResolvedBackup {
    readonly schedule: string;
    readonly retentionDays: number;
    readonly storage: { readonly size: string; readonly storageClass?: string };
    readonly upload?: { readonly image: string; readonly command: readonly string[]; readonly args: readonly string[]; readonly envFromSecret?: string };
    readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string }; readonly limits: { readonly cpu?: string; readonly memory?: string } };
}

/** A one-shot restore of a dump into the in-cluster database (postgresql.restore). */
export interface ResolvedRestore {
    readonly file: string;
    /** The claim holding it; absent, the stack's backup claim. */
    readonly claimName?: string;
    readonly timeoutSeconds: number;
}

/** The backups and the restore of the PostgreSQL data store: absent when off or external. */
export function resolvePostgresqlOperations(section: PostgresqlConfig, environment: Environment): { backup?: ResolvedBackup; restore?: ResolvedRestore } {
    return {
        ...(backupEnabled(environment, section) ? { backup: omit(section.backup, ["enabled"]) } : {}),
        ...(section.mode === "in-cluster" && section.restore !== undefined ? { restore: section.restore } : {}),
    };
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

/** Where one application secret's value comes from, resolved. */
export type ResolvedSecretSource =
    /** A stack secret config value, written into the Secret the program owns. */
    | { readonly kind: "pulumi"; readonly value: pulumi.Output<string> }
    /** ESO syncs it from the manager into the ExternalSecret's target. */
    | { readonly kind: "external-secrets"; readonly remoteRef: RemoteRefConfig }
    /** A key of a Secret something else manages. */
    | { readonly kind: "existing"; readonly secretName: string; readonly key: string };

/** One application secret the stack carries. */
export interface ResolvedAppSecret {
    /** The catalog entry's name. */
    readonly name: string;
    /** The variable the pods read. */
    readonly env: string;
    /** Its key in the Secret the program owns or ESO syncs. */
    readonly dataKey: string;
    readonly source: ResolvedSecretSource;
}

/** The application's secrets: the entries the stack carries, where each comes from, and who receives which. */
export interface ResolvedAppSecrets {
    /** secrets.source: where entries come from unless they say otherwise. */
    readonly source: SecretsConfig["source"];
    /** The entries some service may receive and that have a value, in catalog order. */
    readonly entries: readonly ResolvedAppSecret[];
    /** The ExternalSecret's target and sync, when some entry comes from the manager. */
    readonly externalSecret?: { readonly name: string; readonly sync: ResolvedSync };
    /** With source "existing": the Secret the entries without their own place are read from. */
    readonly existingSecretName?: string;
    /** The entries each service receives, by service name. */
    readonly receivers: Readonly<Record<string, readonly string[]>>;
}

/** What decides the catalog's entries and receivers, from validated config. */
export function catalogContext(config: Pick<ValidatedConfig, "llm" | "vectorDb" | "services">): CatalogContext {
    return {
        enabledProviders: llmProviders.filter((p) => config.llm.providers[p].enabled),
        vectorDbType: config.vectorDb.type,
        services: config.services,
    };
}

function sourceOf(entry: SecretEntry, values: Readonly<Record<string, pulumi.Output<string>>>): ResolvedSecretSource | undefined {
    const { location } = entry;
    if (location.kind === "pulumi") return values[entry.configKey] === undefined ? undefined : { kind: "pulumi", value: values[entry.configKey] };
    if (location.kind === "external-secrets") return location.remoteRef && { kind: "external-secrets", remoteRef: location.remoteRef };
    return location.secretName === undefined || location.key === undefined ? undefined : { kind: "existing", secretName: location.secretName, key: location.key };
}

/** The entries the stack carries (allowed, with a value) and each service's share of them. */
export function resolveAppSecrets(config: ValidatedConfig, instance: string, sync: ResolvedSync | undefined, values: Readonly<Record<string, pulumi.Output<string>>>): ResolvedAppSecrets {
    const catalog = secretCatalog(config.secrets);
    const context = catalogContext(config);
    const needs = entryNeeds(catalog, context);
    const entries = catalog.flatMap((entry): ResolvedAppSecret[] => {
        const source = needs[entry.name].allowed ? sourceOf(entry, values) : undefined;
        return source === undefined ? [] : [{ name: entry.name, env: entry.env, dataKey: entry.dataKey, source }];
    });
    const carried = new Set(entries.map((e) => e.name));
    const synced = entries.some((e) => e.source.kind === "external-secrets");
    return {
        source: config.secrets.source,
        entries,
        ...(synced ? { externalSecret: { name: `${instance}-app-secrets`, sync: must(sync, "secrets.store") } } : {}),
        ...(config.secrets.source === "existing" ? { existingSecretName: must(config.secrets.existingSecret, "secrets.existingSecret").name } : {}),
        receivers: Object.fromEntries(Object.entries(config.services).map(([name, service]) => [name, receivedEntries(service, catalog, context).filter((e) => carried.has(e))])),
    };
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
        readonly instance: string;
        /** Where cert-manager's HTTP-01 solver pods are reached from, when the stack needs them. */
        readonly acmeSolverIngressFrom?: NetworkPolicyConfig["ingressController"];
    };
    readonly secretStore?: ResolvedSecretStore;
    readonly appSecrets: ResolvedAppSecrets;
    readonly postgresql: ResolvedDataStore<PostgresqlConfig> & { readonly database: string; readonly user: string; readonly backup?: ResolvedBackup; readonly restore?: ResolvedRestore };
    readonly redis: ResolvedDataStore<RedisConfig>;
    readonly application: ResolvedApplicationSettings;
    readonly services: Readonly<Record<string, ServiceConfig>>;
    /**
     * In production, a guard every component depends on, so `pulumi destroy` must delete it first:
     * protected (with data safety on for either store), the destroy fails before deleting anything.
     */
    readonly destroyGuard?: { readonly protect: boolean };
    /** The alerts of each subject that has them; absent, none. */
    readonly alerts: ResolvedAlerts;
    /** The Grafana dashboards; absent, none. */
    readonly dashboards?: ResolvedDashboards;
    /** kube-prometheus-stack, installed by the program; absent, the cluster has its own Prometheus. */
    readonly monitoringStack?: ResolvedMonitoringStack;
}

/** The kube-prometheus-stack release and how it finds the stack's objects. */
export interface ResolvedMonitoringStack {
    readonly namespace: string;
    readonly createNamespace: boolean;
    readonly chart: { readonly repository: string; readonly name: string; readonly version: string; readonly path?: string };
    readonly release: string;
    /** Its Prometheus selects ServiceMonitors and PrometheusRules with these labels (monitoring.labels). */
    readonly selectorLabels: Labels;
    /** Its Grafana sidecar loads ConfigMaps with this label, into the folder this annotation names. */
    readonly dashboards: { readonly label: string; readonly labelValue: string; readonly folderAnnotation: string };
}

/** The monitoring stack, when monitoring.stack.enabled. */
export function resolveMonitoringStack(monitoring: ValidatedConfig["monitoring"]): ResolvedMonitoringStack | undefined {
    const { stack, dashboards } = monitoring;
    if (!monitoring.enabled || !stack.enabled) return undefined;
    return {
        namespace: stack.namespace,
        createNamespace: stack.createNamespace,
        chart: stack.chart,
        release: kubePrometheusStackRelease,
        selectorLabels: monitoring.labels,
        dashboards: { label: dashboards.sidecarLabel.name, labelValue: dashboards.sidecarLabel.value, folderAnnotation: dashboards.folderAnnotation },
    };
}

/** The alerts of a stack, per subject. */
export interface ResolvedAlerts {
    readonly services: Readonly<Record<string, SubjectAlerts<ServiceTarget> | undefined>>;
    /** In-cluster stores with their exporter only. */
    readonly postgresql?: SubjectAlerts<DataStoreTarget>;
    readonly redis?: SubjectAlerts<DataStoreTarget>;
}

/** The Grafana dashboards of a stack and what they show. */
export interface ResolvedDashboards {
    /** The sidecar's label, on every dashboard ConfigMap. */
    readonly labels: Labels;
    /** The folder annotation. */
    readonly annotations: Labels;
    readonly services: readonly ServiceTarget[];
    readonly postgresql?: DataStoreTarget;
    readonly redis?: DataStoreTarget;
}

/** What the alerts and dashboards of a stack watch: its services, and its in-cluster data stores with exporters. */
function observedTargets(config: ValidatedConfig, instance: string, namespace: string) {
    const services = Object.fromEntries(
        Object.entries(config.services).map(([name, s]): [string, ServiceTarget] => [
            name,
            {
                namespace,
                name,
                http: config.monitoring.httpMetrics,
                has: { metrics: s.metrics.enabled, autoscaling: s.autoscaling.enabled, disruptionBudget: s.podDisruptionBudget.enabled, postDeployCheck: s.postDeployCheck.enabled },
            },
        ]),
    );
    const store = (kind: "postgresql" | "redis"): DataStoreTarget | undefined =>
        config[kind].mode === "in-cluster" ? { namespace, release: releaseNames(instance, kind).release, replication: config[kind].architecture === "replication" } : undefined;
    return { services, postgresql: store("postgresql"), redis: store("redis") };
}

/** Each alert's settings: the catalog's defaults for the environment, then the stack's overrides. */
export function alertSettings(config: ValidatedConfig): Record<string, AlertSettings> {
    return Object.fromEntries(
        alertCatalog.map((alert) => {
            const defaults = defaultSettings(alert, config.environment);
            const override = (config.monitoring.alerts.rules as Record<string, Partial<AlertSettings> | undefined>)[alert.name] ?? {};
            return [
                alert.name,
                {
                    enabled: override.enabled ?? defaults.enabled,
                    for: override.for ?? defaults.for,
                    severity: override.severity ?? defaults.severity,
                    ...(defaults.threshold === undefined ? {} : { threshold: override.threshold ?? defaults.threshold }),
                },
            ];
        }),
    );
}

/** The alerts: on with monitoring, unless monitoring.alerts.enabled says otherwise; by default off in development. */
export function resolveAlerts(config: ValidatedConfig, instance: string, namespace: string): ResolvedAlerts {
    const { monitoring } = config;
    const enabled = monitoring.enabled && (monitoring.alerts.enabled ?? config.environment !== "development");
    if (!enabled) return { services: {} };
    const common: AlertRuleSettings = { ruleLabels: monitoring.labels, alertLabels: monitoring.alerts.labels, runbookBaseUrl: monitoring.alerts.runbookBaseUrl, settings: alertSettings(config) };
    const targets = observedTargets(config, instance, namespace);
    const forTarget = <T>(target: T | undefined) => target && { ...common, target };
    return {
        services: Object.fromEntries(Object.entries(targets.services).map(([name, target]) => [name, forTarget(target)])),
        postgresql: forTarget(targets.postgresql),
        redis: forTarget(targets.redis),
    };
}

/** The dashboards: on with monitoring, unless monitoring.dashboards.enabled says otherwise. */
export function resolveDashboards(config: ValidatedConfig, stack: { project: string; stack: string }, namespace: string): ResolvedDashboards | undefined {
    const { monitoring } = config;
    const { dashboards } = monitoring;
    if (!monitoring.enabled || dashboards.enabled === false) return undefined;
    const instance = `${stack.project}-${stack.stack}`;
    const targets = observedTargets(config, instance, namespace);
    return {
        labels: { [dashboards.sidecarLabel.name]: dashboards.sidecarLabel.value },
        annotations: { [dashboards.folderAnnotation]: dashboards.folder ?? stack.project },
        services: Object.values(targets.services),
        postgresql: targets.postgresql,
        redis: targets.redis,
    };
}

/** The Ingress annotations by which cert-manager issues a certificate for it. */
const certManagerIssuerAnnotations = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"];

/**
 * Whether cert-manager will run HTTP-01 solver pods in the namespace: the platform's
 * NetworkPolicies are on, the stack solves ACME challenges over HTTP, and some service's Ingress
 * names an issuer. (A non-ACME issuer runs no solver; the program can't tell them apart by name.)
 */
export function needsAcmeHttp01Solver(config: Pick<ValidatedConfig, "networkPolicy" | "services">): boolean {
    if (!config.networkPolicy.enabled || config.networkPolicy.acmeChallenge !== "http01") return false;
    return Object.values(config.services).some(
        ({ ingress }) => ingress.enabled && (ingress.certManagerClusterIssuer !== undefined || certManagerIssuerAnnotations.some((key) => key in ingress.annotations)),
    );
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

/** Resolves validated config for a stack; `secretValues` are the secret config values that are set, by config key. */
export function resolveConfig(
    validated: ValidatedConfig,
    stack: { project: string; stack: string },
    secretValues: Readonly<Record<string, pulumi.Output<string>>>,
): PlatformConfig {
    const config = withImageRegistry(validated);
    const instance = `${stack.project}-${stack.stack}`;
    const identity = { instance, partOf: stack.project };
    const secretStore = config.secrets.store && resolveSecretStore(config.secrets.store, instance, config.secrets.refreshInterval);
    const sync = secretStore && { store: { kind: secretStore.kind, name: secretStore.name }, refreshInterval: secretStore.refreshInterval };
    const llm: LlmConfig = config.llm;
    const namespaceName = config.namespace.name ?? instance;
    return {
        project: stack.project,
        stack: stack.stack,
        environment: config.environment,
        identity,
        namespace: {
            create: config.namespace.create,
            annotations: config.namespace.annotations,
            labels: namespaceLabels(config.namespace),
            name: namespaceName,
            defaultDeny: config.networkPolicy.enabled,
            partOf: stack.project,
            instance,
            acmeSolverIngressFrom: needsAcmeHttp01Solver(config) ? config.networkPolicy.ingressController : undefined,
        },
        secretStore,
        appSecrets: resolveAppSecrets(config, instance, sync, secretValues),
        postgresql: {
            ...resolvePostgresql(config.postgresql, config.environment, sync),
            database: config.postgresql.auth.database,
            user: config.postgresql.auth.username,
            ...resolvePostgresqlOperations(config.postgresql, config.environment),
        },
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
        destroyGuard:
            config.environment === "production"
                ? { protect: dataSafety(config.environment, config.postgresql) || dataSafety(config.environment, config.redis) }
                : undefined,
        alerts: resolveAlerts(config, instance, namespaceName),
        dashboards: resolveDashboards(config, stack, namespaceName),
        monitoringStack: resolveMonitoringStack(config.monitoring),
    };
}
