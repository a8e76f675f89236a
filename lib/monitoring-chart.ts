/**
 * The kube-prometheus-stack chart the optional `monitoring.stack` mode installs (Prometheus
 * Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node-exporter), as pinned.
 * Overridable like the Bitnami charts (a mirror, another version, a local directory).
 */
export const kubePrometheusStackChart = {
    name: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "67.8.0",
} as const;

/**
 * Its release name. The chart's own default selectors match `release: <release name>`, and the
 * stack config's default `monitoring.labels` is `release: kube-prometheus-stack`; the program also
 * sets the selectors from `monitoring.labels` explicitly.
 */
export const kubePrometheusStackRelease = "kube-prometheus-stack";
