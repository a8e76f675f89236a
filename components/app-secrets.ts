import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../config/schema";
import { SecretEnv } from "./application-specs";
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

export interface AppSecretsArgs {
    /** Namespace of the Secret. */
    readonly namespace: pulumi.Input<string>;
    /** The secrets, each with its value (a secret Output). */
    readonly entries: readonly (AppSecretEntry & { readonly value: pulumi.Input<string> })[];
    /** Labels of the Secret. */
    readonly labels: Labels;
}

/** The variables of `entries` a service receives, per what it connects to. */
export function secretEnvFor(service: ServiceConfig, secretName: pulumi.Input<string>, entries: readonly AppSecretEntry[]): SecretEnv[] {
    return entries
        .filter((e) => e.audience === "all" || service.connectsTo[e.audience])
        .map((e) => ({ name: e.env, secret: { name: secretName, key: e.key } }));
}

/**
 * The application's secrets (LLM provider and vector DB API keys, the app's own key) in one
 * auto-named Secret: a changed value makes a new Secret, which rolls the pods that read it.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** The Secret's generated name. */
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:AppSecrets", name, {}, opts);
        const secret = new k8s.core.v1.Secret(name, {
            metadata: { namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            stringData: Object.fromEntries(args.entries.map((e) => [e.key, pulumi.secret(e.value)])),
        }, { parent: this });
        this.secretName = secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}

/** The inputs that decide which application secrets exist. */
export interface AppSecretSources {
    /** Enabled LLM providers, e.g. ["anthropic", "openai"]. */
    readonly enabledProviders: readonly string[];
    /** Whether a vector DB is configured. */
    readonly vectorDb: boolean;
    /** The secret values that are set, by config key. */
    readonly values: Partial<Record<string, pulumi.Input<string>>>;
}

/** Which application secrets the platform carries: the enabled providers' keys, the vector DB key, the app key. */
export function appSecretEntries(sources: AppSecretSources): (AppSecretEntry & { value: pulumi.Input<string> })[] {
    const candidates: (AppSecretEntry & { configKey: string; wanted: boolean })[] = [
        ...["anthropic", "openai", "cohere"].map((provider) => ({
            configKey: `${provider}ApiKey`,
            env: `${provider.toUpperCase()}_API_KEY`,
            key: `${provider}-api-key`,
            audience: "llmProviders" as const,
            wanted: sources.enabledProviders.includes(provider),
        })),
        { configKey: "vectorDbApiKey", env: "VECTOR_DB_API_KEY", key: "vector-db-api-key", audience: "vectorDb", wanted: sources.vectorDb },
        { configKey: "appSecretKey", env: "APP_SECRET_KEY", key: "app-secret-key", audience: "all", wanted: true },
    ];
    return candidates
        .filter((c) => c.wanted && sources.values[c.configKey] !== undefined)
        .map(({ env, key, audience, configKey }) => ({ env, key, audience, value: sources.values[configKey]! }));
}
