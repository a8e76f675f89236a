import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Labels, managedBy } from "../lib/labels";

export interface PlatformNamespaceArgs {
    /** The namespace's name. */
    readonly name: string;
    /** Create it (true) or use one that already exists (false). @default true */
    readonly create?: boolean;
    /** Extra labels on a created namespace, e.g. Pod Security admission labels. @default {} */
    readonly labels?: Labels;
    /** Extra annotations on a created namespace. @default {} */
    readonly annotations?: Record<string, string>;
    /** Deny all pod traffic in the namespace that a NetworkPolicy does not allow. @default false */
    readonly defaultDeny?: boolean;
    /** app.kubernetes.io/part-of of the objects created. */
    readonly partOf: string;
}

/**
 * The stack's namespace, created or adopted by name, and its default-deny NetworkPolicy: with it,
 * a pod receives and sends only what some NetworkPolicy allows, whoever created the pod.
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
            new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
                metadata: { name: "default-deny", namespace: this.name, labels },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            }, { parent: this });
        }
        this.registerOutputs({ name: this.name });
    }
}
