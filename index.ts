import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { dataSafety } from "./config/data-tier";
import {
    AppSecrets,
    appSecretsSource,
    Application,
    DestroyGuard,
    PlatformNamespace,
    PostgresDatabase,
    RedisCache,
    SecretStore,
    SecretSync,
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

const secretsLabels = (name: string) => standardLabels({ name, instance: config.instance, component: "secrets", partOf });
const secretStore = config.secrets.store && new SecretStore("secret-store", {
    namespace: namespace.name,
    instance: config.instance,
    config: config.secrets.store,
    labels: secretsLabels("secret-store"),
});
const secretSync: SecretSync | undefined = secretStore && {
    store: secretStore.ref,
    refreshInterval: config.secrets.refreshInterval,
    dependsOn: secretStore.store ? [secretStore.store] : [],
};

const appSecrets = new AppSecrets("app-secrets", {
    namespace: namespace.name,
    source: appSecretsSource({
        source: config.secrets.source,
        enabledProviders: Object.entries(config.llm.providers).filter(([, p]) => p.enabled).map(([name]) => name),
        vectorDb: config.vectorDb.type !== "none",
        values: config.secretValues,
        remoteRefs: config.secrets.remoteRefs,
        existingSecret: config.secrets.existingSecret,
        syncedSecretName: `${config.instance}-app-secrets`,
        sync: secretSync,
    }),
    labels: secretsLabels("app-secrets"),
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
    secretSync,
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
        appSecrets: secretEnvFor(service, appSecrets.secretName, appSecrets.entries),
        networkPolicy: config.networkPolicy.enabled ? config.networkPolicy : undefined,
        monitoring: config.monitoring.enabled ? config.monitoring : undefined,
        calls: peers.calls,
        calledBy: peers.calledBy,
        reloadOnSecretChange: config.secrets.rolloutOnChange === "reloader",
    })] as const;
});

// In production, a destroy deletes nothing while the guard is protected (docs/data-tier.md).
if (config.environment === "production") {
    new DestroyGuard("destroy-guard", {
        namespace: namespace.name,
        guards: [namespace, ...(secretStore ? [secretStore] : []), appSecrets, database, cache, ...apps.map(([, app]) => app)],
        protect: dataSafety(config.environment, config.postgresql) || dataSafety(config.environment, config.redis),
        labels: standardLabels({ name: "destroy-guard", instance: config.instance, component: "destroy-guard", partOf }),
    });
}

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
export const secretSource = { source: config.secrets.source, store: secretStore?.ref, refreshInterval: secretSync?.refreshInterval };
const { endpoint: pg } = database;
export const dataStores = {
    postgresql: { host: pg.host, readHost: database.readHost, port: pg.port, database: pg.database, user: pg.user, passwordSecret: pg.passwordSecret },
    redis: { host: cache.endpoint.host, port: cache.endpoint.port, passwordSecret: cache.endpoint.passwordSecret },
};
