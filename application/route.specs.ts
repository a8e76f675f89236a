/**
 * The Gateway API routes of a service (gateway.networking.k8s.io/v1): the HTTPRoute to its http
 * port and the GRPCRoute to a port that speaks gRPC, as pure functions of its validated section.
 */
import type { RouteConfig, ServiceConfig } from "./service.schema";

export const gatewayApiVersion = "gateway.networking.k8s.io/v1";

type HeaderModifier = RouteConfig["rules"][number]["requestHeaders"];

/** A ParentReference; its group and kind are the Gateway's defaults, so they are left out. */
export function parentRefs(route: RouteConfig): Record<string, unknown>[] {
    return route.parentRefs.map((p) => ({
        name: p.name,
        ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
        ...(p.sectionName === undefined ? {} : { sectionName: p.sectionName }),
        ...(p.port === undefined ? {} : { port: p.port }),
    }));
}

/** An HTTPHeaderFilter from config's maps, or undefined when it changes nothing. */
export function headerFilter(headers: HeaderModifier): Record<string, unknown> | undefined {
    const pairs = (map: Record<string, string>) => Object.entries(map).map(([name, value]) => ({ name, value }));
    const filter = {
        ...(Object.keys(headers.set).length > 0 ? { set: pairs(headers.set) } : {}),
        ...(Object.keys(headers.add).length > 0 ? { add: pairs(headers.add) } : {}),
        ...(headers.remove.length > 0 ? { remove: headers.remove } : {}),
    };
    return Object.keys(filter).length > 0 ? filter : undefined;
}

/** A rule's filters: the request header changes, then the response's. */
function filters(rule: RouteConfig["rules"][number]): Record<string, unknown>[] {
    const request = headerFilter(rule.requestHeaders);
    const response = headerFilter(rule.responseHeaders);
    return [
        ...(request ? [{ type: "RequestHeaderModifier", requestHeaderModifier: request }] : []),
        ...(response ? [{ type: "ResponseHeaderModifier", responseHeaderModifier: response }] : []),
    ];
}

/**
 * The HTTPRoute's spec: every rule to the Service's http port (a backendRef names the Service
 * and its port number: the Gateway API has no port names), with its matches, timeouts and filters.
 */
export function httpRouteSpec(service: ServiceConfig, serviceName: string): Record<string, unknown> {
    const { route } = service;
    return {
        parentRefs: parentRefs(route),
        ...(route.hostnames.length > 0 ? { hostnames: route.hostnames } : {}),
        rules: route.rules.map((rule) => {
            const ruleFilters = filters(rule);
            const timeouts = Object.fromEntries(Object.entries(rule.timeouts).filter(([, v]) => v !== undefined));
            return {
                matches: rule.matches.map((m) => ({ path: { type: m.path.type, value: m.path.value } })),
                ...(ruleFilters.length > 0 ? { filters: ruleFilters } : {}),
                ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
                backendRefs: [{ name: serviceName, port: service.ports.http }],
            };
        }),
    };
}

/** The GRPCRoute's spec, when `route.grpcPort` names one of the Service's extra ports: every method to that port. */
export function grpcRouteSpec(service: ServiceConfig, serviceName: string): Record<string, unknown> | undefined {
    const { route } = service;
    const port = route.grpcPort === undefined ? undefined : service.service.extraPorts.find((p) => p.name === route.grpcPort);
    if (!route.enabled || !port) return undefined;
    return {
        parentRefs: parentRefs(route),
        ...(route.hostnames.length > 0 ? { hostnames: route.hostnames } : {}),
        rules: [{ backendRefs: [{ name: serviceName, port: port.port }] }],
    };
}

/** The URL of a route: its first host name and the first rule's first path (a prefix or exact path; a regular expression gives "/"). */
export function routeUrl(route: RouteConfig): string | undefined {
    const host = route.enabled ? route.hostnames[0] : undefined;
    if (host === undefined || host.startsWith("*.")) return undefined;
    const path = route.rules[0]?.matches[0]?.path;
    return `${route.scheme}://${host}${path && path.type !== "RegularExpression" ? path.value : "/"}`;
}
