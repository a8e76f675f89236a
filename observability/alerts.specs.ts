/**
 * Alerting rules from the alert catalog (lib/alert-catalog.ts), as pure functions: the rules of a
 * subject (a service or a data store) with the stack's settings, the PrometheusRule spec of a
 * service, and the data stores' chart values, whose rules Helm renders as templates.
 */
import type { AlertRuleSettings } from "./observability.args";
import { AlertDefinition, AlertScope, AlertSubjects, postgresqlAlerts, redisAlerts, runbookAnchor, serviceAlerts } from "../lib/alert-catalog";
import { Labels } from "../lib/labels";

/** One alerting rule, as Prometheus and the PrometheusRule CRD take it. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: Labels;
    annotations: { summary: string; description: string; runbook_url: string };
}

/** A rule group of a PrometheusRule. */
export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** The rules of `alerts` that apply to `subject` and are enabled, with the stack's settings. */
export function alertRules<S extends AlertScope>(alerts: readonly AlertDefinition<S>[], subject: AlertSubjects[S], settings: AlertRuleSettings): AlertRule[] {
    return alerts.flatMap((alert) => {
        const own = settings.settings[alert.name];
        if (!own.enabled || (alert.appliesTo && !alert.appliesTo(subject))) return [];
        return [
            {
                alert: alert.name,
                expr: alert.expr(subject, own.threshold ?? 0),
                for: own.for,
                labels: { ...settings.alertLabels, severity: own.severity },
                annotations: {
                    summary: alert.summary,
                    description: alert.description,
                    runbook_url: `${settings.runbookBaseUrl}#${runbookAnchor(alert.name)}`,
                },
            },
        ];
    });
}

/** The PrometheusRule spec of a service: one group with its alerts. */
export function servicePrometheusRuleSpec(subject: AlertSubjects["service"], settings: AlertRuleSettings): { groups: RuleGroup[] } {
    return { groups: [{ name: `${subject.namespace}.${subject.name}.alerts`, rules: alertRules(serviceAlerts, subject, settings) }] };
}

/** The rules of a data store. */
export function dataStoreAlertRules(store: "postgresql" | "redis", subject: AlertSubjects["postgresql"], settings: AlertRuleSettings): AlertRule[] {
    return store === "postgresql" ? alertRules(postgresqlAlerts, subject, settings) : alertRules(redisAlerts, subject, settings);
}

/**
 * A string Helm's `tpl` renders as itself. The Bitnami charts render metrics.prometheusRule.rules
 * as a template, which would expand the alerts' own {{ $labels.pod }} placeholders (and fail on
 * them); a Go template raw string `{{`…`}}` outputs its text unchanged.
 */
export function helmTemplateLiteral(text: string): string {
    if (!text.includes("{{")) return text;
    if (text.includes("`")) throw new Error(`internal error: a rule text holds a backtick, which a Helm template literal cannot: ${text}`);
    return `{{\`${text}\`}}`;
}

/** Rules as the charts' metrics.prometheusRule.rules take them: every text a template literal. */
export function chartRules(rules: readonly AlertRule[]): AlertRule[] {
    return rules.map((rule) => ({
        ...rule,
        expr: helmTemplateLiteral(rule.expr),
        annotations: {
            summary: helmTemplateLiteral(rule.annotations.summary),
            description: helmTemplateLiteral(rule.annotations.description),
            runbook_url: helmTemplateLiteral(rule.annotations.runbook_url),
        },
    }));
}
