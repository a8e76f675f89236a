/** The rules of the `monitoring` section: scrape timings, alert overrides and the optional monitoring stack. */
import { parseDuration } from "../lib/quantity";
import { Problem } from "../validation/problem";
import type { MonitoringConfig } from "./monitoring.schema";
import { AlertsConfig, MonitoringStackConfig, DashboardsConfig } from "./monitoring.schema";


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
