/** Observability's contract: what Dashboards and MonitoringStack take, and the alert settings every subject's rules are built with. */
import type * as pulumi from "@pulumi/pulumi";
import type { AlertSettings, DataStoreTarget, ServiceTarget } from "../lib/alert-catalog";
import type { Labels } from "../lib/labels";
import type { SloWindow } from "./slo.schema";
import type { ChartSourceSpec } from "../platform/platform.args";


/** How a stack's alerts are labelled and linked, and each alert's settings. */
export interface AlertRuleSettings {
    /** Labels of the PrometheusRule objects: what Prometheus's ruleSelector matches (monitoring.labels, as the ServiceMonitors'). */
    readonly ruleLabels: Labels;
    /** Labels on every alert (monitoring.alerts.labels). */
    readonly alertLabels: Labels;
    /** Each alert's runbook_url is "<runbookBaseUrl>#<anchor>". */
    readonly runbookBaseUrl: string;
    /** Every alert of the catalog by name: enabled, for, severity, threshold. */
    readonly settings: Readonly<Record<string, AlertSettings>>;
}

/** The alerts of one subject: what they are scoped to, and the stack's settings. */
export interface SubjectAlerts<Target> extends AlertRuleSettings {
    readonly target: Target;
}

/** One service level objective of a service (services.<name>.slo), as its rules take it. */
export interface SloSpec {
    /** What it measures: requests answered without a 5xx status, or requests faster than `thresholdSeconds`. */
    readonly name: "availability" | "latency";
    /** The target share of good requests, in percent, e.g. 99.9. */
    readonly objective: number;
    /** The rolling window of the objective and its error budget, e.g. "30d". */
    readonly window: SloWindow;
    /** The latency SLO's threshold: a bucket boundary (`le`) of the request-duration histogram, in seconds. */
    readonly thresholdSeconds?: number;
}

/** A service's alerts: the catalog's, and the recording rules and burn-rate alerts of its SLOs. */
export interface ServiceAlerts extends SubjectAlerts<ServiceTarget> {
    /** Its SLOs; none without services.<name>.slo. */
    readonly slos: readonly SloSpec[];
}


export interface DashboardsArgs {
    /** The namespace of the ConfigMaps (the Grafana sidecar must search it, e.g. searchNamespace: ALL). */
    readonly namespace: pulumi.Input<string>;
    /** The label the Grafana dashboard sidecar watches, e.g. { grafana_dashboard: "1" }. */
    readonly labels: Labels;
    /** The folder annotation, e.g. { grafana_folder: "llm-platform" }. */
    readonly annotations: Labels;
    /** app.kubernetes.io/instance, e.g. "llm-platform-prod"; dashboard uids and titles carry it, so stacks sharing a Grafana never collide. */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
    /** One dashboard each. */
    readonly services: readonly ServiceTarget[];
    /** Each service's SLOs by service name: its dashboard gets a row with each one's error budget left. @default none */
    readonly slos?: Readonly<Record<string, readonly SloSpec[]>>;
    /** The data tier's dashboard, with a row per store given. @default none */
    readonly postgresql?: DataStoreTarget;
    readonly redis?: DataStoreTarget;
}


export interface MonitoringStackArgs extends MonitoringStackValuesInput {
    /** The namespace of the release, e.g. "monitoring". */
    readonly namespace: string;
    /** Create the namespace (true) or use one that exists (false). */
    readonly createNamespace: boolean;
    /** Where kube-prometheus-stack comes from: the pinned repository, a mirror or a local directory. */
    readonly chart: ChartSourceSpec;
    /** The Helm release name. */
    readonly release: string;
    /** app.kubernetes.io/instance of the platform, e.g. "llm-platform-dev". */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
}


/** What the values depend on. */
export interface MonitoringStackValuesInput {
    /** The labels of the program's ServiceMonitors and PrometheusRules. */
    readonly selectorLabels: Labels;
    /** The Grafana dashboard sidecar's label and folder annotation. */
    readonly dashboards: { readonly label: string; readonly labelValue: string; readonly folderAnnotation: string };
}
