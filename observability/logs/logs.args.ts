/** The logs' contract: what the Logs component takes (Loki, the collector, their credentials). */
import type * as pulumi from "@pulumi/pulumi";
import type { RegistryImage } from "../../lib/image";
import type { ChartSourceSpec } from "../../platform/platform.args";
import type { AppSecretSource } from "../../secrets/secrets.args";

/** A credential a log pod reads from its environment: a secret entry, from stack config (written into the logs' Secret) or an existing Secret in the monitoring namespace. */
export interface LogCredential {
    /** The catalog entry, e.g. "lokiPassword". */
    readonly name: string;
    /** The variable the pods read, e.g. "LOKI_PASSWORD" (the entry's). */
    readonly env: string;
    /** Its key in the logs' Secret, e.g. "loki-password". */
    readonly dataKey: string;
    readonly source: Extract<AppSecretSource, { kind: "pulumi" | "existing" }>;
}

/** Object storage of Loki; credentials as variables of a LogCredential. */
export interface LokiObjectStorageSpec {
    readonly type: "s3" | "gcs" | "azure";
    readonly buckets: { readonly chunks: string; readonly ruler: string };
    readonly endpoint?: string;
    readonly region?: string;
    readonly s3ForcePathStyle: boolean;
    readonly accountName?: string;
    /** The variables holding the keys (`${VAR}` in Loki's config, with -config.expand-env). @default none: the pods' own identity */
    readonly accessKeyIdEnv?: string;
    readonly secretAccessKeyEnv?: string;
    readonly accountKeyEnv?: string;
}

/** The stack's own Loki. */
export interface LokiSpec {
    readonly chart: ChartSourceSpec;
    readonly release: string;
    readonly deploymentMode: "SingleBinary" | "SimpleScalable";
    /** limits_config.retention_period, e.g. "744h". */
    readonly retention: string;
    readonly storage: { readonly size: string; readonly storageClass?: string };
    /** Required with SimpleScalable. @default filesystem (SingleBinary) */
    readonly objectStorage?: LokiObjectStorageSpec;
    readonly image: RegistryImage;
}

/** Where the collector ships: Loki's push API or OTLP over HTTP, with the variables holding credentials. */
export interface LogDestinationSpec {
    readonly type: "loki" | "otlp";
    /** Loki: the push URL; OTLP: the base URL. */
    readonly url: string;
    /** Loki's tenant (X-Scope-OrgID). @default none */
    readonly tenantId?: string;
    /** @default none */
    readonly basicAuth?: { readonly username: string; readonly passwordEnv: string };
    /** @default none */
    readonly bearerTokenEnv?: string;
}

/** Grafana Alloy as a DaemonSet. */
export interface CollectorSpec {
    readonly chart: ChartSourceSpec;
    readonly release: string;
    /** The namespaces whose pods' logs it ships. */
    readonly namespaces: readonly string[];
    readonly images: { readonly alloy: RegistryImage; readonly configReloader: RegistryImage };
    readonly destination: LogDestinationSpec;
}

export interface LogsArgs {
    /** The monitoring namespace, where Loki and the collector run. */
    readonly namespace: string;
    /** Create the namespace (labelled Pod Security "privileged"); false when it exists or the MonitoringStack creates it. */
    readonly createNamespace: boolean;
    /** app.kubernetes.io/instance of the platform, e.g. "llm-platform-dev"; the logs' `cluster` label. */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
    /** The cluster's DNS domain, for Loki's in-cluster URL. */
    readonly clusterDomain: string;
    /** The stack's own Loki. @default none: the collector ships to `collector.destination` */
    readonly loki?: LokiSpec;
    readonly collector: CollectorSpec;
    /** The credentials the pods read. @default none */
    readonly credentials: readonly LogCredential[];
    /** A NetworkPolicy admits only the collector, Grafana and Loki itself to Loki's pods (networkPolicy.enabled). */
    readonly networkPolicy: boolean;
    /** The MonitoringStack, whose namespace the charts go into. @default none: the namespace is the component's or exists */
    readonly monitoringStack?: pulumi.Resource;
}

/** LogsArgs' fields that exist only at deploy time. */
export type LogsDeployInputs = "monitoringStack";
