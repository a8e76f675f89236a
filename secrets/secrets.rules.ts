/**
 * The rules of the `secrets` section and the services' secrets: each entry's value has a place and a
 * receiver, a store exists where something syncs from it, and no variable is set twice.
 */
import { plainSecretProblems } from "../validation/common-rules";
import { featureEnvName, programEnvNames } from "../lib/builtin-secrets";
import { type Problem, described, looksSecret, shapeOf } from "../validation/problem";
import { type CatalogContext, type EntryNeed, type SecretEntry, type SecretReceiver, availability, entryLocationFields, entryNeeds, hasValue, receivedEntries, secretCatalog } from "./secret-catalog.resolve";
import { storeProviders, SecretsConfig, StoreConfig } from "./secrets.schema";


/** What decides which secrets are required, allowed and where they come from. */
export interface SecretsRuleInput extends Omit<CatalogContext, "services"> {
    readonly secrets: SecretsConfig;
    /** The services that parsed, with what else sets their variables. */
    readonly services: Readonly<Record<string, SecretReceiver & { readonly env: Readonly<Record<string, string>>; readonly features: Readonly<Record<string, boolean>>; readonly extraEnv: readonly { readonly name: string; readonly value?: string }[] }>>;
    /**
     * Whether every service parsed. While one didn't, what it needs is unknown, so no entry is
     * reported as something nothing would use (its problems are reported at the service).
     */
    readonly servicesComplete: boolean;
    /** The secret config keys that are set (as Pulumi secrets). */
    readonly setSecretKeys: ReadonlySet<string>;
    /** Config keys (other than secrets.source) that make the program create ExternalSecrets, e.g. "postgresql.auth.passwordSource". */
    readonly otherExternalSecretsUsers: readonly string[];
    /** The top-level keys of the stack config, which no entry's config key may be. */
    readonly sectionKeys: readonly string[];
}

/**
 * A name the user wrote (an entry's, a variable's), as a problem gives it: quoted, unless it looks
 * like a pasted credential. Under `secrets` every value would otherwise be described by its shape
 * only, and the names the message itself quotes would be scrubbed from it.
 */
function shown(value: string): unknown {
    return looksSecret(value) ? value : described(JSON.stringify(value));
}

/** A list of names the user wrote, as a problem gives it. */
function shownList(values: readonly string[]): unknown {
    return values.some(looksSecret) ? values : described(JSON.stringify(values));
}

function unused(need: EntryNeed): string {
    return `no value, because ${need.reason} and nothing would use it`;
}

/** Why an entry's value is not where a config key was set, for "no value" messages. */
function elsewhere(entry: SecretEntry, source: SecretsConfig["source"]): string {
    const why = entry.location.at.startsWith("secrets.entries.") ? `${entry.location.at} is set` : `secrets.source is "${source}"`;
    return `no value, because ${why}: the value comes from ${entry.location.at}`;
}

/** An entry with a value where its location says: required ones have it, unused ones don't. */
function entryValueProblems(entry: SecretEntry, need: EntryNeed, input: SecretsRuleInput): Problem[] {
    const { location, name, configKey } = entry;
    // A config key that is a section can't be set as a secret: that is reported on the entry (entryDeclarationProblems).
    if (location.kind === "pulumi" && input.sectionKeys.includes(configKey)) return [];
    const configSet = input.setSecretKeys.has(configKey);
    const given = hasValue(entry, input.setSecretKeys);
    // An entry's own place that nothing would use is reported once, on the entry (entryDeclarationProblems).
    const own = location.at.startsWith("secrets.entries.") && location.kind !== "pulumi";
    const problems: Problem[] = [];
    if (location.kind !== "pulumi" && configSet) problems.push({ key: configKey, given: described("a secret value"), expected: elsewhere(entry, input.secrets.source) });
    if (need.required && !given) {
        if (location.kind === "pulumi") problems.push({ key: configKey, given: undefined, expected: `a secret, because ${need.reason}: pulumi config set --secret ${configKey} <value>` });
        if (location.kind === "external-secrets") problems.push({ key: location.at, given: undefined, expected: `where ${name} lives in the secret manager ({key, property?, version?}), because ${need.reason}` });
        if (location.kind === "existing" && location.secretName !== undefined) {
            problems.push({ key: location.at, given: undefined, expected: `the key holding ${name} in Secret "${location.secretName}", because ${need.reason}` });
        }
    } else if (!need.allowed && given && !own && input.servicesComplete) {
        const at = location.kind === "pulumi" ? configKey : location.at;
        const value = location.kind === "pulumi" ? described("a secret value") : location.kind === "external-secrets" ? location.remoteRef : location.key;
        problems.push({ key: at, given: value, expected: unused(need) });
    }
    return problems;
}

/** What `secrets.entries.<name>` says: one place for its value, a config key that is no section, a variable the program doesn't set, a use. */
function entryDeclarationProblems(entry: SecretEntry, need: EntryNeed, input: SecretsRuleInput): Problem[] {
    const declared = entry.declared;
    if (declared === undefined) return [];
    const key = `secrets.entries.${entry.name}`;
    const problems: Problem[] = [];
    const places = entryLocationFields.filter((field) => declared[field] !== undefined);
    // The entry by its keys: its values are names the messages quote, which a given value would scrub.
    const shape = described(shapeOf(declared));
    if (places.length > 1) problems.push({ key, given: shape, expected: `one of ${entryLocationFields.join(", ")} (where its value comes from), not ${places.join(" and ")}` });
    if (input.sectionKeys.includes(entry.configKey)) {
        const at = declared.configKey === undefined ? key : `${key}.configKey`;
        problems.push({ key: at, given: shown(entry.configKey), expected: `a stack secret config key that is no section of the stack config (${input.sectionKeys.join(", ")})` });
    }
    if (programEnvNames.includes(entry.env)) {
        problems.push({ key: declared.env === undefined ? key : `${key}.env`, given: shown(entry.env), expected: `a variable the program doesn't set itself: ${entry.env} is one of its own settings` });
    }
    if (!need.allowed && input.servicesComplete) problems.push({ key, given: shape, expected: `nothing, because ${need.reason}: nothing would use it` });
    return problems;
}

/** `secrets.remoteRefs` and `secrets.existingSecret.keys`: entries of the catalog whose value comes from there. */
function sharedLocationProblems(secrets: SecretsConfig, catalog: readonly SecretEntry[]): Problem[] {
    const names = catalog.map((e) => e.name);
    const problems: Problem[] = [];
    const shared = [
        ["secrets.remoteRefs", secrets.remoteRefs, "external-secrets"],
        ["secrets.existingSecret.keys", secrets.existingSecret?.keys ?? {}, "existing"],
    ] as const;
    for (const [section, values, source] of shared) {
        for (const [name, value] of Object.entries(values)) {
            const entry = catalog.find((e) => e.name === name);
            const key = `${section}.${name}`;
            if (entry === undefined) {
                problems.push({ key, given: described(shapeOf(value)), expected: `an entry of the secret catalog (${names.join(", ")}), or one declared in secrets.entries` });
            } else if (secrets.source !== source) {
                problems.push({ key, given: value, expected: `nothing, because secrets.source is "${secrets.source}"` });
            } else if (entry.location.at !== key) {
                problems.push({ key, given: value, expected: `nothing, because ${entry.location.at} says where ${name} comes from` });
            }
        }
    }
    if (secrets.source === "existing" && secrets.existingSecret === undefined) {
        problems.push({ key: "secrets.existingSecret", given: undefined, expected: 'the Secret\'s name and the key of each secret in it, because secrets.source is "existing"' });
    } else if (secrets.source !== "existing" && secrets.existingSecret !== undefined) {
        problems.push({ key: "secrets.existingSecret", given: secrets.existingSecret, expected: `nothing, because secrets.source is "${secrets.source}"` });
    }
    return problems;
}

function storeProblems(store: StoreConfig): Problem[] {
    const problems: Problem[] = [];
    const sections = storeProviders.filter((p) => store[p] !== undefined);
    if (!store.create) {
        if (store.name === undefined) {
            problems.push({ key: "secrets.store.name", given: undefined, expected: `the name of the existing ${store.kind}, because secrets.store.create is false` });
        }
        for (const field of ["provider", ...sections, "serviceAccount"] as const) {
            if (store[field] !== undefined) {
                problems.push({ key: `secrets.store.${field}`, given: store[field], expected: "nothing, because secrets.store.create is false: the existing store is referenced by kind and name only" });
            }
        }
        return problems;
    }
    if (store.provider === undefined) {
        problems.push({ key: "secrets.store.provider", given: undefined, expected: `one of ${storeProviders.map((p) => `"${p}"`).join(", ")}, because secrets.store.create is true` });
    } else if (store[store.provider] === undefined) {
        problems.push({ key: `secrets.store.${store.provider}`, given: undefined, expected: `the ${store.provider} settings, because secrets.store.provider is "${store.provider}"` });
    }
    for (const section of sections.filter((s) => s !== store.provider)) {
        problems.push({ key: `secrets.store.${section}`, given: store[section], expected: `nothing, because secrets.store.provider is ${store.provider === undefined ? "unset" : `"${store.provider}"`}` });
    }
    return problems;
}

/** The services' `secrets` lists: catalog entries, each once, that the stack has and the service can use; every enabled provider's key for a service calling them. */
function serviceListProblems(service: string, receiver: SecretReceiver, catalog: readonly SecretEntry[], context: CatalogContext): Problem[] {
    const listed = receiver.secrets;
    if (listed === undefined) return [];
    const key = `services.${service}.secrets`;
    const problems: Problem[] = [];
    listed.forEach((name, i) => {
        const entry = catalog.find((e) => e.name === name);
        const available = entry && availability(entry, context);
        const use = entry?.builtin?.belongsTo?.use;
        if (entry === undefined) {
            problems.push({ key: `${key}.${i}`, given: shown(name), expected: `an entry of the secret catalog (${catalog.map((e) => e.name).join(", ")}), or one declared in secrets.entries` });
        } else if (listed.indexOf(name) !== i) {
            problems.push({ key: `${key}.${i}`, given: shown(name), expected: `each entry once: it is listed at ${key}.${listed.indexOf(name)} already` });
        } else if (available?.available === false) {
            problems.push({ key: `${key}.${i}`, given: shown(name), expected: `an entry the stack has: ${available.reason}` });
        } else if (use !== undefined && !receiver.connectsTo[use]) {
            const what = use === "llmProviders" ? "an LLM provider's key" : "the vector DB's key";
            problems.push({ key: `${key}.${i}`, given: shown(name), expected: `an entry the service uses: ${what} goes to services that connect to it, and services.${service}.connectsTo.${use} is false` });
        }
    });
    const providerKeys = catalog.filter((e) => e.builtin?.belongsTo?.provider !== undefined && availability(e, context)?.available);
    const missing = providerKeys.filter((e) => !listed.includes(e.name)).map((e) => e.name);
    if (receiver.connectsTo.llmProviders && missing.length > 0) {
        problems.push({ key, given: shownList(listed), expected: `a list with ${missing.join(", ")} too, because services.${service}.connectsTo.llmProviders is true: LLM_PROVIDERS names every enabled provider, so the service needs their keys` });
    }
    return problems;
}

/** The variables a service receives from the catalog: each once, and none it sets otherwise (its env, its extraEnv). */
function serviceEnvProblems(service: string, receiver: SecretsRuleInput["services"][string], catalog: readonly SecretEntry[], context: CatalogContext): Problem[] {
    const received = receivedEntries(receiver, catalog, context).map((name) => catalog.find((e) => e.name === name)!);
    const key = `services.${service}.secrets`;
    const given = receiver.secrets === undefined ? described(`nothing (by connectsTo: ${received.map((e) => e.name).join(", ") || "none"})`) : shownList(receiver.secrets);
    const problems: Problem[] = [];
    received.forEach((entry, i) => {
        const first = received.findIndex((e) => e.env === entry.env);
        if (first !== i) problems.push({ key, given, expected: `entries whose variables differ: ${received[first].name} and ${entry.name} both set ${entry.env}` });
        const other = entry.env in receiver.env ? "env"
            : Object.keys(receiver.features).some((flag) => featureEnvName(flag) === entry.env) ? "features"
                : receiver.extraEnv.some((e) => e.name === entry.env) ? "extraEnv" : undefined;
        // A secret pasted there is reported where it is (the service's rules), as the one mistake.
        const pasted = plainSecretProblems("", entry.env, receiver.env[entry.env] ?? receiver.extraEnv.find((e) => e.name === entry.env)?.value).length > 0;
        if (other !== undefined && !pasted) problems.push({ key, given, expected: `entries whose variables the service doesn't set otherwise: ${entry.name} sets ${entry.env}, which services.${service}.${other} sets too` });
    });
    return problems;
}

/** A store exists when anything syncs through ESO; none when nothing does. */
function storeUseProblems(input: SecretsRuleInput, catalog: readonly SecretEntry[]): Problem[] {
    const { secrets } = input;
    const sources = [...(secrets.source === "external-secrets" ? ["secrets.source"] : []), ...input.otherExternalSecretsUsers];
    const refs = catalog.filter((e) => e.declared?.remoteRef !== undefined).map((e) => `secrets.entries.${e.name}.remoteRef`);
    const reasons = [
        ...(sources.length > 0 ? [`${sources.join(" and ")} ${sources.length === 1 ? "is" : "are"} "external-secrets"`] : []),
        ...(refs.length > 0 ? [`${refs.join(" and ")} ${refs.length === 1 ? "names" : "name"} a secret in the manager`] : []),
    ];
    if (reasons.length > 0 && secrets.store === undefined) {
        return [{ key: "secrets.store", given: undefined, expected: `a SecretStore or ClusterSecretStore to create or reference, because ${reasons.join(", and ")}` }];
    }
    if (reasons.length === 0 && secrets.store !== undefined) {
        return [{ key: "secrets.store", given: secrets.store, expected: 'nothing, because nothing uses "external-secrets" (secrets.source, secrets.entries.<name>.remoteRef, postgresql.auth.passwordSource, redis.auth.passwordSource)' }];
    }
    return secrets.store === undefined ? [] : storeProblems(secrets.store);
}

/**
 * The cross-field rules of the secrets section and the services' `secrets`: every entry's value is
 * where its location says, required ones are there and unused ones aren't, each service receives
 * catalog entries it can use under variables nothing else sets, and a store exists when anything
 * syncs through ESO. Keys are config keys without the project prefix.
 */
export function secretsProblems(input: SecretsRuleInput): Problem[] {
    const catalog = secretCatalog(input.secrets);
    const context: CatalogContext = input;
    const needs = entryNeeds(catalog, context);
    return [
        ...catalog.flatMap((entry) => [...entryValueProblems(entry, needs[entry.name], input), ...entryDeclarationProblems(entry, needs[entry.name], input)]),
        ...sharedLocationProblems(input.secrets, catalog),
        ...Object.entries(input.services).flatMap(([name, service]) => [...serviceListProblems(name, service, catalog, context), ...serviceEnvProblems(name, service, catalog, context)]),
        ...storeUseProblems(input, catalog),
    ];
}
