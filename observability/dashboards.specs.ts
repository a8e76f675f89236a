/**
 * The Grafana dashboards of a stack, in the Grafana Foundation SDK's JSON model: one per service
 * (traffic, errors, latency, saturation, pods and autoscaling) and one for the data tier. Every
 * panel's query selects the same series the alerts do (lib/alert-catalog.ts), and the JSON is
 * deterministic (explicit ids and positions, sorted keys), so a second preview shows no change.
 */
import { createHash } from "crypto";
import type * as GrafanaDashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type * as GrafanaLogs from "@grafana/grafana-foundation-sdk/logs";
import type * as GrafanaLoki from "@grafana/grafana-foundation-sdk/loki";
import type * as GrafanaPrometheus from "@grafana/grafana-foundation-sdk/prometheus";
import type * as GrafanaStat from "@grafana/grafana-foundation-sdk/stat";
import type * as GrafanaTimeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { DataStoreTarget, ServiceTarget, exporterMatchers, serviceContainerMatchers, workloadMatcher } from "../lib/alert-catalog";
import { selector } from "../lib/promql";
import { selectorLabels } from "../lib/labels";
import { lokiDatasourceUid, streamLabelName } from "../lib/monitoring-chart";

/** One query of a panel: PromQL and its legend. */
export interface PanelQuery {
    readonly expr: string;
    readonly legend: string;
}

/** A panel before layout: a time series or a single stat (PromQL), or logs (LogQL), its unit and queries. */
export interface PanelSpec {
    readonly kind: "timeseries" | "stat" | "logs";
    readonly title: string;
    readonly description: string;
    /** A Grafana unit: reqps, percent, s, short, bytes, cores (none for plain numbers). */
    readonly unit: string;
    readonly queries: readonly PanelQuery[];
}

/** A row of panels. */
export interface RowSpec {
    readonly title: string;
    readonly panels: readonly PanelSpec[];
}

/** A dashboard before it is built: who it is and its rows. */
export interface DashboardSpec {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly rows: readonly RowSpec[];
}

const timeseries = (title: string, unit: string, description: string, ...queries: PanelQuery[]): PanelSpec => ({ kind: "timeseries", title, unit, description, queries });
const stat = (title: string, unit: string, description: string, ...queries: PanelQuery[]): PanelSpec => ({ kind: "stat", title, unit, description, queries });
const q = (expr: string, legend: string): PanelQuery => ({ expr, legend });

/** Grafana caps dashboard uids at 40 characters; longer ones keep a readable prefix and a hash. */
export function dashboardUid(name: string): string {
    if (name.length <= 40) return name;
    return `${name.slice(0, 31).replace(/-+$/, "")}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

function httpRows(s: ServiceTarget): RowSpec[] {
    if (!s.has.metrics) return [];
    const all = { namespace: s.namespace, service: s.name };
    const requests = selector(s.http.requests, all);
    const failed = selector(s.http.requests, { ...all, [s.http.statusLabel]: { re: "5.." } });
    const buckets = selector(s.http.durationBucket, all);
    const quantile = (p: number) => q(`histogram_quantile(${p}, sum by (le) (rate(${buckets}[5m])))`, `p${Math.round(p * 100)}`);
    return [
        { title: "Traffic", panels: [timeseries("Requests per second by status", "reqps", "Request rate over 5 minutes, by response status.", q(`sum by (${s.http.statusLabel}) (rate(${requests}[5m]))`, `{{${s.http.statusLabel}}}`))] },
        { title: "Errors", panels: [timeseries("5xx responses", "percent", "Share of requests answered with a 5xx status (ServiceHighErrorRate).", q(`100 * sum(rate(${failed}[5m])) / sum(rate(${requests}[5m]))`, "5xx"))] },
        { title: "Latency", panels: [timeseries("Request duration", "s", "Percentiles of request duration over 5 minutes (ServiceHighLatency watches p99).", quantile(0.5), quantile(0.9), quantile(0.99))] },
    ];
}

function saturationRow(s: ServiceTarget): RowSpec {
    const container = serviceContainerMatchers(s);
    const limit = (resource: string) => q(`max(${selector("kube_pod_container_resource_limits", serviceContainerMatchers(s, { resource }))})`, "limit");
    return {
        title: "Saturation",
        panels: [
            timeseries("CPU per pod", "short", "CPU cores used, against the limit.", q(`sum by (pod) (rate(${selector("container_cpu_usage_seconds_total", container)}[5m]))`, "{{pod}}"), limit("cpu")),
            timeseries("Memory per pod", "bytes", "Working set, against the limit (ServiceMemoryNearLimit).", q(`max by (pod) (${selector("container_memory_working_set_bytes", container)})`, "{{pod}}"), limit("memory")),
            timeseries(
                "CPU throttling",
                "percent",
                "Share of CPU periods throttled by the limit (ServiceCpuThrottled).",
                q(`100 * sum by (pod) (rate(${selector("container_cpu_cfs_throttled_periods_total", container)}[5m])) / sum by (pod) (rate(${selector("container_cpu_cfs_periods_total", container)}[5m]))`, "{{pod}}"),
            ),
        ],
    };
}

function podsRow(s: ServiceTarget): RowSpec {
    const deployment = { namespace: s.namespace, deployment: workloadMatcher(s) };
    const hpa = { namespace: s.namespace, horizontalpodautoscaler: workloadMatcher(s) };
    // A blue-green service's pods are its two tracks' Deployments together.
    const total = s.tracks === undefined ? "max" : "sum";
    const replicas = [q(`${total}(${selector("kube_deployment_status_replicas_available", deployment)})`, "ready"), q(`${total}(${selector("kube_deployment_spec_replicas", deployment)})`, "desired")];
    const autoscaler = s.has.autoscaling ? [q(`${total}(${selector("kube_horizontalpodautoscaler_spec_max_replicas", hpa)})`, "HPA maximum")] : [];
    return {
        title: "Pods and autoscaling",
        panels: [
            stat("Ready pods", "none", "Pods ready to serve now (ServiceNoReadyPods fires at 0).", replicas[0]),
            timeseries("Replicas", "none", s.has.autoscaling ? "Ready and desired replicas, and the autoscaler's maximum (ServiceAutoscalerAtMax)." : "Ready and desired replicas.", ...replicas, ...autoscaler),
            timeseries("Restarts in 15 minutes", "none", "Container restarts per pod (ServiceCrashLooping, ServiceOOMKilled).", q(`sum by (pod) (increase(${selector("kube_pod_container_status_restarts_total", serviceContainerMatchers(s))}[15m]))`, "{{pod}}")),
        ],
    };
}

/**
 * The LogQL stream selector of a service's pods: its namespace and the selector labels of
 * lib/labels.ts, as the collector makes them stream labels (observability/logs/alloy.values.ts).
 */
export function serviceLogSelector(s: Pick<ServiceTarget, "namespace" | "name">, instance: string): string {
    const labels = { namespace: s.namespace, ...selectorLabels({ name: s.name, instance, component: "", partOf: "" }) };
    return `{${Object.entries(labels).map(([k, v]) => `${streamLabelName(k)}=${JSON.stringify(v)}`).join(", ")}}`;
}

function logsRow(s: ServiceTarget, instance: string): RowSpec {
    return { title: "Logs", panels: [{ kind: "logs", title: "Logs", unit: "", description: "The pods' logs, newest first (Loki).", queries: [q(serviceLogSelector(s, instance), "")] }] };
}

/** The dashboard of one service; with `logs` (the stack's own Loki), a row of its pods' logs. */
export function serviceDashboard(s: ServiceTarget, uidPrefix: string, logs?: { readonly instance: string }): DashboardSpec {
    return {
        uid: dashboardUid(`${uidPrefix}-${s.name}`),
        title: `${s.name} (${uidPrefix})`,
        tags: [uidPrefix, "service"],
        rows: [...httpRows(s), saturationRow(s), podsRow(s), ...(logs ? [logsRow(s, logs.instance)] : [])],
    };
}

function postgresqlRow(d: DataStoreTarget): RowSpec {
    const sel = (metric: string) => selector(metric, exporterMatchers(d));
    return {
        title: "PostgreSQL",
        panels: [
            stat("PostgreSQL up", "none", "1 when every exporter reaches its server (PostgresqlDown).", q(`min(${sel("pg_up")})`, "up")),
            timeseries("Connections", "none", "Connections in use, against max_connections (PostgresqlConnectionsNearMax).", q(`sum by (pod) (${sel("pg_stat_database_numbackends")})`, "{{pod}}"), q(`max(${sel("pg_settings_max_connections")})`, "max_connections")),
            timeseries("Transactions per second", "short", "Commits and rollbacks over 5 minutes.", q(`sum by (pod) (rate(${sel("pg_stat_database_xact_commit")}[5m]))`, "{{pod}} commits"), q(`sum by (pod) (rate(${sel("pg_stat_database_xact_rollback")}[5m]))`, "{{pod}} rollbacks")),
            timeseries("Deadlocks in 10 minutes", "none", "PostgresqlDeadlocks.", q(`sum by (pod) (increase(${sel("pg_stat_database_deadlocks")}[10m]))`, "{{pod}}")),
            ...(d.replication
                ? [timeseries("Replication lag", "s", "How far each replica is behind the primary (PostgresqlReplicationLag).", q(`max by (pod) (${sel("pg_replication_lag_seconds")}) and on (pod) max by (pod) (${sel("pg_replication_is_replica")}) == 1`, "{{pod}}"))]
                : []),
        ],
    };
}

function redisRow(d: DataStoreTarget): RowSpec {
    const sel = (metric: string) => selector(metric, exporterMatchers(d));
    const rate = (metric: string) => `sum(rate(${sel(metric)}[5m]))`;
    return {
        title: "Redis",
        panels: [
            stat("Redis up", "none", "1 when every exporter reaches its server (RedisDown).", q(`min(${sel("redis_up")})`, "up")),
            timeseries("Memory", "bytes", "Used memory, against maxmemory (RedisMemoryNearMax; 0 is no limit).", q(`max by (pod) (${sel("redis_memory_used_bytes")})`, "{{pod}}"), q(`max(${sel("redis_memory_max_bytes")})`, "maxmemory")),
            timeseries("Commands per second", "short", "Commands processed over 5 minutes.", q(`sum by (pod) (rate(${sel("redis_commands_processed_total")}[5m]))`, "{{pod}}")),
            timeseries("Cache hit ratio", "percent", "Keyspace hits over hits and misses.", q(`100 * ${rate("redis_keyspace_hits_total")} / (${rate("redis_keyspace_hits_total")} + ${rate("redis_keyspace_misses_total")})`, "hit ratio")),
            timeseries("Clients", "none", "Connected clients per pod.", q(`sum by (pod) (${sel("redis_connected_clients")})`, "{{pod}}")),
            timeseries(
                "Evictions and rejected connections in 5 minutes",
                "none",
                "RedisEvictingKeys and RedisRejectedConnections.",
                q(`sum by (pod) (increase(${sel("redis_evicted_keys_total")}[5m]))`, "{{pod}} evicted"),
                q(`sum by (pod) (increase(${sel("redis_rejected_connections_total")}[5m]))`, "{{pod}} rejected"),
            ),
        ],
    };
}

/** The data tier's dashboard: a row per in-cluster store with its exporter; none without any. */
export function dataTierDashboard(stores: { postgresql?: DataStoreTarget; redis?: DataStoreTarget }, uidPrefix: string): DashboardSpec | undefined {
    const rows = [...(stores.postgresql ? [postgresqlRow(stores.postgresql)] : []), ...(stores.redis ? [redisRow(stores.redis)] : [])];
    if (rows.length === 0) return undefined;
    return { uid: dashboardUid(`${uidPrefix}-data-tier`), title: `Data tier (${uidPrefix})`, tags: [uidPrefix, "data-tier"], rows };
}

const datasource = { type: "prometheus", uid: "${datasource}" };

/**
 * A type of the Foundation SDK as JSON: its string enums as their values, its marker methods
 * dropped. The program writes the JSON model itself, checked against the SDK's types at compile
 * time; the SDK's builders (223 modules, ~0.1 s of a start) are the oracle the tests compare it
 * with (tests/dashboards.test.ts), not a runtime dependency (docs/performance.md).
 */
type Json<T> = T extends string
    ? `${T}`
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Json<T[K]> }
        : T;

type PrometheusTarget = Json<GrafanaPrometheus.Dataquery>;
type LokiTarget = Json<GrafanaLoki.dataquery>;
type Panel = Json<GrafanaDashboard.Panel>;
type RowPanel = Json<GrafanaDashboard.RowPanel>;
type GridPos = Json<GrafanaDashboard.GridPos>;
type Dashboard = Json<GrafanaDashboard.Dashboard>;

function target(query: PanelQuery, i: number): PrometheusTarget {
    return { datasource, expr: query.expr, legendFormat: query.legend, refId: String.fromCharCode(65 + i) };
}

const statOptions = (): Json<GrafanaStat.Options> => ({
    colorMode: "value",
    graphMode: "area",
    justifyMode: "auto",
    orientation: "auto",
    percentChangeColorMode: "standard",
    reduceOptions: { calcs: [] },
    showPercentChange: false,
    textMode: "auto",
    wideLayout: true,
});

/** A time series panel shows its legend: its series are told apart by it ({{pod}}, p50/p90/p99, the limit). */
const timeseriesOptions = (): Json<GrafanaTimeseries.Options> => ({
    legend: { calcs: [], displayMode: "list", placement: "bottom", showLegend: true },
    tooltip: { mode: "single", sort: "asc" },
});

const lokiDatasource = { type: "loki", uid: lokiDatasourceUid };

/** Logs newest first, with their time, wrapped, each line's labels and fields a click away. */
const logsOptions = (): Json<GrafanaLogs.Options> => ({
    showLabels: false,
    showCommonLabels: false,
    showTime: true,
    showLogContextToggle: false,
    wrapLogMessage: true,
    prettifyLogMessage: false,
    enableLogDetails: true,
    sortOrder: "Descending",
    dedupStrategy: "none",
});

/** A logs panel with its Loki targets, as the SDK's logs panel builder writes it. */
function logsPanelJson(panel: PanelSpec, id: number, gridPos: GridPos): Panel {
    const targets: LokiTarget[] = panel.queries.map((query, i) => ({ datasource: lokiDatasource, expr: query.expr, refId: String.fromCharCode(65 + i) }));
    return { type: "logs", id, title: panel.title, description: panel.description, transparent: false, datasource: lokiDatasource, gridPos, repeatDirection: "h", targets, options: logsOptions() };
}

/** A stat or time series panel with its Prometheus targets, as the SDK's panel builders write it. */
function panelJson(panel: PanelSpec, id: number, gridPos: GridPos): Panel {
    if (panel.kind === "logs") return logsPanelJson(panel, id, gridPos);
    const stat = panel.kind === "stat";
    const targets: PrometheusTarget[] = panel.queries.map(target);
    return {
        type: panel.kind,
        id,
        title: panel.title,
        description: panel.description,
        transparent: false,
        datasource,
        gridPos,
        repeatDirection: "h",
        targets,
        options: stat ? statOptions() : timeseriesOptions(),
        fieldConfig: { defaults: stat ? { unit: panel.unit } : { unit: panel.unit, custom: {} }, overrides: [] },
    };
}

/**
 * The dashboard's JSON model (Grafana's schema version 42, as the Foundation SDK writes it). Ids
 * and grid positions are explicit: a row spans the width, stats are 6 wide, time series 12 wide, 8
 * high, left to right.
 */
export function buildDashboard(spec: DashboardSpec): Dashboard {
    const panels: (Panel | RowPanel)[] = [];
    let id = 1;
    let y = 0;
    for (const row of spec.rows) {
        panels.push({ type: "row", collapsed: false, id: id++, title: row.title, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
        y += 1;
        let x = 0;
        for (const panel of row.panels) {
            const w = panel.kind === "stat" ? 6 : panel.kind === "logs" ? 24 : 12;
            if (x + w > 24) {
                x = 0;
                y += 8;
            }
            panels.push(panelJson(panel, id++, { x, y, w, h: 8 }));
            x += w;
        }
        y += 8;
    }
    return {
        uid: spec.uid,
        title: spec.title,
        tags: [...spec.tags],
        editable: true,
        graphTooltip: 1, // DashboardCursorSync.Crosshair
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        timezone: "browser",
        fiscalYearStartMonth: 0,
        schemaVersion: 42,
        annotations: {},
        templating: {
            list: [
                {
                    type: "datasource",
                    name: "datasource",
                    label: "Prometheus",
                    query: "prometheus",
                    allowCustomValue: true,
                    auto: false,
                    auto_count: 30,
                    auto_min: "10s",
                    includeAll: false,
                    multi: false,
                    skipUrlSync: false,
                },
            ],
        },
        panels,
    };
}

/** JSON with every object's keys sorted, so equal dashboards are equal text. */
export function stableJson(value: unknown): string {
    const sorted = (v: unknown): unknown =>
        Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    return JSON.stringify(sorted(value), null, 2);
}

/** Every PromQL query of a dashboard, for checks (a logs panel's LogQL is not one). */
export function queriesOf(spec: DashboardSpec): PanelQuery[] {
    return spec.rows.flatMap((row) => row.panels.flatMap((panel) => (panel.kind === "logs" ? [] : [...panel.queries])));
}
