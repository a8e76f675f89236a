/**
 * From the validated `namespace` section (and what decides its policies) to what
 * PlatformNamespace and DestroyGuard take. Runs only on config that passed validation.
 */
import type { StackIdentity } from "../lib/labels";
import { podSecurityEnforceLabel } from "../lib/pod-security";
import type { ServiceConfig } from "../application/service.schema";
import type { GatewayConfig } from "../network/gateway.schema";
import type { PeerSelector } from "../network/network.args";
import type { NetworkPolicyConfig } from "../network/network.schema";
import type { Environment } from "../validation/primitives";
import type { NamespaceConfig } from "./namespace.schema";
import type { DestroyGuardArgs, PlatformNamespaceArgs } from "./platform.args";

/** A created namespace's labels: the configured ones, and the Pod Security level namespace.podSecurity sets. */
export function namespaceLabels(namespace: NamespaceConfig): Record<string, string> {
    return namespace.podSecurity === undefined ? namespace.labels : { ...namespace.labels, [podSecurityEnforceLabel]: namespace.podSecurity };
}

/** The Ingress annotations by which cert-manager issues a certificate for it. */
const certManagerIssuerAnnotations = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"];

/**
 * Whether cert-manager will run HTTP-01 solver pods in the namespace: the platform's
 * NetworkPolicies are on, the stack solves ACME challenges over HTTP, and some service's Ingress
 * names an issuer. (A non-ACME issuer runs no solver; the program can't tell them apart by name.)
 */
export function needsAcmeHttp01Solver(config: { readonly networkPolicy: NetworkPolicyConfig; readonly services: Readonly<Record<string, ServiceConfig>> }): boolean {
    if (!config.networkPolicy.enabled || config.networkPolicy.acmeChallenge !== "http01") return false;
    return Object.values(config.services).some(
        ({ ingress }) => ingress.enabled && (ingress.certManagerClusterIssuer !== undefined || certManagerIssuerAnnotations.some((key) => key in ingress.annotations)),
    );
}

/**
 * Whether cert-manager will solve HTTP-01 challenges for the stack's own Gateway in the namespace:
 * the Gateway is created with an issuer and an HTTPS listener, so cert-manager's gateway-shim
 * makes the Certificate (and its solver pods, served through the Gateway by a gatewayHTTPRoute
 * solver) beside it. A shared Gateway's certificates are solved in its namespace, not here.
 */
export function needsGatewayHttp01Solver(config: { readonly networkPolicy: NetworkPolicyConfig; readonly gateway: GatewayConfig }): boolean {
    const { networkPolicy, gateway } = config;
    if (!networkPolicy.enabled || networkPolicy.acmeChallenge !== "http01") return false;
    return gateway.create && gateway.certManagerClusterIssuer !== undefined && gateway.listeners.some((l) => l.protocol === "HTTPS");
}

/** The peers cert-manager's solver pods admit: the ingress controller for an Ingress's challenges, the Gateway's data plane for the stack's Gateway's. */
export function acmeSolverPeers(config: Parameters<typeof needsAcmeHttp01Solver>[0] & Parameters<typeof needsGatewayHttp01Solver>[0]): PeerSelector[] {
    const { networkPolicy } = config;
    return [
        ...(needsAcmeHttp01Solver(config) ? [networkPolicy.ingressController] : []),
        ...(needsGatewayHttp01Solver(config) && networkPolicy.gatewayDataPlane ? [networkPolicy.gatewayDataPlane] : []),
    ];
}

/** The stack's namespace: its name is namespace.name, else "<project>-<stack>". */
export function namespaceName(namespace: NamespaceConfig, identity: StackIdentity): string {
    return namespace.name ?? identity.instance;
}

/** PlatformNamespace's args. */
export function resolveNamespace(
    config: { readonly namespace: NamespaceConfig; readonly postgresql: { readonly enabled: boolean }; readonly redis: { readonly enabled: boolean } } & Parameters<typeof acmeSolverPeers>[0],
    identity: StackIdentity,
): PlatformNamespaceArgs {
    const { namespace, networkPolicy } = config;
    const solverPeers = acmeSolverPeers(config);
    return {
        ...identity,
        name: namespaceName(namespace, identity),
        create: namespace.create,
        labels: namespaceLabels(namespace),
        annotations: namespace.annotations,
        defaultDeny: networkPolicy.enabled,
        dataStores: (["postgresql", "redis"] as const).filter((store) => config[store].enabled),
        acmeSolverIngressFrom: solverPeers.length > 0 ? solverPeers : undefined,
    };
}

/**
 * DestroyGuard's args, in production: a guard every component depends on, so `pulumi destroy`
 * must delete it first; protected (with data safety on for either store), the destroy fails
 * before deleting anything.
 */
export function resolveDestroyGuard(environment: Environment, identity: StackIdentity, dataProtected: boolean): Omit<DestroyGuardArgs, "namespace" | "guards" | "chartObjects"> | undefined {
    return environment === "production" ? { ...identity, protect: dataProtected } : undefined;
}
