/**
 * The node collector, Grafana Alloy (grafana/alloy chart 1.11.1, lib/monitoring-chart.ts), as
 * pure functions: its configuration in Alloy's syntax, and the chart's values that run it as a
 * DaemonSet reading /var/log/pods of its node. Each pod's stream carries the namespace, pod and
 * container, and the pod labels the program selects workloads by (lib/labels.ts's selector), as
 * stream labels (`streamLabelName`): what the dashboards' LogQL selects.
 */
import { selectorLabels } from "../../lib/labels";
import { streamLabelName } from "../../lib/monitoring-chart";
import type { CollectorSpec, LogDestinationSpec } from "./logs.args";
import { chartImageValues, SecretEnvVar } from "./loki.values";

/** The variable the collector's pods read their node's name from (the downward API). */
export const nodeNameEnv = "NODE_NAME";

/** The pod labels every stream carries, as stream labels: the selector's keys and the component. */
export const streamPodLabels: readonly string[] = [...Object.keys(selectorLabels({ name: "", instance: "", component: "", partOf: "" })), "app.kubernetes.io/component"];

/** An Alloy string literal. */
export function alloyString(value: string): string {
    return JSON.stringify(value);
}

const env = (name: string) => `sys.env(${alloyString(name)})`;

/** A relabel rule copying a source label to a target label. */
const copy = (source: string, target: string) => ["  rule {", `    source_labels = [${alloyString(source)}]`, `    target_label  = ${alloyString(target)}`, "  }"];

/** Discovery of the node's pods in the namespaces, and their log files and stream labels. */
function discovery(spec: CollectorSpec): string[] {
    const podLabelRules = streamPodLabels.flatMap((label) => copy(`__meta_kubernetes_pod_label_${streamLabelName(label)}`, streamLabelName(label)));
    return [
        'discovery.kubernetes "pods" {',
        '  role = "pod"',
        "  namespaces {",
        `    names = [${spec.namespaces.map(alloyString).join(", ")}]`,
        "  }",
        "  selectors {",
        '    role  = "pod"',
        `    field = "spec.nodeName=" + ${env(nodeNameEnv)}`,
        "  }",
        "}",
        "",
        'discovery.relabel "pods" {',
        "  targets = discovery.kubernetes.pods.targets",
        ...copy("__meta_kubernetes_namespace", "namespace"),
        ...copy("__meta_kubernetes_pod_name", "pod"),
        ...copy("__meta_kubernetes_pod_container_name", "container"),
        ...podLabelRules,
        "  rule {",
        '    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]',
        '    separator     = "/"',
        '    target_label  = "__path__"',
        '    replacement   = "/var/log/pods/*$1/*.log"',
        "  }",
        "}",
        "",
        'local.file_match "pods" {',
        "  path_targets = discovery.relabel.pods.output",
        "}",
        "",
        'loki.source.file "pods" {',
        "  targets    = local.file_match.pods.targets",
        "  forward_to = [loki.process.pods.receiver]",
        "}",
        "",
        // The kubelet writes each line in the CRI format: time, stream, flag, then the line.
        'loki.process "pods" {',
        "  stage.cri {}",
        `  forward_to = [${spec.destination.type === "loki" ? "loki.write.default.receiver" : "otelcol.receiver.loki.default.receiver"}]`,
        "}",
    ];
}

function lokiWrite(d: LogDestinationSpec, cluster: string): string[] {
    return [
        'loki.write "default" {',
        "  endpoint {",
        `    url = ${alloyString(d.url)}`,
        ...(d.tenantId === undefined ? [] : [`    tenant_id = ${alloyString(d.tenantId)}`]),
        ...(d.basicAuth === undefined ? [] : ["    basic_auth {", `      username = ${alloyString(d.basicAuth.username)}`, `      password = ${env(d.basicAuth.passwordEnv)}`, "    }"]),
        ...(d.bearerTokenEnv === undefined ? [] : [`    bearer_token = ${env(d.bearerTokenEnv)}`]),
        "  }",
        `  external_labels = { cluster = ${alloyString(cluster)} }`,
        "}",
    ];
}

function otlpExport(d: LogDestinationSpec): string[] {
    const auth = d.basicAuth !== undefined ? "basic" : d.bearerTokenEnv !== undefined ? "bearer" : undefined;
    return [
        'otelcol.receiver.loki "default" {',
        "  output {",
        "    logs = [otelcol.exporter.otlphttp.default.input]",
        "  }",
        "}",
        "",
        'otelcol.exporter.otlphttp "default" {',
        "  client {",
        `    endpoint = ${alloyString(d.url)}`,
        ...(auth === undefined ? [] : [`    auth     = otelcol.auth.${auth}.default.handler`]),
        "  }",
        "}",
        ...(d.basicAuth === undefined ? [] : ["", 'otelcol.auth.basic "default" {', `  username = ${alloyString(d.basicAuth.username)}`, `  password = ${env(d.basicAuth.passwordEnv)}`, "}"]),
        ...(d.bearerTokenEnv === undefined || d.basicAuth !== undefined ? [] : ["", 'otelcol.auth.bearer "default" {', `  token = ${env(d.bearerTokenEnv)}`, "}"]),
    ];
}

/** The collector's configuration (Alloy's syntax): discovery, the files, CRI parsing, and the destination. `cluster` labels every stream (the platform's instance). */
export function alloyConfig(spec: CollectorSpec, cluster: string): string {
    const d = spec.destination;
    return [...discovery(spec), "", ...(d.type === "loki" ? lokiWrite(d, cluster) : otlpExport(d)), ""].join("\n");
}

/** The chart's values: a DaemonSet with /var/log mounted, the node's name and the credentials as variables, the configuration inline. */
export function alloyValues(spec: CollectorSpec, cluster: string, env: readonly SecretEnvVar[]): Record<string, unknown> {
    return {
        image: chartImageValues(spec.images.alloy),
        configReloader: { image: chartImageValues(spec.images.configReloader) },
        controller: { type: "daemonset" },
        alloy: {
            configMap: { create: true, content: alloyConfig(spec, cluster) },
            // The chart's hostPath of /var/log (read-only), which holds /var/log/pods.
            mounts: { varlog: true },
            extraEnv: [{ name: nodeNameEnv, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }, ...env],
            enableReporting: false,
        },
        crds: { create: false },
    };
}
