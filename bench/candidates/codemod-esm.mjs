#!/usr/bin/env node
// The mechanical part of running the TypeScript sources as native ES modules with Node's type
// stripping: every module specifier names the file Node loads, and every import of a type says so.
// Candidate (a) of docs/performance.md, measured and not chosen: bench/startup-candidates.mjs
// applies it to a scratch copy of the repository (with package.json "type": "module" and the few
// edits by hand it can't make) to measure that candidate. Idempotent: a second run changes nothing.
//
//   node bench/candidates/codemod-esm.mjs [--check] DIR
//
// For every .ts file of the repository (not node_modules, not e2e/fixtures: those are throwaway
// programs the e2e copies elsewhere):
//   1. a relative specifier gets the extension of the file it resolves to: "./config" becomes
//      "./config/index.ts", "../lib/labels" becomes "../lib/labels.ts", "./x.js" becomes "./x.ts";
//   2. a deep import into a package without an "exports" map gets the file's ".js"
//      ("@pulumi/pulumi/runtime/settings" becomes "@pulumi/pulumi/runtime/settings.js");
//   3. __dirname and __filename become import.meta.dirname and import.meta.filename;
//   4. an import or re-export of names used only as types becomes `import type` / `export type`
//      (TypeScript's own quick fixes, so the compiler decides what is a type): type stripping
//      removes the types but keeps every import, and an ES module can't import a name that only
//      exists as a type.
// With --check it changes nothing and exits 1 when something would change.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const check = args.includes("--check");
const root = path.resolve(args.find((a) => !a.startsWith("--")) ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".."));
const require = createRequire(path.join(root, "package.json"));
const ts = require("typescript");

const skipped = new Set(["node_modules", ".git", "bin"]);
/** The repository's TypeScript files, relative paths sorted. */
function sourceFiles(dir = root) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const rel = path.relative(root, full);
        if (entry.isDirectory()) {
            if (skipped.has(entry.name) || entry.name.startsWith(".") || rel === path.join("e2e", "fixtures")) continue;
            out.push(...sourceFiles(full));
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            out.push(full);
        }
    }
    return out.sort();
}

const isFile = (p) => fs.existsSync(p) && fs.statSync(p).isFile();

/** The specifier Node needs for a relative one, or undefined when it already is one (or can't tell). */
function relativeSpecifier(from, spec) {
    const base = path.resolve(path.dirname(from), spec);
    if (/\.(ts|mts|cts|mjs|cjs|json)$/.test(spec) && isFile(base)) return undefined;
    if (spec.endsWith(".js") && !isFile(base) && isFile(base.replace(/\.js$/, ".ts"))) return spec.replace(/\.js$/, ".ts");
    if (isFile(`${base}.ts`)) return `${spec}.ts`;
    if (isFile(path.join(base, "index.ts"))) return `${spec.replace(/\/$/, "")}/index.ts`;
    return undefined;
}

/** "@pulumi/pulumi/runtime/settings" -> "...settings.js" when the package has no "exports" map. */
function deepSpecifier(from, spec) {
    const parts = spec.split("/");
    const nameLength = spec.startsWith("@") ? 2 : 1;
    if (parts.length <= nameLength || /\.(js|cjs|mjs|json|node)$/.test(spec)) return undefined;
    const name = parts.slice(0, nameLength).join("/");
    const req = createRequire(from);
    let manifest;
    try {
        manifest = req.resolve(`${name}/package.json`);
    } catch {
        return undefined; // a package with an "exports" map that hides package.json: it maps subpaths itself
    }
    if (JSON.parse(fs.readFileSync(manifest, "utf8")).exports !== undefined) return undefined;
    const dir = path.dirname(manifest);
    const sub = parts.slice(nameLength).join("/");
    if (isFile(path.join(dir, `${sub}.js`))) return `${spec}.js`;
    if (isFile(path.join(dir, sub, "index.js"))) return `${spec}/index.js`;
    return undefined;
}

/** Text edits for steps 1–3 of one file. */
function specifierEdits(file, text) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const edits = [];
    const specifier = (node) => {
        if (!node || !ts.isStringLiteralLike(node)) return;
        const spec = node.text;
        const next = spec.startsWith(".") ? relativeSpecifier(file, spec) : deepSpecifier(file, spec);
        if (next && next !== spec) edits.push({ start: node.getStart(sf) + 1, end: node.getEnd() - 1, text: next });
    };
    const visit = (node) => {
        if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier(node.moduleSpecifier);
        else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier(node.argument.literal);
        else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) specifier(node.arguments[0]);
        else if (ts.isExternalModuleReference(node)) specifier(node.expression);
        else if (ts.isIdentifier(node) && (node.text === "__dirname" || node.text === "__filename") && isFreeIdentifier(node)) {
            edits.push({ start: node.getStart(sf), end: node.getEnd(), text: node.text === "__dirname" ? "import.meta.dirname" : "import.meta.filename" });
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return edits;
}

/** An identifier that reads the CommonJS variable (not a property name, a declaration or a key). */
function isFreeIdentifier(node) {
    const p = node.parent;
    if (ts.isPropertyAccessExpression(p) && p.name === node) return false;
    if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) && p.name === node) return false;
    if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p)) && p.name === node) return false;
    return true;
}

function applyEdits(text, edits) {
    let out = text;
    for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return out;
}

// ---------------------------------------------------------------- steps 1–3
const files = sourceFiles();
const contents = new Map(files.map((f) => [f, fs.readFileSync(f, "utf8")]));
const changed = new Set();
for (const file of files) {
    const text = contents.get(file);
    const next = applyEdits(text, specifierEdits(file, text));
    if (next !== text) {
        contents.set(file, next);
        changed.add(file);
    }
}

// ---------------------------------------------------------------- step 4: TypeScript's quick fixes
// The compiler options of tsconfig.json, with verbatimModuleSyntax on: its diagnostics name each
// import or re-export of a type that a type-stripping loader would keep.
const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const options = { ...parsed.options, verbatimModuleSyntax: true, isolatedModules: true, allowImportingTsExtensions: true, noEmit: true };
const versions = new Map(files.map((f) => [f, 0]));
const host = {
    getScriptFileNames: () => [...new Set([...parsed.fileNames, ...files])],
    getScriptVersion: (f) => String(versions.get(f) ?? 0),
    getScriptSnapshot: (f) => {
        const text = contents.get(f) ?? (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => contents.has(f) || ts.sys.fileExists(f),
    readFile: (f) => contents.get(f) ?? ts.sys.readFile(f),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());
// 1484/1485: "X is a type (or resolves to one) and must be imported using a type-only import";
// 1205: re-exporting a type.
const fixes = { 1484: "convertToTypeOnlyImport", 1485: "convertToTypeOnlyImport", 1205: "convertToTypeOnlyExport" };
const formatting = { ...ts.getDefaultFormatCodeSettings(), indentSize: 4, convertTabsToSpaces: true };
for (const file of files) {
    // One round fixes every diagnostic whose edits don't overlap an earlier one's; the next round
    // sees the result. (getCombinedCodeFix can produce overlapping edits for an import of several types.)
    for (let round = 0; round < 10; round++) {
        const diagnostics = service.getSemanticDiagnostics(file).filter((d) => d.code in fixes);
        if (diagnostics.length === 0) break;
        const edits = [];
        for (const d of diagnostics) {
            const actions = service.getCodeFixesAtPosition(file, d.start, d.start + d.length, [d.code], formatting, { quotePreference: "double" });
            // The first action converts the whole declaration when every name in it is a type
            // (`import type { A, B }`); otherwise the one action marks the name (`import { type A, b }`).
            const action = actions[0];
            if (!action) continue;
            for (const change of action.changes.filter((c) => c.fileName === file)) {
                for (const c of change.textChanges) {
                    const edit = { start: c.span.start, end: c.span.start + c.span.length, text: c.newText };
                    const same = edits.some((e) => e.start === edit.start && e.end === edit.end && e.text === edit.text);
                    const overlaps = edits.some((e) => edit.start < e.end && e.start < edit.end || (e.start === e.end && e.start === edit.start));
                    if (!same && !overlaps) edits.push(edit);
                }
            }
        }
        if (edits.length === 0) break;
        contents.set(file, applyEdits(contents.get(file), edits));
        versions.set(file, (versions.get(file) ?? 0) + 1);
        changed.add(file);
    }
}

// ---------------------------------------------------------------- write or report
const rel = (f) => path.relative(root, f);
for (const file of [...changed].sort()) {
    if (contents.get(file) === fs.readFileSync(file, "utf8")) {
        changed.delete(file);
        continue;
    }
    if (!check) fs.writeFileSync(file, contents.get(file));
}
if (changed.size > 0) {
    console.log(`${check ? "would change" : "changed"} ${changed.size} file(s):\n${[...changed].sort().map((f) => `  ${rel(f)}`).join("\n")}`);
}
if (check && changed.size > 0) process.exit(1);
