import { loadConfig } from "./config";
import { Application } from "./application";
import { PostgresDatabase, RedisCache } from "./data-tier";
import { Gateway, serviceGraph } from "./network";
import { AlertRouting, Dashboards, Logs, MonitoringStack } from "./observability";
import { DestroyGuard, PlatformNamespace } from "./platform";
import { AppSecrets, SecretStore } from "./secrets";

const config = loadConfig();

const namespace = new PlatformNamespace("namespace", config.namespace);
const secretStore = config.secretStore && new SecretStore("secret-store", { ...config.secretStore, namespace: namespace.name });
const appSecrets = new AppSecrets("app-secrets", { ...config.appSecrets, namespace: namespace.name, secretStore: secretStore?.store });

const monitoringStack = config.monitoringStack && new MonitoringStack("monitoring-stack", config.monitoringStack);
const logs = config.logs && new Logs("logs", { ...config.logs, monitoringStack });
const graph = serviceGraph(config.services, config.identity);
const deployed = { namespace: namespace.name, secretStore: secretStore?.store, monitoringStack: monitoringStack && monitoringStack.chart };
const database = config.postgresql && new PostgresDatabase("postgresql", { ...config.postgresql, ...deployed, clients: graph.clientsOf("postgresql") });
const cache = config.redis && new RedisCache("redis", { ...config.redis, ...deployed, clients: graph.clientsOf("redis") });
const gateway = config.gateway && new Gateway("gateway", { ...config.gateway, namespace: namespace.name });

const apps = Object.entries(config.applications).map(([name, application]) => ({
    name,
    app: new Application(name, {
        ...application,
        namespace: namespace.name,
        database: database?.endpoint, redis: cache?.endpoint,
        appSecrets: appSecrets.envFor(name),
        peers: graph.peersOf(name),
        monitoringStack: deployed.monitoringStack,
    }),
}));
const dashboards = config.dashboards && new Dashboards("dashboards", { ...config.dashboards, namespace: namespace.name });
const alertRouting = config.alertRouting && new AlertRouting("alert-routing", { ...config.alertRouting, ...deployed, credentials: appSecrets.keyRefs(config.alertRouting.routing.receivers.map((r) => r.credential)) });
const guarded = [namespace, secretStore, appSecrets, monitoringStack, logs, database, cache, dashboards, alertRouting, gateway, ...apps.map(({ app }) => app)];
const chartObjects = [database?.chartObjects, cache?.chartObjects, monitoringStack && monitoringStack.chartObjects, logs && logs.chartObjects];
const guard = config.destroyGuard && new DestroyGuard("destroy-guard", { ...config.destroyGuard, namespace: namespace.name, guards: guarded, chartObjects });

export const namespaceName = namespace.name;
export const services = Object.fromEntries(
    apps.map(({ name, app }) => [name, { url: app.url, serviceName: app.serviceName, portForward: app.portForwardCommand, logs: app.logsCommand }]),
);
export const appSecretName = appSecrets.secretName;
export const appSecretNames = appSecrets.secretNames;
export const destroyGuard = guard && guard.configMapName;
export const grafanaDashboards = dashboards && dashboards.configMaps;
export const alertmanagerConfig = alertRouting && alertRouting.configName;
export const grafanaAdminSecret = monitoringStack && monitoringStack.grafanaAdminSecret;
export const secretSource = { source: config.appSecrets.source, store: secretStore?.sync.store, refreshInterval: secretStore?.sync.refreshInterval };
export const dataStores = { ...(database && { postgresql: database.connection }), ...(cache && { redis: cache.connection }) };

/** What this update released: the commit, each service's image, the config's digest, when and by whom (docs/releases.md). */
export const release = config.release;
