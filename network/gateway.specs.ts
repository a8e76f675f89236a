/**
 * The stack's Gateway and the ReferenceGrants its listeners' certificates need, as pure functions
 * of GatewayArgs. A ReferenceGrant lives in the namespace of the object referred to and admits
 * references from another namespace: here, the Gateway's certificateRefs to a Secret elsewhere.
 * (A route attaching to a Gateway of another namespace needs that Gateway's allowedRoutes, not a
 * grant; the routes' backendRefs name Services of their own namespace, which need none.)
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GatewayArgs } from "./network.args";

export const gatewayGroup = "gateway.networking.k8s.io";

/** The Gateway's annotations: cert-manager's issuer when set (its gateway-shim then issues every HTTPS listener's certificate), then the configured ones. */
export function gatewayAnnotations(args: Pick<GatewayArgs, "certManagerClusterIssuer" | "annotations">): Record<string, string> {
    return { ...(args.certManagerClusterIssuer ? { "cert-manager.io/cluster-issuer": args.certManagerClusterIssuer } : {}), ...args.annotations };
}

/** The Gateway's spec: each listener with the namespaces it admits routes from, and an HTTPS one's TLS termination with its Secret. */
export function gatewaySpec(args: Pick<GatewayArgs, "className" | "listeners" | "allowedRoutesFrom">): Record<string, unknown> {
    return {
        gatewayClassName: args.className,
        listeners: args.listeners.map((l) => ({
            name: l.name,
            protocol: l.protocol,
            port: l.port,
            ...(l.hostname === undefined ? {} : { hostname: l.hostname }),
            allowedRoutes: { namespaces: { from: args.allowedRoutesFrom ?? "Same" } },
            ...(l.protocol === "HTTPS" && l.certificate
                ? { tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: l.certificate.name, ...(l.certificate.namespace ? { namespace: l.certificate.namespace } : {}) }] } }
                : {}),
        })),
    };
}

/** The ReferenceGrants the certificates in other namespaces need, one per namespace, each naming the Secrets there. */
export function certificateGrants(args: Pick<GatewayArgs, "listeners">, gatewayNamespace: pulumi.Input<string>): { namespace: string; spec: Record<string, unknown> }[] {
    const byNamespace = new Map<string, string[]>();
    for (const { certificate } of args.listeners) {
        if (certificate?.namespace === undefined) continue;
        byNamespace.set(certificate.namespace, [...new Set([...(byNamespace.get(certificate.namespace) ?? []), certificate.name])]);
    }
    return [...byNamespace].map(([namespace, secrets]) => ({
        namespace,
        spec: {
            from: [{ group: gatewayGroup, kind: "Gateway", namespace: gatewayNamespace }],
            to: secrets.map((name) => ({ group: "", kind: "Secret", name })),
        },
    }));
}
