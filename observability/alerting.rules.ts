/** The rules of alerting: the services' SLOs (`services.<name>.slo`) and Alertmanager's routing (`monitoring.alertmanager`). */
import { Problem, closeMatch, described } from "../validation/problem";
import { AlertmanagerConfigSection, effectiveRoute, receiverKinds } from "./alerting.schema";
import type { Environment } from "../validation/primitives";
import type { ServiceConfig } from "../application/service.schema";
import type { MonitoringConfig } from "./monitoring.schema";

/** Whether a stack's alerts (the PrometheusRules) exist: with monitoring, unless monitoring.alerts.enabled says otherwise; by default off in development. */
export function alertsEnabled(monitoring: Pick<MonitoringConfig, "enabled" | "alerts">, environment: Environment | undefined): boolean {
    return monitoring.enabled && (monitoring.alerts.enabled ?? environment !== "development");
}

/**
 * An SLO needs the service's HTTP metrics (its SLIs are their ratios) and the stack's alerts (its
 * recording rules and burn-rate alerts live in the service's PrometheusRule).
 */
export function sloProblems(services: Readonly<Record<string, Pick<ServiceConfig, "slo" | "metrics">>>, monitoring: Pick<MonitoringConfig, "enabled" | "alerts">, environment: Environment | undefined): Problem[] {
    const alerts = alertsEnabled(monitoring, environment);
    return Object.entries(services).flatMap(([name, service]): Problem[] => {
        if (!service.slo) return [];
        const key = `services.${name}.slo`;
        if (!service.metrics.enabled) return [{ key, given: service.slo, expected: `unset while services.${name}.metrics.enabled is false: an SLO is measured on the service's HTTP metrics` }];
        if (!alerts) return [{ key, given: service.slo, expected: "unset while the stack has no alerts (monitoring.enabled false, or monitoring.alerts.enabled false or unset in development): the SLO's rules live in the service's PrometheusRule" }];
        return [];
    });
}

/** `name` names one of `known`, with a did-you-mean. */
function oneOf(key: string, name: string, known: readonly string[], what: string): Problem[] {
    if (known.includes(name)) return [];
    const close = closeMatch(name, known);
    return [{ key, given: name, expected: `${what}${close === undefined ? "" : `: did you mean "${close}"?`}` }];
}

/** Each receiver is exactly one kind, and its credential a secret entry the stack's catalog has. */
function receiverProblems(section: AlertmanagerConfigSection, entryNames: readonly string[]): Problem[] {
    return Object.entries(section.receivers).flatMap(([name, receiver]): Problem[] => {
        const key = `monitoring.alertmanager.receivers.${name}`;
        const kinds = receiverKinds.filter((k) => receiver[k] !== undefined);
        if (kinds.length !== 1) return [{ key, given: described(kinds.length === 0 ? "no receiver" : kinds.join(" and ")), expected: `exactly one of ${receiverKinds.join(", ")}` }];
        const kind = kinds[0];
        const field = { slack: "apiUrl", pagerduty: "routingKey", opsgenie: "apiKey", webhook: "url" }[kind];
        const entry = (receiver[kind] as Record<string, unknown>)[field] as string;
        return oneOf(`${key}.${kind}.${field}`, entry, entryNames, "a secret entry (secrets.entries.<name>, or a built-in one) that holds it, never the value itself");
    });
}

/**
 * Alertmanager's routing: every receiver a route names exists, each receiver is one kind with a
 * secret entry for its URL or key, and there is monitoring to route for.
 */
export function alertmanagerProblems(monitoring: Pick<MonitoringConfig, "enabled" | "alertmanager">, entryNames: readonly string[]): Problem[] {
    const { alertmanager } = monitoring;
    if (alertmanager.route !== undefined && !monitoring.enabled) return [{ key: "monitoring.alertmanager.route", given: described("a route"), expected: "unset while monitoring.enabled is false: there are no alerts to route" }];
    const route = effectiveRoute(alertmanager);
    if (route === undefined) {
        const count = Object.keys(alertmanager.receivers).length;
        if (count === 0 || !monitoring.enabled) return receiverProblems(alertmanager, entryNames);
        return [
            { key: "monitoring.alertmanager.route", given: described(`unset, with ${count} receivers`), expected: "a route naming which receiver takes what (route.receiver, and route.critical and route.warning where they differ): only a lone receiver, or one pager (PagerDuty or Opsgenie) with one chat (Slack or a webhook), routes by default" },
            ...receiverProblems(alertmanager, entryNames),
        ];
    }
    const names = Object.keys(alertmanager.receivers);
    const what = "a receiver of monitoring.alertmanager.receivers";
    const named: [string, string | undefined][] = [
        ["receiver", route.receiver],
        ["critical", route.critical],
        ["warning", route.warning],
        ...route.routes.map((r, i): [string, string] => [`routes.${i}.receiver`, r.receiver]),
    ];
    return [
        ...receiverProblems(alertmanager, entryNames),
        ...named.flatMap(([key, name]) => (name === undefined ? [] : oneOf(`monitoring.alertmanager.route.${key}`, name, names, what))),
    ];
}
