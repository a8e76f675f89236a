/**
 * From the validated `secrets` section (and what decides the catalog: the providers, the vector
 * DB, the services) to what SecretStore and AppSecrets take: the store, the entries the stack
 * carries with where each value comes from, and who receives which. Runs only on config that
 * passed validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { llmProviders } from "../lib/builtin-secrets";
import type { StackIdentity } from "../lib/labels";
import { must } from "../lib/objects";
import type { LlmConfig, VectorDbConfig } from "../application/settings.schema";
import type { ServiceConfig } from "../application/service.schema";
import type { MonitoringConfig } from "../observability/monitoring.schema";
import { monitoringSecretUses } from "../observability/logs/logs.schema";
import type { AppSecretEntry, AppSecretSource, AppSecretsArgs, SecretStoreArgs, SecretSync, StoreProviderSpec } from "./secrets.args";
import { CatalogContext, SecretEntry, entryNeeds, receivedEntries, secretCatalog } from "./secret-catalog.resolve";
import type { SecretsConfig, StoreConfig } from "./secrets.schema";

/** What decides the catalog's entries and receivers, from validated config. */
export function catalogContext(
    config: {
        readonly llm: LlmConfig;
        readonly vectorDb: VectorDbConfig;
        readonly services: Readonly<Record<string, ServiceConfig>>;
        readonly monitoring?: MonitoringConfig;
    },
    otherReceivers: CatalogContext["otherReceivers"] = {},
): CatalogContext {
    return {
        enabledProviders: llmProviders.filter((p) => config.llm.providers[p].enabled),
        vectorDbType: config.vectorDb.type,
        services: config.services,
        // The log collector's credentials (monitoring.logs): entries no service receives.
        ...(config.monitoring ? { otherUses: monitoringSecretUses(config.monitoring) } : {}),
        otherReceivers,
    };
}

/** SecretStore's args for `secrets.store`: a created store's name defaults to "<instance>-secrets". */
export function resolveSecretStore(store: StoreConfig, identity: StackIdentity, refreshInterval: string): Omit<SecretStoreArgs, "namespace"> {
    const ref = { ...identity, kind: store.kind, name: store.name ?? `${identity.instance}-secrets`, refreshInterval };
    if (!store.create) return ref;
    const kind = must(store.provider, "secrets.store.provider");
    const provider = { kind, settings: must(store[kind], `secrets.store.${kind}`) } as StoreProviderSpec;
    return { ...ref, create: { provider, serviceAccount: store.serviceAccount } };
}

/** Where every ExternalSecret of the stack reads from: the store and how often. */
export function secretSync(store: Pick<SecretStoreArgs, "kind" | "name" | "refreshInterval">): SecretSync {
    return { store: { kind: store.kind, name: store.name }, refreshInterval: store.refreshInterval };
}

function sourceOf(entry: SecretEntry, values: Readonly<Record<string, pulumi.Output<string>>>): AppSecretSource | undefined {
    const { location } = entry;
    if (location.kind === "pulumi") return values[entry.configKey] === undefined ? undefined : { kind: "pulumi", value: values[entry.configKey] };
    if (location.kind === "external-secrets") return location.remoteRef && { kind: "external-secrets", remoteRef: location.remoteRef };
    return location.secretName === undefined || location.key === undefined ? undefined : { kind: "existing", secretName: location.secretName, key: location.key };
}

/** AppSecrets' args: the entries the stack carries (allowed, with a value) and each service's share of them. `values` are the secret config values that are set, by config key. */
export function resolveAppSecrets(
    config: Parameters<typeof catalogContext>[0] & { readonly secrets: SecretsConfig },
    identity: StackIdentity,
    sync: SecretSync | undefined,
    values: Readonly<Record<string, pulumi.Output<string>>>,
    otherReceivers: CatalogContext["otherReceivers"] = {},
): Omit<AppSecretsArgs, "namespace" | "secretStore"> {
    const catalog = secretCatalog(config.secrets);
    const context = catalogContext(config, otherReceivers);
    const needs = entryNeeds(catalog, context);
    const entries = catalog.flatMap((entry): AppSecretEntry[] => {
        const source = needs[entry.name].allowed ? sourceOf(entry, values) : undefined;
        return source === undefined ? [] : [{ name: entry.name, env: entry.env, dataKey: entry.dataKey, source }];
    });
    const carried = new Set(entries.map((e) => e.name));
    const synced = entries.some((e) => e.source.kind === "external-secrets");
    return {
        ...identity,
        source: config.secrets.source,
        entries,
        ...(synced ? { externalSecret: { name: `${identity.instance}-app-secrets`, sync: must(sync, "secrets.store") } } : {}),
        ...(config.secrets.source === "existing" ? { existingSecretName: must(config.secrets.existingSecret, "secrets.existingSecret").name } : {}),
        receivers: Object.fromEntries(Object.entries(config.services).map(([name, service]) => [name, receivedEntries(service, catalog, context).filter((e) => carried.has(e))])),
    };
}
