/**
 * The Helm values of kube-prometheus-stack, as a pure function: its Prometheus selects the stack's
 * ServiceMonitors and PrometheusRules by the labels they carry (monitoring.labels), in every
 * namespace, and its Grafana's sidecar loads the dashboard ConfigMaps from every namespace, into
 * the folder their annotation names.
 */
import { GrafanaSpec, MonitoringStackValuesInput } from "./observability.args";

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
            ...grafanaValues(input.grafana),
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
            ...(input.lokiDatasource === undefined ? {} : { additionalDataSources: [lokiDatasourceValues(input.lokiDatasource)] }),
        },
    };
}

/** Grafana's Loki datasource (its provisioning format), at the uid the dashboards' log panels name. */
export function lokiDatasourceValues(datasource: { readonly uid: string; readonly url: string }): Record<string, unknown> {
    return { name: "Loki", type: "loki", uid: datasource.uid, url: datasource.url, access: "proxy", editable: false, isDefault: false };
}

/**
 * Grafana's own values (the grafana chart's): the admin from a Secret, never the chart's default
 * password; an Ingress with TLS; a PersistentVolumeClaim.
 */
export function grafanaValues(grafana: GrafanaSpec): Record<string, unknown> {
    const { admin, ingress, persistence } = grafana;
    return {
        admin: { existingSecret: admin.secretName, userKey: admin.userKey, passwordKey: admin.passwordKey },
        ...(ingress
            ? {
                  ingress: {
                      enabled: true,
                      ingressClassName: ingress.className,
                      hosts: [ingress.host],
                      path: "/",
                      ...(Object.keys(ingress.annotations).length > 0 ? { annotations: { ...ingress.annotations } } : {}),
                      ...(ingress.tlsSecretName ? { tls: [{ secretName: ingress.tlsSecretName, hosts: [ingress.host] }] } : {}),
                  },
              }
            : {}),
        ...(persistence ? { persistence: { enabled: true, type: "pvc", size: persistence.size, ...(persistence.storageClass ? { storageClassName: persistence.storageClass } : {}) } } : {}),
    };
}
