import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../platform/k8s";
import { certificateGrants, gatewayAnnotations, gatewayGroup, gatewaySpec } from "./gateway.specs";
import type { GatewayArgs } from "./network.args";

/**
 * The Gateway (gateway.networking.k8s.io/v1) a stack owns, for a cluster where the application
 * team runs its own: its listeners, cert-manager's issuer for the HTTPS ones, and a
 * ReferenceGrant in each other namespace that holds one of their certificates. The routes attach
 * to it by name; the provider doesn't wait for the controller to program it (no Ready condition
 * in the generic await's sense until the controller writes status.conditions Programmed).
 */
export class Gateway extends pulumi.ComponentResource {
    /** The Gateway's name, which a route's parentRefs name. */
    public readonly gatewayName: pulumi.Output<string>;

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:network:Gateway", name, {}, opts);
        const gateway = new k8s.apiextensions.CustomResource(`${name}-gateway`, {
            apiVersion: `${gatewayGroup}/v1`,
            kind: "Gateway",
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels, annotations: gatewayAnnotations(args) },
            spec: gatewaySpec(args),
        }, { parent: this });
        for (const grant of certificateGrants(args, args.namespace)) {
            new k8s.apiextensions.CustomResource(`${name}-grant-${grant.namespace}`, {
                apiVersion: `${gatewayGroup}/v1`,
                kind: "ReferenceGrant",
                // Named for the stack too: the grant lives in a namespace other stacks may grant from as well.
                metadata: { name: `${args.labels["app.kubernetes.io/instance"]}-${args.name}-certificates`, namespace: grant.namespace, labels: args.labels },
                spec: grant.spec,
            }, { parent: this });
        }
        this.gatewayName = gateway.metadata.name;
        this.registerOutputs({ gatewayName: this.gatewayName });
    }
}
