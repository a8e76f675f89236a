import * as pulumi from "@pulumi/pulumi";
import { Labels, managedBy } from "../lib/labels";
import * as k8s from "./k8s";
import { PeerSelector, namespacePolicies } from "../network/network-policies";

export interface PlatformNamespaceArgs {
    /** The namespace's name. */
    readonly name: string;
    /** Create it (true) or use one that already exists (false). @default true */
    readonly create?: boolean;
    /** Extra labels on a created namespace, e.g. Pod Security admission labels. @default {} */
    readonly labels?: Labels;
    /** Extra annotations on a created namespace. @default {} */
    readonly annotations?: Record<string, string>;
    /**
     * Deny the pod traffic that a NetworkPolicy does not allow: for every pod of a created
     * namespace, for the stack's own pods only in one that exists. @default false
     */
    readonly defaultDeny?: boolean;
    /** app.kubernetes.io/part-of of the objects created. */
    readonly partOf: string;
    /** app.kubernetes.io/instance of the stack's pods: selects them, and names its policies, in a shared namespace. */
    readonly instance: string;
    /**
     * With the default-deny, admit this peer (the ingress controller) to cert-manager's ACME
     * HTTP-01 solver pods on the solver port. @default no solver policy
     */
    readonly acmeSolverIngressFrom?: PeerSelector;
}

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
            const policies = namespacePolicies({ created: create, instance: args.instance, partOf: args.partOf, acmeSolverIngressFrom: args.acmeSolverIngressFrom });
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
