/**
 * The stack config of the application's secrets: `llm-platform:secrets`. Its catalog of entries
 * (built-in and the stack's own, config/secret-catalog.ts) says what each secret is called in the
 * pods and where its value comes from:
 *
 * - `pulumi`: a top-level stack secret config key, set with `pulumi config set --secret` (or filled
 *   from a Pulumi ESC environment's `pulumiConfig`); the program writes it into an auto-named Secret.
 * - `external-secrets`: the External Secrets Operator syncs it from a cloud secret manager into a
 *   Secret the workloads read; the program creates the ExternalSecret and, if asked, the store.
 * - `existing`: a key of a Secret something else manages, referenced by name.
 *
 * `secrets.source` is where entries come from unless an entry names its own place. No value is ever
 * read from here: this section only says where values live.
 */
import { z } from "../validation/zod";
import { programEnvNames, secretEntryNamePattern } from "../lib/builtin-secrets";
import { annotations, goDuration, objectName, secretDataKey, url } from "../validation/primitives";
import { type Problem, described, looksSecret, shapeOf } from "../validation/problem";
import { type CatalogContext, type EntryNeed, type SecretEntry, type SecretReceiver, availability, entryLocationFields, entryNeeds, hasValue, receivedEntries, secretCatalog } from "./secret-catalog";

const storeObjectName = objectName("llm-platform-secrets");
const dataKey = secretDataKey("anthropic-api-key");

/** Where one value lives in the secret manager: an ExternalSecret's `data[].remoteRef`. */
export const remoteRefSchema = z.strictObject({
    /**
     * The secret in the manager: AWS Secrets Manager name or ARN, GCP Secret Manager secret name,
     * Azure Key Vault secret name, Vault path under the store's mount (e.g. "llm-platform/prod").
     */
    key: z.string().min(1),
    /** A field of a JSON secret (AWS, GCP, Azure) or of a Vault KV secret; unset, the whole value. */
    property: z.string().min(1).optional(),
    /** A version: AWS version id or "AWSCURRENT"/"AWSPREVIOUS"-style stage ("uuid/…" ids), GCP version number, Azure version id; unset, the latest. */
    version: z.string().min(1).optional(),
});
export type RemoteRefConfig = z.infer<typeof remoteRefSchema>;

/** The ServiceAccount whose token ESO presents to the cloud (workload identity). */
const storeServiceAccountSchema = z.strictObject({
    /** Its name, in the stack's namespace. */
    name: storeObjectName,
    /** Create it (with `annotations`), or use one that exists. */
    create: z.boolean().default(false),
    /** Annotations of a created ServiceAccount: eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account, azure.workload.identity/client-id. */
    annotations: annotations.default({}),
});

/** AWS Secrets Manager. */
const awsSchema = z.strictObject({
    /** The region of the secrets, e.g. "eu-west-1". */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: "an AWS region such as \"eu-west-1\"" }),
    /** A role ESO assumes (sts:AssumeRole) after authenticating, to narrow its access. */
    role: z.string().regex(/^arn:aws[-a-z]*:iam::[0-9]{12}:role\/.+$/, { error: "an IAM role ARN such as \"arn:aws:iam::123456789012:role/llm-platform-secrets\"" }).optional(),
});

/** GCP Secret Manager. */
const gcpSchema = z.strictObject({
    /** The project holding the secrets. */
    projectID: z.string().min(1),
    /** A location for regional secrets; unset, global secrets. */
    location: z.string().min(1).optional(),
    /** The GKE cluster, for workload identity with a referenced ServiceAccount; unset, read from the metadata server. */
    cluster: z.strictObject({ name: z.string().min(1), location: z.string().min(1), projectID: z.string().min(1) }).optional(),
});

/** Azure Key Vault, with Azure workload identity. */
const azureSchema = z.strictObject({
    /** The vault's URL, e.g. "https://llm-platform-prod.vault.azure.net". */
    vaultUrl: url("https://llm-platform-prod.vault.azure.net"),
    /** The Entra tenant; unset, from the ServiceAccount's azure.workload.identity/tenant-id annotation or the webhook's environment. */
    tenantId: z.string().min(1).optional(),
    /** The Azure cloud. */
    environmentType: z.enum(["PublicCloud", "USGovernmentCloud", "ChinaCloud", "GermanCloud"]).default("PublicCloud"),
});

/** HashiCorp Vault KV, with Vault's Kubernetes auth method. */
const vaultSchema = z.strictObject({
    /** The Vault address, e.g. "https://vault.example.com:8200". */
    server: url("https://vault.example.com:8200"),
    /** The KV mount, e.g. "secret" (for KV v2 without the "/data" suffix). */
    path: z.string().min(1).default("secret"),
    /** The KV engine version. */
    version: z.enum(["v1", "v2"]).default("v2"),
    /** A Vault Enterprise namespace. */
    namespace: z.string().min(1).optional(),
    /** A PEM CA bundle for a Vault with a private CA (base64, as ESO's caBundle). */
    caBundle: z.string().min(1).optional(),
    kubernetesAuth: z.strictObject({
        /** Where the kubernetes auth method is mounted. */
        mountPath: z.string().min(1).default("kubernetes"),
        /** The Vault role bound to the ServiceAccount. */
        role: z.string().min(1),
    }),
});

export const storeProviders = ["aws", "gcp", "azure", "vault"] as const;
export type StoreProvider = (typeof storeProviders)[number];

const storeSchema = z.strictObject({
    /** Create the store from this config (true), or reference one that exists by kind and name (false). */
    create: z.boolean().default(true),
    /** A namespaced SecretStore (in the stack's namespace), or a cluster-wide ClusterSecretStore. */
    kind: z.enum(["SecretStore", "ClusterSecretStore"]).default("SecretStore"),
    /** The store's name; a created store defaults to "<project>-<stack>-secrets". */
    name: storeObjectName.optional(),
    /** The secret manager (created stores only). */
    provider: z.enum(storeProviders).optional(),
    aws: awsSchema.optional(),
    gcp: gcpSchema.optional(),
    azure: azureSchema.optional(),
    vault: vaultSchema.optional(),
    /** The ServiceAccount ESO authenticates as (serviceAccountRef); unset, the ESO controller's own identity. */
    serviceAccount: storeServiceAccountSchema.optional(),
});

/** An entry's name: camelCase, since it is the stack secret config key by default. */
export const secretEntryName = z.string().regex(secretEntryNamePattern, {
    error: 'a camelCase name of at most 63 characters such as "jwtSecret" (letters and digits, starting with a lowercase letter)',
});

/** A container's environment variable name, as Kubernetes validates it (a C identifier). */
export const envVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: 'an environment variable name such as "JWT_SECRET" (a C identifier: letters, digits and "_", not starting with a digit)',
});

/** One entry of the stack's secret catalog: the variable the pods read and where its value comes from. */
export const secretEntrySchema = z.strictObject({
    /** The variable the pods read; unset, the name in UPPER_SNAKE_CASE ("jwtSecret": JWT_SECRET). */
    env: envVariableName.optional(),
    /** From this stack secret config key (`pulumi config set --secret <configKey>`), whatever secrets.source says. */
    configKey: secretEntryName.optional(),
    /** From the secret manager, synced by ESO through secrets.store, whatever secrets.source says. */
    remoteRef: remoteRefSchema.optional(),
    /** From a key of a Secret something else manages (e.g. one per LLM provider), whatever secrets.source says. */
    existingSecret: z.strictObject({ name: objectName("anthropic-credentials"), key: secretDataKey("api-key") }).optional(),
});
export type SecretEntryConfig = z.infer<typeof secretEntrySchema>;

export const secretsSchema = z.strictObject({
    /** Where the catalog's entries come from unless an entry says otherwise: pulumi config, a secret manager through ESO, or an existing Secret. */
    source: z.enum(["pulumi", "external-secrets", "existing"]).default("pulumi"),
    /**
     * The stack's own secret entries, and changes to the built-in ones (anthropicApiKey,
     * openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey), by name. A service receives an
     * entry when its `secrets` lists it.
     */
    entries: z.record(secretEntryName, secretEntrySchema).default({}),
    /** How often ESO re-reads the manager and updates the Secrets (every ExternalSecret). */
    refreshInterval: goDuration.default("1h"),
    /** The SecretStore or ClusterSecretStore the ExternalSecrets read from; needed when anything uses external-secrets. */
    store: storeSchema.optional(),
    /** Where each entry lives in the manager (source "external-secrets"), by entry name. */
    remoteRefs: z.record(secretEntryName, remoteRefSchema).default({}),
    /** The existing Secret and the key of each entry in it (source "existing"), by entry name. */
    existingSecret: z.strictObject({ name: storeObjectName, keys: z.record(secretEntryName, dataKey).default({}) }).optional(),
    /**
     * Roll the pods when a Secret they read changes in the cluster: "reloader" annotates each
     * Deployment for Stakater Reloader (secret.reloader.stakater.com/reload); "none" leaves it to
     * `kubectl rollout restart`.
     */
    rolloutOnChange: z.enum(["none", "reloader"]).default("none"),
});

export type SecretsConfig = z.infer<typeof secretsSchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
/** Each secret manager's settings, by provider. */
export interface StoreProviderSettings {
    aws: z.infer<typeof awsSchema>;
    gcp: z.infer<typeof gcpSchema>;
    azure: z.infer<typeof azureSchema>;
    vault: z.infer<typeof vaultSchema>;
}

/** What decides which secrets are required, allowed and where they come from. */
export interface SecretsRuleInput extends Omit<CatalogContext, "services"> {
    readonly secrets: SecretsConfig;
    /** The services that parsed, with what else sets their variables. */
    readonly services: Readonly<Record<string, SecretReceiver & { readonly env: Readonly<Record<string, string>>; readonly extraEnv: readonly { readonly name: string }[] }>>;
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
    } else if (!need.allowed && given && !own) {
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
    if (!need.allowed) problems.push({ key, given: shape, expected: `nothing, because ${need.reason}: nothing would use it` });
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
        const other = entry.env in receiver.env ? "env" : receiver.extraEnv.some((e) => e.name === entry.env) ? "extraEnv" : undefined;
        if (other !== undefined) problems.push({ key, given, expected: `entries whose variables the service doesn't set otherwise: ${entry.name} sets ${entry.env}, which services.${service}.${other} sets too` });
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
