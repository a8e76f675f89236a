/**
 * From validated config to the Logs component's args: the stack's own Loki (with the monitoring
 * stack) or the destination, the collector, and the credentials the secret catalog resolved.
 * Runs only on config that passed validation.
 */
import type { StackIdentity } from "../../lib/labels";
import { must } from "../../lib/objects";
import { alloyRelease, collectorPodSecurityLevel, lokiDatasourceUid, lokiPushPath, lokiRelease, lokiUrl } from "../../lib/monitoring-chart";
import type { Environment } from "../../validation/primitives";
import type { AppSecretEntry } from "../../secrets/secrets.args";
import type { MonitoringConfig } from "../monitoring.schema";
import type { MonitoringStackArgs } from "../observability.args";
import type { CollectorSpec, LogCredential, LogsArgs, LogsDeployInputs, LokiObjectStorageSpec, LokiSpec } from "./logs.args";
import { lokiDeploymentMode, monitoringSecretUses, ObjectStorageConfig, ownsLoki } from "./logs.schema";

/** What the logs read beside the monitoring section. */
export interface LogsContext {
    readonly environment: Environment;
    readonly identity: StackIdentity;
    readonly namespace: string;
    readonly clusterDomain: string;
    readonly storageClass?: string;
    readonly networkPolicy: boolean;
}

/** The entries the logs name, which go to the logs' Secret instead of the application's. */
export function logsEntryNames(monitoring: MonitoringConfig): string[] {
    return Object.keys(monitoringSecretUses(monitoring));
}

function objectStorage(o: ObjectStorageConfig | undefined, envOf: (entry: string | undefined) => string | undefined): LokiObjectStorageSpec | undefined {
    if (o === undefined) return undefined;
    return {
        type: o.type,
        buckets: o.buckets,
        endpoint: o.endpoint,
        region: o.region,
        s3ForcePathStyle: o.s3ForcePathStyle,
        accountName: o.accountName,
        accessKeyIdEnv: envOf(o.accessKeyIdEntry),
        secretAccessKeyEnv: envOf(o.secretAccessKeyEntry),
        accountKeyEnv: envOf(o.accountKeyEntry),
    };
}

/** The Loki datasource Grafana gets: the stack's own Loki's read URL; undefined without it. */
export function lokiDatasource(monitoring: MonitoringConfig, environment: Environment, clusterDomain: string): { readonly uid: string; readonly url: string } | undefined {
    const stack = monitoring.enabled && monitoring.stack.enabled;
    if (!ownsLoki({ logs: monitoring.logs, stack })) return undefined;
    return { uid: lokiDatasourceUid, url: lokiUrl("read", lokiDeploymentMode(monitoring.logs, environment), monitoring.stack.namespace, clusterDomain) };
}

/** The Logs component's args, with monitoring.logs.enabled; `entries` are the application secrets the catalog resolved. */
export function resolveLogs(monitoring: MonitoringConfig, context: LogsContext, entries: readonly AppSecretEntry[]): Omit<LogsArgs, LogsDeployInputs> | undefined {
    const { logs, stack } = monitoring;
    if (!logs.enabled) return undefined;
    const own = ownsLoki({ logs, stack: monitoring.enabled && stack.enabled });
    const names = logsEntryNames(monitoring);
    const credentials = entries.filter((e) => names.includes(e.name)).map((e) => ({ ...e, source: e.source as LogCredential["source"] }));
    const envOf = (entry: string | undefined) => (entry === undefined ? undefined : credentials.find((c) => c.name === entry)?.env);
    const mode = lokiDeploymentMode(logs, context.environment);
    const loki: LokiSpec | undefined = own
        ? {
              chart: logs.loki.chart,
              release: lokiRelease,
              deploymentMode: mode,
              retention: logs.retention,
              storage: { size: logs.loki.storage.size, storageClass: logs.loki.storage.storageClass ?? context.storageClass },
              objectStorage: objectStorage(logs.loki.objectStorage, envOf),
              image: logs.loki.images.loki,
          }
        : undefined;
    const d = logs.destination;
    const destination: CollectorSpec["destination"] =
        d === undefined
            ? { type: "loki", url: `${lokiUrl("write", mode, stack.namespace, context.clusterDomain)}${lokiPushPath}` }
            : {
                  type: d.type,
                  url: d.url,
                  tenantId: d.tenantId,
                  basicAuth: d.basicAuth && { username: d.basicAuth.username, passwordEnv: must(envOf(d.basicAuth.passwordEntry), "monitoring.logs.destination.basicAuth.passwordEntry") },
                  bearerTokenEnv: envOf(d.bearerTokenEntry),
              };
    return {
        ...context.identity,
        namespace: stack.namespace,
        // With the monitoring stack, MonitoringStack creates the namespace.
        createNamespace: stack.createNamespace && !(monitoring.enabled && stack.enabled),
        clusterDomain: context.clusterDomain,
        loki,
        collector: {
            chart: logs.collector.chart,
            release: alloyRelease,
            namespaces: logs.collector.namespaces ?? [context.namespace],
            images: logs.collector.images,
            destination,
        },
        credentials,
        networkPolicy: context.networkPolicy,
    };
}

/** MonitoringStack's args with logs: Grafana's Loki datasource, and the namespace Pod Security level "privileged" the collector's hostPath needs. */
export function withLogs(stack: MonitoringStackArgs | undefined, monitoring: MonitoringConfig, environment: Environment, clusterDomain: string): MonitoringStackArgs | undefined {
    if (stack === undefined || !monitoring.logs.enabled) return stack;
    const datasource = lokiDatasource(monitoring, environment, clusterDomain);
    return { ...stack, podSecurity: collectorPodSecurityLevel, ...(datasource === undefined ? {} : { lokiDatasource: datasource }) };
}
