/**
 * scripts/lazy-sdk-deps.cjs, which the loader (scripts/register-ts.cjs) loads first:
 * @pulumi/pulumi's function serialization dependencies (TypeScript's compiler, npm's Arborist) load
 * when they are used, not when the SDK is imported.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "./mocks";

const lazySdkDeps = path.join(projectRoot, "scripts", "lazy-sdk-deps.cjs");
/** What every run of the TypeScript loads first (pulumi through program.cjs, mocha, the e2e). */
const loader = path.join(projectRoot, "scripts", "register-ts.cjs");

/** Which of the two deferred packages are loaded, as a script prints it. */
const printLoaded = 'const loaded = () => [...new Set(Object.keys(require.cache).map((f) => /node_modules\\/(typescript|@npmcli\\/arborist)\\//.exec(f)?.[1]).filter(Boolean))].sort();';

/** Runs `script` in a Node process in `cwd`, `preload` loaded first (or nothing); its stdout's lines. */
function run(script: string, preload: string | undefined, cwd = projectRoot): string[] {
    const args = [...(preload ? ["-r", preload] : []), "-e", `${printLoaded} ${script}`];
    const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split("\n");
}

function scratch(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "lazy-sdk-deps-"));
}

describe("lazy-sdk-deps: the SDK's function serialization loads what it needs when it is used", () => {
    const sdk = JSON.stringify(require.resolve("@pulumi/pulumi"));

    it("without it, importing @pulumi/pulumi loads TypeScript and Arborist (what it defers; an SDK that stops fails here)", () => {
        assert.deepEqual(JSON.parse(run(`require(${sdk}); console.log(JSON.stringify(loaded()));`, undefined)[0]), ["@npmcli/arborist", "typescript"]);
    });

    it("with the loader, importing @pulumi/pulumi loads neither; serializing a function loads TypeScript then, and comes out whole", () => {
        const script = [
            `const pulumi = require(${sdk});`,
            "console.log(JSON.stringify(loaded()));",
            "pulumi.runtime.serializeFunction((x) => x * 42).then((fn) => {",
            "  console.log(JSON.stringify({ exportName: fn.exportName, text: fn.text }));",
            "  console.log(JSON.stringify(loaded()));",
            "}).catch((e) => { console.error(e); process.exit(1); });",
        ].join("\n");
        const [atImport, serialized, atEnd] = run(script, loader).map((line) => JSON.parse(line));
        assert.deepEqual(atImport, []);
        assert.equal(serialized.exportName, "handler");
        assert.match(serialized.text, /^exports\.handler = __f0;\n[\s\S]*return \(x\) => x \* 42;/);
        assert.deepEqual(atEnd, ["typescript"]);
    });

    it("Arborist, as the SDK requires it (through TypeScript's __importStar), loads when first used and works", () => {
        // A stand-in SDK file and Arborist: the real Arborist's use (computeCodePaths) walks a whole dependency tree.
        const dir = scratch();
        const codePaths = path.join(dir, "node_modules", "@pulumi", "pulumi", "runtime", "closure", "codePaths.js");
        const arborist = path.join(dir, "node_modules", "@npmcli", "arborist", "index.js");
        for (const file of [codePaths, arborist]) fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(arborist, 'globalThis.arboristLoaded = true;\nclass Arborist { constructor(options) { this.path = options.path; } }\nmodule.exports = { Arborist };\n');
        fs.writeFileSync(codePaths, [
            "var __importStar = (this && this.__importStar) || function (mod) { if (mod && mod.__esModule) return mod; var result = {}; if (mod != null) for (var k in mod) if (Object.hasOwnProperty.call(mod, k)) result[k] = mod[k]; result[\"default\"] = mod; return result; };",
            'const arborist = __importStar(require("@npmcli/arborist"));',
            "exports.use = (p) => new arborist.Arborist({ path: p }).path;",
        ].join("\n"));
        const script = `const { use } = require(${JSON.stringify(codePaths)}); const before = globalThis.arboristLoaded === true; console.log(JSON.stringify({ before, used: use("/x"), after: globalThis.arboristLoaded === true }));`;
        assert.deepEqual(JSON.parse(run(script, lazySdkDeps, dir)[0]), { before: false, used: "/x", after: true });
    });

    it("a module that can't be found fails at the require, as before (the SDK's shim then falls back to its own TypeScript)", () => {
        const dir = scratch();
        const shim = path.join(dir, "node_modules", "@pulumi", "pulumi", "typescript-shim.js");
        fs.mkdirSync(path.dirname(shim), { recursive: true });
        fs.writeFileSync(shim, 'try { module.exports = require("typescript"); } catch (e) { module.exports = { fallback: e.code }; }\n');
        const result = spawnSync(process.execPath, ["-r", lazySdkDeps, "-e", `console.log(JSON.stringify(require(${JSON.stringify(shim)})))`], { cwd: dir, encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), { fallback: "MODULE_NOT_FOUND" });
    });
});
