/**
 * The stack config of logs, `monitoring.logs`: Loki from its chart (with the optional monitoring
 * stack), the node collector (Grafana Alloy) that ships pod logs, or an existing Loki or OTLP
 * endpoint the collector ships to instead. Credentials are never written here: a key ending in
 * `Entry` names an entry of the secret catalog (`secrets.entries`, docs/secrets.md), whose value
 * lives in stack secret config or an existing Secret.
 */
import { z } from "../../validation/zod";
import { alloyChart, lokiChart, LogChartImage } from "../../lib/monitoring-chart";
import { promDurationPattern } from "../../lib/quantity";
import { secretEntryNamePattern } from "../../lib/builtin-secrets";
import { byteQuantity, chartSchema, dnsLabel, imageDigest, imageRegistry, imageTag, objectName, repositoryPath, url } from "../../validation/primitives";

/** An entry of the secret catalog, by name. */
const entryName = z.string().regex(secretEntryNamePattern, { error: 'the name of an entry of the secret catalog such as "lokiPassword" (secrets.entries, camelCase)' });

/** A Loki retention: a Prometheus duration of whole hours, at least a day (the compactor deletes by the day). */
export const retentionDuration = z
    .string()
    .refine((v) => v !== "" && promDurationPattern.test(v), { error: 'a duration such as "744h", "30d" or "4w" (units ms, s, m, h, d, w, y, largest first)' });

const chartImage = (image: LogChartImage) =>
    z
        .strictObject({
            registry: imageRegistry.default(image.registry),
            repository: repositoryPath(image.repository).default(image.repository),
            tag: imageTag(image.tag).default(image.tag),
            /** When set, pulled by digest. */
            digest: imageDigest.optional(),
        })
        .prefault({});

/** Object storage of a SimpleScalable Loki (chunks, the ruler). */
export const objectStorageSchema = z.strictObject({
    type: z.enum(["s3", "gcs", "azure"]),
    /** The buckets (containers on Azure): chunks and the ruler's; they may be the same. */
    buckets: z.strictObject({ chunks: z.string().min(1), ruler: z.string().min(1) }),
    /** S3: the endpoint, for S3-compatible stores (MinIO, Ceph); unset, AWS's. */
    endpoint: z.string().min(1).optional(),
    /** S3: the region. */
    region: z.string().min(1).optional(),
    /** S3: path-style addressing (MinIO). */
    s3ForcePathStyle: z.boolean().default(false),
    /** S3: the access key id's entry; unset with secretAccessKeyEntry, the pods' own identity (IRSA, EKS Pod Identity). */
    accessKeyIdEntry: entryName.optional(),
    /** S3: the secret access key's entry. */
    secretAccessKeyEntry: entryName.optional(),
    /** Azure: the storage account. */
    accountName: z.string().min(1).optional(),
    /** Azure: the account key's entry; unset, the pods' workload identity. GCS always uses the pods' workload identity. */
    accountKeyEntry: entryName.optional(),
});

const lokiSchema = z
    .strictObject({
        /** Where the chart comes from: the pinned version, a mirror, or a local directory. */
        chart: chartSchema(lokiChart),
        /** SingleBinary (one pod, filesystem storage) or SimpleScalable (read, write, backend; object storage). Unset: SingleBinary in development, SimpleScalable otherwise. */
        deploymentMode: z.enum(["SingleBinary", "SimpleScalable"]).optional(),
        /** The volume of each Loki pod (SingleBinary: the logs themselves; SimpleScalable: the write-ahead log and the index cache). */
        storage: z
            .strictObject({
                size: byteQuantity.default("10Gi"),
                /** Unset: the stack's storageClass, else the cluster's default. */
                storageClass: objectName("gp3").optional(),
            })
            .prefault({}),
        /** Required with SimpleScalable. */
        objectStorage: objectStorageSchema.optional(),
        images: z.strictObject({ loki: chartImage(lokiChart.images.loki) }).prefault({}),
    })
    .prefault({});

const collectorSchema = z
    .strictObject({
        /** Where Alloy's chart comes from. */
        chart: chartSchema(alloyChart),
        /** The namespaces whose pods' logs are shipped. Unset: the stack's own. */
        namespaces: z.array(dnsLabel("llm-platform-prod")).min(1).optional(),
        images: z.strictObject({ alloy: chartImage(alloyChart.images.alloy), configReloader: chartImage(alloyChart.images.configReloader) }).prefault({}),
    })
    .prefault({});

/** An existing endpoint the collector ships to, instead of the stack's own Loki. */
export const destinationSchema = z.strictObject({
    /** Loki's push API, or OTLP over HTTP. */
    type: z.enum(["loki", "otlp"]),
    /** Loki: the push URL ("https://logs.example.com/loki/api/v1/push"); OTLP: the base URL ("https://otlp.example.com", /v1/logs is appended). */
    url: url("https://logs.example.com/loki/api/v1/push"),
    /** Loki: the tenant (X-Scope-OrgID). */
    tenantId: z.string().min(1).optional(),
    /** HTTP basic auth: the user name, and the entry holding the password. */
    basicAuth: z.strictObject({ username: z.string().min(1), passwordEntry: entryName }).optional(),
    /** A bearer token's entry, instead of basic auth. */
    bearerTokenEntry: entryName.optional(),
});

export const logsSchema = z
    .strictObject({
        /** Ship the pods' logs: to the stack's own Loki with monitoring.stack, or to `destination`. */
        enabled: z.boolean().default(false),
        /** How long Loki keeps logs (the stack's own Loki). */
        retention: retentionDuration.default("744h"),
        /** The stack's own Loki, with monitoring.stack.enabled and no destination. */
        loki: lokiSchema,
        /** Grafana Alloy, a DaemonSet in the monitoring namespace reading /var/log/pods. */
        collector: collectorSchema,
        /** An existing Loki or OTLP endpoint, instead of the stack's own Loki. */
        destination: destinationSchema.optional(),
    })
    .prefault({});

export type LogsConfig = z.infer<typeof logsSchema>;
export type LogDestinationConfig = z.infer<typeof destinationSchema>;
export type ObjectStorageConfig = z.infer<typeof objectStorageSchema>;

/**
 * The secret entries the logs name, by entry name: the config key that names each (for messages).
 * Only what would be used counts: a destination's credentials, the object storage's of the
 * stack's own Loki (`ownLoki`).
 */
export function logsSecretUses(logs: LogsConfig | undefined, ownLoki: boolean): Record<string, string> {
    if (logs === undefined || !logs.enabled) return {};
    const uses: Record<string, string> = {};
    const add = (key: string, entry: string | undefined) => {
        if (entry !== undefined && !(entry in uses)) uses[entry] = `monitoring.logs.${key}`;
    };
    const d = logs.destination;
    add("destination.basicAuth.passwordEntry", d?.basicAuth?.passwordEntry);
    add("destination.bearerTokenEntry", d?.bearerTokenEntry);
    const o = ownLoki ? logs.loki.objectStorage : undefined;
    add("loki.objectStorage.accessKeyIdEntry", o?.accessKeyIdEntry);
    add("loki.objectStorage.secretAccessKeyEntry", o?.secretAccessKeyEntry);
    add("loki.objectStorage.accountKeyEntry", o?.accountKeyEntry);
    return uses;
}

/** The deployment mode of the stack's Loki: as set, else SingleBinary in development and SimpleScalable otherwise. */
export function lokiDeploymentMode(logs: LogsConfig, environment: string): "SingleBinary" | "SimpleScalable" {
    return logs.loki.deploymentMode ?? (environment === "development" ? "SingleBinary" : "SimpleScalable");
}

/** Whether the logs go to the stack's own Loki: logs on, the monitoring stack on (`stack`: monitoring.enabled and monitoring.stack.enabled), no destination. */
export function ownsLoki(input: { readonly logs: LogsConfig; readonly stack: boolean }): boolean {
    return input.logs.enabled && input.stack && input.logs.destination === undefined;
}

/** The entries the monitoring section's logs name (logsSecretUses of its own Loki or destination). */
export function monitoringSecretUses(monitoring: { readonly enabled: boolean; readonly stack: { readonly enabled: boolean }; readonly logs: LogsConfig }): Record<string, string> {
    return logsSecretUses(monitoring.logs, ownsLoki({ logs: monitoring.logs, stack: monitoring.enabled && monitoring.stack.enabled }));
}
