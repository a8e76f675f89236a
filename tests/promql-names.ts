/**
 * The metric names a PromQL expression selects, for checking alerts and dashboard queries against
 * the metrics a stack provides (lib/metric-catalog.ts). promtool checks that the expressions parse;
 * this only has to find the selectors in expressions that do.
 */
const keywords = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"]);

export function metricNamesOf(expr: string): string[] {
    const bare = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, "")
        .replace(/\{[^}]*\}/g, "")
        .replace(/\[[^\]]*\]/g, "")
        .replace(/\boffset\s+-?[0-9a-z]+/g, "")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
        .replace(/(?<![a-zA-Z0-9_:])[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/g, "");
    const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\(|[a-zA-Z0-9_:])/g)].map((m) => m[0]).filter((name) => !keywords.has(name.toLowerCase()));
    return [...new Set(names)].sort();
}
