/**
 * The schema of `gateway`: the Gateway (gateway.networking.k8s.io/v1) this stack owns, for
 * clusters where the application team runs its own, and the shared Gateways of other namespaces
 * its routes attach to, with how each admits this namespace's routes.
 */
import { z } from "../validation/zod";
import { annotations, gatewayHostname, kubernetesName, labels, objectName, port } from "../validation/primitives";

/** One listener of the stack's Gateway: HTTPS terminates TLS with a certificate cert-manager issues into `certificateSecret`. */
const listenerSchema = z.strictObject({
    /** The listener's name, which a route's parentRefs[].sectionName selects. */
    name: kubernetesName("dns1123Subdomain", "https"),
    protocol: z.enum(["HTTP", "HTTPS"]).default("HTTPS"),
    port: port.default(443),
    /** The host (or "*.domain") this listener takes; unset: every host. cert-manager needs one on an HTTPS listener. */
    hostname: gatewayHostname.optional(),
    /** The TLS Secret of an HTTPS listener (certificateRefs); unset: "<gateway name>-<listener name>-tls". */
    certificateSecret: objectName("llm-example-com-tls").optional(),
    /** The namespace of that Secret; unset: the stack's. Another one needs a ReferenceGrant there, which this stack creates only in its own namespace. */
    certificateNamespace: kubernetesName("dns1123Label", "cert-store").optional(),
});

/** A Gateway of another namespace this stack's routes attach to, as the platform team configured it. */
const sharedGatewaySchema = z.strictObject({
    name: objectName("platform-gateway"),
    namespace: kubernetesName("dns1123Label", "gateway-system"),
    /** Which namespaces its listeners' allowedRoutes admit: All, or a Selector that matches the stack's namespace labels (`namespaceLabels`). Same would refuse this stack's routes. */
    allowedRoutes: z.enum(["All", "Selector", "Same"]),
    /** With Selector: the labels its allowedRoutes.namespaces.selector matches, which the stack's namespace must carry. */
    namespaceLabels: labels.default({}),
});

export const gatewaySchema = z.strictObject({
    /** Create a Gateway in the stack's namespace (off: the routes attach to a Gateway the platform owns). */
    create: z.boolean().default(false),
    /** The created Gateway's name. */
    name: objectName("platform-gateway").default("platform-gateway"),
    /** The GatewayClass of the created Gateway: "eg" (Envoy Gateway), "cilium", "istio", "nginx", "traefik"… Required with create. */
    className: objectName("eg").optional(),
    listeners: z.array(listenerSchema).default([]),
    /** The cert-manager ClusterIssuer that issues the HTTPS listeners' certificates (cert-manager.io/cluster-issuer). */
    certManagerClusterIssuer: objectName("letsencrypt-prod").optional(),
    /** The namespaces the created Gateway admits routes from (allowedRoutes.namespaces.from): Same (this stack's), or All. */
    allowedRoutesFrom: z.enum(["Same", "All"]).default("Same"),
    annotations: annotations.default({}),
    /** Gateways of other namespaces the routes attach to; a route's parentRef to another namespace must name one of these. */
    shared: z.array(sharedGatewaySchema).default([]),
});
export type GatewayConfig = z.infer<typeof gatewaySchema>;
