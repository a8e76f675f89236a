#!/usr/bin/env node
// The start-up candidates of issue #14, measured against each other (docs/performance.md records a
// run): each is a scratch copy of this checkout (node_modules linked) run by bench/startup.mjs,
// interleaved, on dev and prod and their floors.
//
//   node bench/startup-candidates.mjs [--runs N] [--keep]
//
//   ts-node                       ts-node/register/transpile-only: how the program ran before #14
//   register-ts, cold / after npm ci / warm
//                                 scripts/register-ts.cjs (what `pulumi` runs now, through
//                                 program.cjs) with empty caches each run; with the transpile cache
//                                 `npm ci` fills (package.json prepare) but no V8 code cache; warm
//   strip (ESM), cold / warm      Node's own type stripping: the copy becomes ES modules
//                                 ("type": "module", bench/candidates/codemod-esm.mjs, and the few
//                                 edits by hand below), run with no loader; warm: NODE_COMPILE_CACHE
//   tsc JavaScript, cold / warm   `tsc` emits JavaScript beside the sources, which node runs as is;
//                                 warm: NODE_COMPILE_CACHE
//
// The candidates' copies are the program as it is now (the same components and lazy loads), so
// the table compares loaders and module systems, nothing else. A candidate whose run registers a
// different number of resources than the others fails the script.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { measure, table } from "./startup.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1] || 5);
const log = (l) => process.stderr.write(`${l}\n`);

/** A scratch copy of the checkout's tracked and new files, node_modules linked. */
function copy(dir) {
    const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    for (const f of files) {
        if (!fs.existsSync(path.join(root, f))) continue;
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(root, f), path.join(dir, f));
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** Replaces `from` by `to` in a file of the copy; fails when `from` isn't there (the source moved on). */
function edit(dir, file, from, to) {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, "utf8");
    if (!text.includes(from)) throw new Error(`${file}: "${from.slice(0, 60)}…" not found; update bench/startup-candidates.mjs`);
    fs.writeFileSync(p, text.split(from).join(to));
}

/** The copy as ES modules for Node's type stripping. */
function esmTree(dir) {
    copy(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...manifest, type: "module" }, null, 2));
    log("strip (ESM): codemod (about a minute)");
    execFileSync(process.execPath, [path.join(root, "bench", "candidates", "codemod-esm.mjs"), dir], { stdio: ["ignore", "ignore", "inherit"] });
    // What the codemod can't do: parameter properties (not erasable), and require() in ES modules.
    edit(dir, "validation/problem.ts", "export class Description {\n    constructor(readonly text: string) {}\n}", "export class Description {\n    readonly text: string;\n    constructor(text: string) {\n        this.text = text;\n    }\n}");
    edit(dir, "validation/problem.ts", "    constructor(\n        readonly stack: string,\n        problems: readonly Problem[],\n    ) {\n        super(formatProblems(stack, problems));", "    readonly stack: string;\n    constructor(stack: string, problems: readonly Problem[]) {\n        super(formatProblems(stack, problems));\n        this.stack = stack;");
    const esmRequire = 'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n';
    for (const file of ["validation/problem.ts", "tests/mocks.ts"]) {
        const p = path.join(dir, file);
        fs.writeFileSync(p, esmRequire + fs.readFileSync(p, "utf8"));
    }
    // An ES module can't be evicted from the loader's cache: each run imports index.ts anew by URL.
    edit(dir, "tests/mocks.ts", "delete require.cache[require.resolve(path.join(projectRoot, program))];", "programRuns++;");
    edit(dir, "tests/mocks.ts", "const program = require(path.join(projectRoot, entry));", 'const program = await import(`${require("node:url").pathToFileURL(path.join(projectRoot, entry)).href}?run=${programRuns}`);');
    edit(dir, "tests/mocks.ts", "function clearProgramModules(program: string): void {", "let programRuns = 0;\nfunction clearProgramModules(program: string): void {");
    return dir;
}

/** The copy with tsc's JavaScript beside each source file. */
function jsTree(dir) {
    copy(dir);
    log("tsc JavaScript: tsc (about half a minute)");
    // Emitted aside (an outDir inside the sources is excluded from them), then laid beside them.
    const out = path.join(dir, ".tsc-out");
    execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit", "false", "--outDir", out, "--rootDir", ".", "--sourceMap", "false"], { cwd: dir, stdio: "inherit" });
    fs.cpSync(out, dir, { recursive: true });
    // The program and the floor's (--program bench/startup-floor.ts) as tsc wrote them.
    edit(dir, "tests/mocks.js", "require(path.join(exports.projectRoot, entry))", 'require(path.join(exports.projectRoot, entry.replace(/\\.ts$/, ".js")))');
    edit(dir, "tests/mocks.js", "require.resolve(path.join(exports.projectRoot, program))", 'require.resolve(path.join(exports.projectRoot, program.replace(/\\.ts$/, ".js")))');
    return dir;
}

function main() {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-candidates-"));
    try {
        const current = copy(path.join(scratch, "register-ts"));
        const esm = esmTree(path.join(scratch, "esm"));
        const js = jsTree(path.join(scratch, "js"));
        const toJs = (entry) => entry.replace(/\.ts$/, ".js");
        const variants = [
            { name: "ts-node (before #14)", tree: current, nodeArgs: ["-r", "ts-node/register/transpile-only"] },
            { name: "register-ts, cold caches", tree: current, nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "cold" },
            { name: "register-ts, after npm ci", tree: current, nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "prepared" },
            { name: "register-ts, warm caches (chosen)", tree: current, nodeArgs: ["-r", "./scripts/register-ts.cjs"], cache: "warm" },
            { name: "strip (ESM), cold", tree: esm, nodeArgs: [] },
            { name: "strip (ESM), compile cache warm", tree: esm, nodeArgs: [], env: { NODE_COMPILE_CACHE: path.join(scratch, "esm-v8") } },
            { name: "tsc JavaScript, cold", tree: js, nodeArgs: [], entryOf: toJs },
            { name: "tsc JavaScript, compile cache warm", tree: js, nodeArgs: [], entryOf: toJs, env: { NODE_COMPILE_CACHE: path.join(scratch, "js-v8") } },
        ];
        const result = measure({ variants, stacks: ["dev", "prod"], runs, log });
        console.log(table(result));
    } finally {
        if (!argv.includes("--keep")) fs.rmSync(scratch, { recursive: true, force: true });
        else log(`kept ${scratch}`);
    }
}

main();
