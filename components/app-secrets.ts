import * as pulumi from "@pulumi/pulumi";
import { SecretAudience } from "../lib/secret-catalog";
import { standardLabels } from "../lib/labels";
import { SecretEnv } from "./application.specs";
import { RemoteRef, SecretSync, externalSecret } from "./external-secrets";
import * as k8s from "./k8s";

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

export type AppSecretsArgs = AppSecretsSource & {
    /** Namespace of the Secret (or ExternalSecret). */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the platform. */
    readonly instance: string;
    /** app.kubernetes.io/part-of of the platform. */
    readonly partOf: string;
    /** The created store, which the ExternalSecret waits for. @default none: the store exists already */
    readonly secretStore?: pulumi.Resource;
};

/** What a service uses, which decides the secrets it receives. */
export interface SecretConsumer {
    readonly llmProviders: boolean;
    readonly vectorDb: boolean;
}

/** The variables of `entries` a service receives, per what it uses. */
export function secretEnvFor(consumer: SecretConsumer, secretName: pulumi.Input<string>, entries: readonly AppSecretEntry[]): SecretEnv[] {
    return entries
        .filter((e) => e.audience === "all" || consumer[e.audience])
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
        const labels = standardLabels({ name: "app-secrets", instance: args.instance, component: "secrets", partOf: args.partOf });
        this.entries = args.entries.map(({ env, key, audience }) => ({ env, key, audience }));
        switch (args.kind) {
            case "pulumi": {
                const secret = new k8s.core.v1.Secret(name, {
                    metadata: { namespace: args.namespace, labels },
                    type: "Opaque",
                    stringData: Object.fromEntries(args.entries.map((e) => [e.key, pulumi.secret(e.value)])),
                }, { parent: this });
                this.secretName = secret.metadata.name;
                break;
            }
            case "external-secrets": {
                externalSecret(name, {
                    namespace: args.namespace,
                    labels,
                    sync: args.sync,
                    secretStore: args.secretStore,
                    targetName: args.name,
                    data: args.entries.map((e) => ({ secretKey: e.key, remoteRef: e.remoteRef })),
                }, { parent: this });
                this.secretName = pulumi.output(args.name);
                break;
            }
            case "existing":
                this.secretName = pulumi.output(args.name);
                break;
        }
        this.registerOutputs({ secretName: this.secretName });
    }

    /** The variables a service that uses `consumer` receives from this Secret. */
    envFor(consumer: SecretConsumer): SecretEnv[] {
        return secretEnvFor(consumer, this.secretName, this.entries);
    }
}
