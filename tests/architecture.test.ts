/**
 * The shape of the program (ARCHITECTURE.md, issue 24), checked: dependency-cruiser refuses import
 * cycles and back-arrows between the sides (.dependency-cruiser.cjs, in `npm run lint`), lint refuses
 * the two package imports that have a front door of their own, index.ts only wires, no function or
 * schema object grows past what a reader takes in at once, and no folder past what a reader scans.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import type { IConfiguration, IViolation } from "dependency-cruiser";
import { projectRoot } from "./suite";

/** The program's source: index.ts, the folders and the one module of the policy pack that lib/ takes. */
const programFolders = ["config", "validation", "lib", "application", "delivery", "network", "data-tier", "secrets", "observability", "platform"];
const programFiles = ["index.ts", "policy/secret-detection.ts"];

/** Every .ts module under `dir`, recursively, relative to the root. */
function modulesUnder(dir: string): string[] {
    return fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
        const file = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) return modulesUnder(file);
        return entry.name.endsWith(".ts") ? [file] : [];
    });
}
const programModules = [...programFiles, ...programFolders.flatMap(modulesUnder)];

/** Each module parsed once for every test here (parsing is most of their time). */
const parsed = new Map<string, ts.SourceFile>();
function sourceFileOf(file: string): ts.SourceFile {
    if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), ts.ScriptTarget.ES2022, true));
    return parsed.get(file)!;
}

// ---- dependency-cruiser

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ruleSet = require("../.dependency-cruiser.cjs") as IConfiguration;

/** What `npm run lint` cruises, read from the script itself. */
const lintTargets = /depcruise --config \S+ ([^&|;]+)$/.exec(JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts.lint)![1].trim().split(/\s+/);

let cruiser: Promise<[typeof import("dependency-cruiser"), typeof import("dependency-cruiser/config-utl/extract-ts-config")]> | undefined;
/** The violations of `rules` over `targets` under `baseDir`, cruised as the CLI does. */
async function cruise(baseDir: string, targets: string[], rules: IConfiguration = ruleSet): Promise<IViolation[]> {
    // dependency-cruiser is an ES module; import it as eslint is imported below. One load for all.
    cruiser ??= Promise.all([import("dependency-cruiser"), import("dependency-cruiser/config-utl/extract-ts-config")]);
    const [{ cruise: run }, { default: extractTSConfig }] = await cruiser;
    // The CLI reads the file options.tsConfig names; through the API the parsed tsconfig goes in (below).
    const options = { ...rules.options };
    delete options.tsConfig;
    const tsConfig = fs.existsSync(path.join(baseDir, "tsconfig.json")) ? extractTSConfig(path.join(baseDir, "tsconfig.json")) : undefined;
    const { output } = await run(targets, { ...options, baseDir, validate: true, ruleSet: { forbidden: rules.forbidden } }, undefined, { tsConfig });
    assert.ok(typeof output !== "string");
    return output.summary.violations;
}

/** The comment of each rule, word for word: the message a developer reads when lint refuses an import. */
const comments: Record<string, string> = {
    "no-circular": "Import cycle, `import type` included: one value import away from modules that see each other half-initialised. Move what both need to where it belongs (a *.args.ts, a *.schema.ts or lib/).",
    "lib-is-the-leaf": "lib/ is the leaf: it imports nothing of the program but policy/secret-detection.ts. Move what it needs into lib/.",
    "validation-imports-lib-only": "validation/ is the config side's kit: it imports lib/ and itself only.",
    "config-side-never-deploy-side": "The config side (config/, validation/, *.schema.ts, *.rules.ts, *.resolve.ts) never imports the deploy side (components, *.specs.ts, *.values.ts, a concern's index.ts): move the shared helper to lib/, or the type to a *.args.ts.",
    "args-are-types-only": "A *.args.ts is the components' contract, types only: every import in it is `import type`.",
    "deploy-side-imports-config-types-only": "The deploy side imports the config side (validation/, *.schema.ts, *.rules.ts, *.resolve.ts) by `import type` only: values come from lib/ or from the component's args.",
    "zod-only-through-validation": "Only validation/zod.ts imports \"zod\" (it turns zod's JIT off before any schema is built): import { z } from validation/zod.ts.",
    "index-only-wires": "index.ts only wires: it imports ./config (the front door) and the concern folders' index.ts, nothing else.",
    "nothing-imports-the-program": "index.ts is the program: no module of it imports index.ts (tests may).",
    "config-is-the-front-door": "config/ is the front door, for index.ts (and tests, e2e, bench, deployments, releases): a concern imports the concern's own *.schema.ts, *.rules.ts, *.resolve.ts or *.args.ts instead.",
};
const commentOf = (name: string): string | undefined => (ruleSet.forbidden ?? []).find((rule) => rule.name === name)?.comment;

/** A throwaway tree of `files` (path -> source), with the repository's node_modules, for the rules to judge. */
async function violationsOf(files: Record<string, string>): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "depcruise-"));
    try {
        fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
        for (const [file, text] of Object.entries(files)) {
            fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), text);
        }
        const found = await cruise(dir, Object.keys(files));
        // A cycle is reported once, from whichever of its modules the cruise meets first: name it by its modules.
        const what = (v: IViolation) => (v.cycle ? [...new Set([v.from, ...v.cycle.map((c) => c.name)])].sort().join(" ↔ ") : `${v.from} → ${v.to.replace(/^.*node_modules\//, "node_modules/")}`);
        return found.map((v) => `${v.rule.name}: ${what(v)}: ${commentOf(v.rule.name)}`).sort();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
const refused = (rule: string, from: string, to: string): string => `${rule}: ${from} → ${to}: ${comments[rule]}`;
const cycleOf = (...modules: string[]): string => `no-circular: ${modules.sort().join(" ↔ ")}: ${comments["no-circular"]}`;

describe("architecture: dependency-cruiser refuses cycles and back-arrows (.dependency-cruiser.cjs)", () => {
    it("each rule says what it refuses and what to do instead, word for word", () => {
        const said = Object.fromEntries((ruleSet.forbidden ?? []).map((rule) => [rule.name, rule.comment]));
        assert.deepEqual(said, comments);
    });

    it("refuses an import cycle, even of `import type` only", async () => {
        assert.deepEqual(await violationsOf({
            "lib/a.ts": 'import type { B } from "./b";\nexport type A = { b?: B };\n',
            "lib/b.ts": 'import type { A } from "./a";\nexport type B = { a?: A };\n',
        }), [cycleOf("lib/a.ts", "lib/b.ts")]);
    });

    it("refuses lib/ importing a concern folder, and lets it take policy/secret-detection.ts", async () => {
        assert.deepEqual(await violationsOf({
            "lib/labels.ts": 'import { graph } from "../network/service-graph";\nimport { isSecretLikeKey } from "../policy/secret-detection";\nexport const x = [graph, isSecretLikeKey];\n',
            "network/service-graph.ts": "export const graph = 1;\n",
            "policy/secret-detection.ts": "export const isSecretLikeKey = 1;\n",
        }), [refused("lib-is-the-leaf", "lib/labels.ts", "network/service-graph.ts")]);
    });

    it("refuses validation/ importing anything but lib/", async () => {
        assert.deepEqual(await violationsOf({
            "validation/primitives.ts": 'import { port } from "../data-tier/data-tier.schema";\nimport { image } from "../lib/image";\nexport const x = [port, image];\n',
            "data-tier/data-tier.schema.ts": "export const port = 1;\n",
            "lib/image.ts": "export const image = 1;\n",
        }), [refused("validation-imports-lib-only", "validation/primitives.ts", "data-tier/data-tier.schema.ts")]);
    });

    it("refuses a config-side module importing a deploy-side one, even a type", async () => {
        assert.deepEqual(await violationsOf({
            "data-tier/data-tier.schema.ts": 'import type { ApplicationArgs } from "../application/application";\nimport { serviceRules } from "../application/service.rules";\nexport type X = ApplicationArgs;\nexport const y = serviceRules;\n',
            "application/application.ts": "export interface ApplicationArgs { name: string }\n",
            "application/service.rules.ts": "export const serviceRules = 1;\n",
        }), [refused("config-side-never-deploy-side", "data-tier/data-tier.schema.ts", "application/application.ts")]);
    });

    it("refuses a value import in a *.args.ts", async () => {
        assert.deepEqual(await violationsOf({
            "application/application.args.ts": 'import { labels } from "../lib/labels";\nimport type { Image } from "../lib/image";\nexport type ApplicationArgs = { labels: typeof labels; image: Image };\n',
            "lib/labels.ts": "export const labels = {};\n",
            "lib/image.ts": "export type Image = string;\n",
        }), [refused("args-are-types-only", "application/application.args.ts", "lib/labels.ts")]);
    });

    it("refuses a value import of a *.schema.ts (or validation/) from the deploy side, and lets it import the types", async () => {
        assert.deepEqual(await violationsOf({
            "application/application.ts": 'import { serviceSchema } from "./service.schema";\nimport type { ServiceConfig } from "./service.schema";\nimport { port } from "../validation/primitives";\nexport const x: [unknown, ServiceConfig?, unknown?] = [serviceSchema, undefined, port];\n',
            "application/service.schema.ts": "export const serviceSchema = 1;\nexport type ServiceConfig = { name: string };\n",
            "validation/primitives.ts": "export const port = 1;\n",
        }), [
            refused("deploy-side-imports-config-types-only", "application/application.ts", "application/service.schema.ts"),
            refused("deploy-side-imports-config-types-only", "application/application.ts", "validation/primitives.ts"),
        ]);
    });

    it("refuses \"zod\" anywhere but validation/zod.ts", async () => {
        const found = await violationsOf({
            "validation/zod.ts": 'import { z } from "zod";\nexport { z };\n',
            "lib/quantity.ts": 'import { z } from "zod";\nexport const q = z.string();\n',
        });
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /^zod-only-through-validation: lib\/quantity\.ts → node_modules\/zod\//);
        assert.ok(found[0].endsWith(`: ${comments["zod-only-through-validation"]}`));
    });

    it("refuses index.ts importing anything but ./config and the concern folders' index.ts, and any module importing index.ts", async () => {
        assert.deepEqual(await violationsOf({
            "index.ts": 'import { loadConfig } from "./config";\nimport { Application } from "./application";\nimport { labels } from "./lib/labels";\nexport const x = [loadConfig, Application, labels];\n',
            "config/index.ts": "export const loadConfig = 1;\n",
            "application/index.ts": "export const Application = 1;\n",
            "lib/labels.ts": "export const labels = 1;\n",
            "network/graph.ts": 'import { x } from "../index";\nexport const y = x;\n',
        }), [refused("index-only-wires", "index.ts", "lib/labels.ts"), refused("nothing-imports-the-program", "network/graph.ts", "index.ts")]);
    });

    it("refuses a concern importing config/ (the front door), even a type", async () => {
        assert.deepEqual(await violationsOf({
            "network/network-policies.ts": 'import type { ValidatedConfig } from "../config";\nexport type X = ValidatedConfig;\n',
            "config/index.ts": "export type ValidatedConfig = { name: string };\n",
        }), [refused("config-is-the-front-door", "network/network-policies.ts", "config/index.ts")]);
    });

    it("the program's tree breaks none of the rules", async () => {
        assert.deepEqual((await cruise(projectRoot, lintTargets)).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`), []);
    });

});

// ---- eslint: the package imports that have a front door of their own

let linter: Promise<import("eslint").ESLint> | undefined;
async function lintMessages(file: string, code: string): Promise<string[]> {
    // eslint is an ES module with its own loader; import it as the CLI does. One instance for all
    // the tests: loading the config and the TypeScript parser is most of the cost.
    linter ??= import("eslint").then(({ ESLint }) => new ESLint({ cwd: projectRoot }));
    const [result] = await (await linter).lintText(code, { filePath: path.join(projectRoot, file) });
    return result.messages.map((m) => m.message);
}

describe("architecture: lint refuses the packages' own indexes where the program has a front door for them", () => {
    it("lint refuses @pulumi/kubernetes's index in every program folder (platform/k8s.ts imports the groups), and lets its types through", async () => {
        const message = "'@pulumi/kubernetes' import is restricted from being used. import the API groups from platform/k8s.ts, not @pulumi/kubernetes's index, which loads all of them.";
        for (const file of ["network/indexed.ts", "data-tier/indexed.ts", "lib/indexed.ts"]) {
            assert.deepEqual(await lintMessages(file, 'import * as k8s from "@pulumi/kubernetes";\nexport const x = k8s.core;\n'), [message], file);
        }
        assert.deepEqual(await lintMessages("application/typed.ts", 'import type * as k8s from "@pulumi/kubernetes";\nexport type X = k8s.core.v1.Namespace;\n'), []);
    });

    it("lint refuses zod itself in the program, and validation/zod.ts turns zod's JIT off before a schema is built", async () => {
        const message = "'zod' import is restricted from being used. import { z } from validation/zod.ts: it turns zod's JIT off before any schema is built.";
        for (const file of ["data-tier/direct.schema.ts", "config/direct.ts", "validation/direct.ts"]) {
            assert.deepEqual(await lintMessages(file, 'import { z } from "zod";\nexport const x = z.string();\n'), [message], file);
        }
        /* eslint-disable @typescript-eslint/no-require-imports */
        require("../config");
        assert.equal((require("zod") as typeof import("zod")).z.config().jitless, true);
        /* eslint-enable @typescript-eslint/no-require-imports */
    });
});

// ---- index.ts

describe("architecture: index.ts only wires", () => {
    const index = fs.readFileSync(path.join(projectRoot, "index.ts"), "utf8");

    it("imports only the config module's front door and the concern folders' indexes", () => {
        const imports = [...index.matchAll(/from "([^"]+)"/g)].map((m) => m[1]).sort();
        assert.deepEqual(imports, ["./application", "./config", "./data-tier", "./network", "./observability", "./platform", "./secrets"]);
    });

    it("fits on one screen and decides nothing: no branches, functions or string-building of its own", () => {
        assert.ok(index.split("\n").length <= 55, `index.ts has ${index.split("\n").length} lines`);
        assert.doesNotMatch(index, /\bif\s*\(|\bswitch\s*\(|\bfunction\b|\?\s[^:]+\s:|`/);
    });
});

// ---- sizes

/** The lines `node` spans. */
function linesOf(source: ts.SourceFile, node: ts.Node): number {
    return source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
}

/** A zod call that builds an object schema from a literal: z.object({...}), z.strictObject, z.looseObject, schema.extend({...}). */
function isSchemaObjectCall(node: ts.Node): node is ts.CallExpression {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
    const { expression: receiver, name } = node.expression;
    const zodObject = ts.isIdentifier(receiver) && receiver.text === "z" && /^(object|strictObject|looseObject|interface)$/.test(name.text);
    return zodObject || /^(extend|safeExtend)$/.test(name.text);
}

/** The name a reader finds it by: the declaration it belongs to, and the keys down to it. */
function nameOf(node: ts.Node): string {
    const keys: string[] = [];
    for (let at: ts.Node | undefined = node; at; at = at.parent) {
        if (ts.isPropertyAssignment(at) || ts.isMethodDeclaration(at) || ts.isPropertyDeclaration(at)) keys.unshift(at.name.getText());
        if ((ts.isVariableDeclaration(at) || ts.isFunctionDeclaration(at) || ts.isClassDeclaration(at)) && at.name) {
            keys.unshift(at.name.getText());
            if (!ts.isClassDeclaration(at)) break;
        }
        if (ts.isConstructorDeclaration(at)) keys.unshift("constructor");
    }
    return keys.join(".") || "(anonymous)";
}

/** Every function, method or constructor, and every schema object literal, longer than 60 lines. */
function tooLong(): { file: string; name: string; what: string; lines: number; line: number }[] {
    const found: ReturnType<typeof tooLong> = [];
    for (const file of programModules) {
        const source = sourceFileOf(file);
        const report = (node: ts.Node, what: string): void => {
            const lines = linesOf(source, node);
            if (lines > 60) found.push({ file, name: nameOf(node), what, lines, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
        };
        const visit = (node: ts.Node): void => {
            if (ts.isFunctionLike(node) && "body" in node && node.body) report(node, "function");
            if (isSchemaObjectCall(node)) for (const arg of node.arguments) if (ts.isObjectLiteralExpression(arg)) report(arg, "schema object");
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return found;
}

describe("architecture: functions and schemas a reader takes in at once", () => {
    it("no function, method or constructor, and no schema object literal (z.object and kin), of the program is longer than 60 lines", () => {
        assert.deepEqual(tooLong().map((f) => `${f.file}:${f.line} ${f.name} (${f.what}, ${f.lines} lines)`), []);
    });

    it("the rule sees a schema object literal, as it sees a function", () => {
        const body = Array.from({ length: 60 }, (_, i) => `    k${i}: z.string(),`).join("\n");
        const source = ts.createSourceFile("x.schema.ts", `export const big = z.strictObject({\n${body}\n});\nexport const bigger = base.extend({\n${body}\n});\n`, ts.ScriptTarget.ES2022, true);
        const found: string[] = [];
        const visit = (node: ts.Node): void => {
            if (isSchemaObjectCall(node)) for (const arg of node.arguments) if (ts.isObjectLiteralExpression(arg) && linesOf(source, arg) > 60) found.push(nameOf(arg));
            ts.forEachChild(node, visit);
        };
        visit(source);
        assert.deepEqual(found, ["big", "bigger"]);
    });
});

describe("architecture: folders a reader scans at once", () => {
    it("no source folder of the program holds more than 15 modules (index.ts included)", () => {
        const folders = new Map<string, number>();
        for (const file of programModules.filter((f) => !programFiles.includes(f))) folders.set(path.posix.dirname(file), (folders.get(path.posix.dirname(file)) ?? 0) + 1);
        assert.deepEqual([...folders].filter(([, count]) => count > 15).map(([folder, count]) => `${folder}/: ${count} modules`), []);
    });

    it("no two modules of the program share a name, but index.ts", () => {
        const byName = new Map<string, string[]>();
        for (const file of programModules) byName.set(path.posix.basename(file), [...(byName.get(path.posix.basename(file)) ?? []), file]);
        const shared = [...byName].filter(([name, files]) => name !== "index.ts" && files.length > 1).map(([, files]) => files.sort());
        assert.deepEqual(shared, []);
    });
});

describe("architecture: what the repository tracks", () => {
    it("no node_modules, not even a symlink (a worktree's was once committed: `node_modules/` in .gitignore matches directories only)", () => {
        const tracked = execFileSync("git", ["ls-files", "--", "node_modules", "*/node_modules"], { cwd: projectRoot, encoding: "utf8" });
        assert.equal(tracked, "");
        assert.ok(fs.readFileSync(path.join(projectRoot, ".gitignore"), "utf8").split("\n").includes("node_modules"), ".gitignore ignores node_modules as a file or a directory");
    });
});
