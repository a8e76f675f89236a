import * as pulumi from "@pulumi/pulumi";
import { Labels } from "../lib/labels";

/** A key of a Kubernetes Secret, referenced by name so the value never leaves the Secret. */
export interface SecretKeyRef {
    /** The Secret's name (in the workload's namespace). */
    readonly name: pulumi.Input<string>;
    /** The key inside the Secret. */
    readonly key: string;
}

/**
 * Where a NetworkPolicy lets a client reach a data store: its pods, selected by labels in the
 * same namespace (in-cluster), or IP blocks (an external, managed service).
 */
export type NetworkPeer =
    | { readonly kind: "pods"; readonly podSelector: Labels }
    | { readonly kind: "external"; readonly cidrs: readonly string[] };

/** How a workload connects to a data store; what the data-tier components give the application. */
export interface DataStoreEndpoint {
    /** DNS name clients connect to. */
    readonly host: pulumi.Input<string>;
    /** TCP port clients connect to. Plain, so NetworkPolicy previews are fully known. */
    readonly port: number;
    /** The Secret key holding the password. */
    readonly passwordSecret: SecretKeyRef;
    /** What the client's NetworkPolicy egress rule allows. */
    readonly networkPeer: NetworkPeer;
    /**
     * A rotated generated password (auth.rotation above 0): its generation, which the clients'
     * pods carry as an annotation so they roll to it, and what must finish before they do.
     * @default none: the password was never rotated
     */
    readonly passwordRotation?: { readonly generation: number; readonly after: pulumi.Resource };
}

/** A PostgreSQL endpoint: a data store plus the database and user to log in as. */
export interface PostgresEndpoint extends DataStoreEndpoint {
    readonly database: string;
    readonly user: string;
    /** The read replicas' host (same port, user and password), when the release has them. */
    readonly readHost?: pulumi.Input<string>;
}
