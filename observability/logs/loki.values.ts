/**
 * The Helm values of Loki's chart (grafana/loki 6.55.0, lib/monitoring-chart.ts), as a pure
 * function: SingleBinary on its own volume, or SimpleScalable (read, write, backend) on object
 * storage, keeping logs for the retention; the chart's extras that would run more images (the
 * gateway, the memcached caches, the canary and its test, the rules sidecar, MinIO) are off.
 * Keys are the chart's documented values (its values.yaml of that version).
 */
import { RegistryImage } from "../../lib/image";
import type { LogCredential, LokiObjectStorageSpec, LokiSpec } from "./logs.args";

/** A pod's variable read from a Secret. */
export interface SecretEnvVar {
    readonly name: string;
    readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** The Secret the program writes the logs' credentials from stack config into, in the monitoring namespace. */
export function logsSecretName(instance: string): string {
    return `${instance}-logs`;
}

/** Each credential as a variable: from the logs' Secret, or the existing Secret it names. */
export function credentialEnv(credentials: readonly LogCredential[], secretName: string): SecretEnvVar[] {
    return credentials.map((c) => ({
        name: c.env,
        valueFrom: { secretKeyRef: c.source.kind === "existing" ? { name: c.source.secretName, key: c.source.key } : { name: secretName, key: c.dataKey } },
    }));
}

/** An image block as these charts write it; the digest only when set. */
export function chartImageValues(image: RegistryImage): Record<string, string> {
    return { registry: image.registry, repository: image.repository, tag: image.tag, ...(image.digest === undefined ? {} : { digest: image.digest }) };
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const envRef = (name: string | undefined) => (name === undefined ? undefined : `\${${name}}`);

/** loki.storage: the filesystem of a SingleBinary, or the object store with its credentials as `${VAR}` (expanded by -config.expand-env). */
function storageValues(o: LokiObjectStorageSpec | undefined): Record<string, unknown> {
    if (o === undefined) return { type: "filesystem" };
    const byType: Record<LokiObjectStorageSpec["type"], Record<string, unknown>> = {
        s3: { s3: defined({ endpoint: o.endpoint, region: o.region, s3ForcePathStyle: o.s3ForcePathStyle, accessKeyId: envRef(o.accessKeyIdEnv), secretAccessKey: envRef(o.secretAccessKeyEnv) }) },
        gcs: {},
        azure: { azure: defined({ accountName: o.accountName, accountKey: envRef(o.accountKeyEnv), useFederatedToken: o.accountKeyEnv === undefined }) },
    };
    return { type: o.type, bucketNames: { chunks: o.buckets.chunks, ruler: o.buckets.ruler, admin: o.buckets.ruler }, ...byType[o.type] };
}

/** The values of the stack's Loki; `env` are the credentials' variables, which its pods read. */
export function lokiValues(spec: LokiSpec, env: readonly SecretEnvVar[]): Record<string, unknown> {
    const single = spec.deploymentMode === "SingleBinary";
    const store = spec.objectStorage?.type ?? "filesystem";
    const persistence = { size: spec.storage.size, ...(spec.storage.storageClass === undefined ? {} : { storageClass: spec.storage.storageClass }) };
    const pods = (replicas: number, volume: boolean) => ({
        replicas,
        ...(volume ? { persistence } : {}),
        ...(env.length > 0 ? { extraArgs: ["-config.expand-env=true"], extraEnv: [...env] } : {}),
    });
    return {
        deploymentMode: spec.deploymentMode,
        loki: {
            image: chartImageValues(spec.image),
            // One tenant: the collector pushes and Grafana reads without X-Scope-OrgID.
            auth_enabled: false,
            commonConfig: { replication_factor: single ? 1 : 3 },
            schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", object_store: store, schema: "v13", index: { prefix: "loki_index_", period: "24h" } }] },
            storage: storageValues(spec.objectStorage),
            limits_config: { retention_period: spec.retention },
            compactor: { retention_enabled: true, delete_request_store: store },
        },
        singleBinary: pods(single ? 1 : 0, true),
        write: pods(single ? 0 : 3, true),
        read: pods(single ? 0 : 3, false),
        backend: pods(single ? 0 : 3, true),
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        sidecar: { rules: { enabled: false } },
        minio: { enabled: false },
    };
}

/**
 * A StatefulSet of Loki's chart with its update strategy's type written out: the chart's
 * templates write `updateStrategy: {rollingUpdate: {partition: 0}}` without `type`, which the API
 * server stores as `type: RollingUpdate`; written out, the object the program sends is the one the
 * server keeps (as the Bitnami charts' strategies are, issue #10). Other objects are unchanged.
 */
export function withUpdateStrategyType(type: string, props: Record<string, any>): Record<string, any> | undefined {
    const strategy = props?.spec?.updateStrategy;
    if (type !== "kubernetes:apps/v1:StatefulSet" || strategy === undefined || strategy.type !== undefined) return undefined;
    return { ...props, spec: { ...props.spec, updateStrategy: { type: "RollingUpdate", ...strategy } } };
}
