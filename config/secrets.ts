/**
 * The stack config of where the application's secrets come from: `llm-platform:secrets`.
 *
 * - `pulumi`: the top-level secret keys, set with `pulumi config set --secret` (or filled from a
 *   Pulumi ESC environment's `pulumiConfig`); the program writes them into an auto-named Secret.
 * - `external-secrets`: the External Secrets Operator syncs them from a cloud secret manager into
 *   a Secret the workloads read; the program creates the ExternalSecret and, if asked, the store.
 * - `existing`: a Secret something else manages, referenced by name and keys.
 *
 * No value is ever read from here: this section only says where values live.
 */
import { z } from "zod";
import { SecretKey, appSecretCatalog, secretKeys } from "../lib/secret-catalog";
import { annotations, goDuration, objectName, secretDataKey, url } from "./primitives";
import { Problem, described } from "./problem";

/**
 * The config keys that hold the application's secrets (lib/secret-catalog.ts). They are top-level
 * keys set with `pulumi config set --secret`, read only with getSecret, and never part of an
 * object, whose nested values Pulumi would keep in plaintext.
 */
export { type SecretKey, secretKeys };

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

const perSecretKey = <T extends z.ZodType>(schema: T) =>
    z.strictObject(Object.fromEntries(secretKeys.map((key) => [key, schema.optional()])) as Record<SecretKey, z.ZodOptional<T>>);

export const secretsSchema = z.strictObject({
    /** Where the application's secrets come from: pulumi config, a secret manager through ESO, or an existing Secret. */
    source: z.enum(["pulumi", "external-secrets", "existing"]).default("pulumi"),
    /** How often ESO re-reads the manager and updates the Secrets (every ExternalSecret). */
    refreshInterval: goDuration.default("1h"),
    /** The SecretStore or ClusterSecretStore the ExternalSecrets read from; needed when anything uses external-secrets. */
    store: storeSchema.optional(),
    /** Where each application secret lives in the manager (source "external-secrets"). */
    remoteRefs: perSecretKey(remoteRefSchema).prefault({}),
    /** The existing Secret and the key of each application secret in it (source "existing"). */
    existingSecret: z.strictObject({ name: storeObjectName, keys: perSecretKey(dataKey).prefault({}) }).optional(),
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
export interface SecretsRuleInput {
    readonly secrets: SecretsConfig;
    /** Enabled LLM providers' names. */
    readonly enabledProviders: readonly string[];
    /** vectorDb.type. */
    readonly vectorDbType: string;
    /** The secret config keys that are set (as Pulumi secrets). */
    readonly setSecretKeys: ReadonlySet<string>;
    /** Config keys (other than secrets.source) that make the program create ExternalSecrets, e.g. "postgresql.auth.passwordSource". */
    readonly otherExternalSecretsUsers: readonly string[];
}

/** Whether each application secret is required, may be given, and why. */
export interface SecretNeed {
    /** Without it the platform cannot work (an enabled LLM provider's key). */
    readonly required: boolean;
    /** Something would use it. */
    readonly allowed: boolean;
    /** The config that decides it, for messages. */
    readonly reason: string;
}

/**
 * What each application secret is for, from the catalog: a provider's key follows its provider;
 * the vector DB key the vector DB (optional: e.g. Qdrant may run without one); the others are optional.
 */
export function secretNeeds(enabledProviders: readonly string[], vectorDbType: string): Record<SecretKey, SecretNeed> {
    const needOf = (entry: (typeof appSecretCatalog)[number]): SecretNeed => {
        if (entry.provider !== undefined) {
            const enabled = enabledProviders.includes(entry.provider);
            return { required: enabled, allowed: enabled, reason: `llm.providers.${entry.provider}.enabled is ${enabled}` };
        }
        if (entry.audience === "vectorDb") return { required: false, allowed: vectorDbType !== "none", reason: `vectorDb.type is "${vectorDbType}"` };
        return { required: false, allowed: true, reason: "it is optional" };
    };
    return Object.fromEntries(appSecretCatalog.map((entry) => [entry.configKey, needOf(entry)])) as Record<SecretKey, SecretNeed>;
}

function unused(need: SecretNeed): string {
    return `no value, because ${need.reason} and nothing would use it`;
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

/**
 * The cross-field rules of the secrets section: each source gets exactly what it uses, the
 * required secrets have a source, and a store exists when anything syncs through ESO. Keys are
 * config keys without the project prefix.
 */
export function secretsProblems(input: SecretsRuleInput): Problem[] {
    const { secrets, setSecretKeys } = input;
    const { source } = secrets;
    const needs = secretNeeds(input.enabledProviders, input.vectorDbType);
    const problems: Problem[] = [];

    for (const key of secretKeys) {
        const need = needs[key];
        const isSet = setSecretKeys.has(key);
        const ref = secrets.remoteRefs[key];
        const existingKey = secrets.existingSecret?.keys[key];
        if (source === "pulumi") {
            if (need.required && !isSet) {
                problems.push({ key, given: undefined, expected: `a secret, because ${need.reason}: pulumi config set --secret ${key} <value>` });
            } else if (!need.allowed && isSet) {
                problems.push({ key, given: described("a secret value"), expected: unused(need) });
            }
        } else if (isSet) {
            const from = source === "external-secrets" ? `secrets.remoteRefs.${key}` : `secrets.existingSecret.keys.${key}`;
            problems.push({ key, given: described("a secret value"), expected: `no value, because secrets.source is "${source}": the value comes from ${from}` });
        }
        if (source === "external-secrets") {
            if (need.required && ref === undefined) {
                problems.push({ key: `secrets.remoteRefs.${key}`, given: undefined, expected: `where ${key} lives in the secret manager ({key, property?, version?}), because ${need.reason}` });
            } else if (!need.allowed && ref !== undefined) {
                problems.push({ key: `secrets.remoteRefs.${key}`, given: ref, expected: unused(need) });
            }
        } else if (ref !== undefined) {
            problems.push({ key: `secrets.remoteRefs.${key}`, given: ref, expected: `nothing, because secrets.source is "${source}"` });
        }
        if (source === "existing" && secrets.existingSecret !== undefined) {
            if (need.required && existingKey === undefined) {
                problems.push({ key: `secrets.existingSecret.keys.${key}`, given: undefined, expected: `the key holding ${key} in Secret "${secrets.existingSecret.name}", because ${need.reason}` });
            } else if (!need.allowed && existingKey !== undefined) {
                problems.push({ key: `secrets.existingSecret.keys.${key}`, given: existingKey, expected: unused(need) });
            }
        }
    }

    if (source === "existing" && secrets.existingSecret === undefined) {
        problems.push({ key: "secrets.existingSecret", given: undefined, expected: 'the Secret\'s name and the key of each secret in it, because secrets.source is "existing"' });
    } else if (source !== "existing" && secrets.existingSecret !== undefined) {
        problems.push({ key: "secrets.existingSecret", given: secrets.existingSecret, expected: `nothing, because secrets.source is "${source}"` });
    }

    const users = [...(source === "external-secrets" ? ["secrets.source"] : []), ...input.otherExternalSecretsUsers];
    if (users.length > 0 && secrets.store === undefined) {
        problems.push({ key: "secrets.store", given: undefined, expected: `a SecretStore or ClusterSecretStore to create or reference, because ${users.join(" and ")} ${users.length === 1 ? "is" : "are"} "external-secrets"` });
    } else if (users.length === 0 && secrets.store !== undefined) {
        problems.push({ key: "secrets.store", given: secrets.store, expected: 'nothing, because nothing uses "external-secrets" (secrets.source, postgresql.auth.passwordSource, redis.auth.passwordSource)' });
    }
    if (secrets.store !== undefined) problems.push(...storeProblems(secrets.store));
    return problems;
}
