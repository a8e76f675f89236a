/**
 * The rules of `services.<name>.route` the API server enforces on an HTTPRoute and GRPCRoute
 * (the Gateway API CRDs' maxItems and CEL validations, v1.x standard channel), checked before
 * anything is deployed, and the cross-namespace attachment the Gateway must allow.
 */
import type { Problem } from "../validation/problem";
import type { RouteConfig, ServiceConfig } from "./service.schema";

/** The CRDs' list limits: HTTPRouteSpec.parentRefs, .hostnames, .rules, HTTPRouteRule.matches, and the CEL total of matches. */
export const routeLimits = { parentRefs: 32, hostnames: 16, rules: 16, matchesPerRule: 64, matchesPerRoute: 128, headers: 16 } as const;

/** The CEL rules of HTTPPathMatch for Exact and PathPrefix, each with the message the API server gives. */
const pathRules: readonly [(value: string) => boolean, string][] = [
    [(v) => v.startsWith("/"), "must be an absolute path and start with '/'"],
    [(v) => !v.includes("//"), "must not contain '//'"],
    [(v) => !v.includes("/./"), "must not contain '/./'"],
    [(v) => !v.includes("/../"), "must not contain '/../'"],
    [(v) => !/%2f/i.test(v), "must not contain '%2f' or '%2F'"],
    [(v) => !v.includes("#"), "must not contain '#'"],
    [(v) => !v.endsWith("/.."), "must not end with '/..'"],
    [(v) => !v.endsWith("/."), "must not end with '/.'"],
    [(v) => /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(v), "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)"],
];

const tooMany = (key: string, given: unknown[], limit: number, what: string): Problem[] =>
    given.length > limit ? [{ key, given: `${given.length} ${what}`, expected: `at most ${limit} ${what} (the Gateway API's limit)` }] : [];

/** Each path match's value as its type takes it; a RegularExpression is the implementation's dialect, so only checked to compile. */
function pathProblems(at: string, path: RouteConfig["rules"][number]["matches"][number]["path"]): Problem[] {
    if (path.type === "RegularExpression") {
        try {
            new RegExp(path.value);
            return [];
        } catch {
            return [{ key: `${at}.value`, given: path.value, expected: "a regular expression (RE2 or the implementation's dialect) that compiles" }];
        }
    }
    const broken = pathRules.filter(([holds]) => !holds(path.value)).map(([, message]) => message);
    return broken.length > 0 ? [{ key: `${at}.value`, given: path.value, expected: `a ${path.type} path that ${broken.join("; ")}` }] : [];
}

/** A Gateway duration in milliseconds. */
export function durationMs(duration: string): number {
    const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    return [...duration.matchAll(/([0-9]+)(ms|h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

function ruleProblems(at: string, rule: RouteConfig["rules"][number]): Problem[] {
    const problems = [...tooMany(`${at}.matches`, rule.matches, routeLimits.matchesPerRule, "matches")];
    rule.matches.forEach((match, m) => problems.push(...pathProblems(`${at}.matches.${m}.path`, match.path)));
    const { request, backendRequest } = rule.timeouts;
    if (request !== undefined && backendRequest !== undefined && durationMs(request) !== 0 && durationMs(backendRequest) > durationMs(request)) {
        problems.push({ key: `${at}.timeouts.backendRequest`, given: backendRequest, expected: `at most timeouts.request (${request}): backendRequest timeout cannot be longer than request timeout` });
    }
    for (const side of ["requestHeaders", "responseHeaders"] as const) {
        const headers = rule[side];
        for (const list of ["set", "add"] as const) problems.push(...tooMany(`${at}.${side}.${list}`, Object.keys(headers[list]), routeLimits.headers, "headers"));
        problems.push(...tooMany(`${at}.${side}.remove`, headers.remove, routeLimits.headers, "headers"));
        const names = [...Object.keys(headers.set), ...Object.keys(headers.add), ...headers.remove].map((n) => n.toLowerCase());
        const twice = names.filter((n, i) => names.indexOf(n) !== i);
        if (twice.length > 0) problems.push({ key: `${at}.${side}`, given: [...new Set(twice)], expected: "each header name once across set, add and remove (header names are case-insensitive)" });
    }
    return problems;
}

/**
 * An enabled route needs a parent; the API server's limits on parents, host names, rules and
 * matches; each path by its type; a GRPCRoute's port among the Service's extra ports.
 */
export function routeProblems(key: string, service: ServiceConfig): Problem[] {
    const { route } = service;
    if (!route.enabled) return [];
    const at = `${key}.route`;
    const problems: Problem[] = [
        ...(route.parentRefs.length === 0 ? [{ key: `${at}.parentRefs`, given: [], expected: "at least one Gateway to attach to, such as [{ name: platform-gateway, namespace: gateway-system }]" }] : []),
        ...tooMany(`${at}.parentRefs`, route.parentRefs, routeLimits.parentRefs, "parentRefs"),
        ...tooMany(`${at}.hostnames`, route.hostnames, routeLimits.hostnames, "hostnames"),
        ...tooMany(`${at}.rules`, route.rules, routeLimits.rules, "rules"),
    ];
    const matches = route.rules.reduce((n, rule) => n + rule.matches.length, 0);
    if (matches > routeLimits.matchesPerRoute) problems.push({ key: `${at}.rules`, given: `${matches} matches`, expected: `at most ${routeLimits.matchesPerRoute} matches across all rules (the Gateway API's limit)` });
    route.rules.forEach((rule, r) => problems.push(...ruleProblems(`${at}.rules.${r}`, rule)));
    if (route.grpcPort !== undefined && !service.service.extraPorts.some((p) => p.name === route.grpcPort)) {
        problems.push({ key: `${at}.grpcPort`, given: route.grpcPort, expected: `the name of one of ${key}.service.extraPorts (${service.service.extraPorts.map((p) => p.name).join(", ") || "none"})` });
    }
    return problems;
}

/**
 * Two services' routes may not claim the same host and path (of one match type) on the same
 * Gateway: the Gateway API gives the match to the oldest route, silently, so the newer one never
 * gets that traffic.
 */
export function routeConflictProblems(services: Readonly<Record<string, ServiceConfig>>): Problem[] {
    const claimed = new Map<string, { service: string; key: string }>();
    const problems = new Map<string, Problem>();
    for (const [name, { route }] of Object.entries(services)) {
        if (!route.enabled) continue;
        const parents = route.parentRefs.map((p) => (p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`));
        const hosts = route.hostnames.length > 0 ? route.hostnames : ["*"];
        route.rules.forEach((rule, r) =>
            rule.matches.forEach((match, m) => {
                const key = `services.${name}.route.rules.${r}.matches.${m}.path`;
                for (const claim of parents.flatMap((parent) => hosts.map((host) => ({ parent, host })))) {
                    const id = `${claim.parent} ${claim.host} ${match.path.type} ${match.path.value}`;
                    const first = claimed.get(id);
                    if (first === undefined) claimed.set(id, { service: name, key });
                    else if (first.service !== name && !problems.has(key)) {
                        problems.set(key, { key, given: match.path.value, expected: `a path no other route of the stack claims on ${claim.parent} for ${claim.host}: ${first.key} already does` });
                    }
                }
            }),
        );
    }
    return [...problems.values()];
}
