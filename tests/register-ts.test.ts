/**
 * scripts/register-ts.cjs, the loader every run of the TypeScript goes through (pulumi through
 * program.cjs, mocha, the e2e, the benchmarks): it transpiles as tsconfig.json says, never runs the
 * JavaScript of an older version of a file, and its stack traces point into the .ts files.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "./mocks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loader = require("../scripts/register-ts.cjs") as { compilerOptions: Record<string, unknown>; cacheRoot?: string };

function scratch(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "register-ts-"));
}

describe("register-ts: what pulumi runs", () => {
    for (const dir of [".", "deployments"]) {
        it(`${dir}/Pulumi.yaml runs program.cjs, which loads index.ts through the loader (no ts-node, no build step)`, () => {
            const project = parseYaml(fs.readFileSync(path.join(projectRoot, dir, "Pulumi.yaml"), "utf8"));
            assert.equal(project.main, "program.cjs");
            assert.equal(project.runtime.options.typescript, false);
            const program = fs.readFileSync(path.join(projectRoot, dir, "program.cjs"), "utf8");
            const requires = [...program.matchAll(/require\("([^"]+)"\)/g)].map((m) => path.resolve(projectRoot, dir, m[1]));
            assert.deepEqual(requires, [path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, dir, "index.ts")]);
        });
    }

    it("npm ci fills the cache (package.json prepare), so a fresh checkout's first preview doesn't transpile", function () {
        if (!loader.cacheRoot) this.skip(); // LLM_PLATFORM_TS_CACHE=off: no cache to fill
        const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));
        assert.equal(manifest.scripts.prepare, "node scripts/register-ts.cjs --warm");
        // The cache npm ci filled (a run with --ignore-scripts fills it here, once).
        const warm = spawnSync(process.execPath, [path.join(projectRoot, "scripts", "register-ts.cjs"), "--warm"], { encoding: "utf8" });
        assert.equal(warm.status, 0, warm.stderr);
        const [, count] = /register-ts: (\d+) TypeScript files cached/.exec(warm.stderr) ?? [];
        assert.ok(Number(count) > 100, warm.stderr);
        const cached = fs.readdirSync(path.join(loader.cacheRoot!, "ts"), { recursive: true }).map(String).filter((f) => f.endsWith(".js")).length;
        assert.ok(cached >= Number(count), `${cached} files in the cache, ${count} sources`);
    });
});

describe("register-ts: the TypeScript loader", () => {
    it("transpiles with tsconfig.json's options, as CommonJS (package.json has no \"type\": \"module\")", () => {
        const { config } = ts.readConfigFile(path.join(projectRoot, "tsconfig.json"), ts.sys.readFile);
        const fromTsconfig = ts.convertCompilerOptionsFromJson(config.compilerOptions, projectRoot).options;
        const fromLoader = ts.convertCompilerOptionsFromJson(loader.compilerOptions, projectRoot).options;
        for (const key of ["module", "moduleResolution", "target", "esModuleInterop", "isolatedModules", "resolveJsonModule"] as const) {
            assert.equal(fromLoader[key], fromTsconfig[key], `compilerOptions.${key}`);
        }
        assert.equal(JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).type, undefined);
    });

    it("a changed file runs as it is now, not as the cache remembers it", () => {
        const dir = scratch();
        const file = path.join(dir, "value.ts");
        fs.writeFileSync(file, "export const value: number = 1;\n");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.equal(require(file).value, 1);
        delete require.cache[file];
        fs.writeFileSync(file, "export const value: number = 2;\n");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.equal(require(file).value, 2);
    });

    it("stack traces point at the line of the .ts file, past the declarations the JavaScript drops", () => {
        const dir = scratch();
        const file = path.join(dir, "thrower.ts");
        const lines = ["interface Shape {", "    a: number;", "    b: string;", "}", "", "type Maybe = Shape | undefined;", "", "export function boom(x: Maybe): string {", '    if (!x) throw new Error("boom");', "    return x.b;", "}", ""];
        fs.writeFileSync(file, lines.join("\n"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { boom } = require(file) as { boom: (x: undefined) => string };
        assert.throws(() => boom(undefined), (e: Error) => {
            assert.match(e.stack ?? "", new RegExp(`at boom \\(${file.replace(/[.\\/]/g, "\\$&")}:9:19\\)`), e.stack);
            return true;
        });
    });

    it("the SDK's promise stacks are captured only when PULUMI_DEBUG_PROMISE_LEAKS is set, the only time the SDK reads them", () => {
        // The SDK's side: debuggable.js writes a promise's stack in debuggablePromise and reads it
        // only in promiseDebugString, which it calls only to print leaks under PULUMI_DEBUG_PROMISE_LEAKS;
        // no other module of the SDK reads it, and every caller calls debuggablePromise through the
        // module's exports (which the loader wraps). An SDK release that changes either fails here.
        const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        const sdk = fs.readFileSync(path.join(sdkDir, "runtime", "debuggable.js"), "utf8");
        assert.deepEqual(sdk.match(/_debugStackTrace\b[^\n]*/g), ['_debugStackTrace}`;', '_debugStackTrace", { writable: true, value: new Error().stack });']);
        assert.deepEqual(sdk.match(/[^\n]*promiseDebugString\(leak\)[^\n]*/g), ["            console.error(promiseDebugString(leak));"]);
        assert.match(sdk, /if \(exports\.debugPromiseLeaks\) \{\s*for \(const leak of leaked\) \{\s*console\.error\("Promise leak detected:"\);\s*console\.error\(promiseDebugString\(leak\)\);/);
        const sdkFiles = (fs.readdirSync(sdkDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".js") && !f.startsWith("node_modules") && !f.startsWith("vendor"));
        const text = (f: string) => fs.readFileSync(path.join(sdkDir, f), "utf8");
        const readers = sdkFiles.filter((f) => f !== path.join("runtime", "debuggable.js") && /_debugStackTrace|promiseDebugString/.test(text(f)));
        assert.deepEqual(readers, []);
        const calls = sdkFiles.flatMap((f) => text(f).match(/(?:function )?[\w.]*debuggablePromise\(/g) ?? []);
        assert.ok(calls.length > 10, `${calls.length} calls`);
        assert.deepEqual([...new Set(calls)].sort(), ["debuggable_1.debuggablePromise(", "function debuggablePromise("]);
        // The loader's side: this process (mocha loaded the loader before the SDK), and one with the variable set.
        const stackOf = (p: Promise<unknown>) => (p as unknown as { _debugStackTrace: string })._debugStackTrace;
        const sdkPromise = Promise.resolve(1);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("@pulumi/pulumi/runtime/debuggable").debuggablePromise(sdkPromise, "ctx");
        if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) assert.match(stackOf(sdkPromise), /^Error\n {4}at debuggablePromise /);
        else assert.equal(stackOf(sdkPromise), "Error");
        const script = 'const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable"); const p = Promise.resolve(1); debuggablePromise(p, "ctx"); console.log(p._debugStackTrace);';
        const withLeakDebugging = spawnSync(process.execPath, ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), "-e", script], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "1" } });
        assert.equal(withLeakDebugging.status, 0, withLeakDebugging.stderr);
        assert.match(withLeakDebugging.stdout, /^Error\n {4}at debuggablePromise \(.*debuggable\.js:\d+:\d+\)\n {4}at \[eval\]:1:\d+/);
    });

    it("a syntax error names the file and the line", () => {
        const dir = scratch();
        const file = path.join(dir, "broken.ts");
        fs.writeFileSync(file, "export const a = 1;\nexport const b = ;\n");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.throws(() => require(file), (e: Error) => e instanceof SyntaxError && e.message.includes("broken.ts(2,18)"));
    });

    it("keeps each file's JavaScript in the cache directory it is given, and runs without one", () => {
        const dir = scratch();
        fs.writeFileSync(path.join(dir, "main.ts"), 'const greeting: string = "hello";\nconsole.log(greeting);\n');
        const run = (cache: string) =>
            spawnSync(process.execPath, ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(dir, "main.ts")], { encoding: "utf8", env: { ...process.env, LLM_PLATFORM_TS_CACHE: cache } });
        const cache = path.join(dir, "cache");
        const cached = run(cache);
        assert.equal(cached.stdout, "hello\n", cached.stderr);
        const files = fs.readdirSync(path.join(cache, "ts"), { recursive: true }).map(String);
        assert.ok(files.some((f) => f.endsWith(".js")) && files.some((f) => f.endsWith(".map")), files.join(", "));
        const uncached = run("off");
        assert.equal(uncached.stdout, "hello\n", uncached.stderr);
    });

    describe("under pulumi, whose language host installs source-map-support before it loads the program", () => {
        // A JavaScript file with a source map that places its one line in "original.ts", line 40.
        function mappedScript(dir: string): string {
            const file = path.join(dir, "mapped.js");
            const map = { version: 3, file: "mapped.js", sources: ["original.ts"], names: [], mappings: "AAuCA" };
            fs.writeFileSync(file, `exports.stack = () => new Error("here").stack;\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`);
            return file;
        }
        /** The top frame of a stack taken in mappedScript, with `preload` loaded first. */
        function topFrame(preload: string[]): string {
            const file = mappedScript(scratch());
            const script = `for (const p of ${JSON.stringify(preload)}) require(p); console.log(require(${JSON.stringify(file)}).stack().split("\\n")[1].trim())`;
            const run = spawnSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8" });
            assert.equal(run.status, 0, run.stderr);
            return run.stdout.trim();
        }
        const sourceMapSupport = require.resolve("source-map-support/register", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] });
        const registerTs = path.join(projectRoot, "scripts", "register-ts.cjs");

        it("the SDK's language host does install it, before the program", () => {
            const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
            const run = fs.readFileSync(path.join(sdkDir, "cmd", "run", "index.js"), "utf8");
            assert.match(run, /^require\("source-map-support\/register"\);$/m);
        });

        it("source-map-support maps every frame through its file's source map: the cost the loader takes over from", () => {
            assert.match(topFrame([sourceMapSupport]), /original\.ts:40:1\)$/);
        });

        /** One process as pulumi runs the program: source-map-support, then the loader; what it prints. */
        let underPulumi: { jsFrame: string; tsFrame: string; promiseStack: string; tsFile: string } | undefined;
        before(() => {
            const dir = scratch();
            const tsFile = path.join(dir, "thrower.ts");
            fs.writeFileSync(tsFile, ["type Unused = string;", "", "export const stack = (): string => new Error(\"here\").stack ?? \"\";", ""].join("\n"));
            const jsFile = mappedScript(dir);
            const script = [
                // As the language host loads them: source-map-support and the SDK's runtime, then the program's loader.
                `require(${JSON.stringify(sourceMapSupport)}); require("@pulumi/pulumi/runtime/debuggable"); require(${JSON.stringify(registerTs)});`,
                `console.log(require(${JSON.stringify(jsFile)}).stack().split("\\n")[1].trim());`,
                `console.log(require(${JSON.stringify(tsFile)}).stack().split("\\n")[1].trim());`,
                'const p = Promise.resolve(1); require("@pulumi/pulumi/runtime/debuggable").debuggablePromise(p, "ctx"); console.log(p._debugStackTrace);',
            ].join(" ");
            const run = spawnSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "" } });
            assert.equal(run.status, 0, run.stderr);
            const [jsFrame, tsFrame, promiseStack] = run.stdout.trim().split("\n");
            underPulumi = { jsFrame, tsFrame, promiseStack, tsFile };
        });

        it("the loader replaces it: frames outside the repository's .ts files stay at their JavaScript positions", () => {
            assert.match(underPulumi!.jsFrame, /mapped\.js:1:\d+\)$/);
        });

        it("the loader still maps the .ts files' frames, and the SDK's promises capture no stack", () => {
            assert.match(underPulumi!.tsFrame, new RegExp(`${underPulumi!.tsFile.replace(/[.\\/]/g, "\\$&")}:3:36\\)$`));
            assert.equal(underPulumi!.promiseStack, "Error");
        });

        it("a stack formatter it doesn't know (a debugger's) is kept", () => {
            const custom = "Error.prepareStackTrace = function custom(error) { return `custom: ${error.message}`; }";
            const run = spawnSync(process.execPath, ["-e", `${custom}; require(${JSON.stringify(registerTs)}); console.log(new Error("kept").stack)`], { encoding: "utf8" });
            assert.equal(run.stdout.trim(), "custom: kept", run.stderr);
        });
    });
});
