/** The secrets' contract: what AppSecrets and SecretStore take, and the variables a service receives. */
import type * as pulumi from "@pulumi/pulumi";

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

/** Where the program syncs Secrets from: the store and how often ESO re-reads the manager. */
export interface SecretSync {
    /** The store every ExternalSecret reads from. */
    readonly store: StoreRef;
    /** How often ESO re-reads the manager, e.g. "1h". */
    readonly refreshInterval: string;
}


/** A ServiceAccount ESO presents to the cloud (workload identity). */
export interface StoreServiceAccount {
    /** Its name, in the stack's namespace. */
    readonly name: string;
    /** Create it with `annotations` (true), or use one that exists. */
    readonly create: boolean;
    /** Annotations of a created ServiceAccount, e.g. eks.amazonaws.com/role-arn. */
    readonly annotations: Readonly<Record<string, string>>;
}

/** The secret manager of a created store, with its settings. */
export type StoreProviderSpec =
    | { readonly kind: "aws"; readonly settings: { readonly region: string; readonly role?: string } }
    | {
          readonly kind: "gcp";
          readonly settings: {
              readonly projectID: string;
              readonly location?: string;
              readonly cluster?: { readonly name: string; readonly location: string; readonly projectID: string };
          };
      }
    | { readonly kind: "azure"; readonly settings: { readonly vaultUrl: string; readonly tenantId?: string; readonly environmentType: string } }
    | {
          readonly kind: "vault";
          readonly settings: {
              readonly server: string;
              readonly path: string;
              readonly version: string;
              readonly namespace?: string;
              readonly caBundle?: string;
              readonly kubernetesAuth: { readonly mountPath: string; readonly role: string };
          };
      };


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
    /** The entries each service receives, by service name (what `envFor` returns for it). @default none for every service */
    readonly receivers?: Readonly<Record<string, readonly string[]>>;
}


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


/** An environment variable read from a Secret key. */
export interface SecretEnv {
    /** The variable's name, e.g. "ANTHROPIC_API_KEY". */
    name: string;
    /** Where its value lives. */
    secret: SecretKeyRef;
}

/** An application secret's variable, with the catalog entry it comes from. */
export interface AppSecretEnv extends SecretEnv {
    /** The entry's name, e.g. "vectorDbApiKey". */
    entry: string;
}



/** A key of a Kubernetes Secret, referenced by name so the value never leaves the Secret. */
export interface SecretKeyRef {
    /** The Secret's name (in the workload's namespace). */
    readonly name: pulumi.Input<string>;
    /** The key inside the Secret. */
    readonly key: string;
}
