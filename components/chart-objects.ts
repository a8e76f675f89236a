/**
 * The objects a helm.v4.Chart creates, by URN. The Kubernetes provider registers them itself (the
 * chart is a remote component), so a dependency on the chart, or on a component that holds it,
 * doesn't reach them: the SDK stops at remote components. That is enough to create things in
 * order, but not to delete them in order: the destroy guard must depend on each object, or a
 * `pulumi destroy` of prod deletes the charts' unprotected objects (Services, Redis) beside the
 * refused guard (found by the e2e's first run with the real engine and providers, docs/e2e.md).
 *
 * A transform on the chart sees every object as the engine registers it; the URNs follow from the
 * chart's own URN, which the engine returns once the chart has registered its objects.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./k8s";

/** The URN of a resource `name` of `type` whose parent's URN is `parentUrn`. */
export function childUrn(parentUrn: string, type: string, name: string): string {
    const parts = parentUrn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a URN: ${parentUrn}`);
    const [stackPart, project, parentType] = parts;
    return `${stackPart}::${project}::${parentType}$${type}::${name}`;
}

/** Records the objects of the charts it is given to, as their transforms see them. */
export class ChartObjects {
    private readonly seen = new Map<string, { type: string; name: string }>();

    /** The chart's transform: records each custom resource (the objects, not the chart itself); changes nothing. */
    public readonly transform: pulumi.ResourceTransform = (args) => {
        if (args.custom) this.seen.set(`${args.type}::${args.name}`, { type: args.type, name: args.name });
        return undefined;
    };

    /** The URNs of the objects of `chart` (known once the chart's own URN is, after its objects were registered). */
    public urnsOf(chart: pulumi.Resource): pulumi.Output<string[]> {
        return chart.urn.apply((urn) => [...this.seen.values()].map((o) => childUrn(urn, o.type, o.name)).sort());
    }
}

/** A helm.v4.Chart and the URNs of its objects (what the destroy guard depends on). */
export interface ChartWithObjects {
    readonly chart: k8s.helm.v4.Chart;
    readonly objects: pulumi.Output<string[]>;
}

/** Creates a helm.v4.Chart with a ChartObjects transform beside its own (`opts.transforms`). */
export function chartWithObjects(name: string, args: k8s.helm.v4.ChartArgs, opts: pulumi.ComponentResourceOptions): ChartWithObjects {
    const objects = new ChartObjects();
    const chart = new k8s.helm.v4.Chart(name, args, { ...opts, transforms: [...(opts.transforms ?? []), objects.transform] });
    return { chart, objects: objects.urnsOf(chart) };
}
