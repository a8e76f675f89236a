/** Observability's contract: what Dashboards and MonitoringStack take, and the alert settings every subject's rules are built with. */
import type * as pulumi from "@pulumi/pulumi";
import type { AlertSettings, DataStoreTarget, ServiceTarget } from "../lib/alert-catalog";
import type { Labels } from "../lib/labels";
import type { AdmissionWebhookMode, ControlPlaneTarget } from "../lib/monitoring-chart";
import type { PodSecurityLevel } from "../lib/pod-security";
import type { SloWindow } from "./alerting.schema";
import type { ChartSourceSpec } from "../platform/platform.args";
import type { SecretKeyRef } from "../secrets/secrets.args";


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
    /** Logs in the stack's own Loki: each service's dashboard gets a row of its pods' logs. @default false */
    readonly logs?: boolean;
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
    /** Install the Prometheus Operator's CRDs with the chart (false: the cluster has them, and creating one that exists fails). */
    readonly installCrds: boolean;
    /** The Helm release name. */
    readonly release: string;
    /** app.kubernetes.io/instance of the platform, e.g. "llm-platform-dev". */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
    /** The created namespace's enforced Pod Security level (with logs: "privileged", for the collector's hostPath). @default none: the cluster's default */
    readonly podSecurity?: PodSecurityLevel;
}


/** What the values depend on. */
export interface MonitoringStackValuesInput {
    /** The labels of the program's ServiceMonitors and PrometheusRules. */
    readonly selectorLabels: Labels;
    /** The Grafana dashboard sidecar's label and folder annotation. */
    readonly dashboards: { readonly label: string; readonly labelValue: string; readonly folderAnnotation: string };
    /** The Loki datasource Grafana gets: the stack's own Loki. @default none */
    readonly lokiDatasource?: { readonly uid: string; readonly url: string };
    /** Alertmanager merges the AlertmanagerConfigs with these labels, from every namespace. @default the chart's selector */
    readonly alertmanagerConfigLabels?: Labels;
    /** Grafana's admin Secret, Ingress and persistence. */
    readonly grafana: GrafanaSpec;
    /** The operator's admission webhooks: left out, or with cert-manager's certificate (the chart's hook Jobs never run under Pulumi). */
    readonly admissionWebhooks: AdmissionWebhookMode;
    /** The control plane's components scraped through a Service of their own (each must have visible pods, or its Service never gets an endpoint). */
    readonly controlPlane: readonly ControlPlaneTarget[];
}

/** The monitoring stack's Grafana: who logs in as admin, how people reach it, where its state lives. */
export interface GrafanaSpec {
    /** The Secret holding the admin's user and password: the one MonitoringStack generates (`generated`), or an existing one. */
    readonly admin: { readonly secretName: string; readonly userKey: string; readonly passwordKey: string; readonly generated: boolean };
    /** An Ingress to Grafana. @default none */
    readonly ingress?: { readonly className: string; readonly host: string; readonly tlsSecretName?: string; readonly annotations: Readonly<Record<string, string>> };
    /** An HTTPRoute to Grafana's Service, attached to these Gateways. @default none */
    readonly route?: { readonly parentRefs: readonly { readonly name: string; readonly namespace?: string; readonly sectionName?: string; readonly port?: number }[]; readonly hostnames: readonly string[] };
    /** A PersistentVolumeClaim of `size` for Grafana's database. @default none: an emptyDir */
    readonly persistence?: { readonly size: string; readonly storageClass?: string };
}

/** The kinds of receiver Alertmanager notifies. */
export type ReceiverKind = "slack" | "pagerduty" | "opsgenie" | "webhook";

/** One receiver: its kind, the secret entry holding its URL or key, and its plain settings. */
export interface ReceiverSpec {
    readonly name: string;
    readonly kind: ReceiverKind;
    /** The secret entry (secrets.entries) of the Slack or webhook URL, the PagerDuty routing key, the Opsgenie API key. */
    readonly credential: string;
    readonly sendResolved: boolean;
    /** Slack's channel. @default the webhook's */
    readonly channel?: string;
    /** Opsgenie's API URL. @default Alertmanager's (the US instance) */
    readonly apiUrl?: string;
}

/** A route of the tree under the root: the labels it matches, where it goes, whether routing goes on. */
export interface RouteSpec {
    readonly matchers: Readonly<Record<string, string>>;
    readonly receiver: string;
    readonly continue: boolean;
}

/** Alertmanager's routing of a stack, as pure data: what AlertRouting deploys and the tests give amtool. */
export interface AlertRoutingSpec {
    readonly receivers: readonly ReceiverSpec[];
    /** Where alerts no route takes go. */
    readonly receiver: string;
    /** The label routes, then severity critical and warning, in order. */
    readonly routes: readonly RouteSpec[];
    readonly groupBy: readonly string[];
    readonly groupWait: string;
    readonly groupInterval: string;
    readonly repeatInterval: string;
    /** A critical alert silences the warning of the alert with these labels equal (the same alert, service and SLO). */
    readonly inhibitEqual: readonly string[];
}

export interface AlertRoutingArgs {
    readonly routing: AlertRoutingSpec;
    /** The stack's namespace: the AlertmanagerConfig's, and the Secrets' its receivers read. */
    readonly namespace: pulumi.Input<string>;
    /** The labels the Alertmanager's alertmanagerConfigSelector matches (monitoring.labels). */
    readonly labels: Labels;
    /** app.kubernetes.io/instance of the platform. */
    readonly instance: string;
    /** app.kubernetes.io/part-of of the platform. */
    readonly partOf: string;
    /** Where each credential's value is: the Secret key of each secret entry the receivers name (AppSecrets.keyRefs). */
    readonly credentials: Readonly<Record<string, SecretKeyRef>>;
    /** The release that installs the AlertmanagerConfig CRD (MonitoringStack), which the object waits for. @default none: the cluster has the CRD */
    readonly monitoringStack?: pulumi.Resource;
}

/** AlertRouting's fields that exist only at deploy time. */
export type AlertRoutingDeployInputs = "namespace" | "credentials" | "monitoringStack";
