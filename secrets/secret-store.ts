import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { SecretSync, StoreRef, externalSecretsApiVersion } from "./external-secrets";
import * as k8s from "../platform/k8s";
import { StoreProviderSpec, StoreServiceAccount, secretStoreProvider } from "./secret-store.specs";

export interface SecretStoreArgs {
    /** The stack's namespace: a SecretStore's, and a referenced ServiceAccount's. */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the platform. */
    readonly instance: string;
    /** app.kubernetes.io/part-of of the platform. */
    readonly partOf: string;
    /** A namespaced SecretStore or a cluster-wide ClusterSecretStore. */
    readonly kind: "SecretStore" | "ClusterSecretStore";
    /** The store's name. */
    readonly name: string;
    /** How often every ExternalSecret reading from it re-reads the manager, e.g. "1h". */
    readonly refreshInterval: string;
    /** The secret manager and the ServiceAccount of a store to create. @default none: the store exists and is referenced */
    readonly create?: { readonly provider: StoreProviderSpec; readonly serviceAccount?: StoreServiceAccount };
}

/**
 * The External Secrets Operator store the platform's ExternalSecrets read from. With `create`, a
 * SecretStore (in the stack's namespace) or ClusterSecretStore for AWS Secrets Manager, GCP
 * Secret Manager, Azure Key Vault or HashiCorp Vault, authenticating with the cluster's workload
 * identity, and the ServiceAccount it presents if asked; otherwise nothing is created and `sync`
 * names the existing store.
 */
export class SecretStore extends pulumi.ComponentResource {
    /** The store and refresh interval, for ExternalSecrets. */
    public readonly sync: SecretSync;
    /** The created store, which ExternalSecrets wait for. */
    public readonly store?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:secrets:SecretStore", name, {}, opts);
        const ref: StoreRef = { kind: args.kind, name: args.name };
        this.sync = { store: ref, refreshInterval: args.refreshInterval };
        const labels = standardLabels({ name: "secret-store", instance: args.instance, component: "secrets", partOf: args.partOf });
        const create = args.create;
        if (create) {
            const dependsOn: pulumi.Resource[] = [];
            if (create.serviceAccount?.create) {
                dependsOn.push(new k8s.core.v1.ServiceAccount(`${name}-sa`, {
                    metadata: { name: create.serviceAccount.name, namespace: args.namespace, labels, annotations: create.serviceAccount.annotations },
                    // ESO requests this ServiceAccount's tokens through the TokenRequest API; no pod mounts one.
                    automountServiceAccountToken: false,
                }, { parent: this }));
            }
            const cluster = args.kind === "ClusterSecretStore";
            const spec = { kind: args.kind, ...create };
            this.store = new k8s.apiextensions.CustomResource(`${name}-store`, {
                apiVersion: externalSecretsApiVersion,
                kind: args.kind,
                metadata: { name: ref.name, ...(cluster ? {} : { namespace: args.namespace }), labels },
                spec: { provider: pulumi.output(args.namespace).apply((namespace) => secretStoreProvider(spec, namespace)) },
            }, { parent: this, dependsOn });
        }
        this.registerOutputs({ sync: this.sync });
    }
}
