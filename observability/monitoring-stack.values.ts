/**
 * The Helm values of kube-prometheus-stack, as a pure function: its Prometheus selects the stack's
 * ServiceMonitors and PrometheusRules by the labels they carry (monitoring.labels), in every
 * namespace, and its Grafana's sidecar loads the dashboard ConfigMaps from every namespace, into
 * the folder their annotation names.
 */
import { MonitoringStackValuesInput } from "./observability.args";

export function kubePrometheusStackValues(input: MonitoringStackValuesInput): Record<string, unknown> {
    const matchLabels = { ...input.selectorLabels };
    return {
        prometheus: {
            prometheusSpec: {
                // An empty namespace selector is every namespace; the label selectors are the stack's.
                serviceMonitorSelector: { matchLabels },
                serviceMonitorNamespaceSelector: {},
                ruleSelector: { matchLabels },
                ruleNamespaceSelector: {},
            },
        },
        ...(input.alertmanagerConfigLabels
            ? { alertmanager: { alertmanagerSpec: { alertmanagerConfigSelector: { matchLabels: { ...input.alertmanagerConfigLabels } }, alertmanagerConfigNamespaceSelector: {} } } }
            : {}),
        grafana: {
            sidecar: {
                dashboards: {
                    enabled: true,
                    label: input.dashboards.label,
                    labelValue: input.dashboards.labelValue,
                    searchNamespace: "ALL",
                    folderAnnotation: input.dashboards.folderAnnotation,
                    provider: { foldersFromFilesStructure: true },
                },
            },
        },
    };
}
