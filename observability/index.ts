/** Observability: alerts, dashboards and the optional monitoring stack. */
export { Dashboards } from "./dashboards";
export { type DashboardsArgs } from "./observability.args";
export { MonitoringStack } from "./monitoring-stack";
export { type MonitoringStackArgs } from "./observability.args";
export { Logs, type LogsArgs } from "./logs";
export { AlertRouting } from "./alertmanager";
export { type AlertRoutingArgs } from "./observability.args";
