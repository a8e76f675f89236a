import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../config/schema";
import { SecretEnv } from "./application-specs";
import { RemoteRef, SecretSync, externalSecret } from "./external-secrets";
import { Labels } from "./labels";

/** Who receives an application secret. */
export type SecretAudience = "llmProviders" | "vectorDb" | "all";

/** One application secret: the variable the pods read and the Secret key that holds it. */
export interface AppSecretEntry {
    /** Environment variable name, e.g. "ANTHROPIC_API_KEY". */
    readonly env: string;
    /** Key in the Secret, e.g. "anthropic-api-key". */
    readonly key: string;
    /** Services that get it: those using LLM providers, the vector DB, or every service. */
    readonly audience: SecretAudience;
}

/** Where the application's secrets come from; each source yields one Secret the pods read by name. */
export type AppSecretsSource =
    /** Values from `pulumi config set --secret`, written into an auto-named Secret. */
    | { readonly kind: "pulumi"; readonly entries: readonly (AppSecretEntry & { readonly value: pulumi.Input<string> })[] }
    /** An ExternalSecret that makes ESO create and refresh the Secret `name` from the manager. */
    | { readonly kind: "external-secrets"; readonly name: string; readonly sync: SecretSync; readonly entries: readonly (AppSecretEntry & { readonly remoteRef: RemoteRef })[] }
    /** A Secret something else manages, read as it is; `entries` carry its keys. */
    | { readonly kind: "existing"; readonly name: string; readonly entries: readonly AppSecretEntry[] };

export interface AppSecretsArgs {
    /** Namespace of the Secret (or ExternalSecret). */
    readonly namespace: pulumi.Input<string>;
    /** Where the values come from, and which secrets there are. */
    readonly source: AppSecretsSource;
    /** Labels of the Secret (and ExternalSecret). */
    readonly labels: Labels;
}

/** The variables of `entries` a service receives, per what it connects to. */
export function secretEnvFor(service: ServiceConfig, secretName: pulumi.Input<string>, entries: readonly AppSecretEntry[]): SecretEnv[] {
    return entries
        .filter((e) => e.audience === "all" || service.connectsTo[e.audience])
        .map((e) => ({ name: e.env, secret: { name: secretName, key: e.key } }));
}

/**
 * The application's secrets (LLM provider and vector DB API keys, the app's own key) as one Secret
 * the pods read by name and key:
 * - source "pulumi": an auto-named Secret built from the secret config values; a changed value makes
 *   a new Secret, which rolls the pods that read it;
 * - source "external-secrets": an ExternalSecret; ESO creates the Secret and refreshes it from the
 *   manager every refreshInterval (pods roll on change only with a rollout trigger, see docs/secrets.md);
 * - source "existing": nothing is created; the pods read the named Secret.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** The Secret's name. */
    public readonly secretName: pulumi.Output<string>;
    /** The secrets it holds, each with its key in the Secret. */
    public readonly entries: readonly AppSecretEntry[];

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:AppSecrets", name, {}, opts);
        const { source } = args;
        this.entries = source.entries.map(({ env, key, audience }) => ({ env, key, audience }));
        switch (source.kind) {
            case "pulumi": {
                const secret = new k8s.core.v1.Secret(name, {
                    metadata: { namespace: args.namespace, labels: args.labels },
                    type: "Opaque",
                    stringData: Object.fromEntries(source.entries.map((e) => [e.key, pulumi.secret(e.value)])),
                }, { parent: this });
                this.secretName = secret.metadata.name;
                break;
            }
            case "external-secrets": {
                externalSecret(name, {
                    namespace: args.namespace,
                    labels: args.labels,
                    sync: source.sync,
                    targetName: source.name,
                    data: source.entries.map((e) => ({ secretKey: e.key, remoteRef: e.remoteRef })),
                }, { parent: this });
                this.secretName = pulumi.output(source.name);
                break;
            }
            case "existing":
                this.secretName = pulumi.output(source.name);
                break;
        }
        this.registerOutputs({ secretName: this.secretName });
    }
}

/** The inputs that decide which application secrets exist. */
export interface AppSecretSources<T> {
    /** Enabled LLM providers, e.g. ["anthropic", "openai"]. */
    readonly enabledProviders: readonly string[];
    /** Whether a vector DB is configured. */
    readonly vectorDb: boolean;
    /** What each secret that is provided comes from, by config key: a value, a remote ref, a Secret key. */
    readonly values: Partial<Record<string, T>>;
}

/** The Secret keys of the application secrets, by config key. */
export const appSecretKeys = {
    anthropicApiKey: "anthropic-api-key",
    openaiApiKey: "openai-api-key",
    cohereApiKey: "cohere-api-key",
    vectorDbApiKey: "vector-db-api-key",
    appSecretKey: "app-secret-key",
} as const;

/**
 * Which application secrets the platform carries: the enabled providers' keys, the vector DB key,
 * the app key, each where it is provided (`values`: a secret value, a remote ref or a key).
 */
export function appSecretEntries<T>(sources: AppSecretSources<T>): (AppSecretEntry & { configKey: keyof typeof appSecretKeys; value: T })[] {
    const candidates: (AppSecretEntry & { configKey: keyof typeof appSecretKeys; wanted: boolean })[] = [
        ...(["anthropic", "openai", "cohere"] as const).map((provider) => ({
            configKey: `${provider}ApiKey` as const,
            env: `${provider.toUpperCase()}_API_KEY`,
            key: appSecretKeys[`${provider}ApiKey`],
            audience: "llmProviders" as const,
            wanted: sources.enabledProviders.includes(provider),
        })),
        { configKey: "vectorDbApiKey", env: "VECTOR_DB_API_KEY", key: appSecretKeys.vectorDbApiKey, audience: "vectorDb", wanted: sources.vectorDb },
        { configKey: "appSecretKey", env: "APP_SECRET_KEY", key: appSecretKeys.appSecretKey, audience: "all", wanted: true },
    ];
    return candidates
        .filter((c) => c.wanted && sources.values[c.configKey] !== undefined)
        .map(({ env, key, audience, configKey }) => ({ env, key, audience, configKey, value: sources.values[configKey]! }));
}

/** The secrets config an AppSecrets source is chosen from (the validated `secrets` section plus values). */
export interface AppSecretsSourceInput {
    readonly source: "pulumi" | "external-secrets" | "existing";
    /** Enabled LLM providers, e.g. ["anthropic", "openai"]. */
    readonly enabledProviders: readonly string[];
    /** Whether a vector DB is configured. */
    readonly vectorDb: boolean;
    /** The secret config values that are set (source "pulumi"). */
    readonly values: Partial<Record<string, pulumi.Input<string>>>;
    /** Where each secret lives in the manager (source "external-secrets"). */
    readonly remoteRefs: Partial<Record<string, RemoteRef>>;
    /** The existing Secret and its keys (source "existing"). */
    readonly existingSecret?: { readonly name: string; readonly keys: Partial<Record<string, string>> };
    /** The Secret ESO creates (source "external-secrets"), e.g. "<instance>-app-secrets". */
    readonly syncedSecretName: string;
    /** The store and refresh (source "external-secrets"). */
    readonly sync?: SecretSync;
}

/** Which AppSecrets source a stack's config selects, with the entries it carries. */
export function appSecretsSource(input: AppSecretsSourceInput): AppSecretsSource {
    const wanted = { enabledProviders: input.enabledProviders, vectorDb: input.vectorDb };
    switch (input.source) {
        case "pulumi":
            return { kind: "pulumi", entries: appSecretEntries({ ...wanted, values: input.values }) };
        case "external-secrets": {
            if (input.sync === undefined) throw new Error(`'secrets.store' must be set when secrets.source is "external-secrets"`);
            const entries = appSecretEntries({ ...wanted, values: input.remoteRefs }).map(({ value, ...e }) => ({ ...e, remoteRef: value }));
            return { kind: "external-secrets", name: input.syncedSecretName, sync: input.sync, entries };
        }
        case "existing": {
            if (input.existingSecret === undefined) throw new Error(`'secrets.existingSecret' must be set when secrets.source is "existing"`);
            const entries = appSecretEntries({ ...wanted, values: input.existingSecret.keys }).map(({ value, ...e }) => ({ ...e, key: value }));
            return { kind: "existing", name: input.existingSecret.name, entries };
        }
    }
}
