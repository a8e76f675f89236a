"use strict";
/**
 * Runs this repository's TypeScript as CommonJS, transpiled once per file content and kept on disk:
 * what `pulumi` (through program.cjs), mocha, the e2e and the benchmarks load the sources with.
 *
 *   node -r ./scripts/register-ts.cjs e2e/render.ts dev
 *
 * Each .ts file of the repository is transpiled with TypeScript's transpileModule (per file, no
 * type-check: `npm run build` type-checks, in CI and before a commit) and the JavaScript is kept in
 * node_modules/.cache/llm-platform/ts/, named by a hash of the source, its path, the compiler
 * options and the TypeScript version. A changed file gets a new name, so nothing stale ever runs;
 * an unchanged one is read back instead of transpiled (transpiling was most of a start,
 * docs/performance.md). TypeScript itself is loaded only when a file misses the cache. Node's
 * compile cache (V8 code cache) is enabled beside it, for every module loaded after this one.
 *
 * Stack traces point into the .ts files: frames in the transpiled files are mapped through their
 * source maps when a stack is formatted. Only those files are mapped (Node's --enable-source-maps
 * would also read every dependency's .js.map and map every frame of the SDK's many stack captures,
 * which cost a quarter of a second per start; docs/performance.md).
 *
 * LLM_PLATFORM_TS_CACHE=<dir> moves the caches; LLM_PLATFORM_TS_CACHE=off transpiles every time.
 *
 *   node scripts/register-ts.cjs --warm
 *
 * transpiles every .ts file of the repository into the cache, then loads the program's modules
 * (config/ and each concern's folder, which only define things; index.ts, which runs the program, is not
 * loaded) so that V8's code cache holds them and the SDKs they import, as a run loads them
 * (scripts/lazy-sdk-deps.cjs deferring what it defers). npm runs it after `npm ci`
 * and `npm install` (package.json "prepare"): the first `pulumi preview` of a fresh checkout, a CI
 * runner or a Pulumi Deployments run starts as warm as the next.
 */
// Before anything can load @pulumi/pulumi: its function-serialization dependencies load when used.
require("./lazy-sdk-deps.cjs");
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const setting = process.env.LLM_PLATFORM_TS_CACHE;
const useCache = setting !== "off";
const cacheRoot = setting && useCache ? path.resolve(setting) : path.join(root, "node_modules", ".cache", "llm-platform");
const tsDir = path.join(cacheRoot, "ts");

/**
 * The options of tsconfig.json that shape the JavaScript (tests/register-ts.test.ts keeps them in
 * step). NodeNext in a package without "type": "module" is CommonJS, with `import()` kept as Node's
 * own (the ESM-only packages the tests load need it).
 */
const compilerOptions = {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    esModuleInterop: true,
    resolveJsonModule: true,
    isolatedModules: true,
    sourceMap: true,
};
const typescriptDir = path.dirname(require.resolve("typescript/package.json", { paths: [root] }));
const salt = `register-ts 2\0${JSON.parse(fs.readFileSync(path.join(typescriptDir, "package.json"), "utf8")).version}\0${JSON.stringify(compilerOptions)}\0`;

let ts;
let tsOptions;
/** TypeScript's per-file transpilation: the JavaScript and its source map. */
function transpile(source, filename) {
    if (!ts) {
        ts = require(typescriptDir);
        tsOptions = ts.convertCompilerOptionsFromJson(compilerOptions, root).options;
    }
    const out = ts.transpileModule(source, { fileName: filename, compilerOptions: tsOptions, reportDiagnostics: true });
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) {
        const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
        throw new SyntaxError(ts.formatDiagnostics(errors, host));
    }
    return { js: out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), map: out.sourceMapText };
}

/** Where each loaded file's source map is: its text, or the cache file holding it. */
const sourceMaps = new Map();

/** The JavaScript of a source file: from the cache, or transpiled and then cached. */
function compiled(source, filename) {
    if (!useCache) {
        const { js, map } = transpile(source, filename);
        sourceMaps.set(filename, { text: map });
        return js;
    }
    const hash = crypto.createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex");
    const file = path.join(tsDir, hash.slice(0, 2), hash.slice(2));
    sourceMaps.set(filename, { file: `${file}.map` });
    try {
        return fs.readFileSync(`${file}.js`, "utf8");
    } catch {
        // not cached yet
    }
    const { js, map } = transpile(source, filename);
    sourceMaps.set(filename, { text: map });
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Written aside and renamed, the map first: a parallel process never reads half a file, and
        // never a JavaScript file without its map.
        for (const [ext, text] of [[".map", map], [".js", js]]) {
            const tmp = `${file}${ext}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, text);
            fs.renameSync(tmp, `${file}${ext}`);
        }
    } catch {
        // a read-only checkout runs without the cache
    }
    return js;
}

const nodeModules = `${path.sep}node_modules${path.sep}`;
const nativeTs = Module._extensions[".ts"];
Module._extensions[".ts"] = function loadTypeScript(module, filename) {
    if (filename.includes(nodeModules) && nativeTs) return nativeTs(module, filename);
    module._compile(compiled(fs.readFileSync(filename, "utf8"), filename), filename);
};

// ---------------------------------------------------------------- stack traces
const parsedMaps = new Map();
function sourceMapOf(filename) {
    let parsed = parsedMaps.get(filename);
    if (parsed === undefined) {
        const where = sourceMaps.get(filename);
        try {
            parsed = new Module.SourceMap(JSON.parse(where.text ?? fs.readFileSync(where.file, "utf8")));
        } catch {
            parsed = null;
        }
        parsedMaps.set(filename, parsed);
    }
    return parsed;
}

/** The .ts position of a position in a transpiled file ("line:column"), or undefined; memoised per file. */
const positions = new Map();
function originalPosition(file, line, column) {
    let byPosition = positions.get(file);
    if (!byPosition) positions.set(file, (byPosition = new Map()));
    const key = line * 65536 + column;
    let found = byPosition.get(key);
    if (found === undefined) {
        const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1);
        found = entry && entry.originalLine !== undefined ? `${entry.originalLine + 1}:${entry.originalColumn + 1}` : null;
        byPosition.set(key, found);
    }
    return found;
}

/** One frame as V8 prints it, at its position in the .ts file when it is in one. */
function frameText(frame) {
    const text = `${frame}`;
    const file = frame.getFileName();
    if (!file || !sourceMaps.has(file)) return text;
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    const original = originalPosition(file, line, column);
    if (!original) return text;
    const at = `${file}:${line}:${column}`;
    const i = text.lastIndexOf(at);
    return i < 0 ? text : `${text.slice(0, i)}${file}:${original}${text.slice(i + at.length)}`;
}

function errorHeader(error) {
    try {
        return Error.prototype.toString.call(error);
    } catch {
        return "Error";
    }
}

/**
 * The SDK's debuggablePromise takes `new Error().stack` for every promise it makes (~1,100 in a
 * prod run) and reads it only to print leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set
 * (runtime/debuggable.js). Unless it is set, the function runs with Error.stackTraceLimit at 0, so
 * no frames are captured and the stack it keeps is "Error": capturing and formatting them was a
 * tenth of a prod start and ~2 s of the unit suite's CPU (docs/performance.md).
 * tests/register-ts.test.ts holds the SDK to reading that stack only then, and to calling the
 * function through its module's exports (which is what is wrapped here).
 */
const debuggableFile = (() => {
    try {
        return require.resolve("@pulumi/pulumi/runtime/debuggable.js", { paths: [root] });
    } catch {
        return undefined; // no SDK: nothing to wrap
    }
})();
function withoutPromiseStacks(debuggable) {
    const debuggablePromise = debuggable.debuggablePromise;
    if (typeof debuggablePromise !== "function" || debuggablePromise.capturesNoStack) return;
    const wrapped = function (promise, context) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return debuggablePromise.call(this, promise, context);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    debuggable.debuggablePromise = Object.assign(wrapped, { capturesNoStack: true });
}
if (debuggableFile && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
    const loaded = require.cache[debuggableFile];
    if (loaded) {
        withoutPromiseStacks(loaded.exports); // under pulumi: the language host loaded it before the program
    } else {
        const load = Module._load;
        Module._load = function loadWrappingDebuggable() {
            const exports = load.apply(this, arguments);
            if (exports?.debuggablePromise !== undefined && require.cache[debuggableFile]?.exports === exports) {
                withoutPromiseStacks(exports);
                if (Module._load === loadWrappingDebuggable) Module._load = load;
            }
            return exports;
        };
    }
}

/**
 * Whether `prepare` is source-map-support's. @pulumi/pulumi's language host (cmd/run) installs it
 * before it loads the program, for ts-node's output. It maps every frame of every stack through the
 * source map of the frame's file, node_modules' too, and the SDK formats a stack for each resource
 * it registers (the source position it sends the engine) and for each promise it makes: that was
 * ~0.55 s of CPU in a prod preview (docs/performance.md). This loader maps its own files' frames
 * itself, so it takes over from source-map-support; the SDK's frames stay at their .js positions.
 */
function isSourceMapSupport(prepare) {
    if (typeof prepare !== "function" || prepare.name !== "prepareStackTrace") return false;
    const loaded = Object.keys(require.cache).some((f) => /[\\/]source-map-support[\\/]source-map-support\.js$/.test(f));
    return loaded && /\bwrapCallSite\(stack\[i\], state\)/.test(Function.prototype.toString.call(prepare));
}

// Node's own formatting or source-map-support's is replaced; anything else (a debugger's) is kept.
const installedPrepare = Error.prepareStackTrace;
const nodePrepare = installedPrepare?.name === "ErrorPrepareStackTrace" ? installedPrepare : undefined;
if (installedPrepare === undefined || nodePrepare || isSourceMapSupport(installedPrepare)) {
    Error.prepareStackTrace = function prepareStackTrace(error, frames) {
        if (!frames.some((f) => sourceMaps.has(f.getFileName()))) {
            return nodePrepare ? nodePrepare(error, frames) : errorHeader(error) + frames.map((f) => `\n    at ${f}`).join("");
        }
        return errorHeader(error) + frames.map((f) => `\n    at ${frameText(f)}`).join("");
    };
}

if (useCache) Module.enableCompileCache?.(path.join(cacheRoot, "v8"));

/** The repository's .ts files (not node_modules, dot-directories or the e2e's throwaway programs). */
function sourceFiles(dir = root) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            const skip = ["node_modules", "bin"].includes(entry.name) || entry.name.startsWith(".") || full === path.join(root, "e2e", "fixtures");
            if (!skip) out.push(...sourceFiles(full));
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            out.push(full);
        }
    }
    return out;
}

/** Fills the cache; never fails (an install must not fail for want of a cache). */
function warm() {
    const started = Date.now();
    let failed = 0;
    const files = sourceFiles();
    for (const file of files) {
        try {
            compiled(fs.readFileSync(file, "utf8"), file);
        } catch (error) {
            failed++;
            console.error(`register-ts: ${path.relative(root, file)} not cached: ${error.message.split("\n")[0]}`);
        }
    }
    for (const entry of ["config/index.ts", ...["application", "data-tier", "network", "observability", "platform", "secrets"].map((folder) => `${folder}/index.ts`)]) {
        try {
            require(path.join(root, entry));
        } catch (error) {
            console.error(`register-ts: ${entry} not loaded: ${error.message.split("\n")[0]}`);
        }
    }
    Module.flushCompileCache?.();
    console.error(`register-ts: ${files.length - failed} TypeScript files cached in ${tsDir} (${Date.now() - started} ms)`);
}

/** For tests/register-ts.test.ts: the options every file is transpiled with. */
module.exports = { compilerOptions, cacheRoot: useCache ? cacheRoot : undefined };

if (require.main === module && process.argv.includes("--warm") && useCache) warm();
