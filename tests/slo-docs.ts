/**
 * The generated part of docs/observability.md on SLOs: the burn-rate windows, every recording rule
 * and alert of a service's SLOs, and the runbook section the alerts' runbook_url points at,
 * rendered from observability/slo.specs.ts. tests/slo.test.ts checks the file; rewrite it with
 *   node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts
 */
import type { SloSpec } from "../observability/observability.args";
import { burnActionSeverity, burnFactor, burnRateWindows, sloAlertName, sloAlertRules, sloRecordingRules } from "../observability/slo.specs";
import { sloWindows } from "../observability/alerting.schema";
import { defaultHttpMetrics } from "../lib/metric-catalog";
import type { ServiceTarget } from "../lib/alert-catalog";
import { withBlock } from "./observability-docs";

export const sloBegin = "<!-- BEGIN GENERATED: slos (tests/update-observability-docs.ts) -->";
export const sloEnd = "<!-- END GENERATED: slos -->";

const placeholder: ServiceTarget = { namespace: "<namespace>", name: "<service>", http: defaultHttpMetrics, has: { metrics: true, autoscaling: true, disruptionBudget: true, postDeployCheck: true } };
/** What the rules are shown for: prod's orchestrator SLOs. */
const examples: SloSpec[] = [
    { name: "availability", objective: 99.9, window: "30d" },
    { name: "latency", objective: 95, window: "30d", thresholdSeconds: 2.5 },
];
const settings = { alertLabels: {}, runbookBaseUrl: "<monitoring.alerts.runbookBaseUrl>" };
const code = (text: string) => `\`${text.replace(/\|/g, "\\|")}\``;

function windowTable(): string[] {
    return [
        `| Action | Severity | Long window | Short window | Budget spent in the long window | Burn factor (${sloWindows.join(" / ")}) |`,
        "| --- | --- | --- | --- | --- | --- |",
        ...burnRateWindows.map((w) => `| ${w.action} | ${burnActionSeverity[w.action]} | ${w.long} | ${w.short} | ${w.budgetPercent}% | ${sloWindows.map((p) => burnFactor(w, p)).join(" / ")} |`),
    ];
}

function ruleTable(): string[] {
    return [
        "| SLO | Rule | Labels | Expression |",
        "| --- | --- | --- | --- |",
        ...examples.flatMap((slo) => [
            ...sloRecordingRules(placeholder, slo).map((r) => `| ${slo.name} | ${code(r.record)} (recorded) | ${code(JSON.stringify(r.labels))} | ${code(r.expr)} |`),
            ...sloAlertRules(placeholder, slo, settings).map((r) => `| ${slo.name} | [${r.alert}](#${sloAlertName.toLowerCase()}) (${r.labels.severity}) | ${code(JSON.stringify(r.labels))} | ${code(r.expr)} |`),
        ]),
    ];
}

/** The generated block, markers included. */
export function renderSloDocs(): string {
    const [page, ticket] = sloAlertRules(placeholder, examples[0], settings);
    return [
        sloBegin,
        "",
        "The burn-rate alerts of the SRE workbook: each fires while both its windows burn the budget faster than its factor (the share of the budget it spends, times the SLO window, over its long window).",
        "",
        ...windowTable(),
        "",
        "Every rule of a service with prod's SLOs (`availability: 99.9`, `latency: { thresholdMs: 2500, target: 95 }`, `window: 30d`), shown with placeholders for the stack's names and the default HTTP metric names:",
        "",
        ...ruleTable(),
        "",
        `### ${sloAlertName}`,
        "",
        `*SLO, each service with services.<name>.slo, critical (page) or warning (ticket).* It says ${code(page.annotations.summary)} or ${code(ticket.annotations.summary)}: ${code(page.annotations.description)}`,
        "",
        "**What to do.** A page: the service fails now, fast (a release that just went out, a data store or LLM provider down): see ServiceHighErrorRate and ServiceHighLatency, the dashboard's traffic, errors and latency rows, and roll back a release that just went out. A ticket: the budget drains slowly; find the failing requests in the logs (by status, route and provider) before the budget is spent; the dashboard's *Service level objectives* row shows what is left.",
        "",
        sloEnd,
    ].join("\n");
}

/** docs/observability.md with its SLO block replaced by `block`. */
export function withSloBlock(doc: string, block: string): string {
    return withBlock(doc, block, { begin: sloBegin, end: sloEnd });
}
