/**
 * The generated part of docs/observability.md: the alert table and a section per alert (the
 * runbook_url anchors), rendered from the alert catalog so the docs cannot drift from the rules.
 * tests/observability-docs.test.ts checks the file; rewrite it with
 *   node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts
 */
import * as fs from "fs";
import * as path from "path";
import { AlertDefinition, AlertSubjects, alertCatalog, runbookAnchor } from "../lib/alert-catalog";
import { environments } from "../lib/environments";
import { defaultHttpMetrics } from "../lib/metric-catalog";
import { projectRoot } from "./mocks";

export const docPath = path.join(projectRoot, "docs", "observability.md");
export const begin = "<!-- BEGIN GENERATED: alerts (tests/update-observability-docs.ts) -->";
export const end = "<!-- END GENERATED: alerts -->";

/** What the expressions are shown for: placeholders instead of a stack's names. */
const placeholders: AlertSubjects = {
    service: { namespace: "<namespace>", name: "<service>", http: defaultHttpMetrics, has: { metrics: true, autoscaling: true, disruptionBudget: true, postDeployCheck: true } },
    postgresql: { namespace: "<namespace>", release: "<release>", replication: true },
    redis: { namespace: "<namespace>", release: "<release>", replication: true },
};

const units = { percent: "%", seconds: " s", count: "" };
const scopes = { service: "each service", postgresql: "PostgreSQL", redis: "Redis" };

function perEnvironment<T>(values: Readonly<Record<(typeof environments)[number], T>>, show: (v: T) => string): string {
    const shown = environments.map((env) => show(values[env]));
    return new Set(shown).size === 1 ? shown[0] : shown.join(" / ");
}

function expression(alert: AlertDefinition): string {
    return alert.expr(placeholders[alert.scope] as never, Number.NaN).replace(/\bNaN\b/g, "<threshold>");
}

function row(alert: AlertDefinition): string {
    const threshold = alert.threshold ? `${perEnvironment(alert.threshold.defaults, (v) => `${v}${units[alert.threshold!.unit]}`)} (${alert.threshold.meaning})` : "—";
    const cells = [`[${alert.name}](#${runbookAnchor(alert.name)})`, scopes[alert.scope], `\`${expression(alert)}\``, threshold, perEnvironment(alert.for, (v) => v), alert.severity, alert.action];
    return `| ${cells.join(" | ")} |`;
}

function section(alert: AlertDefinition): string {
    return [
        `### ${alert.name}`,
        "",
        `*${alert.category}, ${scopes[alert.scope]}, ${alert.severity}.* It says \`${alert.summary}\`: \`${alert.description}\``,
        "",
        `**What to do.** ${alert.action}`,
    ].join("\n");
}

/** The generated block, markers included. */
export function renderAlertDocs(): string {
    return [
        begin,
        "",
        "Thresholds and `for:` durations are the defaults per environment (development / staging / production, or one value for all); `monitoring.alerts.rules.<Alert>` overrides them per stack. Expressions are shown with placeholders for the stack's names and the default HTTP metric names.",
        "",
        "| Alert | Watches | Expression | Threshold | For | Severity | What to do |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...alertCatalog.map(row),
        "",
        "## Runbooks",
        "",
        "Each alert's `runbook_url` is `<monitoring.alerts.runbookBaseUrl>#<alert name in lowercase>`, one of these sections.",
        "",
        alertCatalog.map(section).join("\n\n"),
        "",
        end,
    ].join("\n");
}

/** docs/observability.md with the part from `markers.begin` to `markers.end` replaced by `block` (which holds the markers). */
export function withBlock(doc: string, block: string, markers: { readonly begin: string; readonly end: string }): string {
    const from = doc.indexOf(markers.begin);
    const to = doc.indexOf(markers.end);
    if (from < 0 || to < from) throw new Error(`${docPath} lacks the markers ${markers.begin} … ${markers.end}`);
    return `${doc.slice(0, from)}${block}${doc.slice(to + markers.end.length)}`;
}

/** docs/observability.md with its generated alert block replaced by `block`. */
export function withGeneratedBlock(doc: string, block: string): string {
    return withBlock(doc, block, { begin, end });
}

export function readDoc(): string {
    return fs.readFileSync(docPath, "utf8");
}
