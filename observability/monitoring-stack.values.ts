/**
 * The Helm values of kube-prometheus-stack, as a pure function: its Prometheus selects the stack's
 * ServiceMonitors and PrometheusRules by the labels they carry (monitoring.labels), in every
 * namespace, and its Grafana's sidecar loads the dashboard ConfigMaps from every namespace, into
 * the folder their annotation names.
 */
import { AdmissionWebhookMode, controlPlaneTargets } from "../lib/monitoring-chart";
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
        prometheusOperator: prometheusOperatorValues(input.admissionWebhooks),
        // Each control-plane target's Service selects pods a managed cluster doesn't show: only the listed ones.
        ...Object.fromEntries(controlPlaneTargets.map((target) => [target, { enabled: input.controlPlane.includes(target) }])),
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

/**
 * The operator's admission webhooks. The chart's own way to their certificate is a pair of Helm
 * hook Jobs (create the Secret "<release>-admission", patch the webhooks' caBundle); a helm.v4.Chart
 * never runs hooks, so the operator's pod would wait forever for that Secret, and the webhooks
 * would be called without a CA. Off: no webhooks, and the operator serves its metrics over HTTP.
 * cert-manager: the chart's Certificate objects make the Secret, cert-manager's CA injector fills
 * the caBundle, and a rule the operator refuses fails the apply (failurePolicy Fail).
 */
export function prometheusOperatorValues(mode: AdmissionWebhookMode): Record<string, unknown> {
    if (mode === "certManager") {
        return { admissionWebhooks: { enabled: true, failurePolicy: "Fail", patch: { enabled: false }, certManager: { enabled: true } }, tls: { enabled: true } };
    }
    return { admissionWebhooks: { enabled: false, patch: { enabled: false } }, tls: { enabled: false } };
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
