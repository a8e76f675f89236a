/**
 * The platform's alerts, written once as data. Each definition holds its name, what it watches,
 * its expression (a function of what it is scoped to and its threshold), its threshold and `for:`
 * defaults per environment, its severity, its annotations, what to do when it fires, and the two
 * cases of its rule unit test (input series for which it fires, and series for which it stays
 * quiet). Everything else is derived from this list: the config keys that override an alert
 * (the config side), the PrometheusRule of each service and the data stores' chart rules (the deploy side),
 * the promtool rule tests and the alert table of docs/observability.md (tests/).
 *
 * Expressions aggregate to the labels the annotations name (`by (namespace, pod)` and so on), so
 * an alert's labels do not depend on which labels an exporter adds.
 */
import { Environment, PerEnvironment, everywhere } from "./environments";
import { HttpMetricNames } from "./metric-catalog";
import { Matchers, regexLiteral, selector, seriesName } from "./promql";

export type Severity = "warning" | "critical";
export const severities: readonly Severity[] = ["warning", "critical"];

/** What a threshold measures: it decides how config validates it and how the docs print it. */
export type ThresholdUnit = "percent" | "seconds" | "count";

/** What a service's alerts are scoped to. */
export interface ServiceTarget {
    /** The stack's namespace. */
    readonly namespace: string;
    /** The service's name: its Deployment, container, HPA, PDB, and its metrics' `service` label. */
    readonly name: string;
    /** The names of its HTTP metrics. */
    readonly http: HttpMetricNames;
    /**
     * A blue-green service's tracks: its Deployments, HPAs, PDBs and check Jobs are then
     * "<name>-<track>", and its metrics keep the `service` label `name` on both. @default none
     */
    readonly tracks?: readonly string[];
    /** What the service has, which decides the alerts that apply. */
    readonly has: {
        readonly metrics: boolean;
        readonly autoscaling: boolean;
        readonly disruptionBudget: boolean;
        readonly postDeployCheck: boolean;
    };
}

/** What a data store's alerts are scoped to: the release's exporter series. */
export interface DataStoreTarget {
    readonly namespace: string;
    /** The Helm release; its metrics Services are "<release>[-primary|-read]-metrics". */
    readonly release: string;
    /** Replicas exist (the replication architecture). */
    readonly replication: boolean;
}

/** The subjects of alerts: a service, or one of the data stores. */
export interface AlertSubjects {
    service: ServiceTarget;
    postgresql: DataStoreTarget;
    redis: DataStoreTarget;
}
export type AlertScope = keyof AlertSubjects;

/** One input series of a rule unit test, in promtool's notation (one sample a minute). */
export interface TestSeries {
    readonly series: string;
    readonly values: string;
}

/** The series of one case of an alert's rule unit test. */
export interface AlertTestCase {
    readonly series: readonly TestSeries[];
}

/** A case in which the alert fires: its labels from the expression and its value, for the annotations. */
export interface FiringCase extends AlertTestCase {
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
}

/** How long every test series runs, in minutes; evaluations happen well inside it. */
export const testSeriesMinutes = 240;

/** A definition of one alert. */
export interface AlertDefinition<S extends AlertScope = AlertScope> {
    readonly name: string;
    readonly scope: S;
    /** availability, saturation, errors, latency, restarts or delivery. */
    readonly category: string;
    /** The threshold the expression compares with, absent for alerts on a state. */
    readonly threshold?: { readonly unit: ThresholdUnit; readonly defaults: PerEnvironment<number>; readonly meaning: string };
    /** How long the condition must hold before the alert fires. */
    readonly for: PerEnvironment<string>;
    readonly severity: Severity;
    /** Annotation templates; they may use {{ $labels.<name> }} and {{ printf "%.<n>f" $value }} only. */
    readonly summary: string;
    readonly description: string;
    /** What the person paged does first (the docs' table and runbook section). */
    readonly action: string;
    /** Whether the alert applies to a subject (an HPA alert to a service without an HPA does not). */
    readonly appliesTo?: (subject: AlertSubjects[S]) => boolean;
    readonly expr: (subject: AlertSubjects[S], threshold: number) => string;
    /** The rule unit test: series for which it fires, at `at` minutes, and for which it stays quiet. */
    readonly cases: (subject: AlertSubjects[S], threshold: number, at: number) => { firing: FiringCase; quiet: AlertTestCase };
}

const gauge = (value: number) => `${value}x${testSeriesMinutes}`;
const perMinute = (increment: number) => `0+${increment}x${testSeriesMinutes}`;
/** `before` until minute `minute`, then `after`. */
const stepAt = (minute: number, before: number, after: number) => `${before}x${minute - 1} ${after}x${testSeriesMinutes}`;

const series = (metric: string, labels: Record<string, string>, values: string): TestSeries => ({ series: seriesName(metric, labels), values });

/** Another namespace, whose series a stack's alerts must ignore. */
const elsewhere = "someone-else";

// ---------------------------------------------------------------------------------------------
// Services

/** The regular expression of a blue-green service's track suffix ("-(blue|green)"), or "" for one workload. */
const trackPattern = (s: ServiceTarget) => (s.tracks === undefined ? "" : `-(${s.tracks.map(regexLiteral).join("|")})`);
/** The name of a service's workloads (Deployment, HPA, PDB): its name, or every "<name>-<track>". */
export const workloadMatcher = (s: ServiceTarget): string | { re: string } => (s.tracks === undefined ? s.name : { re: `${regexLiteral(s.name)}${trackPattern(s)}` });
/** A workload of the service, as a test series names it: the first track's under blue-green. */
const workloadOf = (s: ServiceTarget) => (s.tracks === undefined ? s.name : `${s.name}-${s.tracks[0]}`);
const servicePod = (s: ServiceTarget) => `${workloadOf(s)}-5d8f7c9b4-x2k4q`;
/** The service's container series: the container is named after the service, the pods after its Deployment (a track's, under blue-green). */
export const serviceContainerMatchers = (s: ServiceTarget, extra: Matchers = {}): Matchers => ({ namespace: s.namespace, container: s.name, pod: { re: `${regexLiteral(s.name)}${trackPattern(s)}-[a-z0-9]+-[a-z0-9]+` }, ...extra });
const containerLabels = (s: ServiceTarget, namespace = s.namespace) => ({ namespace, pod: servicePod(s), container: s.name });
const byPod = (s: ServiceTarget) => ({ namespace: s.namespace, pod: servicePod(s) });

const restarts = "kube_pod_container_status_restarts_total";

/**
 * The share of a service's requests answered 5xx over 5 minutes, in percent: ServiceHighErrorRate's
 * value, and the canary analysis's error-rate query (`scope` narrows it to the canary's pods).
 */
export function serviceErrorRate(s: ServiceTarget, scope: Matchers = {}): string {
    const all = { namespace: s.namespace, service: s.name, ...scope };
    const failed = { ...all, [s.http.statusLabel]: { re: "5.." } };
    return `100 * sum by (namespace, service) (rate(${selector(s.http.requests, failed)}[5m])) / sum by (namespace, service) (rate(${selector(s.http.requests, all)}[5m]))`;
}

/** The 99th percentile of a service's request duration over 5 minutes, in seconds: ServiceHighLatency's value, and the canary analysis's latency query. */
export function serviceLatencyP99(s: ServiceTarget, scope: Matchers = {}): string {
    return `histogram_quantile(0.99, sum by (namespace, service, le) (rate(${selector(s.http.durationBucket, { namespace: s.namespace, service: s.name, ...scope })}[5m])))`;
}

export const serviceAlerts: readonly AlertDefinition<"service">[] = [
    {
        name: "ServiceNoReadyPods",
        scope: "service",
        category: "availability",
        for: { development: "10m", staging: "5m", production: "2m" },
        severity: "critical",
        summary: "{{ $labels.deployment }} has no ready pod",
        description: "{{ $labels.deployment }} in {{ $labels.namespace }} wants {{ printf \"%.0f\" $value }} pods and none is ready: the service is down.",
        action: "`kubectl -n <namespace> get pods -l app.kubernetes.io/name=<service>` and `describe` one: image pull errors, failing readiness probes, unschedulable pods, the init container waiting for a data store.",
        expr: (s) => {
            const d = { namespace: s.namespace, deployment: workloadMatcher(s) };
            return `max by (namespace, deployment) (${selector("kube_deployment_spec_replicas", d)}) > 0 unless max by (namespace, deployment) (${selector("kube_deployment_status_replicas_available", d)}) > 0`;
        },
        cases: (s) => {
            const d = { namespace: s.namespace, deployment: workloadOf(s) };
            const other = { namespace: elsewhere, deployment: workloadOf(s) };
            return {
                firing: { series: [series("kube_deployment_spec_replicas", d, gauge(2)), series("kube_deployment_status_replicas_available", d, gauge(0))], labels: d, value: 2 },
                quiet: {
                    series: [
                        series("kube_deployment_spec_replicas", d, gauge(2)),
                        series("kube_deployment_status_replicas_available", d, gauge(2)),
                        series("kube_deployment_spec_replicas", other, gauge(2)),
                        series("kube_deployment_status_replicas_available", other, gauge(0)),
                    ],
                },
            };
        },
    },
    {
        name: "ServiceBelowDisruptionBudget",
        scope: "service",
        category: "availability",
        for: { development: "30m", staging: "15m", production: "10m" },
        severity: "warning",
        summary: "{{ $labels.poddisruptionbudget }} has fewer healthy pods than its disruption budget's minimum",
        description: "{{ $labels.poddisruptionbudget }} in {{ $labels.namespace }} has {{ printf \"%.0f\" $value }} healthy pods, fewer than its PodDisruptionBudget requires: node drains are blocked and one more failure takes capacity below the minimum.",
        action: "Find the unhealthy pods (`kubectl -n <namespace> get pods -l app.kubernetes.io/name=<service>`) and why they are not ready; check that the nodes have room for the replicas (pending pods).",
        appliesTo: (s) => s.has.disruptionBudget,
        expr: (s) => {
            const p = { namespace: s.namespace, poddisruptionbudget: workloadMatcher(s) };
            return `max by (namespace, poddisruptionbudget) (${selector("kube_poddisruptionbudget_status_current_healthy", p)}) < max by (namespace, poddisruptionbudget) (${selector("kube_poddisruptionbudget_status_desired_healthy", p)})`;
        },
        cases: (s) => {
            const p = { namespace: s.namespace, poddisruptionbudget: workloadOf(s) };
            return {
                firing: { series: [series("kube_poddisruptionbudget_status_current_healthy", p, gauge(1)), series("kube_poddisruptionbudget_status_desired_healthy", p, gauge(3))], labels: p, value: 1 },
                quiet: { series: [series("kube_poddisruptionbudget_status_current_healthy", p, gauge(3)), series("kube_poddisruptionbudget_status_desired_healthy", p, gauge(3))] },
            };
        },
    },
    {
        name: "ServiceAutoscalerAtMax",
        scope: "service",
        category: "saturation",
        for: { development: "30m", staging: "30m", production: "15m" },
        severity: "warning",
        summary: "{{ $labels.horizontalpodautoscaler }} has been at its maximum replicas",
        description: "The HorizontalPodAutoscaler {{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} runs {{ printf \"%.0f\" $value }} replicas, its maximum: it cannot add capacity if load grows.",
        action: "Check the load (dashboard: traffic and saturation rows) and the nodes' room; raise `services.<name>.autoscaling.maxReplicas` or the pods' resources, or find what made the load grow.",
        appliesTo: (s) => s.has.autoscaling,
        expr: (s) => {
            const h = { namespace: s.namespace, horizontalpodautoscaler: workloadMatcher(s) };
            return `max by (namespace, horizontalpodautoscaler) (${selector("kube_horizontalpodautoscaler_status_current_replicas", h)}) >= max by (namespace, horizontalpodautoscaler) (${selector("kube_horizontalpodautoscaler_spec_max_replicas", h)})`;
        },
        cases: (s) => {
            const h = { namespace: s.namespace, horizontalpodautoscaler: workloadOf(s) };
            return {
                firing: { series: [series("kube_horizontalpodautoscaler_status_current_replicas", h, gauge(5)), series("kube_horizontalpodautoscaler_spec_max_replicas", h, gauge(5))], labels: h, value: 5 },
                quiet: { series: [series("kube_horizontalpodautoscaler_status_current_replicas", h, gauge(3)), series("kube_horizontalpodautoscaler_spec_max_replicas", h, gauge(5))] },
            };
        },
    },
    {
        name: "ServiceCpuThrottled",
        scope: "service",
        category: "saturation",
        threshold: { unit: "percent", defaults: everywhere(25), meaning: "share of CPU periods throttled" },
        for: { development: "30m", staging: "15m", production: "15m" },
        severity: "warning",
        summary: "{{ $labels.pod }} is CPU-throttled",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} was throttled in {{ printf \"%.1f\" $value }}% of its CPU periods over 5 minutes: its CPU limit slows requests down.",
        action: "Compare CPU usage with the limit (dashboard: saturation row); raise `resources.limits.cpu`, or lower the HPA's CPU target so it scales out before pods hit the limit.",
        expr: (s, t) =>
            `100 * sum by (namespace, pod) (rate(${selector("container_cpu_cfs_throttled_periods_total", serviceContainerMatchers(s))}[5m])) / sum by (namespace, pod) (rate(${selector("container_cpu_cfs_periods_total", serviceContainerMatchers(s))}[5m])) > ${t}`,
        cases: (s, t) => {
            const share = (percent: number) => [series("container_cpu_cfs_periods_total", containerLabels(s), perMinute(600)), series("container_cpu_cfs_throttled_periods_total", containerLabels(s), perMinute((600 * percent) / 100))];
            return { firing: { series: share((t + 100) / 2), labels: byPod(s), value: (t + 100) / 2 }, quiet: { series: share(t / 2) } };
        },
    },
    {
        name: "ServiceMemoryNearLimit",
        scope: "service",
        category: "saturation",
        threshold: { unit: "percent", defaults: everywhere(90), meaning: "working set as a share of the memory limit" },
        for: everywhere("15m"),
        severity: "warning",
        summary: "{{ $labels.pod }} is close to its memory limit",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} uses {{ printf \"%.1f\" $value }}% of its memory limit: it is about to be OOM-killed.",
        action: "Look for a leak or a load change (dashboard: memory per pod); raise `resources.limits.memory` (and requests) if the usage is legitimate.",
        expr: (s, t) =>
            `100 * max by (namespace, pod) (${selector("container_memory_working_set_bytes", serviceContainerMatchers(s))}) / max by (namespace, pod) (${selector("kube_pod_container_resource_limits", serviceContainerMatchers(s, { resource: "memory" }))}) > ${t}`,
        cases: (s, t) => {
            const use = (percent: number) => [
                series("container_memory_working_set_bytes", containerLabels(s), gauge(percent * 10_000_000)),
                series("kube_pod_container_resource_limits", { ...containerLabels(s), resource: "memory", unit: "byte" }, gauge(1_000_000_000)),
            ];
            return { firing: { series: use((t + 100) / 2), labels: byPod(s), value: (t + 100) / 2 }, quiet: { series: use(t / 2) } };
        },
    },
    {
        name: "ServiceOOMKilled",
        scope: "service",
        category: "saturation",
        for: everywhere("0s"),
        severity: "warning",
        summary: "{{ $labels.pod }} was OOM-killed",
        description: "A container of {{ $labels.pod }} in {{ $labels.namespace }} restarted in the last 15 minutes after the kernel killed it for exceeding its memory limit.",
        action: "See ServiceMemoryNearLimit: raise `resources.limits.memory` or find the leak; `kubectl -n <namespace> describe pod <pod>` shows the last termination.",
        expr: (s) =>
            `sum by (namespace, pod) (increase(${selector(restarts, serviceContainerMatchers(s))}[15m])) > 0 and on (namespace, pod) max by (namespace, pod) (${selector("kube_pod_container_status_last_terminated_reason", serviceContainerMatchers(s, { reason: "OOMKilled" }))}) == 1`,
        cases: (s, _t, at) => {
            const restartedWith = (reason: string) => [
                series(restarts, containerLabels(s), stepAt(at - 5, 0, 1)),
                series("kube_pod_container_status_last_terminated_reason", { ...containerLabels(s), reason }, stepAt(at - 5, 0, 1)),
            ];
            // The value is the extrapolated increase; the annotations do not show it.
            return { firing: { series: restartedWith("OOMKilled"), labels: byPod(s), value: 0 }, quiet: { series: restartedWith("Error") } };
        },
    },
    {
        name: "ServiceCrashLooping",
        scope: "service",
        category: "restarts",
        threshold: { unit: "count", defaults: everywhere(3), meaning: "restarts in 15 minutes" },
        for: everywhere("5m"),
        severity: "warning",
        summary: "{{ $labels.pod }} is restarting repeatedly",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} restarted {{ printf \"%.0f\" $value }} times in 15 minutes.",
        action: "`kubectl -n <namespace> logs <pod> --previous` for the crash; check the liveness probe (a slow start needs the startup probe), the config and the data stores it connects to.",
        expr: (s, t) => `sum by (namespace, pod) (increase(${selector(restarts, serviceContainerMatchers(s))}[15m])) >= ${t}`,
        cases: (s, t, at) => {
            const perMin = Math.ceil(t / 15) + 1;
            return {
                firing: { series: [series(restarts, containerLabels(s), perMinute(perMin))], labels: byPod(s), value: 15 * perMin },
                quiet: {
                    series: [
                        series(restarts, containerLabels(s), stepAt(at - 60, 0, t + 1)),
                        series(restarts, containerLabels(s, elsewhere), perMinute(perMin)),
                    ],
                },
            };
        },
    },
    {
        name: "ServiceHighErrorRate",
        scope: "service",
        category: "errors",
        threshold: { unit: "percent", defaults: { development: 10, staging: 10, production: 5 }, meaning: "share of requests answered 5xx over 5 minutes" },
        for: { development: "15m", staging: "10m", production: "5m" },
        severity: "critical",
        summary: "{{ $labels.service }} answers too many requests with 5xx",
        description: "{{ printf \"%.1f\" $value }}% of the requests to {{ $labels.service }} in {{ $labels.namespace }} failed with a 5xx status over 5 minutes.",
        action: "Check the service's logs and its dependencies (PostgreSQL, Redis, the LLM providers' status pages); roll back a release that just went out (`git checkout <sha> && pulumi up`).",
        appliesTo: (s) => s.has.metrics,
        expr: (s, t) => `${serviceErrorRate(s)} > ${t}`,
        cases: (s, t) => {
            const labels = { namespace: s.namespace, service: s.name };
            const traffic = (percent: number) => [
                series(s.http.requests, { ...labels, [s.http.statusLabel]: "200" }, perMinute(6 * (100 - percent))),
                series(s.http.requests, { ...labels, [s.http.statusLabel]: "503" }, perMinute(6 * percent)),
            ];
            return { firing: { series: traffic((t + 100) / 2), labels, value: (t + 100) / 2 }, quiet: { series: traffic(t / 2) } };
        },
    },
    {
        name: "ServiceHighLatency",
        scope: "service",
        category: "latency",
        threshold: { unit: "seconds", defaults: { development: 10, staging: 5, production: 5 }, meaning: "99th percentile of request duration over 5 minutes" },
        for: { development: "15m", staging: "10m", production: "10m" },
        severity: "warning",
        summary: "{{ $labels.service }} is slow",
        description: "The 99th percentile of request duration of {{ $labels.service }} in {{ $labels.namespace }} is {{ printf \"%.1f\" $value }} s over 5 minutes.",
        action: "Check saturation (CPU throttling, memory, HPA at max), the data stores' dashboard, and the LLM providers' latency; LLM calls dominate the tail, so compare with the provider's status.",
        appliesTo: (s) => s.has.metrics,
        expr: (s, t) => `${serviceLatencyP99(s)} > ${t}`,
        cases: (s, t) => {
            const labels = { namespace: s.namespace, service: s.name };
            // Every request in the bucket (from, to]: the 99th percentile is interpolated at 99% of it.
            const within = (from: number, to: number) => [
                series(s.http.durationBucket, { ...labels, le: String(from) }, perMinute(0)),
                series(s.http.durationBucket, { ...labels, le: String(to) }, perMinute(600)),
                series(s.http.durationBucket, { ...labels, le: "+Inf" }, perMinute(600)),
            ];
            return { firing: { series: within(t, 3 * t), labels, value: t + 2 * t * 0.99 }, quiet: { series: within(t / 4, t / 2) } };
        },
    },
    {
        name: "ServicePostDeployCheckFailed",
        scope: "service",
        category: "delivery",
        for: everywhere("0s"),
        severity: "warning",
        summary: "The post-deploy check of {{ $labels.job_name }} failed",
        description: "The Job {{ $labels.job_name }} in {{ $labels.namespace }}, which calls the readiness endpoint after a rollout, failed: the release that went out does not answer.",
        action: "`kubectl -n <namespace> logs job/<job_name>`; the failed `pulumi up` names the rollout. Fix forward or roll back to the previous commit.",
        appliesTo: (s) => s.has.postDeployCheck,
        expr: (s) => `max by (namespace, job_name) (${selector("kube_job_failed", { namespace: s.namespace, job_name: { re: `${regexLiteral(s.name)}${trackPattern(s)}-check-[a-z0-9]+` }, condition: "true" })}) == 1`,
        cases: (s) => {
            const job = { namespace: s.namespace, job_name: `${workloadOf(s)}-check-1a2b3c4d` };
            return {
                firing: { series: [series("kube_job_failed", { ...job, condition: "true" }, gauge(1))], labels: job, value: 1 },
                quiet: {
                    series: [
                        series("kube_job_failed", { ...job, condition: "true" }, gauge(0)),
                        series("kube_job_failed", { namespace: s.namespace, job_name: `${s.name}-2-check-1a2b3c4d`, condition: "true" }, gauge(1)),
                    ],
                },
            };
        },
    },
];

// ---------------------------------------------------------------------------------------------
// Data stores

/** The exporter series of a release: the chart's metrics Services are "<release>[-primary|-read]-metrics". */
export const exporterMatchers = (d: DataStoreTarget): Matchers => ({ namespace: d.namespace, service: { re: `${regexLiteral(d.release)}(-.+)?-metrics` } });
const exporterLabels = (d: DataStoreTarget, pod = `${d.release}-0`, namespace = d.namespace) => ({ namespace, pod, service: `${d.release}-metrics` });
const storePod = (d: DataStoreTarget, pod = `${d.release}-0`) => ({ namespace: d.namespace, pod });

function downAlert<S extends "postgresql" | "redis">(scope: S, name: string, metric: string, product: string): AlertDefinition<S> {
    return {
        name,
        scope,
        category: "availability",
        for: { development: "5m", staging: "2m", production: "1m" },
        severity: "critical",
        summary: `${product} {{ $labels.pod }} is down`,
        description: `The exporter of {{ $labels.pod }} in {{ $labels.namespace }} cannot reach ${product}.`,
        action: `\`kubectl -n <namespace> get pods -l app.kubernetes.io/name=${scope}\`, then \`logs\` and \`describe\` of the pod: crash, full volume, failed probe, or the password Secret out of step with the data.`,
        expr: (d) => `min by (namespace, pod) (${selector(metric, exporterMatchers(d))}) == 0`,
        cases: (d) => ({
            firing: { series: [series(metric, exporterLabels(d), gauge(0))], labels: storePod(d), value: 0 },
            quiet: { series: [series(metric, exporterLabels(d), gauge(1)), series(metric, exporterLabels(d, undefined, elsewhere), gauge(0))] },
        }),
    };
}

export const postgresqlAlerts: readonly AlertDefinition<"postgresql">[] = [
    downAlert("postgresql", "PostgresqlDown", "pg_up", "PostgreSQL"),
    {
        name: "PostgresqlConnectionsNearMax",
        scope: "postgresql",
        category: "saturation",
        threshold: { unit: "percent", defaults: everywhere(80), meaning: "connections as a share of max_connections" },
        for: { development: "15m", staging: "10m", production: "5m" },
        severity: "warning",
        summary: "PostgreSQL {{ $labels.pod }} is running out of connections",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} has {{ printf \"%.1f\" $value }}% of max_connections in use; new connections fail at 100%.",
        action: "Find who holds the connections (`SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3`); size the services' connection pools to fit max_connections across all replicas (HPA maximum × pool size).",
        expr: (d, t) => `100 * sum by (namespace, pod) (${selector("pg_stat_database_numbackends", exporterMatchers(d))}) / max by (namespace, pod) (${selector("pg_settings_max_connections", exporterMatchers(d))}) > ${t}`,
        cases: (d, t) => {
            const used = (percent: number) => [
                series("pg_settings_max_connections", exporterLabels(d), gauge(100)),
                series("pg_stat_database_numbackends", { ...exporterLabels(d), datname: "llm" }, gauge((2 * percent) / 3)),
                series("pg_stat_database_numbackends", { ...exporterLabels(d), datname: "postgres" }, gauge(percent / 3)),
            ];
            return { firing: { series: used((t + 100) / 2), labels: storePod(d), value: (t + 100) / 2 }, quiet: { series: used(t / 2) } };
        },
    },
    {
        name: "PostgresqlReplicationLag",
        scope: "postgresql",
        category: "saturation",
        threshold: { unit: "seconds", defaults: { development: 300, staging: 120, production: 30 }, meaning: "replica behind the primary" },
        for: everywhere("5m"),
        severity: "warning",
        summary: "PostgreSQL replica {{ $labels.pod }} is lagging",
        description: "The replica {{ $labels.pod }} in {{ $labels.namespace }} replays the primary's changes {{ printf \"%.0f\" $value }} s late: reads from the read Service are stale.",
        action: "Check the replica's disk and CPU, and long-running queries on it that hold replay back (`pg_stat_activity`); on the primary, `pg_stat_replication` shows the replica's state.",
        appliesTo: (d) => d.replication,
        expr: (d, t) =>
            `max by (namespace, pod) (${selector("pg_replication_lag_seconds", exporterMatchers(d))}) > ${t} and on (namespace, pod) max by (namespace, pod) (${selector("pg_replication_is_replica", exporterMatchers(d))}) == 1`,
        cases: (d, t) => {
            const replica = exporterLabels(d, `${d.release}-read-0`);
            return {
                firing: { series: [series("pg_replication_lag_seconds", replica, gauge(3 * t)), series("pg_replication_is_replica", replica, gauge(1))], labels: storePod(d, replica.pod), value: 3 * t },
                // The exporter measures lag as the time since the last replayed transaction, so an
                // idle primary shows "lag" too; only replicas count.
                quiet: {
                    series: [
                        series("pg_replication_lag_seconds", replica, gauge(t / 2)),
                        series("pg_replication_is_replica", replica, gauge(1)),
                        series("pg_replication_lag_seconds", exporterLabels(d), gauge(3 * t)),
                        series("pg_replication_is_replica", exporterLabels(d), gauge(0)),
                    ],
                },
            };
        },
    },
    {
        name: "PostgresqlDeadlocks",
        scope: "postgresql",
        category: "errors",
        threshold: { unit: "count", defaults: everywhere(0), meaning: "deadlocks in 10 minutes" },
        for: everywhere("0s"),
        severity: "warning",
        summary: "PostgreSQL {{ $labels.pod }} detects deadlocks",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} detected {{ printf \"%.0f\" $value }} deadlocks in 10 minutes; each aborts a transaction.",
        action: "PostgreSQL logs both statements of each deadlock (`kubectl -n <namespace> logs <pod>`); make the application take locks in one order, or retry the aborted transactions.",
        expr: (d, t) => `sum by (namespace, pod) (increase(${selector("pg_stat_database_deadlocks", exporterMatchers(d))}[10m])) > ${t}`,
        cases: (d, t) => ({
            firing: { series: [series("pg_stat_database_deadlocks", { ...exporterLabels(d), datname: "llm" }, perMinute(t + 1))], labels: storePod(d), value: 10 * (t + 1) },
            quiet: { series: [series("pg_stat_database_deadlocks", { ...exporterLabels(d), datname: "llm" }, gauge(t + 5))] },
        }),
    },
];

export const redisAlerts: readonly AlertDefinition<"redis">[] = [
    downAlert("redis", "RedisDown", "redis_up", "Redis"),
    {
        name: "RedisMemoryNearMax",
        scope: "redis",
        category: "saturation",
        threshold: { unit: "percent", defaults: everywhere(90), meaning: "used memory as a share of maxmemory; none without maxmemory" },
        for: everywhere("5m"),
        severity: "warning",
        summary: "Redis {{ $labels.pod }} is close to maxmemory",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} uses {{ printf \"%.1f\" $value }}% of maxmemory: it starts evicting keys (or refusing writes) at 100%.",
        action: "Check what grows (`redis-cli --bigkeys`, keys without TTL); raise maxmemory and the memory limit together, or shorten the TTLs.",
        expr: (d, t) => `100 * max by (namespace, pod) (${selector("redis_memory_used_bytes", exporterMatchers(d))}) / max by (namespace, pod) (${selector("redis_memory_max_bytes", exporterMatchers(d))} > 0) > ${t}`,
        cases: (d, t) => {
            const used = (percent: number, max: number) => [series("redis_memory_used_bytes", exporterLabels(d), gauge(percent * 10_000_000)), series("redis_memory_max_bytes", exporterLabels(d), gauge(max))];
            // maxmemory 0 is "no limit": no alert, however much is used.
            return { firing: { series: used((t + 100) / 2, 1_000_000_000), labels: storePod(d), value: (t + 100) / 2 }, quiet: { series: used(99, 0) } };
        },
    },
    {
        name: "RedisEvictingKeys",
        scope: "redis",
        category: "saturation",
        threshold: { unit: "count", defaults: everywhere(0), meaning: "keys evicted in 5 minutes" },
        for: everywhere("5m"),
        severity: "warning",
        summary: "Redis {{ $labels.pod }} evicts keys",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} evicted {{ printf \"%.0f\" $value }} keys in 5 minutes because it reached maxmemory.",
        action: "See RedisMemoryNearMax: cached data is being dropped before its TTL, so hit rates fall and the services do more work.",
        expr: (d, t) => `sum by (namespace, pod) (increase(${selector("redis_evicted_keys_total", exporterMatchers(d))}[5m])) > ${t}`,
        cases: (d, t) => ({
            firing: { series: [series("redis_evicted_keys_total", exporterLabels(d), perMinute(t + 10))], labels: storePod(d), value: 5 * (t + 10) },
            quiet: { series: [series("redis_evicted_keys_total", exporterLabels(d), gauge(t + 100))] },
        }),
    },
    {
        name: "RedisRejectedConnections",
        scope: "redis",
        category: "errors",
        threshold: { unit: "count", defaults: everywhere(0), meaning: "connections rejected in 5 minutes" },
        for: everywhere("0s"),
        severity: "warning",
        summary: "Redis {{ $labels.pod }} rejects connections",
        description: "{{ $labels.pod }} in {{ $labels.namespace }} rejected {{ printf \"%.0f\" $value }} connections in 5 minutes (maxclients reached).",
        action: "Count the clients (`redis-cli client list`, dashboard: connected clients); fix a connection leak or size the services' pools to fit maxclients across all replicas.",
        expr: (d, t) => `sum by (namespace, pod) (increase(${selector("redis_rejected_connections_total", exporterMatchers(d))}[5m])) > ${t}`,
        cases: (d, t) => ({
            firing: { series: [series("redis_rejected_connections_total", exporterLabels(d), perMinute(t + 10))], labels: storePod(d), value: 5 * (t + 10) },
            quiet: { series: [series("redis_rejected_connections_total", exporterLabels(d), gauge(t + 100))] },
        }),
    },
];

/** Every alert, in the order of the docs. */
export const alertCatalog: readonly AlertDefinition[] = [...serviceAlerts, ...postgresqlAlerts, ...redisAlerts] as readonly AlertDefinition[];

export type AlertName = string;

/** An alert's settings for a stack: the catalog's defaults for its environment, with the stack config's overrides. */
export interface AlertSettings {
    readonly enabled: boolean;
    readonly for: string;
    readonly severity: Severity;
    /** The threshold, for alerts that have one. */
    readonly threshold?: number;
}

/** The catalog's settings of an alert in an environment. */
export function defaultSettings(alert: AlertDefinition, environment: Environment): AlertSettings {
    return { enabled: true, for: alert.for[environment], severity: alert.severity, threshold: alert.threshold?.defaults[environment] };
}

/** The anchor of an alert's section in docs/observability.md, which its runbook_url points at. */
export function runbookAnchor(name: string): string {
    return name.toLowerCase();
}
