/**
 * The stack config of the application's secrets: `llm-platform:secrets`. Its catalog of entries
 * (built-in and the stack's own, secrets/secret-catalog.ts) says what each secret is called in the
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
import { secretEntryNamePattern } from "../lib/builtin-secrets";
import { annotations, goDuration, objectName, secretDataKey, url } from "../validation/primitives";

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
