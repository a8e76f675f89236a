#!/usr/bin/env node
// What `pulumi up` of a stack waits for, and in which order, read from the dependencies the program
// registers (the state snapshot of tests/snapshots/<stack>.json records them): the engine creates a
// resource once everything it depends on is created, and for the kinds the Kubernetes provider
// awaits, created means ready (a Deployment rolled out, a Service with endpoints, a Job complete,
// a Chart's workloads ready, an Ingress with an address). A Service's endpoints are its pods, so it
// is taken to finish after the Deployment beside it. Prints the steps as levels (a level starts when
// the one before it is done) and the longest chain of awaited resources: the part of an `up` the
// program's dependencies decide. docs/performance.md records it for prod.
//
//   node bench/up-order.mjs [stack] [snapshot.json]   (default prod, tests/snapshots/<stack>.json)
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { awaits } from "./up-critical-path.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stack = process.argv[2] ?? "prod";
const resources = JSON.parse(fs.readFileSync(process.argv[3] ?? path.join(root, "tests", "snapshots", `${stack}.json`), "utf8"));

const typeOf = (urn) => urn.split("::")[2].split("$").pop();
const nameOf = (urn) => urn.split("::")[3];
const label = (urn) => `${typeOf(urn).replace(/^kubernetes:/, "")} ${nameOf(urn)}${awaits[typeOf(urn)] ? ` [waits for ${awaits[typeOf(urn)]}]` : ""}`;

const custom = resources.filter((r) => typeOf(r.urn).startsWith("kubernetes:") || typeOf(r.urn).startsWith("random:"));
const byUrn = new Map(custom.map((r) => [r.urn, r]));
// The endpoints a Service waits for are the pods of the workloads beside it.
for (const r of custom) {
    if (typeOf(r.urn) !== "kubernetes:core/v1:Service") continue;
    const workloads = custom.filter((w) => w.parent === r.parent && ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"].includes(typeOf(w.urn)));
    r.dependsOn = [...r.dependsOn, ...workloads.map((w) => w.urn)];
}
const level = new Map();
const levelOf = (urn) => {
    if (!level.has(urn)) {
        level.set(urn, 0);
        level.set(urn, Math.max(0, ...byUrn.get(urn).dependsOn.filter((d) => byUrn.has(d)).map((d) => levelOf(d) + 1)));
    }
    return level.get(urn);
};
custom.forEach((r) => levelOf(r.urn));
const levels = [];
for (const [urn, l] of level) (levels[l] ??= []).push(urn);
console.log(`${stack}: ${custom.length} resources in ${levels.length} steps`);
levels.forEach((urns, i) => console.log(`  ${i}. ${urns.map(label).sort().join("; ")}`));

// The longest chain through awaited resources (each weighs one wait; creating is taken as instant).
const weight = (urn) => (awaits[typeOf(urn)] ? 1 : 0);
const chain = new Map();
const chainOf = (urn) => {
    if (!chain.has(urn)) {
        const deps = byUrn.get(urn).dependsOn.filter((d) => byUrn.has(d)).map(chainOf);
        const best = deps.sort((a, b) => b.waits - a.waits)[0] ?? { waits: 0, path: [] };
        chain.set(urn, { waits: best.waits + weight(urn), path: [...best.path, urn] });
    }
    return chain.get(urn);
};
const longest = custom.map((r) => chainOf(r.urn)).sort((a, b) => b.waits - a.waits || b.path.length - a.path.length)[0];
console.log(`longest chain of waits (${longest.waits}): ${longest.path.map(label).join(" -> ")}`);
