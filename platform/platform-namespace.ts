import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../lib/labels";
import * as k8s from "./k8s";
import { namespacePolicies } from "../network/network-policies";
import { PlatformNamespaceArgs } from "./platform.args";

/**
 * The stack's namespace, created or adopted by name, and its namespace-level NetworkPolicies
 * (network-policies.ts `namespacePolicies`): the default-deny, with which a pod receives and sends
 * only what some NetworkPolicy allows, and the ACME solver's allowance.
 */
export class PlatformNamespace extends pulumi.ComponentResource {
    /** The namespace's name; depending on it orders objects after the namespace exists. */
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:core:PlatformNamespace", name, {}, opts);
        const create = args.create ?? true;
        const labels = { "app.kubernetes.io/part-of": args.partOf, "app.kubernetes.io/managed-by": managedBy };

        if (create) {
            const namespace = new k8s.core.v1.Namespace(name, {
                metadata: {
                    name: args.name,
                    labels: { ...labels, ...(args.labels ?? {}) },
                    annotations: args.annotations ?? {},
                },
            }, { parent: this });
            this.name = namespace.metadata.name;
        } else {
            this.name = pulumi.output(args.name);
        }

        if (args.defaultDeny ?? false) {
            const policies = namespacePolicies({ created: create, instance: args.instance, partOf: args.partOf, dataStores: args.dataStores, acmeSolverIngressFrom: args.acmeSolverIngressFrom });
            for (const policy of policies) {
                new k8s.networking.v1.NetworkPolicy(`${name}-${policy.suffix}`, {
                    metadata: { name: policy.name, namespace: this.name, labels },
                    spec: policy.spec,
                }, { parent: this });
            }
        }
        this.registerOutputs({ name: this.name });
    }
}
