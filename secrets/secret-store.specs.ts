/**
 * The External Secrets Operator store's spec, as a pure function of the resolved store settings:
 * which secret manager, and how ESO authenticates to it from the cluster.
 */
import { compact } from "../lib/objects";
import { StoreServiceAccount, StoreProviderSpec } from "./secrets.args";

/** A ServiceAccount reference for a store: namespaced for a ClusterSecretStore, whose referent has none. */
function serviceAccountRef(kind: string, serviceAccount: StoreServiceAccount | undefined, namespace: string): Record<string, unknown> | undefined {
    if (serviceAccount === undefined) return undefined;
    return kind === "ClusterSecretStore" ? { name: serviceAccount.name, namespace } : { name: serviceAccount.name };
}

/**
 * The `spec.provider` of a created store, with the in-cluster auth each provider uses:
 * - aws: Secrets Manager; a ServiceAccount's token through `auth.jwt` (IRSA on that
 *   ServiceAccount), or none: the controller's own credentials (IRSA or EKS Pod Identity on ESO);
 * - gcp: Secret Manager; GKE workload identity through `auth.workloadIdentity`, or none: the
 *   controller's own (workload identity on ESO's ServiceAccount);
 * - azure: Key Vault; `authType: WorkloadIdentity`, with the referenced ServiceAccount or ESO's;
 * - vault: KV; Vault's Kubernetes auth method, with the referenced ServiceAccount's token or ESO's.
 */
export function secretStoreProvider(
    store: { readonly kind: "SecretStore" | "ClusterSecretStore"; readonly provider: StoreProviderSpec; readonly serviceAccount?: StoreServiceAccount },
    namespace: string,
): Record<string, unknown> {
    const saRef = serviceAccountRef(store.kind, store.serviceAccount, namespace);
    const { provider } = store;
    switch (provider.kind) {
        case "aws": {
            const aws = provider.settings;
            return { aws: compact({ service: "SecretsManager", region: aws.region, role: aws.role, auth: saRef && { jwt: { serviceAccountRef: saRef } } }) };
        }
        case "gcp": {
            const gcp = provider.settings;
            const workloadIdentity = saRef && compact({
                serviceAccountRef: saRef,
                clusterName: gcp.cluster?.name,
                clusterLocation: gcp.cluster?.location,
                clusterProjectID: gcp.cluster?.projectID,
            });
            return { gcpsm: compact({ projectID: gcp.projectID, location: gcp.location, auth: workloadIdentity && { workloadIdentity } }) };
        }
        case "azure": {
            const azure = provider.settings;
            return { azurekv: compact({ authType: "WorkloadIdentity", vaultUrl: azure.vaultUrl, tenantId: azure.tenantId, environmentType: azure.environmentType, serviceAccountRef: saRef }) };
        }
        case "vault": {
            const vault = provider.settings;
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
    }
}
