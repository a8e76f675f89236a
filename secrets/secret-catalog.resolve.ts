/**
 * The stack's secret catalog: the built-in entries (lib/secret-catalog.ts) with the stack's own
 * (`secrets.entries`), each with the variable the pods read, its key in the Secret the program owns
 * or ESO syncs, and where its value comes from; and which entries each service receives. Pure
 * functions of parsed config: the rules (secrets.rules.ts), the resolution (secrets.resolve.ts)
 * and loadConfig (which secret config keys to read) all start from `secretCatalog`.
 */
import { BuiltinSecret, builtinSecrets, defaultSecretEnv, secretDataKeyOf, SecretUse } from "../lib/builtin-secrets";
import type { RemoteRefConfig, SecretEntryConfig, SecretsConfig } from "./secrets.schema";

/** Where an entry's value comes from, and the config key that says so (for messages). */
export type EntryLocation =
    /** The stack secret config key `configKey` (`pulumi config set --secret`). */
    | { readonly kind: "pulumi"; readonly at: string }
    /** ESO syncs it from the secret manager; `remoteRef` absent: not given yet. */
    | { readonly kind: "external-secrets"; readonly remoteRef?: RemoteRefConfig; readonly at: string }
    /** A key of an existing Secret; absent parts: not given yet. */
    | { readonly kind: "existing"; readonly secretName?: string; readonly key?: string; readonly at: string };

/** One entry of the stack's catalog. */
export interface SecretEntry {
    readonly name: string;
    /** The variable the pods read. */
    readonly env: string;
    /** Its key in the Secret the program writes, or that ESO syncs. */
    readonly dataKey: string;
    /** The stack secret config key that holds it, when its value comes from stack config. */
    readonly configKey: string;
    /** What the program knows of it, for a built-in entry. */
    readonly builtin?: BuiltinSecret;
    /** What `secrets.entries.<name>` says of it, if anything. */
    readonly declared?: SecretEntryConfig;
    readonly location: EntryLocation;
}

/** The fields of an entry that say where its value comes from, at most one of which may be set. */
export const entryLocationFields = ["configKey", "remoteRef", "existingSecret"] as const;

/** Where an entry's value comes from: its own field if it sets one, else the stack's `secrets.source`. */
function locationOf(name: string, declared: SecretEntryConfig | undefined, secrets: SecretsConfig): EntryLocation {
    const own = `secrets.entries.${name}`;
    if (declared?.configKey !== undefined) return { kind: "pulumi", at: `${own}.configKey` };
    if (declared?.remoteRef !== undefined) return { kind: "external-secrets", remoteRef: declared.remoteRef, at: `${own}.remoteRef` };
    if (declared?.existingSecret !== undefined) return { kind: "existing", secretName: declared.existingSecret.name, key: declared.existingSecret.key, at: `${own}.existingSecret` };
    switch (secrets.source) {
        case "pulumi":
            return { kind: "pulumi", at: "secrets.source" };
        case "external-secrets":
            return { kind: "external-secrets", remoteRef: secrets.remoteRefs[name], at: `secrets.remoteRefs.${name}` };
        case "existing":
            return { kind: "existing", secretName: secrets.existingSecret?.name, key: secrets.existingSecret?.keys[name], at: `secrets.existingSecret.keys.${name}` };
    }
}

/** The stack's catalog: the built-in entries in their order, then the stack's own in the order written. */
export function secretCatalog(secrets: SecretsConfig): SecretEntry[] {
    const builtinNames = new Set(builtinSecrets.map((b) => b.name));
    const names = [...builtinNames, ...Object.keys(secrets.entries).filter((name) => !builtinNames.has(name))];
    return names.map((name) => {
        const declared = secrets.entries[name];
        return {
            name,
            env: declared?.env ?? defaultSecretEnv(name),
            dataKey: secretDataKeyOf(name),
            configKey: declared?.configKey ?? name,
            builtin: builtinSecrets.find((b) => b.name === name),
            declared,
            location: locationOf(name, declared, secrets),
        };
    });
}

/** The stack secret config keys the catalog reads: the only keys that may be set with --secret. */
export function catalogConfigKeys(catalog: readonly SecretEntry[]): string[] {
    return [...new Set(catalog.map((e) => e.configKey))];
}

/** Whether an entry's value is given: the config key set, the remote ref or the existing Secret's key named. */
export function hasValue(entry: SecretEntry, setSecretKeys: ReadonlySet<string>): boolean {
    const { location } = entry;
    if (location.kind === "pulumi") return setSecretKeys.has(entry.configKey);
    if (location.kind === "external-secrets") return location.remoteRef !== undefined;
    return location.secretName !== undefined && location.key !== undefined;
}

/** A service, as far as its secrets go. */
export interface SecretReceiver {
    /** The entries it asks for; unset, those its connectsTo implies. */
    readonly secrets?: readonly string[];
    readonly connectsTo: Readonly<Record<SecretUse, boolean>>;
}

/** What decides which entries the stack has and who receives them. */
export interface CatalogContext {
    /** Enabled LLM providers' names. */
    readonly enabledProviders: readonly string[];
    /** vectorDb.type. */
    readonly vectorDbType: string;
    readonly services: Readonly<Record<string, SecretReceiver>>;
    /** Entries something other than a service uses (the log collector's credentials), by name: the config key naming each. @default none */
    readonly otherUses?: Readonly<Record<string, string>>;
    /** Entries read by something other than the services, by the config key that lists them, e.g. Alertmanager's receivers ("monitoring.alertmanager.receivers"). @default none */
    readonly otherReceivers?: Readonly<Record<string, readonly string[]>>;
}

/** Whether the stack has a built-in entry's dependency (its provider enabled, a vector DB), and why. */
export function availability(entry: SecretEntry, context: CatalogContext): { readonly available: boolean; readonly reason: string } | undefined {
    const belongsTo = entry.builtin?.belongsTo;
    if (belongsTo === undefined) return undefined;
    if (belongsTo.provider !== undefined) {
        const enabled = context.enabledProviders.includes(belongsTo.provider);
        return { available: enabled, reason: `llm.providers.${belongsTo.provider}.enabled is ${enabled}` };
    }
    return { available: context.vectorDbType !== "none", reason: `vectorDb.type is "${context.vectorDbType}"` };
}

/**
 * The entries a service receives, in catalog order: those its `secrets` lists; unset, the built-in
 * entries its connectsTo implies that the stack has (the enabled providers' keys and the app key
 * with llmProviders, the vector DB key with vectorDb). A frontend that uses neither receives none.
 */
export function receivedEntries(receiver: SecretReceiver, catalog: readonly SecretEntry[], context: CatalogContext): string[] {
    const { secrets } = receiver;
    if (secrets !== undefined) return catalog.filter((e) => secrets.includes(e.name)).map((e) => e.name);
    return catalog
        .filter((e) => e.builtin !== undefined && receiver.connectsTo[e.builtin.receivedBy] && availability(e, context)?.available !== false)
        .map((e) => e.name);
}

/** Whether an entry must have a value, may have one, and why. */
export interface EntryNeed {
    /** Something can't work without it: an enabled provider's key, an entry a service lists. */
    readonly required: boolean;
    /** Something would use it. */
    readonly allowed: boolean;
    /** The config that decides it, for messages. */
    readonly reason: string;
}

function needOf(entry: SecretEntry, context: CatalogContext): EntryNeed {
    const usedAt = context.otherUses?.[entry.name];
    if (usedAt !== undefined) return { required: true, allowed: true, reason: `${usedAt} names it` };
    const available = availability(entry, context);
    // A provider's key follows its provider, whoever lists it: enabled, the platform can't work without it.
    if (available !== undefined && entry.builtin?.belongsTo?.provider !== undefined) return { required: available.available, allowed: available.available, reason: available.reason };
    if (available?.available === false) return { required: false, allowed: false, reason: available.reason };
    const other = Object.entries(context.otherReceivers ?? {}).find(([, names]) => names.includes(entry.name));
    if (other) return { required: true, allowed: true, reason: `${other[0]} lists it` };
    const services = Object.entries(context.services);
    const listing = services.filter(([, s]) => s.secrets?.includes(entry.name)).map(([name]) => name);
    if (listing.length > 0) return { required: true, allowed: true, reason: `services.${listing[0]}.secrets lists it` };
    // The vector DB key is optional (Qdrant may run without one) and kept while there is a vector DB.
    if (available !== undefined) return { required: false, allowed: true, reason: available.reason };
    const receiving = services.filter(([, s]) => receivedEntries(s, [entry], context).length > 0);
    const by = entry.builtin === undefined ? "" : ` or receives it by connectsTo.${entry.builtin.receivedBy}`;
    return { required: false, allowed: receiving.length > 0, reason: `no service lists it in services.<name>.secrets${by}` };
}

/** Each entry's need, by name. */
export function entryNeeds(catalog: readonly SecretEntry[], context: CatalogContext): Record<string, EntryNeed> {
    return Object.fromEntries(catalog.map((entry) => [entry.name, needOf(entry, context)]));
}
