/**
 * From validated config to what the components take. Each concern's resolver returns its
 * components' own args (less what exists only at deploy time, which index.ts adds); this module
 * composes them and moves every image to `images.registry`. Runs only on config that passed
 * validation, so index.ts only passes values on and no component re-checks a rule.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackIdentity } from "../lib/labels";
import { RegistryImage, referenceAt, repositoryAt } from "../lib/image";
import type { OmitDistributive } from "../lib/objects";
import type { ApplicationArgs, ApplicationDeployInputs } from "../application/application.args";
import { resolveApplications } from "../application/application.resolve";
import type { ServiceConfig } from "../application/service.schema";
import type { DataStoreDeployInputs, PostgresDatabaseArgs, RedisCacheArgs } from "../data-tier/data-tier.args";
import { resolvePostgresql, resolveRedis, storeHoldsProtectedData } from "../data-tier/data-tier.resolve";
import type { GatewayArgs, GatewayDeployInputs } from "../network/network.args";
import { resolveGateway } from "../network/gateway.resolve";
import type { LogsArgs, LogsDeployInputs } from "../observability/logs/logs.args";
import { logsEntryNames, resolveLogs, withLogs } from "../observability/logs/logs.resolve";
import { ownsLoki } from "../observability/logs/logs.schema";
import type { AlertRoutingArgs, AlertRoutingDeployInputs, DashboardsArgs, MonitoringStackArgs } from "../observability/observability.args";
import { resolveAlertRouting, resolveAlerts, resolveDashboards, resolveMonitoringStack } from "../observability/observability.resolve";
import { alertmanagerEntries } from "../observability/alerting.schema";
import type { DestroyGuardArgs, PlatformNamespaceArgs } from "../platform/platform.args";
import { namespaceName, resolveDestroyGuard, resolveNamespace } from "../platform/platform.resolve";
import type { AppSecretsArgs, SecretStoreArgs } from "../secrets/secrets.args";
import { resolveAppSecrets, resolveSecretStore, secretSync } from "../secrets/secrets.resolve";
import type { ValidatedConfig } from "./schema";

/** The whole config the program is built from: each component's args, less what exists only at deploy time. */
export interface PlatformConfig {
    /** Who the stack is: every component's instance and part-of, and the service graph's. */
    readonly identity: StackIdentity;
    readonly namespace: PlatformNamespaceArgs;
    /** The secret manager's store; absent, the stack syncs nothing. */
    readonly secretStore?: Omit<SecretStoreArgs, "namespace">;
    readonly appSecrets: Omit<AppSecretsArgs, "namespace" | "secretStore">;
    /** PostgreSQL; absent with postgresql.enabled false. */
    readonly postgresql?: OmitDistributive<PostgresDatabaseArgs, DataStoreDeployInputs>;
    /** Redis; absent with redis.enabled false. */
    readonly redis?: OmitDistributive<RedisCacheArgs, DataStoreDeployInputs>;
    /** The services' sections, which the service graph (who calls whom) is derived from. */
    readonly services: Readonly<Record<string, ServiceConfig>>;
    /** The Gateway the stack owns; absent, the routes attach to Gateways the platform owns. */
    readonly gateway?: Omit<GatewayArgs, GatewayDeployInputs>;
    /** Each service's Application, by name. */
    readonly applications: Readonly<Record<string, Omit<ApplicationArgs, ApplicationDeployInputs>>>;
    /** kube-prometheus-stack, installed by the program; absent, the cluster has its own Prometheus. */
    readonly monitoringStack?: MonitoringStackArgs;
    /** Logs: the stack's own Loki and the collector; absent with monitoring.logs.enabled false. */
    readonly logs?: Omit<LogsArgs, LogsDeployInputs>;
    /** The Grafana dashboards; absent, none. */
    readonly dashboards?: Omit<DashboardsArgs, "namespace">;
    /** Alertmanager's routing, with monitoring.alertmanager.route. */
    readonly alertRouting?: Omit<AlertRoutingArgs, AlertRoutingDeployInputs>;
    /** In production, the guard every component depends on; absent, none. */
    readonly destroyGuard?: Omit<DestroyGuardArgs, "namespace" | "guards" | "chartObjects">;
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
    const { logs } = config.monitoring;
    return {
        ...config,
        services,
        postgresql: { ...config.postgresql, images: moved(config.postgresql.images) },
        redis: { ...config.redis, images: moved(config.redis.images) },
        monitoring: { ...config.monitoring, logs: { ...logs, loki: { ...logs.loki, images: moved(logs.loki.images) }, collector: { ...logs.collector, images: moved(logs.collector.images) } } },
    };
}

/** Resolves validated config for a stack; `secretValues` are the secret config values that are set, by config key. */
export function resolveConfig(
    validated: ValidatedConfig,
    stack: { project: string; stack: string },
    secretValues: Readonly<Record<string, pulumi.Output<string>>>,
): PlatformConfig {
    const config = withImageRegistry(validated);
    const identity: StackIdentity = { instance: `${stack.project}-${stack.stack}`, partOf: stack.project };
    const secretStore = config.secrets.store && resolveSecretStore(config.secrets.store, identity, config.secrets.refreshInterval);
    const sync = secretStore && secretSync(secretStore);
    const namespace = namespaceName(config.namespace, identity);
    const alerts = resolveAlerts(config, identity.instance, namespace);
    const dataTier = {
        environment: config.environment,
        identity,
        clusterDomain: config.clusterDomain,
        storageClass: config.storageClass,
        sync,
        monitoring: config.monitoring.enabled ? config.monitoring : undefined,
        networkPolicy: config.networkPolicy.enabled ? config.networkPolicy : undefined,
    };
    const appSecrets = resolveAppSecrets(config, identity, sync, secretValues, { "monitoring.alertmanager.receivers": alertmanagerEntries(config.monitoring.alertmanager, config.monitoring.enabled) });
    // The entries the logs name go to the logs' own Secret, in the monitoring namespace.
    const logsEntries = logsEntryNames(config.monitoring);
    const logsContext = { environment: config.environment, identity, namespace, clusterDomain: config.clusterDomain, storageClass: config.storageClass, networkPolicy: config.networkPolicy.enabled };
    const dashboards = resolveDashboards(config, identity, namespace);
    const ownLoki = ownsLoki({ logs: config.monitoring.logs, stack: config.monitoring.enabled && config.monitoring.stack.enabled });
    const dataProtected = storeHoldsProtectedData(config.environment, config.postgresql) || storeHoldsProtectedData(config.environment, config.redis);
    return {
        identity,
        namespace: resolveNamespace(config, identity),
        secretStore,
        appSecrets: { ...appSecrets, entries: appSecrets.entries.filter((e) => !logsEntries.includes(e.name)) },
        postgresql: resolvePostgresql(config.postgresql, dataTier, alerts.postgresql),
        redis: resolveRedis(config.redis, dataTier, alerts.redis),
        services: config.services,
        gateway: resolveGateway(config.gateway, identity),
        applications: resolveApplications(config, identity, alerts.services),
        monitoringStack: withLogs(resolveMonitoringStack(config.monitoring, identity), config.monitoring, config.environment, config.clusterDomain),
        logs: resolveLogs(config.monitoring, logsContext, appSecrets.entries),
        dashboards: dashboards && (ownLoki ? { ...dashboards, logs: true } : dashboards),
        alertRouting: resolveAlertRouting(config, identity),
        destroyGuard: resolveDestroyGuard(config.environment, identity, dataProtected),
    };
}
