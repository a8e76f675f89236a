/**
 * Small builders of PromQL text, so every expression (alerts, dashboard panels) spells selectors
 * and label sets the same way.
 */

/** Label matchers: `"value"` for equality, `{ re: "pattern" }` for a regular expression. */
export type Matchers = Readonly<Record<string, string | { readonly re: string }>>;

/** A PromQL string literal. */
function quoted(value: string): string {
    return JSON.stringify(value);
}

/** `metric{label="value",other=~"pattern"}`, labels in the order given. */
export function selector(metric: string, matchers: Matchers): string {
    const parts = Object.entries(matchers).map(([label, m]) => (typeof m === "string" ? `${label}=${quoted(m)}` : `${label}=~${quoted(m.re)}`));
    return `${metric}{${parts.join(",")}}`;
}

/** A series of promtool's rule unit tests: `metric{label="value",…}` with every matcher an equality. */
export function seriesName(metric: string, labels: Readonly<Record<string, string>>): string {
    return selector(metric, labels);
}

/** Escapes a string for use inside a PromQL regular expression (RE2), e.g. a release name. */
export function regexLiteral(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
