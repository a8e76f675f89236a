/**
 * A service's SLOs as Prometheus rules, as pure functions: the recording rules of each SLO's error
 * ratio over every window its alerts read (and over the SLO's window, for the error budget left),
 * and the SRE workbook's multi-window, multi-burn-rate alerts (burnRateWindows). The rules have
 * Sloth's shape (tests/slo-sloth.test.ts holds them to `sloth generate`), with the platform's labels:
 * every series carries namespace, service and slo, every alert the catalog's severity
 * (critical pages, warning opens a ticket) and its runbook.
 */
import type { AlertRuleSettings, ServiceAlerts, SloSpec } from "./observability.args";
import { AlertRule, RuleGroup, servicePrometheusRuleSpec } from "./alerts.specs";
import type { PanelQuery, PanelSpec, RowSpec } from "./dashboards.specs";
import type { ServiceTarget } from "../lib/alert-catalog";
import type { Severity } from "../lib/alert-catalog";
import { parseDuration } from "../lib/quantity";
import { Matchers, regexLiteral, selector } from "../lib/promql";

/** What a burn-rate alert does when it fires. */
export type BurnAction = "page" | "ticket";

/** One burn-rate alert of the workbook's table. */
export interface BurnRateWindow {
    readonly action: BurnAction;
    /** The share of the SLO window's error budget it spends in `long`, in percent. */
    readonly budgetPercent: number;
    readonly long: string;
    readonly short: string;
}

/**
 * The SRE workbook's recommended parameters
 * (https://sre.google/workbook/alerting-on-slos/#6-multiwindow-multi-burn-rate-alerts): 2% of the
 * budget in 1 hour or 5% in 6 hours pages, 10% in 1 or 3 days opens a ticket; each fires while
 * both its long and its short window burn that fast.
 */
export const burnRateWindows: readonly BurnRateWindow[] = [
    { action: "page", budgetPercent: 2, long: "1h", short: "5m" },
    { action: "page", budgetPercent: 5, long: "6h", short: "30m" },
    { action: "ticket", budgetPercent: 10, long: "1d", short: "2h" },
    { action: "ticket", budgetPercent: 10, long: "3d", short: "6h" },
];

/** The alert of every SLO: one name, so that the page inhibits the ticket of the same SLO (docs/observability.md). */
export const sloAlertName = "ServiceErrorBudgetBurn";

/** The severity of each action, which Alertmanager's routes read: a page is critical, a ticket a warning. */
export const burnActionSeverity: Readonly<Record<BurnAction, Severity>> = { page: "critical", ticket: "warning" };

/** A recording rule. */
export interface RecordingRule {
    record: string;
    expr: string;
    labels: Readonly<Record<string, string>>;
}

/** A rule group of recording rules. */
export interface RecordingGroup {
    name: string;
    rules: RecordingRule[];
}

/** The recorded error ratio of an SLO over `window`. */
export const errorRatioMetric = (window: string): string => `slo:sli_error:ratio_rate${window}`;
/** The recorded share of the SLO window's error budget left (1: untouched, 0: spent, below 0: overspent). */
export const budgetRemainingMetric = "slo:period_error_budget_remaining:ratio";
export const objectiveMetric = "slo:objective:ratio";
export const errorBudgetMetric = "slo:error_budget:ratio";

/** A number as PromQL prints it, without binary noise (1 - 0.999 is 0.001). */
function literal(value: number): string {
    return String(Number(value.toPrecision(10)));
}

/** The error budget of an objective in percent, as a ratio: 99.9 -> 0.001. */
export function errorBudget(objective: number): number {
    return Number(((100 - objective) / 100).toPrecision(10));
}

/** How many times faster than the budget allows a window burns when it spends its share in its long window. */
export function burnFactor(window: BurnRateWindow, sloWindow: string): number {
    return Number(((window.budgetPercent * parseDuration(sloWindow)) / (100 * parseDuration(window.long))).toPrecision(10));
}

/** The labels of every series of one SLO. */
export function sloLabels(target: ServiceTarget, slo: SloSpec): Record<string, string> {
    return { namespace: target.namespace, service: target.name, slo: slo.name };
}

/** The `le` of a bucket boundary in seconds; Prometheus 3 writes whole numbers as "1.0", older clients "1". */
function bucketMatcher(seconds: number): string | { re: string } {
    const text = literal(seconds);
    return text.includes(".") ? text : { re: `${regexLiteral(text)}(\\.0)?` };
}

/** The SLI: PromQL of the failed and of all requests over `window` (Sloth's error_query and total_query). */
export function sliQueries(target: ServiceTarget, slo: SloSpec, window: string): { errors: string; total: string } {
    const own: Matchers = { namespace: target.namespace, service: target.name };
    const rate = (metric: string, matchers: Matchers) => `sum(rate(${selector(metric, matchers)}[${window}]))`;
    if (slo.name === "availability") {
        return { errors: rate(target.http.requests, { ...own, [target.http.statusLabel]: { re: "5.." } }), total: rate(target.http.requests, own) };
    }
    const all = rate(target.http.durationBucket, { ...own, le: "+Inf" });
    return { errors: `(${all} - ${rate(target.http.durationBucket, { ...own, le: bucketMatcher(slo.thresholdSeconds!) })})`, total: all };
}

/** Every window a recording rule covers: the alerts' short and long windows, shortest first. */
export function recordedWindows(): string[] {
    const windows = new Set(burnRateWindows.flatMap((w) => [w.short, w.long]));
    return [...windows].sort((a, b) => parseDuration(a) - parseDuration(b));
}

/** A window as Prometheus prints a duration (whole weeks in weeks: 28d is 4w), as Sloth names its period's series. */
export function promWindow(window: string): string {
    const days = parseDuration(window) / 86_400_000;
    return Number.isInteger(days) && days % 7 === 0 ? `${days / 7}w` : window;
}

/** The recording rules of one SLO: its error ratio per window, over its SLO window, its objective, its budget and the budget left. */
export function sloRecordingRules(target: ServiceTarget, slo: SloSpec): RecordingRule[] {
    const labels = sloLabels(target, slo);
    const sloWindow = promWindow(slo.window);
    const own = selector(errorRatioMetric("5m"), labels);
    const perWindow = recordedWindows().map((window): RecordingRule => {
        const { errors, total } = sliQueries(target, slo, window);
        return { record: errorRatioMetric(window), expr: `(${errors}) / (${total})`, labels: { ...labels, slo_window: window } };
    });
    const period: RecordingRule = {
        record: errorRatioMetric(sloWindow),
        expr: `sum_over_time(${own}[${sloWindow}]) / ignoring (slo_window) count_over_time(${own}[${sloWindow}])`,
        labels: { ...labels, slo_window: sloWindow },
    };
    const budget = errorBudget(slo.objective);
    return [
        ...perWindow,
        period,
        { record: objectiveMetric, expr: `vector(${literal(slo.objective / 100)})`, labels },
        { record: errorBudgetMetric, expr: `vector(${literal(budget)})`, labels },
        { record: budgetRemainingMetric, expr: `1 - max without (slo_window) (${selector(errorRatioMetric(sloWindow), labels)}) / ${literal(budget)}`, labels },
    ];
}

/** The condition of one burn-rate window: both its short and its long window burn faster than its factor. */
function burnCondition(target: ServiceTarget, slo: SloSpec, window: BurnRateWindow): string {
    const threshold = `(${literal(burnFactor(window, slo.window))} * ${literal(errorBudget(slo.objective))})`;
    const over = (w: string) => `max(${selector(errorRatioMetric(w), sloLabels(target, slo))} > ${threshold}) without (slo_window)`;
    return `(${over(window.short)} and ${over(window.long)})`;
}

/** The two alerts of one SLO: the page (the fast burns) and the ticket (the slow ones). */
export function sloAlertRules(target: ServiceTarget, slo: SloSpec, settings: Pick<AlertRuleSettings, "alertLabels" | "runbookBaseUrl">): AlertRule[] {
    return (["page", "ticket"] as const).map((action) => {
        const windows = burnRateWindows.filter((w) => w.action === action);
        const spent = windows.map((w) => `${w.budgetPercent}% of the ${slo.window} budget in ${w.long}`).join(" or ");
        return {
            alert: sloAlertName,
            expr: windows.map((w) => burnCondition(target, slo, w)).join(" or "),
            for: "0s",
            labels: { ...settings.alertLabels, severity: burnActionSeverity[action], slo: slo.name },
            annotations: {
                summary: `{{ $labels.service }} burns its ${slo.name} error budget too fast (${action})`,
                description: `{{ $labels.service }} in {{ $labels.namespace }} fails its ${slo.name} objective of ${literal(slo.objective)}% over ${slo.window} fast enough to spend ${spent}.`,
                runbook_url: `${settings.runbookBaseUrl}#${sloAlertName.toLowerCase()}`,
            },
        };
    });
}

/** The rule groups of a service's SLOs: one of recordings per SLO, then one of their alerts; none without SLOs. */
export function sloRuleGroups(target: ServiceTarget, slos: readonly SloSpec[], settings: Pick<AlertRuleSettings, "alertLabels" | "runbookBaseUrl">): (RuleGroup | RecordingGroup)[] {
    if (slos.length === 0) return [];
    const prefix = `${target.namespace}.${target.name}`;
    return [
        ...slos.map((slo) => ({ name: `${prefix}.slo.${slo.name}.recordings`, rules: sloRecordingRules(target, slo) })),
        { name: `${prefix}.slo.alerts`, rules: slos.flatMap((slo) => sloAlertRules(target, slo, settings)) },
    ];
}

/** The PrometheusRule spec of a service: its catalog alerts' group, then its SLOs' groups. */
export function serviceRulesSpec(subject: ServiceTarget, alerts: ServiceAlerts): { groups: (RuleGroup | RecordingGroup)[] } {
    return { groups: [...servicePrometheusRuleSpec(subject, alerts).groups, ...sloRuleGroups(subject, alerts.slos, alerts)] };
}

/** The dashboard row of a service's SLOs: each one's error budget left now, and over time. */
export function sloDashboardRow(target: ServiceTarget, slos: readonly SloSpec[]): RowSpec {
    const left = (slo: SloSpec): PanelQuery => ({ expr: `100 * ${selector(budgetRemainingMetric, sloLabels(target, slo))}`, legend: slo.name });
    return {
        title: "Service level objectives",
        panels: [
            ...slos.map((slo): PanelSpec => ({
                kind: "stat",
                title: `Error budget left: ${slo.name}`,
                unit: "percent",
                description: `Share of the ${slo.window} error budget of the ${literal(slo.objective)}% ${slo.name} objective not yet spent; below 0 the objective is missed (${sloAlertName}).`,
                queries: [left(slo)],
            })),
            { kind: "timeseries", title: "Error budget left", unit: "percent", description: "The error budget left of each SLO over time.", queries: slos.map(left) },
        ],
    };
}
