/**
 * The stack config of alerts and dashboards: `monitoring.alerts`, `monitoring.dashboards` and
 * `monitoring.httpMetrics`. The alerts' names, thresholds and defaults are the catalog's
 * (lib/alert-catalog.ts): one override object per alert, validated by the unit of its threshold.
 */
import { z } from "../validation/zod";
import { AlertDefinition, ThresholdUnit, alertCatalog, severities } from "../lib/alert-catalog";
import { defaultHttpMetrics } from "../lib/metric-catalog";
import { admissionWebhookModes, controlPlaneTargets, kubePrometheusStackChart } from "../lib/monitoring-chart";
import { promDurationPattern } from "../lib/quantity";
import { chartSchema } from "../validation/primitives";
import { logsSchema } from "./logs/logs.schema";
import { alertLabelName, alertmanagerSchema } from "./alerting.schema";

export { alertLabelName };
import { routeParentSchema } from "../application/service.schema";
import { annotations, byteQuantity, dnsLabel, gatewayHostname, ingressHost, labelValue, labels, objectName, promDuration, qualifiedKey, secretDataKey, url } from "../validation/primitives";

/** A Prometheus metric name. */
export const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "a Prometheus metric name such as \"http_requests_total\" ([a-zA-Z_:][a-zA-Z0-9_:]*)" });
/** An alert's `for:`: a Prometheus duration, where zero ("0s") fires at once. */
export const forDuration = z
    .string()
    .refine((v) => v !== "" && promDurationPattern.test(v), { error: "a duration such as \"5m\" or \"1h30m\" (units ms, s, m, h, d, w, y, largest first; \"0s\" fires at once)" });

/** A Prometheus label name. */
export const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "a Prometheus label name such as \"status\" ([a-zA-Z_][a-zA-Z0-9_]*)" });

const thresholdSchemas: Record<ThresholdUnit, z.ZodType<number>> = {
    percent: z.number().min(0).max(100),
    seconds: z.number().positive(),
    count: z.number().int().min(0),
};

/** The overrides of one alert: only the keys it has (no `threshold` for an alert on a state). */
function overrideSchema(alert: AlertDefinition) {
    return z
        .strictObject({
            /** Off: the alert is left out of the stack's rules. */
            enabled: z.boolean().optional(),
            /** How long the condition must hold, e.g. "10m"; "0s" fires at once. */
            for: forDuration.optional(),
            severity: z.enum(severities as [string, ...string[]]).optional(),
            ...(alert.threshold ? { threshold: thresholdSchemas[alert.threshold.unit].optional() } : {}),
        })
        .optional();
}

export const httpMetricsSchema = z
    .strictObject({
        /** A counter of requests labelled with the response status, e.g. http_requests_total. */
        requests: metricName.default(defaultHttpMetrics.requests),
        /** The label of that counter holding the status code ("503") or class ("5xx"). */
        statusLabel: labelName.default(defaultHttpMetrics.statusLabel),
        /** The buckets of a request-duration histogram in seconds. */
        durationBucket: metricName.default(defaultHttpMetrics.durationBucket),
    })
    .prefault({});

export const alertsSchema = z
    .strictObject({
        /** PrometheusRules for the services and the data stores. Unset: off in development, on otherwise. */
        enabled: z.boolean().optional(),
        /** Where the runbooks are; each alert's runbook_url is "<runbookBaseUrl>#<alert name in lowercase>". */
        runbookBaseUrl: url("https://github.com/acme/llm-platform/blob/main/docs/observability.md").default(
            "https://github.com/example/llm-platform/blob/main/docs/observability.md",
        ),
        /** Extra labels on every alert, e.g. team: platform, for Alertmanager's routing: Prometheus label names (no "/" or "."), any values. */
        labels: z.record(alertLabelName, z.string()).default({}),
        /** Per alert (by name): enabled, for, severity, threshold. */
        rules: z.strictObject(Object.fromEntries(alertCatalog.map((alert) => [alert.name, overrideSchema(alert)]))).default({}),
    })
    .prefault({});

export const dashboardsSchema = z
    .strictObject({
        /** Grafana dashboards as ConfigMaps for the Grafana sidecar. Unset: on wherever monitoring is. */
        enabled: z.boolean().optional(),
        /** The label the Grafana dashboard sidecar watches (kube-prometheus-stack: grafana_dashboard: "1"). */
        sidecarLabel: z.strictObject({ name: qualifiedKey.default("grafana_dashboard"), value: labelValue.default("1") }).prefault({}),
        /** The annotation that names the folder (the sidecar's folderAnnotation). */
        folderAnnotation: qualifiedKey.default("grafana_folder"),
        /** The Grafana folder. Unset: the Pulumi project's name. */
        folder: z.string().min(1).optional(),
    })
    .prefault({});

/** `monitoring.grafana`: how people reach the monitoring stack's Grafana, and keep its state. */
export const grafanaSchema = z
    .strictObject({
        /** The admin's user and password: unset, a password generated with @pulumi/random into a Secret the program owns; or an existing Secret's keys. */
        admin: z
            .strictObject({
                existingSecret: objectName("grafana-admin"),
                userKey: secretDataKey("admin-user").default("admin-user"),
                passwordKey: secretDataKey("admin-password").default("admin-password"),
            })
            .optional(),
        /** An Ingress to Grafana, with TLS. */
        ingress: z
            .strictObject({
                enabled: z.boolean().default(false),
                className: objectName("nginx").default("nginx"),
                /** Its host, e.g. grafana.example.com. */
                host: ingressHost.optional(),
                /** TLS from this Secret (cert-manager writes it when an issuer is set); unset, "<release>-grafana-tls". */
                tls: z.strictObject({ enabled: z.boolean().default(true), secretName: objectName("grafana-example-com-tls").optional() }).prefault({}),
                /** cert-manager ClusterIssuer that issues the certificate. */
                certManagerClusterIssuer: objectName("letsencrypt-prod").optional(),
                annotations: annotations.default({}),
            })
            .prefault({}),
        /** An HTTPRoute (gateway.networking.k8s.io/v1) to Grafana, in the monitoring namespace: the Gateway's listener must admit routes from it. */
        route: z
            .strictObject({
                enabled: z.boolean().default(false),
                /** The Gateways (or their listeners) it attaches to. */
                parentRefs: z.array(routeParentSchema).default([]),
                /** Its host names; empty: every host of the listener. */
                hostnames: z.array(gatewayHostname).default([]),
            })
            .prefault({}),
        /** A PersistentVolumeClaim for Grafana's database (users, API keys, dashboards edited in the UI). */
        persistence: z.strictObject({ enabled: z.boolean().default(false), size: byteQuantity.default("10Gi"), storageClass: objectName("gp3").optional() }).prefault({}),
    })
    .prefault({});

export const monitoringStackSchema = z
    .strictObject({
        /** Install kube-prometheus-stack (for clusters without a Prometheus, e.g. dev clusters). */
        enabled: z.boolean().default(false),
        /** Its namespace (networkPolicy.prometheus.namespaceSelector must select it). */
        namespace: dnsLabel("monitoring").default("monitoring"),
        /** Create the namespace (true) or use one that exists (false). */
        createNamespace: z.boolean().default(true),
        /** Where the chart comes from: the pinned version, a mirror, or a local directory. */
        chart: chartSchema(kubePrometheusStackChart),
        /**
         * The Prometheus Operator's admission webhooks (they check PrometheusRules as they are
         * applied). The chart makes their certificate with Helm hook Jobs, which a helm.v4.Chart
         * never runs: "off" (the default) leaves the webhooks and the operator's TLS out;
         * "certManager" has cert-manager issue the certificate (its CRDs must be in the cluster).
         */
        admissionWebhooks: z.enum(admissionWebhookModes).default("off"),
        /**
         * Install the Prometheus Operator's CRDs with the chart. False where the cluster has them
         * already (another install, or a platform team that manages CRDs on their own): the
         * provider refuses to create a CRD that exists.
         */
        installCrds: z.boolean().default(true),
        /**
         * The control plane's components to scrape through a Service of their own in kube-system
         * (coreDns, kubeControllerManager, kubeEtcd, kubeProxy, kubeScheduler): only where their
         * pods are visible (a self-managed cluster), since the provider waits for each Service's
         * endpoints. None by default.
         */
        controlPlane: z.array(z.enum(controlPlaneTargets)).default([]).transform((list) => [...new Set(list)].sort()),
    })
    .prefault({});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type MonitoringStackConfig = z.infer<typeof monitoringStackSchema>;
export type GrafanaConfig = z.infer<typeof grafanaSchema>;
export type DashboardsConfig = z.infer<typeof dashboardsSchema>;
export type HttpMetricsConfig = z.infer<typeof httpMetricsSchema>;


export const monitoringSchema = z.strictObject({
    /** Create ServiceMonitors (monitoring.coreos.com/v1) for services with metrics. */
    enabled: z.boolean().default(true),
    /** How often Prometheus scrapes. */
    interval: promDuration.default("30s"),
    /** How long a scrape may take; at most the interval. */
    scrapeTimeout: promDuration.default("10s"),
    /** Labels the Prometheus serviceMonitorSelector and ruleSelector match (ServiceMonitors and PrometheusRules). */
    labels: labels.default({ release: "kube-prometheus-stack" }),
    /** Alerts as PrometheusRules: on or off, runbooks, extra labels, per-alert thresholds. */
    alerts: alertsSchema,
    /** Grafana dashboards as ConfigMaps for the Grafana sidecar. */
    dashboards: dashboardsSchema,
    /** The names of the services' HTTP metrics, which alerts and dashboards query. */
    httpMetrics: httpMetricsSchema,
    /** Optional: install kube-prometheus-stack, for clusters that have no Prometheus. */
    stack: monitoringStackSchema,
    /** Logs: Loki and a node collector, or an existing endpoint the collector ships to. */
    logs: logsSchema,
    /** The monitoring stack's Grafana: admin credentials, Ingress, persistence. */
    grafana: grafanaSchema,
    /** Alertmanager's receivers and routes, as an AlertmanagerConfig (observability/alerting.schema.ts). */
    alertmanager: alertmanagerSchema,
});
export type MonitoringConfig = z.infer<typeof monitoringSchema>;
