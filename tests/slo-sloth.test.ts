/**
 * The SLO rules against Sloth (github.com/slok/sloth, built by scripts/toolchain/build.sh sloth):
 * `sloth generate` for the same SLOs (the same error and total queries, objectives and period)
 * gives the same rules up to naming. Names are normalised (Sloth's sloth_* labels and selectors of
 * recorded series, whitespace, float noise such as 0.0009999999999999432); what is compared is
 * every window's error-ratio expression, the period's, and each alert's expression, with its
 * windows and burn factors asserted on their own. Without the binary the suite is skipped locally
 * and fails in CI (tests/toolchain.ts), so CI always checks the agreement.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { SloSpec } from "../observability/observability.args";
import { burnRateWindows, errorRatioMetric, promWindow, sliQueries, sloAlertRules, sloRecordingRules } from "../observability/slo.specs";
import { sloWindows } from "../observability/alerting.schema";
import { testSubjects } from "./alert-fixtures";
import { describeWithTool } from "./toolchain";

const target = testSubjects.service;
const settings = { alertLabels: {}, runbookBaseUrl: "https://runbooks.example.com/llm" };

interface Rule {
    record?: string;
    alert?: string;
    expr: string;
    labels?: Record<string, string>;
}

/** An expression with the names normalised: recorded series' selectors dropped, Sloth's window label named ours, numbers at 10 digits, whitespace collapsed. */
function normalised(expr: string): string {
    return expr
        .replace(/(slo:[a-z_:0-9]+)\{[^}]*\}/g, "$1")
        .replace(/\bsloth_window\b/g, "slo_window")
        .replace(/(?<![\w.:"])\d+\.\d+(e-?\d+)?(?![\w."])/g, (n) => String(Number(Number(n).toPrecision(10))))
        .replace(/\s+/g, " ")
        .replace(/\( /g, "(")
        .replace(/ \)/g, ")")
        .trim();
}

/** The [window, factor, budget] of each condition of an alert, in order. */
function conditions(expr: string): [string, number, number][] {
    return [...normalised(expr).matchAll(/slo:sli_error:ratio_rate(\w+) > \(([\d.]+) \* ([\d.]+)\)/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
}

/** Sloth's spec of a service's SLOs: its queries are ours, with Sloth's window placeholder. */
function slothSpec(slos: readonly SloSpec[]) {
    return {
        version: "prometheus/v1",
        service: target.name,
        slos: slos.map((slo) => {
            const { errors, total } = sliQueries(target, slo, "{{.window}}");
            return { name: slo.name, objective: slo.objective, sli: { events: { error_query: errors, total_query: total } }, alerting: { name: "ServiceErrorBudgetBurn", page_alert: {}, ticket_alert: {} } };
        }),
    };
}

describeWithTool("sloth", "SLO rules agree with sloth generate, up to naming", (sloth) => {
    for (const window of sloWindows) {
        describe(`window ${window}`, () => {
            const slos: SloSpec[] = [
                { name: "availability", objective: 99.9, window },
                { name: "latency", objective: 95, window, thresholdSeconds: 2.5 },
            ];
            let generated: Rule[];
            before(() => {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-sloth-"));
                fs.writeFileSync(path.join(dir, "slos.yaml"), stringify(slothSpec(slos), { lineWidth: 0 }));
                const run = spawnSync(sloth, ["generate", "-i", "slos.yaml", "-o", "rules.yaml", `--default-slo-period=${window}`], { cwd: dir, encoding: "utf8" });
                assert.equal(run.status, 0, `sloth generate failed:\n${run.stdout}${run.stderr}`);
                generated = (parse(fs.readFileSync(path.join(dir, "rules.yaml"), "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
            });

            for (const slo of slos) {
                const ours = sloRecordingRules(target, slo);
                const theirs = () => generated.filter((r) => r.labels?.sloth_slo === slo.name);

                it(`${slo.name}: every window's error ratio, and the period's, is Sloth's`, () => {
                    const ratios = (rules: Rule[]) =>
                        Object.fromEntries(rules.filter((r) => r.record?.startsWith("slo:sli_error:ratio_rate")).map((r) => [r.record!, normalised(r.expr)]));
                    const sloths = ratios(theirs());
                    assert.deepEqual(Object.keys(sloths).sort(), [...new Set([...burnRateWindows.flatMap((w) => [w.short, w.long]), promWindow(window)])].map(errorRatioMetric).sort());
                    assert.deepEqual(ratios(ours), sloths);
                });

                it(`${slo.name}: the page and the ticket have Sloth's windows, burn factors and expressions`, () => {
                    // Sloth's alerts carry no sloth_slo label: their expressions select the SLO's series.
                    const alerts = generated.filter((r) => r.alert !== undefined && r.expr.includes(`sloth_slo="${slo.name}"`));
                    const slothOf = (action: string) => alerts.find((r) => r.labels?.sloth_severity === action);
                    const [page, ticket] = sloAlertRules(target, slo, settings);
                    for (const [action, rule] of [["page", page], ["ticket", ticket]] as const) {
                        const sloths = slothOf(action);
                        assert.ok(sloths, `Sloth's ${action} alert of ${slo.name}`);
                        assert.deepEqual(conditions(rule.expr), conditions(sloths.expr), action);
                        assert.equal(conditions(rule.expr).length, 4, action);
                        assert.equal(normalised(rule.expr), normalised(sloths.expr), action);
                    }
                });
            }
        });
    }
});
