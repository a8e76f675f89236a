import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { podSecurityEnforceLabel } from "../lib/pod-security";
import { chartWithObjects } from "../platform/chart-objects";
import { chartLocation } from "../data-tier/chart-values";
import { generatedPassword } from "../data-tier/data-store";
import * as k8s from "../platform/k8s";
import { kubePrometheusStackValues } from "./monitoring-stack.values";
import { GrafanaSpec, MonitoringStackArgs } from "./observability.args";

/** The HTTPRoute's spec: every request to the chart's Grafana Service ("<release>-grafana", port 80). */
export function grafanaRouteSpec(release: string, route: NonNullable<GrafanaSpec["route"]>): Record<string, unknown> {
    return {
        parentRefs: route.parentRefs.map((p) => ({ ...p })),
        ...(route.hostnames.length > 0 ? { hostnames: [...route.hostnames] } : {}),
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: `${release}-grafana`, port: 80 }] }],
    };
}

/**
 * kube-prometheus-stack for clusters that have no Prometheus (dev clusters): the Prometheus
 * Operator and its CRDs, Prometheus, Alertmanager, Grafana with its dashboard sidecar,
 * kube-state-metrics and node-exporter, as a helm.v4.Chart in its own namespace. Objects of
 * its CRDs (ServiceMonitors, PrometheusRules) must wait for `chart`.
 */
export class MonitoringStack extends pulumi.ComponentResource {
    /** The release; what the stack's ServiceMonitors and PrometheusRules wait for. */
    public readonly chart: k8s.helm.v4.Chart;
    /** The Secret holding Grafana's admin user and password, in the release's namespace. */
    public readonly grafanaAdminSecret: string;
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
        const admin = args.grafana.admin.generated ? this.grafanaAdmin(name, args, namespace) : undefined;
        const { chart, objects } = chartWithObjects(`${name}-chart`, {
            ...chartLocation(args.chart),
            name: args.release,
            namespace: args.namespace,
            values: kubePrometheusStackValues(args),
            // The chart's crds/ (the Prometheus Operator's CRDs), unless the cluster has them already.
            ...(args.installCrds ? {} : { skipCrds: true }),
        }, { parent: this, dependsOn: [...(namespace ? [namespace] : []), ...(admin ? [admin] : [])] });
        if (args.grafana.route) {
            new k8s.apiextensions.CustomResource(`${name}-grafana-route`, {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: `${args.release}-grafana`, namespace: args.namespace, labels: standardLabels({ name: "grafana", instance: args.instance, component: "monitoring", partOf: args.partOf }) },
                spec: grafanaRouteSpec(args.release, args.grafana.route),
            }, { parent: this, dependsOn: namespace ? [namespace] : [] });
        }
        this.chart = chart;
        this.chartObjects = objects;
        this.grafanaAdminSecret = args.grafana.admin.secretName;
        this.registerOutputs({ grafanaAdminSecret: this.grafanaAdminSecret });
    }

    /** Grafana's admin password, generated once and kept (encrypted) in state, in a Secret of the release's namespace that the chart reads. */
    private grafanaAdmin(name: string, args: MonitoringStackArgs, namespace: k8s.core.v1.Namespace | undefined): k8s.core.v1.Secret {
        const password = generatedPassword(`${name}-grafana-admin-password`, 0, { parent: this });
        const { secretName, userKey, passwordKey } = args.grafana.admin;
        return new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: secretName, namespace: args.namespace, labels: standardLabels({ name: "grafana", instance: args.instance, component: "monitoring", partOf: args.partOf }) },
            type: "Opaque",
            stringData: { [userKey]: "admin", [passwordKey]: password.result },
        }, { parent: this, dependsOn: namespace ? [namespace] : [] });
    }
}
