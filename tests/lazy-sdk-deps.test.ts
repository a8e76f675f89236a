/**
 * scripts/lazy-sdk-deps.cjs, which program.cjs loads first: @pulumi/pulumi's function
 * serialization dependencies (TypeScript's compiler, npm's Arborist) load when they are used, not
 * when the SDK is imported.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "./mocks";

const lazySdkDeps = path.join(projectRoot, "scripts", "lazy-sdk-deps.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cacheRoot } = require("../scripts/register-ts.cjs") as { cacheRoot?: string };
/** The child processes share the loader's V8 code cache (TypeScript's compiler is 9 MB of JavaScript). */
const env = { ...process.env, ...(cacheRoot ? { NODE_COMPILE_CACHE: path.join(cacheRoot, "v8") } : {}) };

/** Which of the two deferred packages are loaded, as a script prints it. */
const printLoaded = 'const loaded = () => [...new Set(Object.keys(require.cache).map((f) => /node_modules\\/(typescript|@npmcli\\/arborist)\\//.exec(f)?.[1]).filter(Boolean))].sort();';

/** Runs `script` in a Node process in `cwd`, with the stand-ins or without; its stdout's lines. */
function run(script: string, withStandIns: boolean, cwd = projectRoot): string[] {
    const args = [...(withStandIns ? ["-r", lazySdkDeps] : []), "-e", `${printLoaded} ${script}`];
    const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split("\n");
}

function scratch(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "lazy-sdk-deps-"));
}

describe("lazy-sdk-deps: the SDK's function serialization loads what it needs when it is used", () => {
    const sdk = JSON.stringify(require.resolve("@pulumi/pulumi"));

    it("without it, importing @pulumi/pulumi loads TypeScript and Arborist (what it defers; an SDK that stops fails here)", () => {
        assert.deepEqual(JSON.parse(run(`require(${sdk}); console.log(JSON.stringify(loaded()));`, false)[0]), ["@npmcli/arborist", "typescript"]);
    });

    it("with it, importing @pulumi/pulumi loads neither; serializing a function and computing code paths load them and work", () => {
        // A package of its own, without dependencies: computeCodePaths walks the package's dependency tree.
        const dir = scratch();
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "serializes", version: "1.0.0", dependencies: {} }));
        const script = [
            `const pulumi = require(${sdk});`,
            "console.log(JSON.stringify(loaded()));",
            "(async () => {",
            "  const fn = await pulumi.runtime.serializeFunction((x) => x * 42);",
            "  console.log(JSON.stringify({ exportName: fn.exportName, text: fn.text }));",
            "  console.log(JSON.stringify([...(await pulumi.runtime.computeCodePaths()).keys()]));",
            "  console.log(JSON.stringify(loaded()));",
            "})().catch((e) => { console.error(e); process.exit(1); });",
        ].join("\n");
        const [atImport, serialized, codePaths, atEnd] = run(script, true, dir).map((line) => JSON.parse(line));
        assert.deepEqual(atImport, []);
        assert.equal(serialized.exportName, "handler");
        assert.match(serialized.text, /^exports\.handler = __f0;\n[\s\S]*return \(x\) => x \* 42;/);
        assert.deepEqual(codePaths, []);
        assert.deepEqual(atEnd, ["@npmcli/arborist", "typescript"]);
    });

    it("a module that can't be found fails at the require, as before (the SDK's shim then falls back to its own TypeScript)", () => {
        const dir = scratch();
        const shim = path.join(dir, "node_modules", "@pulumi", "pulumi", "typescript-shim.js");
        fs.mkdirSync(path.dirname(shim), { recursive: true });
        fs.writeFileSync(shim, 'try { module.exports = require("typescript"); } catch (e) { module.exports = { fallback: e.code }; }\n');
        const result = spawnSync(process.execPath, ["-r", lazySdkDeps, "-e", `console.log(JSON.stringify(require(${JSON.stringify(shim)})))`], { cwd: dir, encoding: "utf8", env });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), { fallback: "MODULE_NOT_FOUND" });
    });
});
