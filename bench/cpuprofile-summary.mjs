#!/usr/bin/env node
// Where the CPU of a start goes, from Node's own profiler (docs/performance.md):
//
//   node --cpu-prof --cpu-prof-dir=DIR -r ./scripts/register-ts.cjs e2e/render.ts prod <args>
//   node bench/cpuprofile-summary.mjs DIR/*.cpuprofile [--top N] [--tree CHECKOUT]
//
// Each sample's time goes to the package (or the program's directory) of the innermost frame that
// is not Node's own: Node's module loader compiling a package's file counts for that package, and
// TypeScript's compiler (transpiling, when ts-node does it) for "typescript". With several profiles,
// the per-group times are the medians.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function groupOf(url, tree) {
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1];
    const file = url.startsWith("file://") ? fileURLToPath(url) : url;
    const rel = path.relative(tree, file);
    if (rel === "index.ts") return "index.ts (the program)";
    if (/^(tests|e2e|bench)\//.test(rel)) return "the harness (tests/mocks.ts, e2e/render.ts)";
    if (rel.startsWith("scripts/")) return rel;
    return `${rel.split("/")[0]}/ (the program's modules)`;
}

/** ms per group of one profile of a run in `tree` (a checkout). */
export function summarize(profile, tree = root) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const own = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
        let node = byId.get(profile.samples[i]);
        const leaf = node.callFrame.functionName || "(anonymous)";
        while (node && (!node.callFrame.url || node.callFrame.url.startsWith("node:"))) node = byId.get(parent.get(node.id));
        const group = node ? groupOf(node.callFrame.url, tree) : ["(garbage collector)", "(idle)", "(program)"].includes(leaf) ? leaf : "(Node's own)";
        own.set(group, (own.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    }
    return own;
}

function main() {
    const args = process.argv.slice(2);
    const top = args.includes("--top") ? Number(args[args.indexOf("--top") + 1]) : 20;
    const files = args.filter((a) => a.endsWith(".cpuprofile"));
    const tree = args.includes("--tree") ? path.resolve(args[args.indexOf("--tree") + 1]) : root;
    const all = files.map((f) => summarize(JSON.parse(fs.readFileSync(f, "utf8")), tree));
    const groups = new Set(all.flatMap((m) => [...m.keys()]));
    const median = (xs) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const rows = [...groups].map((g) => [g, median(all.map((m) => m.get(g) ?? 0))]).sort((a, b) => b[1] - a[1]);
    const total = median(all.map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
    console.log(`| where | ms (median of ${all.length}) | share |`);
    console.log("| --- | ---: | ---: |");
    for (const [g, ms] of rows.slice(0, top)) console.log(`| ${g} | ${ms.toFixed(0)} | ${((100 * ms) / total).toFixed(0)}% |`);
    console.log(`| all samples | ${total.toFixed(0)} | |`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
