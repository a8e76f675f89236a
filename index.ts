import { loadConfig } from "./config";
import { AppSecrets, Application, PlatformNamespace, PostgresDatabase, RedisCache, SecretStore, serviceGraph } from "./components";

const config = loadConfig();
const { identity, application } = config;

const namespace = new PlatformNamespace("namespace", config.namespace);
const secretStore = config.secretStore && new SecretStore("secret-store", { ...config.secretStore, ...identity, namespace: namespace.name });
const appSecrets = new AppSecrets("app-secrets", { ...config.appSecrets, ...identity, namespace: namespace.name, secretStore: secretStore?.store });

const graph = serviceGraph(config.services, identity);
const dataTier = {
    ...identity,
    namespace: namespace.name,
    monitoring: application.monitoring,
    networkPolicy: application.networkPolicy,
    secretStore: secretStore?.store,
    clusterDomain: application.clusterDomain,
};
const database = new PostgresDatabase("postgresql", { ...dataTier, ...config.postgresql, clients: graph.clientsOf("postgresql") });
const cache = new RedisCache("redis", { ...dataTier, ...config.redis, clients: graph.clientsOf("redis") });

const apps = Object.entries(config.services).map(([name, service]) => ({
    name,
    app: new Application(name, {
        ...identity,
        ...application,
        namespace: namespace.name,
        service,
        database: database.endpoint,
        redis: cache.endpoint,
        appSecrets: appSecrets.envFor(service.connectsTo),
        peers: graph.peersOf(name),
    }),
}));

export const namespaceName = namespace.name;
export const services = Object.fromEntries(
    apps.map(({ name, app }) => [name, { url: app.url, serviceName: app.serviceName, portForward: app.portForwardCommand, logs: app.logsCommand }]),
);
export const appSecretName = appSecrets.secretName;
export const secretSource = { source: config.appSecrets.kind, store: secretStore?.sync.store, refreshInterval: secretStore?.sync.refreshInterval };
const { endpoint: pg } = database;
export const dataStores = {
    postgresql: { host: pg.host, readHost: database.readHost, port: pg.port, database: pg.database, user: pg.user, passwordSecret: pg.passwordSecret },
    redis: { host: cache.endpoint.host, port: cache.endpoint.port, passwordSecret: cache.endpoint.passwordSecret },
};
