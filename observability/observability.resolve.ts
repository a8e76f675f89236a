/**
 * From the validated `monitoring` section (and the services and data stores it watches) to what
 * the alerts, Dashboards and MonitoringStack take. Runs only on config that passed validation.
 */
import { AlertSettings, DataStoreTarget, ServiceTarget, alertCatalog, defaultSettings } from "../lib/alert-catalog";
import { releaseNames } from "../lib/bitnami-charts";
import { StackIdentity, tracks } from "../lib/labels";
import { kubePrometheusStackRelease } from "../lib/monitoring-chart";
import { ServiceConfig, disruptionBudgetOf } from "../application/service.schema";
import type { PostgresqlConfig, RedisConfig } from "../data-tier/data-tier.schema";
import type { Environment } from "../validation/primitives";
import type { MonitoringConfig } from "./monitoring.schema";
import { alertsEnabled } from "./alerting.rules";
import type { AlertRoutingDeployInputs, AlertRoutingArgs, GrafanaSpec, AlertRuleSettings, DashboardsArgs, MonitoringStackArgs, ReceiverSpec, ServiceAlerts, SloSpec, SubjectAlerts } from "./observability.args";
import { effectiveRoute, receiverCredential, receiverKinds } from "./alerting.schema";

/** What the alerts and dashboards of a stack read: the monitoring section, the services and the data stores. */
export interface ObservedConfig {
    readonly environment: Environment;
    readonly monitoring: MonitoringConfig;
    readonly services: Readonly<Record<string, ServiceConfig>>;
    readonly postgresql: Pick<PostgresqlConfig, "enabled" | "mode" | "architecture">;
    readonly redis: Pick<RedisConfig, "enabled" | "mode" | "architecture">;
}

/** The alerts of a stack, per subject. */
export interface StackAlerts {
    readonly services: Readonly<Record<string, ServiceAlerts | undefined>>;
    /** In-cluster stores with their exporter only. */
    readonly postgresql?: SubjectAlerts<DataStoreTarget>;
    readonly redis?: SubjectAlerts<DataStoreTarget>;
}

/** MonitoringStack's args, when monitoring.stack.enabled. */
export function resolveMonitoringStack(monitoring: MonitoringConfig, identity: StackIdentity): MonitoringStackArgs | undefined {
    const { stack, dashboards } = monitoring;
    if (!monitoring.enabled || !stack.enabled) return undefined;
    return {
        ...identity,
        namespace: stack.namespace,
        createNamespace: stack.createNamespace,
        chart: stack.chart,
        installCrds: stack.installCrds,
        release: kubePrometheusStackRelease,
        selectorLabels: monitoring.labels,
        dashboards: { label: dashboards.sidecarLabel.name, labelValue: dashboards.sidecarLabel.value, folderAnnotation: dashboards.folderAnnotation },
        ...(effectiveRoute(monitoring.alertmanager) ? { alertmanagerConfigLabels: monitoring.labels } : {}),
        grafana: grafanaSpec(monitoring.grafana, kubePrometheusStackRelease),
        admissionWebhooks: stack.admissionWebhooks,
        controlPlane: stack.controlPlane,
    };
}

/**
 * Grafana's spec: the admin's Secret is the one MonitoringStack generates ("<release>-grafana-admin")
 * unless the config names one; the Ingress's TLS Secret defaults to "<release>-grafana-tls".
 */
export function grafanaSpec(grafana: MonitoringConfig["grafana"], release: string): GrafanaSpec {
    const { admin, ingress, persistence, route } = grafana;
    return {
        admin: admin
            ? { secretName: admin.existingSecret, userKey: admin.userKey, passwordKey: admin.passwordKey, generated: false }
            : { secretName: `${release}-grafana-admin`, userKey: "admin-user", passwordKey: "admin-password", generated: true },
        ...(ingress.enabled
            ? {
                  ingress: {
                      className: ingress.className,
                      host: ingress.host!,
                      ...(ingress.tls.enabled ? { tlsSecretName: ingress.tls.secretName ?? `${release}-grafana-tls` } : {}),
                      annotations: { ...ingress.annotations, ...(ingress.certManagerClusterIssuer ? { "cert-manager.io/cluster-issuer": ingress.certManagerClusterIssuer } : {}) },
                  },
              }
            : {}),
        ...(route.enabled ? { route: { parentRefs: route.parentRefs, hostnames: route.hostnames } } : {}),
        ...(persistence.enabled ? { persistence: { size: persistence.size, ...(persistence.storageClass ? { storageClass: persistence.storageClass } : {}) } } : {}),
    };
}

/** What the alerts and dashboards of a stack watch: its services, and its in-cluster data stores with exporters. */
function observedTargets(config: ObservedConfig, instance: string, namespace: string) {
    const services = Object.fromEntries(
        Object.entries(config.services).map(([name, s]): [string, ServiceTarget] => [
            name,
            {
                namespace,
                name,
                http: config.monitoring.httpMetrics,
                ...(s.release.strategy === "blueGreen" ? { tracks } : {}),
                has: { metrics: s.metrics.enabled, autoscaling: s.autoscaling.enabled, disruptionBudget: disruptionBudgetOf(s) !== undefined, postDeployCheck: s.postDeployCheck.enabled },
            },
        ]),
    );
    const store = (kind: "postgresql" | "redis"): DataStoreTarget | undefined =>
        config[kind].enabled && config[kind].mode === "in-cluster" ? { namespace, release: releaseNames(instance, kind).release, replication: config[kind].architecture === "replication" } : undefined;
    return { services, postgresql: store("postgresql"), redis: store("redis") };
}

/** A service's SLOs: availability, and latency when it has one; none without services.<name>.slo. */
export function serviceSlos(service: Pick<ServiceConfig, "slo">): SloSpec[] {
    const { slo } = service;
    if (!slo) return [];
    const availability: SloSpec = { name: "availability", objective: slo.availability, window: slo.window };
    if (!slo.latency) return [availability];
    return [availability, { name: "latency", objective: slo.latency.target, window: slo.window, thresholdSeconds: slo.latency.thresholdMs / 1000 }];
}

/** Each alert's settings: the catalog's defaults for the environment, then the stack's overrides. */
export function alertSettings(config: Pick<ObservedConfig, "environment" | "monitoring">): Record<string, AlertSettings> {
    return Object.fromEntries(
        alertCatalog.map((alert) => {
            const defaults = defaultSettings(alert, config.environment);
            const override = (config.monitoring.alerts.rules as Record<string, Partial<AlertSettings> | undefined>)[alert.name] ?? {};
            return [
                alert.name,
                {
                    enabled: override.enabled ?? defaults.enabled,
                    for: override.for ?? defaults.for,
                    severity: override.severity ?? defaults.severity,
                    ...(defaults.threshold === undefined ? {} : { threshold: override.threshold ?? defaults.threshold }),
                },
            ];
        }),
    );
}

/** The alerts: on with monitoring, unless monitoring.alerts.enabled says otherwise; by default off in development. */
export function resolveAlerts(config: ObservedConfig, instance: string, namespace: string): StackAlerts {
    const { monitoring } = config;
    if (!alertsEnabled(monitoring, config.environment)) return { services: {} };
    const common: AlertRuleSettings = { ruleLabels: monitoring.labels, alertLabels: monitoring.alerts.labels, runbookBaseUrl: monitoring.alerts.runbookBaseUrl, settings: alertSettings(config) };
    const targets = observedTargets(config, instance, namespace);
    const forTarget = <T>(target: T | undefined) => target && { ...common, target };
    return {
        services: Object.fromEntries(Object.entries(targets.services).map(([name, target]) => [name, { ...common, target, slos: serviceSlos(config.services[name]) }])),
        postgresql: forTarget(targets.postgresql),
        redis: forTarget(targets.redis),
    };
}

/** The SLOs of the services that have some, for their dashboards' error-budget rows; nothing when none has. */
function sloDashboards(services: ObservedConfig["services"]): Pick<DashboardsArgs, "slos"> {
    const slos = Object.fromEntries(Object.entries(services).flatMap(([name, s]) => (s.slo ? [[name, serviceSlos(s)]] : [])));
    return Object.keys(slos).length === 0 ? {} : { slos };
}

/** Dashboards' args: on with monitoring, unless monitoring.dashboards.enabled says otherwise. The folder defaults to the project's name. */
export function resolveDashboards(config: ObservedConfig, identity: StackIdentity, namespace: string): Omit<DashboardsArgs, "namespace"> | undefined {
    const { monitoring } = config;
    const { dashboards } = monitoring;
    if (!monitoring.enabled || dashboards.enabled === false) return undefined;
    const targets = observedTargets(config, identity.instance, namespace);
    return {
        ...identity,
        labels: { [dashboards.sidecarLabel.name]: dashboards.sidecarLabel.value },
        annotations: { [dashboards.folderAnnotation]: dashboards.folder ?? identity.partOf },
        services: Object.values(targets.services),
        ...sloDashboards(config.services),
        postgresql: targets.postgresql,
        redis: targets.redis,
    };
}

/** Alertmanager's intervals per environment: production repeats a firing alert soonest. */
const routingIntervals: Readonly<Record<Environment, { groupWait: string; groupInterval: string; repeatInterval: string }>> = {
    development: { groupWait: "1m", groupInterval: "5m", repeatInterval: "24h" },
    staging: { groupWait: "1m", groupInterval: "5m", repeatInterval: "12h" },
    production: { groupWait: "30s", groupInterval: "5m", repeatInterval: "4h" },
};

/** The receivers of monitoring.alertmanager, each with its one kind (the rules hold each to exactly one). */
function receiverSpecs(receivers: MonitoringConfig["alertmanager"]["receivers"]): ReceiverSpec[] {
    return Object.entries(receivers).map(([name, r]) => {
        const kind = receiverKinds.find((k) => r[k] !== undefined)!;
        return { name, kind, credential: receiverCredential(r)!, sendResolved: r[kind]!.sendResolved, ...(r.slack?.channel ? { channel: r.slack.channel } : {}), ...(r.opsgenie?.apiUrl ? { apiUrl: r.opsgenie.apiUrl } : {}) };
    });
}

/** AlertRouting's args, when the stack has a route (monitoring.alertmanager.route, else the receivers' default, alerting.schema.ts): label routes first, then critical to the pager and warning to the chat. */
export function resolveAlertRouting(config: Pick<ObservedConfig, "environment" | "monitoring">, identity: StackIdentity): Omit<AlertRoutingArgs, AlertRoutingDeployInputs> | undefined {
    const { alertmanager } = config.monitoring;
    const route = effectiveRoute(alertmanager);
    if (!config.monitoring.enabled || route === undefined) return undefined;
    const defaults = routingIntervals[config.environment];
    const severity = (level: "critical" | "warning") => ({ matchers: { severity: level }, receiver: route[level] ?? route.receiver, continue: false });
    return {
        ...identity,
        labels: config.monitoring.labels,
        routing: {
            receivers: receiverSpecs(alertmanager.receivers),
            receiver: route.receiver,
            routes: [...route.routes, severity("critical"), severity("warning")],
            groupBy: route.groupBy,
            groupWait: route.groupWait ?? defaults.groupWait,
            groupInterval: route.groupInterval ?? defaults.groupInterval,
            repeatInterval: route.repeatInterval ?? defaults.repeatInterval,
            inhibitEqual: ["alertname", "namespace", "service", "slo"],
        },
    };
}
