import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import * as k8s from "./k8s";
import { DestroyGuardArgs } from "./platform.args";

/** What the guard's ConfigMap says to someone who finds it in the cluster. */
export const destroyGuardNote =
    "While this object is protected in the Pulumi stack, `pulumi destroy` deletes nothing. " +
    "To tear the stack down on purpose, see docs/data-tier.md#tearing-down-production.";

/**
 * A protected ConfigMap that depends on every other resource of the stack, the charts' objects
 * included. A destroy deletes dependents before what they depend on, so the engine's first delete
 * is the guard's, which fails because it is protected, before any other object is touched. Without
 * it, a destroy of prod deleted the application, its Ingress and every NetworkPolicy and only then
 * stopped at the protected data tier (issue #10): an outage. Without the charts' objects, it
 * deleted the charts' Services and Redis beside the refused guard.
 */
export class DestroyGuard extends pulumi.ComponentResource {
    /** The guard ConfigMap's name. */
    public readonly configMapName: pulumi.Output<string>;

    constructor(name: string, args: DestroyGuardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:core:DestroyGuard", name, {}, opts);
        const labels = standardLabels({ name: "destroy-guard", instance: args.instance, component: "destroy-guard", partOf: args.partOf });
        const guards = args.guards.filter((guard): guard is pulumi.Resource => guard !== undefined);
        const chartObjects = pulumi.all(args.chartObjects.filter((o): o is pulumi.Output<string[]> => o !== undefined));
        // A DependencyResource is the SDK's stand-in for a resource known by its URN only: nothing is registered.
        const dependsOn = chartObjects.apply((lists) => [...guards, ...lists.flat().map((urn) => new pulumi.DependencyResource(urn))]);
        const configMap = new k8s.core.v1.ConfigMap(name, {
            metadata: { name, namespace: args.namespace, labels },
            data: { note: destroyGuardNote },
        }, { parent: this, dependsOn, protect: args.protect });
        this.configMapName = configMap.metadata.name;
        this.registerOutputs({ configMapName: this.configMapName });
    }
}
