/**
 * The metrics a stack's Prometheus has, by who exports them. Alerts and dashboards may reference
 * only these (tests/observability.test.ts checks every expression against this list), so a typo
 * or a metric no exporter provides fails a test instead of a dashboard showing "No data".
 *
 * - kube-state-metrics and the kubelet's cAdvisor: what kube-prometheus-stack scrapes in every
 *   cluster, with the object's `namespace` label (its ServiceMonitors keep the object's labels).
 * - postgres-exporter 0.17 (the postgresql chart's metrics sidecar): collectors database,
 *   stat_database, settings, replication (all on by default).
 * - redis-exporter 1.76 (the redis chart's metrics sidecar).
 * - the services' own HTTP metrics, whose names the stack config gives (monitoring.httpMetrics).
 */

export const kubeStateMetrics = [
    "kube_deployment_spec_replicas",
    "kube_deployment_status_replicas_available",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_status_desired_replicas",
    "kube_job_failed",
    "kube_poddisruptionbudget_status_current_healthy",
    "kube_poddisruptionbudget_status_desired_healthy",
    "kube_pod_container_resource_limits",
    "kube_pod_container_resource_requests",
    "kube_pod_container_status_last_terminated_reason",
    "kube_pod_container_status_restarts_total",
] as const;

export const cadvisorMetrics = [
    "container_cpu_cfs_periods_total",
    "container_cpu_cfs_throttled_periods_total",
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
] as const;

export const postgresExporterMetrics = [
    "pg_up",
    "pg_settings_max_connections",
    "pg_stat_database_numbackends",
    "pg_stat_database_deadlocks",
    "pg_stat_database_xact_commit",
    "pg_stat_database_xact_rollback",
    "pg_replication_lag_seconds",
    "pg_replication_is_replica",
] as const;

export const redisExporterMetrics = [
    "redis_up",
    "redis_connected_clients",
    "redis_commands_processed_total",
    "redis_evicted_keys_total",
    "redis_keyspace_hits_total",
    "redis_keyspace_misses_total",
    "redis_memory_max_bytes",
    "redis_memory_used_bytes",
    "redis_rejected_connections_total",
] as const;

/** The names of a service's HTTP metrics, which depend on how the application is instrumented. */
export interface HttpMetricNames {
    /** A counter of requests with the response status in `statusLabel`, e.g. http_requests_total. */
    readonly requests: string;
    /** The label of `requests` holding the status code ("503") or class ("5xx"). */
    readonly statusLabel: string;
    /** The `_bucket` series of a request-duration histogram in seconds, e.g. http_request_duration_seconds_bucket. */
    readonly durationBucket: string;
}

/** The defaults of HttpMetricNames: prometheus-fastapi-instrumentator's and most Prometheus clients' names. */
export const defaultHttpMetrics: HttpMetricNames = {
    requests: "http_requests_total",
    statusLabel: "status",
    durationBucket: "http_request_duration_seconds_bucket",
};

/** Which exporters a stack runs; the cluster's kube-state-metrics and cAdvisor are always there. */
export interface MetricSources {
    readonly postgresExporter: boolean;
    readonly redisExporter: boolean;
    /** The HTTP metric names, when some service exports metrics. */
    readonly http?: HttpMetricNames;
}

/** Every metric name a stack's Prometheus has. */
export function providedMetrics(sources: MetricSources): Set<string> {
    return new Set<string>([
        ...kubeStateMetrics,
        ...cadvisorMetrics,
        ...(sources.postgresExporter ? postgresExporterMetrics : []),
        ...(sources.redisExporter ? redisExporterMetrics : []),
        ...(sources.http ? [sources.http.requests, sources.http.durationBucket] : []),
    ]);
}
