import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { podSecurityEnforceLabel } from "../lib/pod-security";
import { chartWithObjects } from "../platform/chart-objects";
import { chartLocation } from "../data-tier/chart-values";
import * as k8s from "../platform/k8s";
import { kubePrometheusStackValues } from "./monitoring-stack.values";
import { MonitoringStackArgs } from "./observability.args";

/**
 * kube-prometheus-stack for clusters that have no Prometheus (dev clusters): the Prometheus
 * Operator and its CRDs, Prometheus, Alertmanager, Grafana with its dashboard sidecar,
 * kube-state-metrics and node-exporter, as a helm.v4.Chart in its own namespace. Objects of
 * its CRDs (ServiceMonitors, PrometheusRules) must wait for `chart`.
 */
export class MonitoringStack extends pulumi.ComponentResource {
    /** The release; what the stack's ServiceMonitors and PrometheusRules wait for. */
    public readonly chart: k8s.helm.v4.Chart;
    /** The URNs of the chart's objects (platform/chart-objects.ts). */
    public readonly chartObjects: pulumi.Output<string[]>;

    constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:observability:MonitoringStack", name, {}, opts);
        const namespace = args.createNamespace
            ? new k8s.core.v1.Namespace(`${name}-namespace`, {
                  metadata: {
                      name: args.namespace,
                      labels: {
                          ...standardLabels({ name: "monitoring", instance: args.instance, component: "monitoring", partOf: args.partOf }),
                          ...(args.podSecurity === undefined ? {} : { [podSecurityEnforceLabel]: args.podSecurity }),
                      },
                  },
              }, { parent: this })
            : undefined;
        const { chart, objects } = chartWithObjects(`${name}-chart`, {
            ...chartLocation(args.chart),
            name: args.release,
            namespace: args.namespace,
            values: kubePrometheusStackValues(args),
        }, { parent: this, dependsOn: namespace ? [namespace] : [] });
        this.chart = chart;
        this.chartObjects = objects;
        this.registerOutputs({});
    }
}
