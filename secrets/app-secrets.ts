import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { AppSecretEnv, SecretKeyRef } from "./secrets.args";
import { externalSecret } from "./external-secrets";
import * as k8s from "../platform/k8s";
import { AppSecretEntry, AppSecretsArgs } from "./secrets.args";

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
    private readonly receivers: Readonly<Record<string, readonly string[]>>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:AppSecrets", name, {}, opts);
        const labels = standardLabels({ name: "app-secrets", instance: args.instance, component: "secrets", partOf: args.partOf });
        this.entries = args.entries;
        this.receivers = args.receivers ?? {};
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

    /** The Secret key each of `entries` is read from, by entry name (Alertmanager's receivers read their URLs and keys so); entries the stack doesn't carry are left out. */
    keyRefs(entries: readonly string[]): Record<string, SecretKeyRef> {
        return Object.fromEntries(this.entries.filter((e) => entries.includes(e.name)).map((e) => [e.name, secretRefOf(e, this.owned, this.synced)]));
    }

    /** The variables the service named `service` reads: the entries `receivers` gives it. */
    envFor(service: string): AppSecretEnv[] {
        return secretEnvFor(this.receivers[service] ?? [], this.entries, this.owned, this.synced);
    }
}
