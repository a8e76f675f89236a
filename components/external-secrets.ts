/**
 * The External Secrets Operator objects the program creates, as pure spec builders (tested without
 * mocks) and one helper that registers an ExternalSecret. ESO serves only external-secrets.io/v1
 * (v1beta1 is no longer served). An ExternalSecret names a store and, for each key of the target
 * Secret, where its value lives in the manager; ESO creates and owns that Secret
 * (creationPolicy "Owner") and re-reads the manager every refreshInterval.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StoreConfig, StoreProvider } from "../config/secrets";
import { Labels } from "./labels";

export const externalSecretsApiVersion = "external-secrets.io/v1";

/** Which store an ExternalSecret reads from. */
export interface StoreRef {
    readonly kind: "SecretStore" | "ClusterSecretStore";
    readonly name: string;
}

/** Where one value lives in the secret manager. */
export interface RemoteRef {
    /** The secret's name, ARN or path in the manager. */
    readonly key: string;
    /** A field of a JSON or KV secret; unset, the whole value. */
    readonly property?: string;
    /** A version; unset, the latest. */
    readonly version?: string;
}

/** How the program syncs Secrets from the manager: the store, the refresh and what to wait for. */
export interface SecretSync {
    /** The store every ExternalSecret reads from. */
    readonly store: StoreRef;
    /** How often ESO re-reads the manager, e.g. "1h". */
    readonly refreshInterval: string;
    /** Resources the ExternalSecrets wait for: the store, when the program creates it. @default none */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** One key of the target Secret and where its value lives. */
export interface SyncedKey {
    /** The key in the Kubernetes Secret, e.g. "anthropic-api-key". */
    readonly secretKey: string;
    readonly remoteRef: RemoteRef;
}

/** The name of the store the program creates for a platform instance, unless configured. */
export function defaultStoreName(instance: string): string {
    return `${instance}-secrets`;
}

/** The store ExternalSecrets reference: the configured kind and name, or the created store's default name. */
export function storeRef(store: Pick<StoreConfig, "kind" | "name">, instance: string): StoreRef {
    return { kind: store.kind, name: store.name ?? defaultStoreName(instance) };
}

/** A ServiceAccount reference for a store: namespaced for a ClusterSecretStore, whose referent has none. */
function serviceAccountRef(store: Pick<StoreConfig, "kind" | "serviceAccount">, namespace: string): Record<string, unknown> | undefined {
    if (store.serviceAccount === undefined) return undefined;
    return store.kind === "ClusterSecretStore" ? { name: store.serviceAccount.name, namespace } : { name: store.serviceAccount.name };
}

function compact<T extends Record<string, unknown>>(object: T): T {
    return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The `spec.provider` of a created store, with the in-cluster auth each provider uses:
 * - aws: Secrets Manager; a ServiceAccount's token through `auth.jwt` (IRSA on that
 *   ServiceAccount), or none: the controller's own credentials (IRSA or EKS Pod Identity on ESO);
 * - gcp: Secret Manager; GKE workload identity through `auth.workloadIdentity`, or none: the
 *   controller's own (workload identity on ESO's ServiceAccount);
 * - azure: Key Vault; `authType: WorkloadIdentity`, with the referenced ServiceAccount or ESO's;
 * - vault: KV; Vault's Kubernetes auth method, with the referenced ServiceAccount's token or ESO's.
 * The config's rules guarantee the provider's section is set; a missing one is a programming error.
 */
export function secretStoreProvider(store: StoreConfig, namespace: string): Record<string, unknown> {
    const provider: StoreProvider | undefined = store.provider;
    const saRef = serviceAccountRef(store, namespace);
    const settings = <T>(value: T | undefined): T => {
        if (value === undefined) throw new Error(`'secrets.store.${provider}' must be set when secrets.store.provider is "${provider}"`);
        return value;
    };
    switch (provider) {
        case "aws": {
            const aws = settings(store.aws);
            return { aws: compact({ service: "SecretsManager", region: aws.region, role: aws.role, auth: saRef && { jwt: { serviceAccountRef: saRef } } }) };
        }
        case "gcp": {
            const gcp = settings(store.gcp);
            const workloadIdentity = saRef && compact({
                serviceAccountRef: saRef,
                clusterName: gcp.cluster?.name,
                clusterLocation: gcp.cluster?.location,
                clusterProjectID: gcp.cluster?.projectID,
            });
            return { gcpsm: compact({ projectID: gcp.projectID, location: gcp.location, auth: workloadIdentity && { workloadIdentity } }) };
        }
        case "azure": {
            const azure = settings(store.azure);
            return {
                azurekv: compact({
                    authType: "WorkloadIdentity",
                    vaultUrl: azure.vaultUrl,
                    tenantId: azure.tenantId,
                    environmentType: azure.environmentType,
                    serviceAccountRef: saRef,
                }),
            };
        }
        case "vault": {
            const vault = settings(store.vault);
            return {
                vault: compact({
                    server: vault.server,
                    path: vault.path,
                    version: vault.version,
                    namespace: vault.namespace,
                    caBundle: vault.caBundle,
                    auth: { kubernetes: compact({ mountPath: vault.kubernetesAuth.mountPath, role: vault.kubernetesAuth.role, serviceAccountRef: saRef }) },
                }),
            };
        }
        default:
            throw new Error(`'secrets.store.provider' (${provider}) must be one of aws, gcp, azure, vault when secrets.store.create is true`);
    }
}

/** Everything an ExternalSecret's spec depends on. */
export interface ExternalSecretSpecInput {
    readonly sync: Pick<SecretSync, "store" | "refreshInterval">;
    /** The Secret ESO creates and owns, which the workloads or charts read by name. */
    readonly targetName: string;
    /** Labels of that Secret. */
    readonly labels: Labels;
    /** Its keys and where each value lives. */
    readonly data: readonly SyncedKey[];
}

/** The spec of an ExternalSecret: one data entry per key of the target Secret, owned by ESO. */
export function externalSecretSpec(input: ExternalSecretSpecInput): Record<string, unknown> {
    return {
        refreshInterval: input.sync.refreshInterval,
        secretStoreRef: { kind: input.sync.store.kind, name: input.sync.store.name },
        target: {
            name: input.targetName,
            // ESO creates the Secret and owns it: deleting the ExternalSecret deletes the Secret.
            creationPolicy: "Owner",
            template: { type: "Opaque", metadata: { labels: { ...input.labels } } },
        },
        data: input.data.map((d) => ({ secretKey: d.secretKey, remoteRef: compact({ key: d.remoteRef.key, property: d.remoteRef.property, version: d.remoteRef.version }) })),
    };
}

/** Registers an ExternalSecret (named like its target Secret) in a namespace. */
export function externalSecret(
    name: string,
    args: { namespace: pulumi.Input<string>; labels: Labels } & ExternalSecretSpecInput & { sync: SecretSync },
    opts: Omit<pulumi.CustomResourceOptions, "dependsOn">,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: externalSecretsApiVersion,
            kind: "ExternalSecret",
            metadata: { name: args.targetName, namespace: args.namespace, labels: args.labels },
            spec: externalSecretSpec(args),
        },
        { ...opts, dependsOn: args.sync.dependsOn },
    );
}
