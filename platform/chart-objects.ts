/**
 * The objects a helm.v4.Chart creates, by URN. The Kubernetes provider registers them itself (the
 * chart is a remote component), so a dependency on the chart, or on a component that holds it,
 * doesn't reach them: the SDK stops at remote components. That is enough to create things in
 * order, but not to delete them in order: the destroy guard must depend on each object, or a
 * `pulumi destroy` of prod deletes the charts' unprotected objects (Services, Redis) beside the
 * refused guard (found by the e2e's first run with the real engine and providers, docs/e2e.md).
 *
 * A transform on the chart sees every object as the engine registers it; the URNs follow from the
 * chart's own URN, which the engine returns once the chart has registered its objects. (The chart's
 * `resources` output can't stand in: the SDK rehydrates an object of a custom resource kind, such
 * as a ServiceMonitor, as its ID, not as a resource with a URN.) The recorder and the chart's own
 * transforms are one composed transform: the engine calls each transform back in the program once
 * per object.
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

/**
 * One transform that applies `transforms` in order as the engine applies several: each sees the
 * props and options the one before it returned, and `undefined` leaves them as they were. The engine
 * calls each transform of a chart back in the program once per object, so one composed transform
 * instead of several is one call per object instead of several (docs/performance.md).
 */
export function composeTransforms(transforms: readonly pulumi.ResourceTransform[]): pulumi.ResourceTransform {
    return async (args) => {
        let current: pulumi.ResourceTransformArgs = args;
        let changed = false;
        for (const transform of transforms) {
            const result = await transform(current);
            if (result === undefined) continue;
            current = { ...current, props: result.props, opts: result.opts };
            changed = true;
        }
        return changed ? { props: current.props, opts: current.opts } : undefined;
    };
}

/**
 * A chart's Role or ClusterRole with `rules: []` left out: the API server drops an empty list there
 * and stores no `rules`, so the object the provider sends would differ from the one it reads back
 * on every preview (a perpetual diff; grafana's Role and Loki's ClusterRole render it so when their
 * RBAC has nothing to grant). Other objects are unchanged (undefined).
 */
export function withoutEmptyRules(type: string, props: Record<string, any>): Record<string, any> | undefined {
    if (type !== "kubernetes:rbac.authorization.k8s.io/v1:Role" && type !== "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole") return undefined;
    if (!Array.isArray(props?.rules) || props.rules.length > 0) return undefined;
    return Object.fromEntries(Object.entries(props).filter(([key]) => key !== "rules"));
}

/** withoutEmptyRules as a chart transform. */
const emptyRulesTransform: pulumi.ResourceTransform = (args) => {
    const props = withoutEmptyRules(args.type, args.props);
    return props ? { props, opts: args.opts } : undefined;
};

/**
 * Creates a helm.v4.Chart whose one transform applies its own (`opts.transforms`) and
 * withoutEmptyRules, then records its objects (ChartObjects).
 */
export function chartWithObjects(name: string, args: k8s.helm.v4.ChartArgs, opts: pulumi.ComponentResourceOptions): ChartWithObjects {
    const objects = new ChartObjects();
    const transform = composeTransforms([...(opts.transforms ?? []), emptyRulesTransform, objects.transform]);
    const chart = new k8s.helm.v4.Chart(name, args, { ...opts, transforms: [transform] });
    return { chart, objects: objects.urnsOf(chart) };
}
