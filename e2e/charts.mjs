// What the helm.v4.Charts of a stack render, with `helm template`: the objects the Kubernetes
// provider would create from the same chart, release name, namespace and values. The e2e applies
// them with the program's own objects, and the benchmark's API floor counts them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

import { run } from "./lib.mjs";

/** Kinds without a namespace that charts render (the provider asks the API server; these are the ones charts use). */
const clusterScoped = new Set([
    "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "PriorityClass", "StorageClass", "IngressClass", "GatewayClass", "PersistentVolume", "APIService", "RuntimeClass",
]);

/** Why charts can't be rendered here, or "" when they can. */
export function missingForCharts() {
    return (process.env.TOOLCHAIN_MISSING ?? "").split(/\s+/).includes("helm") ? "helm is missing (scripts/toolchain/build.sh helm)" : "";
}

/**
 * Renders each chart (render.ts's RENDER_CHARTS entries) with `helm template`, as v4.Chart does:
 * no cluster lookups, hooks left out, the chart's CRDs in (unless skipCrds), and the release
 * namespace set on objects that have none.
 * Only local charts (chart.path) can be rendered here; another chart source is an error.
 */
export function renderCharts(charts) {
    const items = [];
    for (const c of charts) {
        if (!fs.existsSync(c.chart)) throw new Error(`chart ${c.resource}: ${c.chart} is not a local chart directory; set ${c.resource}.chart.path`);
        const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-values-")), "values.json");
        fs.writeFileSync(values, JSON.stringify(c.values));
        // With the chart's CRDs (crds/), as v4.Chart installs them unless skipCrds.
        const out = run("helm", ["template", c.release, c.chart, "--namespace", c.namespace, "--values", values, "--no-hooks", ...(c.skipCrds ? [] : ["--include-crds"])]).stdout;
        // Read as kubectl and the provider read Helm's output, YAML 1.1: the Bitnami charts'
        // `defaultMode: 0755` is octal (493), not the 755 YAML 1.2 makes of it, which the API
        // server refuses.
        for (const doc of parseAllDocuments(out, { version: "1.1" })) {
            const obj = doc.toJS();
            if (!obj || !obj.kind) continue;
            obj.metadata ??= {};
            if (!clusterScoped.has(obj.kind) && !obj.metadata.namespace) obj.metadata.namespace = c.namespace;
            items.push(obj);
        }
    }
    return items;
}

// CLI for bench/run.sh: `node e2e/charts.mjs <charts.json>` prints what the charts render as a v1/List.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
    const charts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items: renderCharts(charts) }) + "\n");
}
