import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { SecretSync, StoreRef } from "./secrets.args";
import { externalSecretsApiVersion } from "./external-secrets";
import * as k8s from "../platform/k8s";
import { secretStoreProvider } from "./secret-store.specs";
import { SecretStoreArgs } from "./secrets.args";

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
