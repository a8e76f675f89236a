"use strict";
// Module load timings of a start (docs/performance.md): preload it before the loader,
//
//   node -r ./bench/module-times.cjs -r ./scripts/register-ts.cjs e2e/render.ts prod <args>
//   node -r ./bench/module-times.cjs -r ts-node/register/transpile-only e2e/render.ts prod <args>
//
// and at exit it prints, to stderr, the time spent loading each group of modules, exclusive of the
// modules they load in turn (a package's own share). A module's share includes transpiling it (for
// .ts files, when the loader transpiles) and running its top level: index.ts's is the program
// building its resources, and what the SDK does for them synchronously. The CPU profile
// (bench/cpuprofile-summary.mjs) shows how much of that is TypeScript's compiler.
const Module = require("node:module");
const path = require("node:path");

// The checkout being run (bench/startup-candidates.mjs profiles copies of this one too).
const root = process.cwd();
const load = Module._load;
const stack = [];
const self = new Map();
const count = new Map();

function group(filename) {
    const pkg = /node_modules[/\\]((@[^/\\]+[/\\])?[^/\\]+)/.exec(filename);
    if (pkg) return pkg[1].replace(/\\/g, "/");
    const rel = path.relative(root, filename);
    if (rel === "index.ts") return "index.ts (the program: config, components, resources)";
    if (/^(tests|e2e|bench)[/\\]/.test(rel)) return "the harness (tests/mocks.ts, e2e/render.ts)";
    if (/^scripts[/\\]/.test(rel)) return rel;
    const dir = rel.split(/[/\\]/)[0];
    return `${dir}/ (the program's modules)`;
}

Module._load = function timedLoad(request, parent, isMain) {
    let filename;
    try {
        filename = Module._resolveFilename(request, parent, isMain);
    } catch {
        return load.apply(this, arguments);
    }
    if (Module._cache[filename] || !path.isAbsolute(filename)) return load.apply(this, arguments);
    const t = performance.now();
    stack.push(0);
    try {
        return load.apply(this, arguments);
    } finally {
        const dt = performance.now() - t;
        const nested = stack.pop();
        const g = group(filename);
        self.set(g, (self.get(g) ?? 0) + dt - nested);
        count.set(g, (count.get(g) ?? 0) + 1);
        if (stack.length) stack[stack.length - 1] += dt;
    }
};

process.on("exit", () => {
    const rows = [...self].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((s, [, t]) => s + t, 0);
    const out = [`module-times: ${total.toFixed(0)} ms loading modules (process up ${performance.now().toFixed(0)} ms)`];
    for (const [g, t] of rows.slice(0, Number(process.env.MODULE_TIMES_TOP ?? 25))) {
        out.push(`${t.toFixed(0).padStart(7)} ms  ${g} (${count.get(g)} modules)`);
    }
    process.stderr.write(`${out.join("\n")}\n`);
});
