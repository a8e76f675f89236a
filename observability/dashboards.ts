import * as pulumi from "@pulumi/pulumi";
import type { ServiceTarget } from "../lib/alert-catalog";
import { standardLabels } from "../lib/labels";
import { DashboardSpec, buildDashboard, dataTierDashboard, serviceDashboard, stableJson } from "./dashboards.specs";
import * as k8s from "../platform/k8s";
import { DashboardsArgs, SloSpec } from "./observability.args";
import { sloDashboardRow } from "./slo.specs";

/** The dashboards of a stack, each with the key that names its ConfigMap ("service-<name>", "data-tier"). */
export function dashboardSpecs(args: Pick<DashboardsArgs, "instance" | "services" | "slos" | "postgresql" | "redis" | "logs">): { key: string; spec: DashboardSpec }[] {
    const dataTier = dataTierDashboard(args, args.instance);
    const logs = args.logs ? { instance: args.instance } : undefined;
    const withSlos = (s: ServiceTarget, spec: DashboardSpec, slos: readonly SloSpec[] = []): DashboardSpec => (slos.length === 0 ? spec : { ...spec, rows: [...spec.rows, sloDashboardRow(s, slos)] });
    return [
        ...args.services.map((s) => ({ key: `service-${s.name}`, spec: withSlos(s, serviceDashboard(s, args.instance, logs), args.slos?.[s.name]) })),
        ...(dataTier ? [{ key: "data-tier", spec: dataTier }] : []),
    ];
}

/**
 * Grafana dashboards as code: each a ConfigMap with the dashboard's JSON, the sidecar's label and
 * the folder annotation, which the Grafana dashboard sidecar (kube-prometheus-stack's grafana)
 * loads. The ConfigMaps are named, and their JSON is deterministic, so a second preview shows no
 * change.
 */
export class Dashboards extends pulumi.ComponentResource {
    /** The ConfigMaps' names. */
    public readonly configMaps: pulumi.Output<string>[];

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:observability:Dashboards", name, {}, opts);
        const labels = { ...standardLabels({ name: "grafana-dashboard", instance: args.instance, component: "dashboard", partOf: args.partOf }), ...args.labels };
        this.configMaps = dashboardSpecs(args).map(({ key, spec }) => {
            const configMap = new k8s.core.v1.ConfigMap(`${name}-${key}`, {
                metadata: { name: `grafana-dashboard-${key}`, namespace: args.namespace, labels, annotations: { ...args.annotations } },
                data: { [`${spec.uid}.json`]: stableJson(buildDashboard(spec)) },
            }, { parent: this });
            return configMap.metadata.name;
        });
        this.registerOutputs({ configMaps: this.configMaps });
    }
}
