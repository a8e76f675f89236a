import { loadConfig } from "./config";
import { Application } from "./application";
import { PostgresDatabase, RedisCache } from "./data-tier";
import { serviceGraph } from "./network";
import { Dashboards, MonitoringStack } from "./observability";
import { DestroyGuard, PlatformNamespace } from "./platform";
import { AppSecrets, SecretStore } from "./secrets";

const config = loadConfig();
const { identity, application } = config;

const namespace = new PlatformNamespace("namespace", config.namespace);
const secretStore = config.secretStore && new SecretStore("secret-store", { ...config.secretStore, ...identity, namespace: namespace.name });
const appSecrets = new AppSecrets("app-secrets", { ...config.appSecrets, ...identity, namespace: namespace.name, secretStore: secretStore?.store });

const monitoringStack = config.monitoringStack && new MonitoringStack("monitoring-stack", { ...identity, ...config.monitoringStack });
const graph = serviceGraph(config.services, identity);
const { monitoring, networkPolicy, clusterDomain } = application;
const dataTier = { ...identity, namespace: namespace.name, monitoring, networkPolicy, clusterDomain, secretStore: secretStore?.store, monitoringStack: monitoringStack && monitoringStack.chart };
const database = new PostgresDatabase("postgresql", { ...dataTier, ...config.postgresql, clients: graph.clientsOf("postgresql"), alerts: config.alerts.postgresql });
const cache = new RedisCache("redis", { ...dataTier, ...config.redis, clients: graph.clientsOf("redis"), alerts: config.alerts.redis });

const apps = Object.entries(config.services).map(([name, service]) => ({
    name,
    app: new Application(name, {
        ...identity,
        ...application,
        namespace: namespace.name,
        service,
        database: database.endpoint,
        redis: cache.endpoint,
        appSecrets: appSecrets.envFor(config.appSecrets.receivers[name]),
        peers: graph.peersOf(name),
        alerts: config.alerts.services[name],
        monitoringStack: dataTier.monitoringStack,
    }),
}));

const dashboards = config.dashboards && new Dashboards("dashboards", { ...identity, ...config.dashboards, namespace: namespace.name });

const guarded = [namespace, secretStore, appSecrets, monitoringStack, database, cache, dashboards, ...apps.map(({ app }) => app)];
const chartObjects = [database.chartObjects, cache.chartObjects, monitoringStack && monitoringStack.chartObjects];
const guard = config.destroyGuard && new DestroyGuard("destroy-guard", { ...identity, ...config.destroyGuard, namespace: namespace.name, guards: guarded, chartObjects });

export const namespaceName = namespace.name;
export const services = Object.fromEntries(
    apps.map(({ name, app }) => [name, { url: app.url, serviceName: app.serviceName, portForward: app.portForwardCommand, logs: app.logsCommand }]),
);
export const appSecretName = appSecrets.secretName;
export const appSecretNames = appSecrets.secretNames;
export const destroyGuard = guard && guard.configMapName;
export const grafanaDashboards = dashboards && dashboards.configMaps;
export const secretSource = { source: config.appSecrets.source, store: secretStore?.sync.store, refreshInterval: secretStore?.sync.refreshInterval };
export const dataStores = { postgresql: database.connection, redis: cache.connection };
