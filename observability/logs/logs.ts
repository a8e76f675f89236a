import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../../lib/labels";
import { alloyChart, chartPodSelector, collectorPodSecurityLevel, grafanaPodSelector, lokiChart, lokiHttpPort } from "../../lib/monitoring-chart";
import { podSecurityEnforceLabel } from "../../lib/pod-security";
import { chartLocation } from "../../data-tier/chart-values";
import { lokiNetworkPolicySpec } from "../../network/network-policies";
import { chartWithObjects } from "../../platform/chart-objects";
import * as k8s from "../../platform/k8s";
import { alloyValues } from "./alloy.values";
import { LogsArgs } from "./logs.args";
import { credentialEnv, logsSecretName, lokiValues, withUpdateStrategyType } from "./loki.values";

/** Loki's StatefulSets with their update strategy's type written out (withUpdateStrategyType). */
const lokiStrategyTransform: pulumi.ResourceTransform = (args) => {
    const props = withUpdateStrategyType(args.type, args.props);
    return props === undefined ? undefined : { props, opts: args.opts };
};

/**
 * Logs: the stack's own Loki (from its chart, with the monitoring stack) and Grafana Alloy as a
 * DaemonSet shipping every node's pod logs to it, or to an existing Loki or OTLP endpoint; the
 * credentials they read, as a Secret in the monitoring namespace; Loki's NetworkPolicy. Each
 * chart is a helm.v4.Chart, its objects tracked like the data tier's.
 */
export class Logs extends pulumi.ComponentResource {
    /** The URNs of the charts' objects (platform/chart-objects.ts). */
    public readonly chartObjects: pulumi.Output<string[]>;

    constructor(name: string, args: LogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:observability:Logs", name, {}, opts);
        const labels = standardLabels({ name: "logs", instance: args.instance, component: "logs", partOf: args.partOf });
        const namespace = args.createNamespace
            ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.namespace, labels: { ...labels, [podSecurityEnforceLabel]: collectorPodSecurityLevel } } }, { parent: this })
            : undefined;
        const after = { parent: this, dependsOn: [...(namespace ? [namespace] : []), ...(args.monitoringStack ? [args.monitoringStack] : [])] };
        const owned = args.credentials.flatMap((c) => (c.source.kind === "pulumi" ? [{ key: c.dataKey, value: c.source.value }] : []));
        const secret = owned.length > 0
            ? new k8s.core.v1.Secret(`${name}-credentials`, {
                  metadata: { name: logsSecretName(args.instance), namespace: args.namespace, labels },
                  type: "Opaque",
                  stringData: Object.fromEntries(owned.map((c) => [c.key, pulumi.secret(c.value)])),
              }, after)
            : undefined;
        const env = credentialEnv(args.credentials, logsSecretName(args.instance));
        const withSecret = { ...after, dependsOn: [...after.dependsOn, ...(secret ? [secret] : [])] };
        const charts: pulumi.Output<string[]>[] = [];
        if (args.loki) {
            const loki = chartWithObjects(`${name}-loki`, { ...chartLocation(args.loki.chart), name: args.loki.release, namespace: args.namespace, values: lokiValues(args.loki, env) }, { ...withSecret, transforms: [lokiStrategyTransform] });
            charts.push(loki.objects);
            if (args.networkPolicy) {
                const clients = [chartPodSelector(alloyChart.name, args.collector.release), grafanaPodSelector];
                new k8s.networking.v1.NetworkPolicy(`${name}-loki`, {
                    metadata: { name: `${args.loki.release}-ingress`, namespace: args.namespace, labels },
                    spec: lokiNetworkPolicySpec(chartPodSelector(lokiChart.name, args.loki.release), clients, lokiHttpPort),
                }, after);
            }
        }
        const collector = chartWithObjects(`${name}-collector`, {
            ...chartLocation(args.collector.chart),
            name: args.collector.release,
            namespace: args.namespace,
            values: alloyValues(args.collector, args.instance, env),
        }, withSecret);
        charts.push(collector.objects);
        this.chartObjects = pulumi.all(charts).apply((lists) => lists.flat());
        this.registerOutputs({});
    }
}
