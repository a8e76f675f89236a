import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Labels } from "./labels";

export interface DestroyGuardArgs {
    /** The namespace of the guard's ConfigMap. */
    readonly namespace: pulumi.Input<string>;
    /**
     * Everything the guard protects: the stack's components (a component stands for every
     * resource in it). The guard depends on each of them, so the engine must delete it first.
     */
    readonly guards: pulumi.Resource[];
    /** Protect the guard: a destroy then fails before it deletes anything. */
    readonly protect: boolean;
    /** Labels of the guard's ConfigMap. */
    readonly labels: Labels;
}

/** What the guard's ConfigMap says to someone who finds it in the cluster. */
export const destroyGuardNote =
    "While this object is protected in the Pulumi stack, `pulumi destroy` deletes nothing. " +
    "To tear the stack down on purpose, see docs/data-tier.md#tearing-down-production.";

/**
 * A protected ConfigMap that depends on every other resource of the stack. A destroy deletes
 * dependents before what they depend on, so the engine's first delete is the guard's, which fails
 * because it is protected, before any other object is touched. Without it, a destroy of prod
 * deleted the application, its Ingress and every NetworkPolicy and only then stopped at the
 * protected data tier (issue #10): an outage.
 */
export class DestroyGuard extends pulumi.ComponentResource {
    constructor(name: string, args: DestroyGuardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:core:DestroyGuard", name, {}, opts);
        new k8s.core.v1.ConfigMap(name, {
            metadata: { name, namespace: args.namespace, labels: { ...args.labels } },
            data: { note: destroyGuardNote },
        }, { parent: this, dependsOn: args.guards, protect: args.protect });
        this.registerOutputs({});
    }
}
