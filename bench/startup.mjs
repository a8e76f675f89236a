#!/usr/bin/env node
// Program start-up under the unit tests' mocks, as issue #14 defines it: from spawning node to the
// last resource registration answered (tests/mocks.ts records it; e2e/render.ts writes it with
// RENDER_TIMING). Each stack and its floor (bench/startup-floor.ts, a program of one component, run
// through the same harness with the stack's config and arguments) run N times per variant,
// interleaved (A B A B ...) so that load from elsewhere on the machine falls on every variant alike.
// Prints, per variant and stack, the median with min and max of: the time to the last
// registration, the CPU time (user + sys) used by then, the program's own part (the stack's time
// minus its floor's median), and the whole process (until exit).
//
//   node bench/startup.mjs [--runs N] [--stacks dev,prod] [--variants register-ts,ts-node] [--json FILE]
//                          [--tree NAME=DIR ...]
//
// --tree adds a variant: the register-ts loader (caches warm) on another checkout, e.g. an earlier
// commit (`git archive <commit> | tar -x -C DIR`, with node_modules linked), to compare versions
// of the program run for run.
//
// Variants (the loader the TypeScript runs under):
//   register-ts        scripts/register-ts.cjs with its caches warm: what `pulumi` runs (program.cjs)
//   register-ts-cold   the same with empty caches each run: a checkout installed with --ignore-scripts
//   register-ts-after-npm-ci  the caches as `npm ci` leaves them (package.json prepare: every file
//                      transpiled, the program's modules in V8's code cache): the first run of a
//                      fresh checkout, a CI runner, a Deployments run
//   ts-node            ts-node/register/transpile-only: how the program ran before #14
// Every run must register the same number of resources as the others of its stack, or the script
// fails: a run that registered nothing measured nothing.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The loaders to compare, as node arguments and environment (cacheDir: a fresh or shared directory). */
export const builtinVariants = {
    "register-ts": { nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "warm" },
    "register-ts-cold": { nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "cold" },
    "register-ts-after-npm-ci": { nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "prepared" },
    
    "ts-node": { nodeArgs: ["-r", "ts-node/register/transpile-only"] },
};

/** render.ts's arguments for a stack: the e2e's overrides (external or local charts, fake secrets). */
export function renderArgs(stack, tree = root) {
    const out = spawnSync(process.execPath, [path.join(tree, "e2e", "stack-overrides.mjs"), stack], { cwd: tree, encoding: "utf8" });
    if (out.status !== 0) throw new Error(`stack-overrides.mjs ${stack} failed: ${out.stderr}`);
    return out.stdout.split("\n").filter((l) => l.length > 0);
}

/** The name of a stack's floor in the results: "floor (prod)". */
export const floorOf = (stack) => `floor (${stack})`;

const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
};

/**
 * One run: spawns node on `entry` (a stack's render or the floor) and returns the figures.
 * `variant`: { nodeArgs, env?, tree?, cacheDir? }.
 */
function runOnce(variant, entry, args, scratch) {
    const tree = variant.tree ?? root;
    const timingFile = path.join(scratch, `timing-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    const env = { ...process.env, ...(variant.env ?? {}), RENDER_TIMING: timingFile };
    if (variant.cacheDir) env.LLM_PLATFORM_TS_CACHE = variant.cacheDir();
    const spawned = performance.timeOrigin + performance.now();
    const out = spawnSync(process.execPath, [...variant.nodeArgs, entry, ...args], { cwd: tree, env, encoding: "utf8", maxBuffer: 64 << 20 });
    const exited = performance.timeOrigin + performance.now();
    if (out.status !== 0 || !fs.existsSync(timingFile)) {
        throw new Error(`${variant.name}: node ${[...variant.nodeArgs, entry].join(" ")} failed (${out.status}):\n${out.stderr.slice(-3000)}`);
    }
    const t = JSON.parse(fs.readFileSync(timingFile, "utf8"));
    fs.rmSync(timingFile);
    return {
        resources: t.resources,
        toLastRegistrationMs: t.lastRegistrationEpochMs - spawned,
        cpuMs: t.lastRegistrationCpuMs,
        processMs: exited - spawned,
        exitCpuMs: t.exitCpuMs,
    };
}

/**
 * Measures every variant on every stack and the floor, `runs` times each, interleaved.
 * Returns { rows: [{ variant, target, resources, toLastRegistrationMs: stats, cpuMs, processMs, exitCpuMs, ownMs }] }.
 */
export function measure({ variants, stacks, runs, log = () => {} }) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-startup-"));
    try {
        const targets = stacks.flatMap((s) => [
            { name: floorOf(s), entry: "e2e/render.ts", stack: s, program: "bench/startup-floor.ts" },
            { name: s, entry: "e2e/render.ts", stack: s },
        ]);
        const prepared = variants.map((v) => prepareVariant(v, scratch));
        const argsOf = new Map();
        for (const v of prepared) {
            for (const t of targets) argsOf.set(`${v.name}/${t.name}`, [...(t.program ? ["--program", t.program] : []), t.stack, ...renderArgs(t.stack, v.tree ?? root)]);
        }
        // Warm-up: one run of each, not counted (fills the warm caches, and fails early on a broken variant).
        for (const v of prepared) for (const t of targets) runOnce(v, v.entryOf?.(t.entry) ?? t.entry, argsOf.get(`${v.name}/${t.name}`), scratch);
        const samples = new Map();
        for (let i = 0; i < runs; i++) {
            for (const t of targets) {
                for (const v of prepared) {
                    const r = runOnce(v, v.entryOf?.(t.entry) ?? t.entry, argsOf.get(`${v.name}/${t.name}`), scratch);
                    const key = `${v.name}/${t.name}`;
                    if (!samples.has(key)) samples.set(key, []);
                    samples.get(key).push(r);
                    log(`${key} run ${i + 1}: ${r.toLastRegistrationMs.toFixed(0)} ms to the last registration, ${r.cpuMs.toFixed(0)} ms CPU, ${r.resources} resources`);
                }
            }
        }
        const rows = [];
        for (const t of targets) {
            const counts = new Set(prepared.flatMap((v) => samples.get(`${v.name}/${t.name}`).map((r) => r.resources)));
            if (counts.size !== 1 || [...counts][0] === 0) {
                throw new Error(`${t.name}: the variants registered different numbers of resources (${[...counts].join(", ")}): they did not run the same program`);
            }
            for (const v of prepared) {
                const rs = samples.get(`${v.name}/${t.name}`);
                const floor = t.program ? undefined : stats(samples.get(`${v.name}/${floorOf(t.stack)}`).map((r) => r.toLastRegistrationMs)).median;
                rows.push({
                    variant: v.name,
                    target: t.name,
                    resources: rs[0].resources,
                    toLastRegistrationMs: stats(rs.map((r) => r.toLastRegistrationMs)),
                    cpuMs: stats(rs.map((r) => r.cpuMs)),
                    ownMs: t.program ? undefined : stats(rs.map((r) => r.toLastRegistrationMs - floor)),
                    processMs: stats(rs.map((r) => r.processMs)),
                    exitCpuMs: stats(rs.map((r) => r.exitCpuMs)),
                });
            }
        }
        return { runs, rows };
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

function prepareVariant(v, scratch) {
    if (v.cache === "warm") {
        const dir = fs.mkdtempSync(path.join(scratch, "cache-warm-"));
        return { ...v, cacheDir: () => dir };
    }
    if (v.cache === "cold") {
        return { ...v, cacheDir: () => fs.mkdtempSync(path.join(scratch, "cache-cold-")) };
    }
    if (v.cache === "prepared") {
        const dir = fs.mkdtempSync(path.join(scratch, "cache-prepared-"));
        const tree = v.tree ?? root;
        const warm = spawnSync(process.execPath, [path.join(tree, "scripts", "register-ts.cjs"), "--warm"], { cwd: tree, env: { ...process.env, LLM_PLATFORM_TS_CACHE: dir }, encoding: "utf8" });
        if (warm.status !== 0) throw new Error(`register-ts --warm failed: ${warm.stderr}`);
        // Each run starts from the caches as npm ci left them, not as the previous run left them.
        return {
            ...v,
            cacheDir: () => {
                const copy = fs.mkdtempSync(path.join(scratch, "cache-run-"));
                fs.cpSync(dir, copy, { recursive: true });
                return copy;
            },
        };
    }
    return v;
}

const fmtStat = (s) => (s ? `${(s.median / 1000).toFixed(2)} s (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})` : "");

/** The measurements as a markdown table. */
export function table({ runs, rows }) {
    const lines = [
        `| variant | what | to the last registration | CPU by then | the program's own part | whole process | CPU at exit | resources |`,
        `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ];
    for (const r of rows) {
        lines.push(`| ${r.variant} | ${r.target} | ${fmtStat(r.toLastRegistrationMs)} | ${fmtStat(r.cpuMs)} | ${fmtStat(r.ownMs)} | ${fmtStat(r.processMs)} | ${fmtStat(r.exitCpuMs)} | ${r.resources} |`);
    }
    lines.push("", `Median (min–max) of ${runs} runs each, interleaved; "the program's own part" is the time to the last registration minus the median of the stack's floor (the same harness, config and variant, a program of one component).`);
    return lines.join("\n");
}

function main() {
    const argv = process.argv.slice(2);
    const opt = (name, def) => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 ? argv[i + 1] : def;
    };
    const runs = Number(opt("runs", "5"));
    const stacks = opt("stacks", "dev,prod").split(",");
    const names = opt("variants", Object.keys(builtinVariants).join(",")).split(",");
    const variants = names.filter((n) => n !== "").map((name) => {
        if (!builtinVariants[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(builtinVariants).join(", ")}`);
        return { name, ...builtinVariants[name] };
    });
    argv.forEach((arg, i) => {
        if (arg !== "--tree") return;
        const [name, dir] = argv[i + 1].split("=");
        variants.push({ name, tree: path.resolve(dir), nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "warm" });
    });
    const result = measure({ variants, stacks, runs, log: (l) => process.stderr.write(`${l}\n`) });
    const json = opt("json");
    if (json) fs.writeFileSync(json, JSON.stringify(result, null, 1));
    console.log(table(result));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
