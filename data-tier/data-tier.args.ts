/** The data tier's contract: what PostgresDatabase and RedisCache take, and the endpoints they give the application. The resolver (data-tier.resolve.ts) returns their args, less what exists only at deploy time. */
import type * as pulumi from "@pulumi/pulumi";
import type { DataStoreTarget } from "../lib/alert-catalog";
import type { postgresqlChart, redisChart } from "../lib/bitnami-charts";
import type { RegistryImage } from "../lib/image";
import type { Labels } from "../lib/labels";
import type { KubernetesApi, PeerSelector } from "../network/network.args";
import type { AlertRuleSettings } from "../observability/observability.args";
import type { ChartSourceSpec } from "../platform/platform.args";
import type { RemoteRef, SecretKeyRef, SecretSync } from "../secrets/secrets.args";

/** Where a data store's passwords come from. */
export type DataStoreCredentials =
    /**
     * RandomPasswords kept (encrypted) in the stack's state, written into the program's Secret.
     * `generation`: raising it generates new rotating passwords. @default 0
     */
    | { readonly source: "generated"; readonly generation?: number }
    /** An ExternalSecret makes ESO sync each key of the program's Secret from the manager. */
    | { readonly source: "external-secrets"; readonly sync: SecretSync; readonly remoteRefs: Readonly<Record<string, RemoteRef>> }
    /**
     * A Secret that exists, read by name. In the cluster, `keys` maps each key the chart reads to
     * the Secret's own key. @default the chart's keys
     */
    | { readonly source: "existing"; readonly secretName: string; readonly keys?: Readonly<Record<string, string>> };

/** A managed server the application connects to instead of an in-cluster release. */
export interface ExternalServer {
    /** Its host name. */
    readonly host: string;
    /** Its port. */
    readonly port: number;
    /** The key of the password in the credentials Secret. */
    readonly passwordKey: string;
    /** The addresses the application may reach it at, on its port only. */
    readonly cidrs: readonly string[];
}

/** In the cluster from the pinned chart, or an external server: what the data-store components take. */
export type DataStorePlacement<Settings> =
    | {
          readonly mode: "in-cluster";
          /** Where the chart comes from. */
          readonly chart: ChartSourceSpec;
          /** The settings the chart's values are built from. */
          readonly settings: Settings;
          readonly credentials: DataStoreCredentials;
      }
    | { readonly mode: "external"; readonly server: ExternalServer; readonly credentials: Exclude<DataStoreCredentials, { source: "generated" }> };

/** What both data-store components take besides their placement. */
export interface DataStoreCommonArgs {
    /** The namespace of the release and of the password Secret. */
    readonly namespace: pulumi.Input<string>;
    /**
     * app.kubernetes.io/instance of the platform, e.g. "llm-platform-prod". The release, its
     * fullname and its pods' instance label are "<instance>-<store>", the Secret "<instance>-<store>-auth".
     */
    readonly instance: string;
    /** app.kubernetes.io/part-of of every object. */
    readonly partOf: string;
    /** The cluster's DNS domain (kubelet --cluster-domain), in the Services' host names. */
    readonly clusterDomain: string;
    /**
     * Data safety: `protect` and retainOnDelete on what holds or unlocks data (the password Secret
     * and passwords, and by a transform the claims, Secrets and PostgreSQL StatefulSets the chart
     * renders), and PVC retention "Retain" on the StatefulSets; nothing else is protected.
     * @default false
     */
    readonly protect?: boolean;
    /** The exporter sidecar and a ServiceMonitor with these settings. @default no metrics */
    readonly monitoring?: ScrapeSettings;
    /**
     * A NetworkPolicy on the release's pods (in the cluster), admitting only `clients` on the
     * store's port, its own pods on the replication ports and Prometheus on the exporter's, and
     * letting out only the cluster DNS, its own pods and (Redis Sentinel) the Kubernetes API. The
     * chart's own NetworkPolicies are off either way.
     * @default none, as the platform's are off
     */
    readonly networkPolicy?: {
        /** Where Prometheus runs, admitted to the exporter's port with `monitoring`. */
        readonly prometheus: PeerSelector;
        /** The cluster DNS, the only destination of port 53 for the release's and the jobs' pods. */
        readonly dns: PeerSelector;
        /** The Kubernetes API, which Redis Sentinel's kubectl sidecar calls. */
        readonly kubernetesApi: KubernetesApi;
        /** Where the backup uploader may reach HTTPS (object storage), less the excluded blocks. */
        readonly httpsEgressCidrs: readonly string[];
        /** Blocks HTTPS egress leaves out (the metadata address). */
        readonly httpsEgressExcept: readonly string[];
        /** The cluster's own blocks, left out of HTTPS egress too. */
        readonly clusterCidrs: readonly string[];
    };
    /** The selector labels of the application pods that connect to the data store. @default none */
    readonly clients?: readonly Labels[];
    /** The created secret store, which ExternalSecrets wait for. @default none: the store exists already */
    readonly secretStore?: pulumi.Resource;
    /**
     * Alerts on the data store (in the cluster, with `monitoring`): the chart's own PrometheusRule
     * with the catalog's rules for it, scoped to `target`. @default none
     */
    readonly alerts?: AlertRuleSettings & { readonly target: DataStoreTarget };
    /**
     * The release that installs the Prometheus Operator's CRDs (MonitoringStack), which the chart's
     * ServiceMonitor and PrometheusRule need. @default none: the cluster has the CRDs
     */
    readonly monitoringStack?: pulumi.Resource;
}


/** A one-shot load of a dump into the in-cluster database. */
export interface PostgresRestoreSpec {
    /** The dump's file name in the claim. */
    readonly file: string;
    /** The claim holding it. @default the stack's backup claim "<release>-backups" */
    readonly claimName?: string;
    /** How long the restore may run, in seconds. */
    readonly timeoutSeconds: number;
}

export type PostgresDatabaseArgs = DataStoreCommonArgs &
    DataStorePlacement<PostgresqlSpec> & {
        /** The database the application uses. */
        readonly database: string;
        /** The user the application logs in as. */
        readonly user: string;
        /** Scheduled backups to a claim of their own (in-cluster). @default none */
        readonly backup?: PostgresBackupSpec;
        /** Load a dump once, after the release is ready (in-cluster). @default none */
        readonly restore?: PostgresRestoreSpec;
    };


export type RedisCacheArgs = DataStoreCommonArgs & DataStorePlacement<RedisSpec>;


/** The backup settings the pods and the CronJob are built from (postgresql.backup). */
export interface PostgresBackupSpec {
    /** Five-field cron schedule, in UTC. */
    readonly schedule: string;
    /** Dumps older than this many days are deleted. */
    readonly retentionDays: number;
    /** The backup claim's size and StorageClass. */
    readonly storage: { readonly size: string; readonly storageClass?: string };
    /** A container that copies each new dump elsewhere; absent, the dump stays on the claim only. */
    readonly upload?: { readonly image: string; readonly command: readonly string[]; readonly args: readonly string[]; readonly envFromSecret?: string };
    /** The containers' resources. */
    readonly resources: ResourcesSpec;
}


/** The in-cluster settings of the postgresql config section that the values depend on. */
export interface PostgresqlSpec {
    readonly architecture: "standalone" | "replication";
    readonly auth: { readonly database: string; readonly username: string };
    readonly primary: { readonly resources?: ResourcesSpec };
    readonly readReplicas: { readonly replicaCount: number; readonly resources?: ResourcesSpec };
    readonly persistence: PersistenceSpec;
    readonly volumePermissions: boolean;
    readonly images: Readonly<Record<keyof typeof postgresqlChart.images, RegistryImage>>;
    readonly imagePullSecrets: readonly string[];
    /** Extensions created in the application database at initialisation. @default none */
    readonly extensions?: readonly string[];
    /** Init scripts: inline by file name, an existing ConfigMap, an existing Secret. @default none */
    readonly initScripts?: { readonly scripts: Readonly<Record<string, string>>; readonly existingConfigMap?: string; readonly existingSecret?: string };
    /** postgresql.conf settings. @default the chart's */
    readonly tuning?: PostgresTuning;
}

/** The postgresql.conf settings the config types, and the raw rest. */
export interface PostgresTuning {
    readonly maxConnections?: number;
    readonly sharedBuffers?: string;
    readonly workMem?: string;
    readonly statementTimeoutMs?: number;
    readonly extra: Readonly<Record<string, string>>;
}


/** The in-cluster settings of the redis config section that the values depend on. */
export interface RedisSpec {
    readonly architecture: "standalone" | "replication";
    readonly master: { readonly resources?: ResourcesSpec };
    readonly replica: { readonly replicaCount: number; readonly resources?: ResourcesSpec };
    readonly sentinel: { readonly enabled: boolean; readonly quorum: number; readonly resources?: ResourcesSpec };
    readonly persistence: PersistenceSpec;
    readonly volumePermissions: boolean;
    readonly images: Readonly<Record<keyof typeof redisChart.images, RegistryImage>>;
    readonly imagePullSecrets: readonly string[];
    /** redis.conf settings. @default the chart's */
    readonly tuning?: RedisTuning;
}

/** The redis.conf settings the config types, and the raw rest. */
export interface RedisTuning {
    readonly appendonly?: boolean;
    readonly appendfsync?: string;
    readonly maxmemory?: string;
    readonly maxmemoryPolicy?: string;
    readonly extra: Readonly<Record<string, string>>;
}

/** CPU and memory for one container, as the stack config gives them. */
export interface ResourcesSpec {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu?: string; readonly memory?: string };
}

/** Persistence of a data store, as the stack config gives it. */
export interface PersistenceSpec {
    readonly enabled: boolean;
    readonly size: string;
    readonly storageClass?: string;
}

/** The Prometheus Operator settings for the chart's ServiceMonitor. */
export interface ScrapeSettings {
    /** Labels the Prometheus serviceMonitorSelector matches. */
    readonly labels: Labels;
    /** Scrape interval, e.g. "30s". */
    readonly interval: string;
    /** Scrape timeout, e.g. "10s". @default the Prometheus default */
    readonly scrapeTimeout?: string;
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

/** What a data store's args hold that exists only at deploy time: the namespace's Output, the created store and monitoring release, and the clients the service graph derives. */
export type DataStoreDeployInputs = "namespace" | "clients" | "secretStore" | "monitoringStack";
