/**
 * The rules of `gateway` (the Gateway CRD's CEL rules on listeners, and what cert-manager needs),
 * and of a route's attachment: a Gateway in another namespace admits routes only by its
 * listeners' allowedRoutes (a ReferenceGrant does not apply to parentRefs), and the data plane
 * must be admitted by the NetworkPolicies.
 */
import type { Problem } from "../validation/problem";
import type { ServiceConfig } from "../application/service.schema";
import type { GatewayConfig } from "./gateway.schema";
import type { NetworkPolicyConfig } from "./network.schema";

/** The Gateway CRD's limit on listeners (GatewaySpec.listeners maxItems). */
export const maxListeners = 64;

/** The stack's own Gateway: its class and listeners, unique names and port-protocol-hostname combinations, a host name for each certificate cert-manager issues. */
export function gatewayProblems(gateway: GatewayConfig): Problem[] {
    if (!gateway.create) return [];
    const problems: Problem[] = [];
    if (gateway.className === undefined) problems.push({ key: "gateway.className", given: undefined, expected: "the GatewayClass of the created Gateway, such as \"eg\" (Envoy Gateway), because gateway.create is true" });
    if (gateway.listeners.length === 0) problems.push({ key: "gateway.listeners", given: [], expected: "at least one listener, such as { name: https, protocol: HTTPS, port: 443, hostname: llm.example.com }, because gateway.create is true" });
    if (gateway.listeners.length > maxListeners) problems.push({ key: "gateway.listeners", given: `${gateway.listeners.length} listeners`, expected: `at most ${maxListeners} listeners (the Gateway API's limit)` });
    const names = new Map<string, number>();
    const combinations = new Map<string, number>();
    gateway.listeners.forEach((listener, l) => {
        const at = `gateway.listeners.${l}`;
        const first = names.get(listener.name);
        if (first === undefined) names.set(listener.name, l);
        else problems.push({ key: `${at}.name`, given: listener.name, expected: `a name no other listener has: Listener name must be unique within the Gateway (gateway.listeners.${first} has it)` });
        const combination = `${listener.port}/${listener.protocol}/${listener.hostname ?? ""}`;
        const same = combinations.get(combination);
        if (same === undefined) combinations.set(combination, l);
        else problems.push({ key: at, given: combination, expected: `another port, protocol or hostname: Combination of port, protocol and hostname must be unique for each listener (gateway.listeners.${same} has it)` });
        if (listener.protocol === "HTTP" && (listener.certificateSecret !== undefined || listener.certificateNamespace !== undefined)) {
            problems.push({ key: `${at}.certificateSecret`, given: listener.certificateSecret ?? listener.certificateNamespace, expected: "nothing on an HTTP listener: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']" });
        }
        if (listener.protocol === "HTTPS" && gateway.certManagerClusterIssuer !== undefined && listener.hostname === undefined) {
            problems.push({ key: `${at}.hostname`, given: undefined, expected: "a host name, because cert-manager issues a certificate only for an HTTPS listener with a hostname (gateway.certManagerClusterIssuer is set)" });
        }
    });
    return problems;
}

/** What the attachment rules read besides the services. */
export interface AttachmentContext {
    /** The stack's namespace name. */
    readonly namespace: string;
    /** The labels of the stack's namespace, when the program creates it (a shared Gateway's Selector must match them). */
    readonly namespaceLabels?: Readonly<Record<string, string>>;
    readonly gateway: GatewayConfig;
    readonly networkPolicy?: NetworkPolicyConfig;
}

/**
 * A parentRef to another namespace must name one of `gateway.shared` whose allowedRoutes admit
 * this namespace (All, or a Selector the namespace's labels match); one to the stack's own
 * namespace with the stack's Gateway is always admitted by allowedRoutes Same. With
 * NetworkPolicies on, routes need `networkPolicy.gatewayDataPlane`.
 */
export function attachmentProblems(services: Readonly<Record<string, ServiceConfig>>, context: AttachmentContext): Problem[] {
    const problems: Problem[] = [];
    const routed = Object.entries(services).filter(([, s]) => s.route.enabled);
    for (const [name, { route }] of routed) {
        route.parentRefs.forEach((parent, p) => {
            const key = `services.${name}.route.parentRefs.${p}`;
            if (parent.namespace === undefined || parent.namespace === context.namespace) return;
            const shared = context.gateway.shared.find((g) => g.name === parent.name && g.namespace === parent.namespace);
            const at = `${parent.namespace}/${parent.name}`;
            if (!shared) {
                problems.push({ key: `${key}.namespace`, given: parent.namespace, expected: `a Gateway listed in gateway.shared with the allowedRoutes it gives this namespace (${context.namespace}): ${at} in another namespace admits routes only by its listeners' allowedRoutes` });
            } else if (shared.allowedRoutes === "Same") {
                problems.push({ key: `${key}.namespace`, given: parent.namespace, expected: `a Gateway that admits routes from ${context.namespace}: ${at} admits only its own namespace's (allowedRoutes Same)` });
            } else if (shared.allowedRoutes === "Selector") {
                const labels = context.namespaceLabels;
                const missing = Object.entries(shared.namespaceLabels).filter(([k, v]) => labels !== undefined && labels[k] !== v);
                if (Object.keys(shared.namespaceLabels).length === 0) {
                    problems.push({ key: `gateway.shared`, given: at, expected: `the namespaceLabels ${at}'s allowedRoutes selector matches, because its allowedRoutes is Selector` });
                } else if (missing.length > 0) {
                    problems.push({ key: "namespace.labels", given: labels, expected: `the labels ${at}'s allowedRoutes selector matches (${missing.map(([k, v]) => `${k}: ${v}`).join(", ")}), because services.${name}.route attaches to it` });
                }
            }
        });
    }
    if (routed.length > 0 && context.networkPolicy?.enabled && context.networkPolicy.gatewayDataPlane === undefined) {
        problems.push({ key: "networkPolicy.gatewayDataPlane", given: undefined, expected: `the namespaceSelector and podSelector of the Gateway's proxy pods (docs/network.md lists them per implementation), because services.${routed[0][0]}.route is enabled and NetworkPolicies are on` });
    }
    return problems;
}
