/**
 * The shape of the program (ARCHITECTURE.md), checked: imports run one way and lint refuses a
 * back-arrow, index.ts only wires, and no function grows past what a reader takes in at once.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "./mocks";

const layers = ["lib", "config", "components"];

/** Each module parsed once for every test here (parsing is most of their time). */
const parsed = new Map<string, ts.SourceFile>();
function sourceFileOf(file: string): ts.SourceFile {
    if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), ts.ScriptTarget.ES2022, true));
    return parsed.get(file)!;
}

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(path.join(projectRoot, dir)).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
}

let linter: Promise<import("eslint").ESLint> | undefined;
async function lintMessages(file: string, code: string): Promise<string[]> {
    // eslint is an ES module with its own loader; import it as the CLI does. One instance for all
    // the tests: loading the config and the TypeScript parser is most of the cost.
    linter ??= import("eslint").then(({ ESLint }) => new ESLint({ cwd: projectRoot }));
    const [result] = await (await linter).lintText(code, { filePath: path.join(projectRoot, file) });
    return result.messages.map((m) => m.message);
}

describe("architecture: imports run one way, and lint enforces it", () => {
    it("lint refuses config/ importing components/", async () => {
        const messages = await lintMessages("config/back-arrow.ts", 'import { Application } from "../components";\nexport const x = Application;\n');
        assert.deepEqual(messages, ["'../components' import is restricted from being used by a pattern. config/ never imports components/: move the shared helper to lib/."]);
    });

    it("lint refuses lib/ importing config/ or components/", async () => {
        assert.deepEqual(await lintMessages("lib/back-arrow.ts", 'import { loadConfig } from "../config";\nexport const x = loadConfig;\n'), [
            "'../config' import is restricted from being used by a pattern. lib/ is the leaf: it imports neither config/ nor components/.",
        ]);
        assert.equal((await lintMessages("lib/back-arrow.ts", 'import { labels } from "../components/chart-values";\nexport const x = labels;\n')).length, 1);
    });

    it("lint lets components/ import config's types, and refuses its values", async () => {
        assert.deepEqual(await lintMessages("components/typed.ts", 'import type { ServiceConfig } from "../config";\nexport type X = ServiceConfig;\n'), []);
        assert.deepEqual(await lintMessages("components/valued.ts", 'import { loadConfig } from "../config";\nexport const x = loadConfig;\n'), [
            "'../config' import is restricted from being used by a pattern. components/ import config's types only (import type): values come from lib/ or from their args.",
        ]);
    });

    it("lint refuses components/ importing @pulumi/kubernetes's index (components/k8s.ts imports the groups)", async () => {
        assert.deepEqual(await lintMessages("components/indexed.ts", 'import * as k8s from "@pulumi/kubernetes";\nexport const x = k8s.core;\n'), [
            "'@pulumi/kubernetes' import is restricted from being used. import the API groups from ./k8s (components/k8s.ts), not @pulumi/kubernetes's index, which loads all of them (scripts/codemod-k8s-imports.mjs rewrites it).",
        ]);
        assert.deepEqual(await lintMessages("components/typed.ts", 'import type * as k8s from "@pulumi/kubernetes";\nexport type X = k8s.core.v1.Namespace;\n'), []);
    });

    it("lint refuses config/ importing zod itself, and config/zod.ts turns zod's JIT off before a schema is built", async () => {
        assert.deepEqual(await lintMessages("config/direct.ts", 'import { z } from "zod";\nexport const x = z.string();\n'), [
            "'zod' import is restricted from being used. import { z } from \"./zod\" (config/zod.ts): it turns zod's JIT off before any schema is built.",
        ]);
        /* eslint-disable @typescript-eslint/no-require-imports */
        require("../config");
        assert.equal((require("zod") as typeof import("zod")).z.config().jitless, true);
        /* eslint-enable @typescript-eslint/no-require-imports */
    });

    it("every module of each layer imports only what its layer may", () => {
        const allowed: Record<string, RegExp> = {
            // policy/secret-detection.ts is a leaf the published policy pack must hold itself; lib re-exports it.
            lib: /^\.\/|^[^.]|^\.\.\/policy\/secret-detection$/,
            config: /^\.\/|^\.\.\/lib\/|^[^.]/,
            components: /^\.\/|^\.\.\/lib\/|^\.\.\/config(\/|$)|^[^.]/,
        };
        const wrong: string[] = [];
        for (const layer of layers) {
            for (const file of sourceFiles(layer)) {
                for (const statement of sourceFileOf(file).statements) {
                    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
                    const specifier = statement.moduleSpecifier && (statement.moduleSpecifier as ts.StringLiteral).text;
                    if (!specifier) continue;
                    const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
                    const valueFromConfig = layer === "components" && /^\.\.\/config(\/|$)/.test(specifier) && !typeOnly;
                    if (!allowed[layer].test(specifier) || valueFromConfig) wrong.push(`${file}: ${specifier}`);
                }
            }
        }
        assert.deepEqual(wrong, []);
    });
});

describe("architecture: index.ts only wires", () => {
    const index = fs.readFileSync(path.join(projectRoot, "index.ts"), "utf8");

    it("imports only the config module's front door and the components", () => {
        const imports = [...index.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
        assert.deepEqual(imports, ["./config", "./components"]);
    });

    it("fits on one screen and decides nothing: no branches, functions or string-building of its own", () => {
        assert.ok(index.split("\n").length <= 55, `index.ts has ${index.split("\n").length} lines`);
        assert.doesNotMatch(index, /\bif\s*\(|\bswitch\s*\(|\bfunction\b|\?\s[^:]+\s:|`/);
    });
});

describe("architecture: functions a reader takes in at once", () => {
    it("no function, method or constructor of lib/, config/ or components/ is longer than 60 lines", () => {
        const long: string[] = [];
        for (const file of layers.flatMap(sourceFiles)) {
            const source = sourceFileOf(file);
            const visit = (node: ts.Node): void => {
                if (ts.isFunctionLike(node) && "body" in node && node.body) {
                    const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
                    if (lines > 60) long.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${lines} lines)`);
                }
                ts.forEachChild(node, visit);
            };
            visit(source);
        }
        assert.deepEqual(long, []);
    });
});

describe("architecture: what the repository tracks", () => {
    it("no node_modules, not even a symlink (a worktree's was once committed: `node_modules/` in .gitignore matches directories only)", () => {
        const tracked = execFileSync("git", ["ls-files", "--", "node_modules", "*/node_modules"], { cwd: projectRoot, encoding: "utf8" });
        assert.equal(tracked, "");
        assert.ok(fs.readFileSync(path.join(projectRoot, ".gitignore"), "utf8").split("\n").includes("node_modules"), ".gitignore ignores node_modules as a file or a directory");
    });
});
