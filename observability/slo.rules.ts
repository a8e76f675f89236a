/** The rules of the services' SLOs (`services.<name>.slo`): what their rules need to exist and to mean something. */
import { Problem } from "../validation/problem";
import type { Environment } from "../validation/primitives";
import type { ServiceConfig } from "../application/service.schema";
import type { MonitoringConfig } from "./monitoring.schema";

/** Whether a stack's alerts (the PrometheusRules) exist: with monitoring, unless monitoring.alerts.enabled says otherwise; by default off in development. */
export function alertsEnabled(monitoring: Pick<MonitoringConfig, "enabled" | "alerts">, environment: Environment | undefined): boolean {
    return monitoring.enabled && (monitoring.alerts.enabled ?? environment !== "development");
}

/**
 * An SLO needs the service's HTTP metrics (its SLIs are their ratios) and the stack's alerts (its
 * recording rules and burn-rate alerts live in the service's PrometheusRule).
 */
export function sloProblems(services: Readonly<Record<string, Pick<ServiceConfig, "slo" | "metrics">>>, monitoring: Pick<MonitoringConfig, "enabled" | "alerts">, environment: Environment | undefined): Problem[] {
    const alerts = alertsEnabled(monitoring, environment);
    return Object.entries(services).flatMap(([name, service]): Problem[] => {
        if (!service.slo) return [];
        const key = `services.${name}.slo`;
        if (!service.metrics.enabled) return [{ key, given: service.slo, expected: `unset while services.${name}.metrics.enabled is false: an SLO is measured on the service's HTTP metrics` }];
        if (!alerts) return [{ key, given: service.slo, expected: "unset while the stack has no alerts (monitoring.enabled false, or monitoring.alerts.enabled false or unset in development): the SLO's rules live in the service's PrometheusRule" }];
        return [];
    });
}
