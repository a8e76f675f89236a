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

/** An image a log chart runs, and where its block sits in the chart's values. */
export interface LogChartImage {
    /** The values path of the image block, e.g. ["loki", "image"]. */
    readonly valuesPath: readonly string[];
    readonly registry: string;
    readonly repository: string;
    readonly tag: string;
}

/**
 * Loki's chart (grafana/loki), as pinned: 6.55.0 (Loki 3.6.7), the last OSS release of the chart
 * in grafana/loki before it moved to grafana-community/helm-charts (forked at 6.55.0; point
 * `monitoring.logs.loki.chart.repository` at https://grafana-community.github.io/helm-charts for
 * its later versions). The program deploys the chart's images; it never links Loki's (AGPL) code.
 * Images: the chart's values.yaml of that version (`loki.image`, `gateway.image`).
 */
export const lokiChart = {
    name: "loki",
    repository: "https://grafana.github.io/helm-charts",
    version: "6.55.0",
    images: {
        loki: { valuesPath: ["loki", "image"], registry: "docker.io", repository: "grafana/loki", tag: "3.6.7" },
    },
} as const;

/**
 * Grafana Alloy's chart (grafana/alloy, operations/helm/charts/alloy), as pinned: 1.11.1 (Alloy
 * v1.18.1), the node collector that ships pod logs. Images: its values.yaml (`image`,
 * `configReloader.image`, whose default pins a digest beside the tag).
 */
export const alloyChart = {
    name: "alloy",
    repository: "https://grafana.github.io/helm-charts",
    version: "1.11.1",
    images: {
        alloy: { valuesPath: ["image"], registry: "docker.io", repository: "grafana/alloy", tag: "v1.18.1" },
        configReloader: { valuesPath: ["configReloader", "image"], registry: "quay.io", repository: "prometheus-operator/prometheus-config-reloader", tag: "v0.91.0" },
    },
} as const;

/** The release names of the log charts: their Services are "loki" (SingleBinary), "loki-write"/"loki-read" (SimpleScalable), and the collector's pods "alloy". */
export const lokiRelease = "loki";
export const alloyRelease = "alloy";
/** Loki's HTTP port (the chart's loki.server.http_listen_port), its gRPC and memberlist ports. */
export const lokiHttpPort = 3100;
export const lokiGrpcPort = 9095;
export const lokiMemberlistPort = 7946;

/** The labels of the pods of a release of these charts (their selectorLabels: name and instance). */
export function chartPodSelector(name: string, release: string): Readonly<Record<string, string>> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": release };
}

/** Grafana's pods in kube-prometheus-stack (its grafana subchart's selector labels). */
export const grafanaPodSelector = chartPodSelector("grafana", kubePrometheusStackRelease);

/**
 * A pod label as a Loki stream label (Prometheus's rule: every character outside [a-zA-Z0-9_]
 * becomes "_"): "app.kubernetes.io/name" is app_kubernetes_io_name. The collector promotes the
 * labels of `lib/labels.ts`'s selector this way, and the dashboards' LogQL selects by them.
 */
export function streamLabelName(podLabel: string): string {
    return podLabel.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** Loki's in-cluster URL for a role: SingleBinary serves both at "loki"; SimpleScalable writes at "loki-write" and reads at "loki-read". */
export function lokiUrl(role: "write" | "read", mode: "SingleBinary" | "SimpleScalable", namespace: string, clusterDomain: string): string {
    const service = mode === "SingleBinary" ? lokiRelease : `${lokiRelease}-${role}`;
    return `http://${service}.${namespace}.svc.${clusterDomain}:${lokiHttpPort}`;
}

/** The path of Loki's push API. */
export const lokiPushPath = "/loki/api/v1/push";
/** The uid of the Loki datasource the program gives Grafana, which the dashboards' log panels name. */
export const lokiDatasourceUid = "loki";

/** The Pod Security level the monitoring namespace needs with logs: the collector's hostPath of /var/log is refused by "baseline" and "restricted" (node-exporter's host namespaces too). */
export const collectorPodSecurityLevel = "privileged";

/**
 * kube-prometheus-stack's scrape targets that come with a Service of their own in kube-system,
 * selecting the control plane's pods (monitoring.stack.controlPlane). The Kubernetes provider waits
 * for a Service's endpoints, and a managed cluster (EKS, GKE, AKS) shows no etcd, scheduler or
 * controller-manager pods, nor kube-proxy's under a kube-proxy replacement: such a Service never
 * gets one, and `pulumi up` fails at its timeout. Only the ones listed are on.
 */
export const controlPlaneTargets = ["coreDns", "kubeControllerManager", "kubeEtcd", "kubeProxy", "kubeScheduler"] as const;
export type ControlPlaneTarget = (typeof controlPlaneTargets)[number];

/** How the Prometheus Operator's admission webhooks get their certificate, if they are on at all (monitoring.stack.admissionWebhooks). */
export const admissionWebhookModes = ["off", "certManager"] as const;
export type AdmissionWebhookMode = (typeof admissionWebhookModes)[number];
