/** Observability: alerts, dashboards and the optional monitoring stack. */
export { Dashboards, type DashboardsArgs } from "./dashboards";
export { MonitoringStack, type MonitoringStackArgs } from "./monitoring-stack";
