import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StoreConfig } from "../config/secrets";
import { StoreRef, externalSecretsApiVersion, secretStoreProvider, storeRef } from "./external-secrets";
import { Labels } from "./labels";

export interface SecretStoreArgs {
    /** The stack's namespace: a SecretStore's, and a referenced ServiceAccount's. */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the platform; the store's default name is "<instance>-secrets". */
    readonly instance: string;
    /** The validated `secrets.store` section: kind, name, provider and its settings, ServiceAccount. */
    readonly config: StoreConfig;
    /** Labels of the store and of a created ServiceAccount. */
    readonly labels: Labels;
}

/**
 * The External Secrets Operator store the platform's ExternalSecrets read from. With
 * `config.create`, a SecretStore (in the stack's namespace) or ClusterSecretStore for AWS Secrets
 * Manager, GCP Secret Manager, Azure Key Vault or HashiCorp Vault, authenticating with the
 * cluster's workload identity, and the ServiceAccount it presents if asked; otherwise nothing is
 * created and `ref` names the existing store.
 */
export class SecretStore extends pulumi.ComponentResource {
    /** The store's kind and name, for ExternalSecrets' secretStoreRef. */
    public readonly ref: StoreRef;
    /** The created store, for ExternalSecrets to wait for. */
    public readonly store?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:secrets:SecretStore", name, {}, opts);
        const { config } = args;
        this.ref = storeRef(config, args.instance);
        if (config.create) {
            const dependsOn: pulumi.Resource[] = [];
            if (config.serviceAccount?.create) {
                dependsOn.push(new k8s.core.v1.ServiceAccount(`${name}-sa`, {
                    metadata: { name: config.serviceAccount.name, namespace: args.namespace, labels: args.labels, annotations: config.serviceAccount.annotations },
                    // ESO requests this ServiceAccount's tokens through the TokenRequest API; no pod mounts one.
                    automountServiceAccountToken: false,
                }, { parent: this }));
            }
            const cluster = config.kind === "ClusterSecretStore";
            this.store = new k8s.apiextensions.CustomResource(`${name}-store`, {
                apiVersion: externalSecretsApiVersion,
                kind: config.kind,
                metadata: { name: this.ref.name, ...(cluster ? {} : { namespace: args.namespace }), labels: args.labels },
                spec: { provider: pulumi.output(args.namespace).apply((namespace) => secretStoreProvider(config, namespace)) },
            }, { parent: this, dependsOn });
        }
        this.registerOutputs({ ref: this.ref });
    }
}
