/** The rules of the `monitoring` section: scrape timings, alert overrides and the optional monitoring stack. */
import { parseDuration } from "../lib/quantity";
import { Problem, described } from "../validation/problem";
import type { MonitoringConfig } from "./monitoring.schema";
import { AlertsConfig, MonitoringStackConfig, DashboardsConfig, GrafanaConfig } from "./monitoring.schema";


/** Problems of the monitoring settings. */
export function monitoringProblems(monitoring: MonitoringConfig): Problem[] {
    if (parseDuration(monitoring.scrapeTimeout) > parseDuration(monitoring.interval)) {
        return [{ key: "monitoring.scrapeTimeout", given: monitoring.scrapeTimeout, expected: `at most monitoring.interval (${monitoring.interval})` }];
    }
    return [];
}


/** Alerts, dashboards or the monitoring stack asked for while monitoring (the exporters and ServiceMonitors) is off. */
export function observabilityProblems(monitoring: { enabled: boolean; alerts: AlertsConfig; dashboards: DashboardsConfig; stack: MonitoringStackConfig }): Problem[] {
    if (monitoring.enabled) return [];
    return (["alerts", "dashboards", "stack"] as const)
        .filter((key) => monitoring[key].enabled === true)
        .map((key) => ({ key: `monitoring.${key}.enabled`, given: true, expected: "false or unset while monitoring.enabled is false: without the exporters and ServiceMonitors there is nothing to watch" }));
}


/** Grafana's settings are the monitoring stack's: they need it; an Ingress needs its host, a route its Gateway. */
export function grafanaProblems(monitoring: { stack: MonitoringStackConfig; grafana: GrafanaConfig }): Problem[] {
    const { grafana } = monitoring;
    const set = [
        ...(grafana.admin ? ["monitoring.grafana.admin"] : []),
        ...(grafana.ingress.enabled ? ["monitoring.grafana.ingress.enabled"] : []),
        ...(grafana.persistence.enabled ? ["monitoring.grafana.persistence.enabled"] : []),
        ...(grafana.route.enabled ? ["monitoring.grafana.route.enabled"] : []),
    ];
    if (!monitoring.stack.enabled) return set.map((key) => ({ key, given: key.endsWith(".admin") ? described("an existing Secret") : true, expected: "unset while monitoring.stack.enabled is false: it configures the monitoring stack's Grafana" }));
    return [
        ...(grafana.ingress.enabled && grafana.ingress.host === undefined
            ? [{ key: "monitoring.grafana.ingress.host", given: undefined, expected: "a host name such as \"grafana.example.com\", because monitoring.grafana.ingress.enabled is true" }]
            : []),
        ...(grafana.route.enabled && grafana.route.parentRefs.length === 0
            ? [{ key: "monitoring.grafana.route.parentRefs", given: [], expected: "at least one Gateway, because monitoring.grafana.route.enabled is true" }]
            : []),
    ];
}
