import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { AppSecretEnv } from "../application/application.specs";
import { RemoteRef, SecretSync, externalSecret } from "./external-secrets";
import * as k8s from "../platform/k8s";

/** Where one application secret's value comes from. */
export type AppSecretSource =
    /** A value (a stack secret config value), written into the Secret this component owns. */
    | { readonly kind: "pulumi"; readonly value: pulumi.Input<string> }
    /** A secret in the manager, which ESO syncs into the ExternalSecret's target. */
    | { readonly kind: "external-secrets"; readonly remoteRef: RemoteRef }
    /** A key of a Secret something else manages, read as it is. */
    | { readonly kind: "existing"; readonly secretName: string; readonly key: string };

/** One application secret: the catalog entry, the variable the pods read, and where its value lives. */
export interface AppSecretEntry {
    /** The catalog entry's name, e.g. "jwtSecret"; services receive entries by name. */
    readonly name: string;
    /** Environment variable name, e.g. "JWT_SECRET". */
    readonly env: string;
    /** Its key in the owned Secret or the synced one, e.g. "jwt-secret" (unused for an existing Secret). */
    readonly dataKey: string;
    readonly source: AppSecretSource;
}

export interface AppSecretsArgs {
    /** The secrets, in the order the pods receive them. */
    readonly entries: readonly AppSecretEntry[];
    /**
     * Where the entries without a place of their own come from (the stack's `secrets.source`):
     * decides which Secret `secretName` is. @default "pulumi"
     */
    readonly source?: AppSecretSource["kind"];
    /** The ExternalSecret's target name and where it syncs from; required when an entry comes from the manager. @default none */
    readonly externalSecret?: { readonly name: string; readonly sync: SecretSync };
    /** With source "existing": the Secret `secretName` names. @default none */
    readonly existingSecretName?: string;
    /** Namespace of the Secret (or ExternalSecret). */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the platform. */
    readonly instance: string;
    /** app.kubernetes.io/part-of of the platform. */
    readonly partOf: string;
    /** The created store, which the ExternalSecret waits for. @default none: the store exists already */
    readonly secretStore?: pulumi.Resource;
}

/** The Secret and key an entry is read from, given the owned Secret's and the synced Secret's names. */
export function secretRefOf(entry: AppSecretEntry, owned: pulumi.Input<string> | undefined, synced: string | undefined): { name: pulumi.Input<string>; key: string } {
    const { source } = entry;
    if (source.kind === "existing") return { name: source.secretName, key: source.key };
    const name = source.kind === "pulumi" ? owned : synced;
    if (name === undefined) throw new Error(`AppSecrets: entry ${entry.name} comes from ${source.kind}, but there is no Secret for it`);
    return { name, key: entry.dataKey };
}

/** The variables a service receives: the entries named in `receives`, in the entries' order, each read from its Secret by key. */
export function secretEnvFor(receives: readonly string[], entries: readonly AppSecretEntry[], owned: pulumi.Input<string> | undefined, synced: string | undefined): AppSecretEnv[] {
    return entries.filter((e) => receives.includes(e.name)).map((e) => ({ name: e.env, entry: e.name, secret: secretRefOf(e, owned, synced) }));
}

/**
 * The application's secrets (LLM provider and vector DB API keys, the app's own key, and every
 * entry a stack declares) as Secrets the pods read by name and key. Each entry comes from:
 * - a stack secret config value: written into one auto-named Secret; a changed value makes a new
 *   Secret, which rolls the pods that read it;
 * - the secret manager: one ExternalSecret; ESO creates its target Secret and refreshes it every
 *   refreshInterval (pods roll on change only with a rollout trigger, see docs/secrets.md);
 * - an existing Secret: nothing is created; the pods read that Secret's key.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** The Secret of the stack's source: the owned one, the ExternalSecret's target, or the existing one; undefined if there is none. */
    public readonly secretName: pulumi.Output<string | undefined>;
    /** Every Secret the entries are read from, sorted. */
    public readonly secretNames: pulumi.Output<string[]>;
    /** The secrets, in the order the pods receive them. */
    public readonly entries: readonly AppSecretEntry[];
    private readonly owned?: pulumi.Output<string>;
    private readonly synced?: string;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:AppSecrets", name, {}, opts);
        const labels = standardLabels({ name: "app-secrets", instance: args.instance, component: "secrets", partOf: args.partOf });
        this.entries = args.entries;
        const values = args.entries.flatMap((e) => (e.source.kind === "pulumi" ? [{ key: e.dataKey, value: e.source.value }] : []));
        if (values.length > 0) {
            const secret = new k8s.core.v1.Secret(name, {
                metadata: { namespace: args.namespace, labels },
                type: "Opaque",
                stringData: Object.fromEntries(values.map((v) => [v.key, pulumi.secret(v.value)])),
            }, { parent: this });
            this.owned = secret.metadata.name;
        }
        const remote = args.entries.flatMap((e) => (e.source.kind === "external-secrets" ? [{ secretKey: e.dataKey, remoteRef: e.source.remoteRef }] : []));
        if (remote.length > 0) {
            if (args.externalSecret === undefined) throw new Error("AppSecrets: entries synced from the secret manager need args.externalSecret");
            externalSecret(name, { namespace: args.namespace, labels, sync: args.externalSecret.sync, secretStore: args.secretStore, targetName: args.externalSecret.name, data: remote }, { parent: this });
            this.synced = args.externalSecret.name;
        }
        const source = args.source ?? "pulumi";
        this.secretName = pulumi.output(source === "pulumi" ? this.owned : source === "external-secrets" ? this.synced : args.existingSecretName);
        this.secretNames = pulumi.all(args.entries.map((e) => secretRefOf(e, this.owned, this.synced).name)).apply((names) => [...new Set(names)].sort());
        this.registerOutputs({ secretName: this.secretName, secretNames: this.secretNames });
    }

    /** The variables a service that receives the entries named in `receives` reads. */
    envFor(receives: readonly string[]): AppSecretEnv[] {
        return secretEnvFor(receives, this.entries, this.owned, this.synced);
    }
}
