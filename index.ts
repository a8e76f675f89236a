import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { dataSafety } from "./config/data-tier";
import {
    AppSecrets,
    appSecretEntries,
    Application,
    PlatformNamespace,
    PostgresDatabase,
    RedisCache,
    clientsOf,
    secretEnvFor,
    servicePeers,
    standardLabels,
} from "./components";

const config = loadConfig();
const partOf = config.project;

const namespace = new PlatformNamespace("namespace", {
    ...config.namespace,
    defaultDeny: config.networkPolicy.enabled,
    partOf,
});

const secretEntries = appSecretEntries({
    enabledProviders: Object.entries(config.llm.providers).filter(([, p]) => p.enabled).map(([name]) => name),
    vectorDb: config.vectorDb.type !== "none",
    values: config.secrets,
});
const appSecrets = new AppSecrets("app-secrets", {
    namespace: namespace.name,
    entries: secretEntries,
    labels: standardLabels({ name: "app-secrets", instance: config.instance, component: "secrets", partOf }),
});

const dataStoreArgs = (store: "postgresql" | "redis") => ({
    namespace: namespace.name,
    instance: config.instance,
    partOf,
    protect: dataSafety(config.environment, config[store]),
    monitoring: config.monitoring.enabled ? config.monitoring : undefined,
    networkPolicy: config.networkPolicy.enabled
        ? { clientPodSelectors: clientsOf(store, config.services, config.instance, partOf), prometheus: config.networkPolicy.prometheus }
        : undefined,
});
const database = new PostgresDatabase("postgresql", { ...dataStoreArgs("postgresql"), config: config.postgresql });
const cache = new RedisCache("redis", { ...dataStoreArgs("redis"), config: config.redis });

const context = { environment: config.environment, llm: config.llm, vectorDb: config.vectorDb, database: database.endpoint, redis: cache.endpoint };
const apps = Object.entries(config.services).map(([name, service]) => {
    const peers = servicePeers(name, config.services, config.instance, partOf);
    return [name, new Application(name, {
        namespace: namespace.name,
        instance: config.instance,
        partOf,
        service,
        context,
        appSecrets: secretEnvFor(service, appSecrets.secretName, secretEntries),
        networkPolicy: config.networkPolicy.enabled ? config.networkPolicy : undefined,
        monitoring: config.monitoring.enabled ? config.monitoring : undefined,
        calls: peers.calls,
        calledBy: peers.calledBy,
    })] as const;
});

export const namespaceName = namespace.name;
export const services = Object.fromEntries(
    apps.map(([name, app]) => [
        name,
        {
            url: app.url,
            serviceName: app.serviceName,
            portForward: pulumi.interpolate`kubectl -n ${namespace.name} port-forward svc/${app.serviceName} ${config.services[name].ports.http}`,
            logs: pulumi.interpolate`kubectl -n ${namespace.name} logs -f -l ${Object.entries(app.selector).map(([k, v]) => `${k}=${v}`).join(",")}`,
        },
    ]),
);
export const appSecretName = appSecrets.secretName;
const { endpoint: pg } = database;
export const dataStores = {
    postgresql: { host: pg.host, readHost: database.readHost, port: pg.port, database: pg.database, user: pg.user, passwordSecret: pg.passwordSecret },
    redis: { host: cache.endpoint.host, port: cache.endpoint.port, passwordSecret: cache.endpoint.passwordSecret },
};
