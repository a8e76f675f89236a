/**
 * Prometheus rule files from what the program produces, and promtool rule unit tests from the
 * alert catalog's cases: the inputs of `promtool check rules` and `promtool test rules`.
 */
import { AlertDefinition, AlertSubjects, FiringCase, AlertTestCase } from "../lib/alert-catalog";
import { parseDuration } from "../lib/quantity";
import { AlertRule, RuleGroup } from "../observability/alerts.specs";
import { ProgramRun } from "./mocks";

/** A chart rule text back from its Helm template literal ({{`…`}}), as Helm's `tpl` renders it. */
export function fromHelmTemplateLiteral(text: string): string {
    const literal = /^\{\{`([^`]*)`\}\}$/.exec(text);
    return literal ? literal[1] : text;
}

/** A chart rule as Prometheus receives it once Helm has rendered it. */
function renderedChartRule(rule: AlertRule): AlertRule {
    return {
        ...rule,
        expr: fromHelmTemplateLiteral(rule.expr),
        annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fromHelmTemplateLiteral(v)])) as AlertRule["annotations"],
    };
}

/** Every rule group a run deploys: the PrometheusRules' groups and the charts' rules (rendered), by file name. */
export function ruleFilesOf(run: ProgramRun): Record<string, { groups: RuleGroup[] }> {
    const files: Record<string, { groups: RuleGroup[] }> = {};
    for (const rule of run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")) {
        files[`${rule.name}.rules.yaml`] = { groups: rule.inputs.spec.groups };
    }
    for (const chart of run.ofType("kubernetes:helm.sh/v4:Chart")) {
        const prometheusRule = chart.inputs.values?.metrics?.prometheusRule;
        if (!prometheusRule?.enabled) continue;
        files[`${chart.name}.rules.yaml`] = { groups: [{ name: chart.inputs.name, rules: (prometheusRule.rules as AlertRule[]).map(renderedChartRule) }] };
    }
    return files;
}

/** The dashboards a run deploys (ConfigMaps holding dashboard JSON), parsed, by ConfigMap name. */
export function dashboardsOf(run: ProgramRun): Record<string, { uid: string; panels: { id: number; type: string; title: string; targets?: { expr: string; refId: string }[] }[] }> {
    return Object.fromEntries(
        run
            .ofType("kubernetes:core/v1:ConfigMap")
            .filter((c) => c.inputs.metadata?.name?.startsWith("grafana-dashboard-"))
            .map((c) => [c.inputs.metadata.name, JSON.parse(Object.values(c.inputs.data as Record<string, string>)[0])]),
    );
}

/** Every dashboard panel's query as a recording rule, so promtool parses each, by file name. */
export function dashboardRuleFilesOf(run: ProgramRun): Record<string, { groups: { name: string; rules: { record: string; expr: string }[] }[] }> {
    return Object.fromEntries(
        Object.entries(dashboardsOf(run)).map(([name, dashboard]) => [
            `${name}.queries.yaml`,
            {
                groups: [
                    {
                        name,
                        rules: dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => ({ record: `dashboard:panel_${panel.id}_${t.refId}`, expr: t.expr }))),
                    },
                ],
            },
        ]),
    );
}

/** An annotation template expanded as Prometheus does, for the forms the catalog allows. */
export function expandTemplate(template: string, labels: Readonly<Record<string, string>>, value: number): string {
    return template
        .replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, label: string) => labels[label] ?? "")
        .replace(/\{\{ printf "%\.([0-9])f" \$value \}\}/g, (_, digits: string) => value.toFixed(Number(digits)));
}

/** The minute at which a rule unit test evaluates an alert: its `for:` and its windows have passed. */
export function evaluationMinute(forDuration: string): number {
    return parseDuration(forDuration) / 60_000 + 90;
}

/** A promtool unit-test file for one case of one alert, against `ruleFile`. */
export function ruleTestFile(rule: AlertRule, testCase: FiringCase | AlertTestCase, at: number, ruleFile: string) {
    const firing = "labels" in testCase;
    const labels = firing ? { ...rule.labels, ...testCase.labels } : {};
    return {
        rule_files: [ruleFile],
        evaluation_interval: "1m",
        tests: [
            {
                name: `${rule.alert} ${firing ? "fires" : "stays quiet"}`,
                interval: "1m",
                input_series: testCase.series.map((s) => ({ series: s.series, values: s.values })),
                alert_rule_test: [
                    {
                        eval_time: `${at}m`,
                        alertname: rule.alert,
                        exp_alerts: firing
                            ? [
                                  {
                                      exp_labels: labels,
                                      exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels, testCase.value)])),
                                  },
                              ]
                            : [],
                    },
                ],
            },
        ],
    };
}

/** The cases of an alert for a subject and its threshold. */
export function casesOf<S extends keyof AlertSubjects>(alert: AlertDefinition<S>, subject: AlertSubjects[S], rule: AlertRule, threshold: number) {
    const at = evaluationMinute(rule.for);
    return { at, ...alert.cases(subject, threshold, at) };
}
