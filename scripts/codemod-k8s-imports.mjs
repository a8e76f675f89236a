#!/usr/bin/env node
// Makes every module of the concern folders import the Kubernetes SDK through platform/k8s.ts (the API
// groups the program uses) instead of @pulumi/kubernetes's index, which loads all of them
// (docs/performance.md). Idempotent: a second run changes nothing. Run it after merging a branch
// that adds a component the old way; lint (no-restricted-imports) refuses what it leaves.
//
//   node scripts/codemod-k8s-imports.mjs [--check]
//
// `import * as k8s from "@pulumi/kubernetes";` becomes `import * as k8s from "../platform/k8s";`
// ("./k8s" in platform/), moved among
// the file's relative imports in alphabetical order. A type-only import of the index is left as it
// is (it loads nothing). With --check it changes nothing and exits 1 when a file would change.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const folders = ["application", "data-tier", "network", "observability", "platform", "secrets"];
const check = process.argv.includes("--check");
const from = 'import * as k8s from "@pulumi/kubernetes";';

/** The file's lines with the import moved to its place among the relative imports. */
function rewrite(text, folder) {
    const target = folder === "platform" ? "./k8s" : "../platform/k8s";
    const to = `import * as k8s from "${target}";`;
    const lines = text.split("\n");
    const at = lines.indexOf(from);
    if (at < 0) return text;
    lines.splice(at, 1);
    // The top-level import statements (an import may span lines) and their specifiers.
    const imports = [];
    for (let i = 0; i < lines.length; i++) {
        if (!lines[i].startsWith("import ")) {
            if (imports.length > 0 && lines[i].trim() === "") break;
            continue;
        }
        let j = i;
        while (j < lines.length && !/(from )?"[^"]+";\s*$/.test(lines[j])) j++;
        imports.push({ start: i, end: j, specifier: /"([^"]+)";\s*$/.exec(lines[j])[1] });
        i = j;
    }
    const next = imports.find((imp) => imp.specifier.startsWith(".") && imp.specifier > target);
    const insertAt = next ? next.start : imports.length > 0 ? imports[imports.length - 1].end + 1 : 0;
    lines.splice(insertAt, 0, to);
    return lines.join("\n");
}

const changed = [];
const files = folders.flatMap((folder) => fs.readdirSync(path.join(root, folder)).filter((f) => f.endsWith(".ts") && f !== "k8s.ts" && f !== "k8s-helm.ts").sort().map((f) => [folder, f]));
for (const [folder, name] of files) {
    const file = path.join(root, folder, name);
    const text = fs.readFileSync(file, "utf8");
    const next = rewrite(text, folder);
    if (next === text) continue;
    changed.push(path.relative(root, file));
    if (!check) fs.writeFileSync(file, next);
}
if (changed.length > 0) console.log(`${check ? "would change" : "changed"}: ${changed.join(", ")}`);
if (check && changed.length > 0) process.exit(1);
