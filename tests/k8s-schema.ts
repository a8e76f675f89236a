/**
 * Checks Kubernetes objects against the upstream schemas. kubernetes-models validates types,
 * required fields and formats but lets unknown fields through, as the API server silently drops
 * them; so a misspelt field (`imagePullPolice`) is caught separately: against the
 * @kubernetes/client-node model type maps for core types, and against the TypeScript types of
 * @kubernetes-models for custom resources (which ship no type maps).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";
import { projectRoot } from "./mocks";

type Json = Record<string, unknown>;

/** Where each custom resource's model lives, by apiVersion: the module and its interface prefix. */
const customResourceModules: Record<string, string> = {
    "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
    "monitoring.coreos.com/v1alpha1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1",
    "external-secrets.io/v1": "@kubernetes-models/external-secrets/external-secrets.io/v1",
    "gateway.networking.k8s.io/v1": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1",
    "argoproj.io/v1alpha1": "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1",
};

/** The custom resources the program creates, compiled into the first probe (another kind is added when asked for). */
const programKinds = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule", "external-secrets.io/v1/ExternalSecret", "external-secrets.io/v1/SecretStore", "external-secrets.io/v1/ClusterSecretStore", "gateway.networking.k8s.io/v1/HTTPRoute", "gateway.networking.k8s.io/v1/GRPCRoute", "gateway.networking.k8s.io/v1/Gateway", "gateway.networking.k8s.io/v1/ReferenceGrant", "argoproj.io/v1alpha1/Rollout", "argoproj.io/v1alpha1/AnalysisTemplate"];

function coreModule(apiVersion: string): string {
    return apiVersion.includes("/") ? `kubernetes-models/${apiVersion}` : `kubernetes-models/v1`;
}

/** The schema problems of an object (empty when valid), from kubernetes-models' validators. */
export async function schemaProblems(object: Json): Promise<string[]> {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const moduleName = customResourceModules[apiVersion] ?? coreModule(apiVersion);
    // Each kind's own module: a group's index loads every kind's validator (~0.3 s for core/v1).
    const models = (await import(`${moduleName}/${kind}`).catch(() => ({}))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[kind];
    if (!Model) return [`no model for ${apiVersion} ${kind} in ${moduleName}`];
    try {
        new Model(object).validate();
        return [];
    } catch (error) {
        const errors = (error as { errors?: { instancePath: string; message: string }[] }).errors;
        return errors ? errors.map((e) => `${e.instancePath || "/"} ${e.message}`) : [String(error)];
    }
}

/** client-node's name for a core type: apps/v1 Deployment is V1Deployment, autoscaling/v2 HPA is V2HorizontalPodAutoscaler. */
function clientNodeType(apiVersion: string, kind: string): string {
    const version = apiVersion.split("/").pop()!;
    return `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
}

type TypeMapEntry = { baseName: string; type: string };

/**
 * A client-node model's attribute type map, from its own module (the package's index loads all
 * ~900 models, ~0.8 s), or undefined for a type that is no model (string, Date, IntOrString…).
 */
const typeMaps = new Map<string, Promise<TypeMapEntry[] | undefined>>();
function typeMapOf(type: string): Promise<TypeMapEntry[] | undefined> {
    let found = typeMaps.get(type);
    if (!found) {
        found = /^[A-Z][A-Za-z0-9]+$/.test(type)
            ? import(`@kubernetes/client-node/dist/gen/models/${type}.js`).then(
                  (m: Record<string, { attributeTypeMap?: TypeMapEntry[] }>) => m[type]?.attributeTypeMap,
                  () => undefined,
              )
            : Promise.resolve(undefined);
        typeMaps.set(type, found);
    }
    return found;
}

async function unknownByTypeMap(value: unknown, type: string, at: string): Promise<string[]> {
    if (value === null || value === undefined) return [];
    const all = async (entries: [string, unknown][], typeOf: (key: string) => string | undefined, path: (key: string) => string) =>
        (await Promise.all(entries.map(([k, v]) => (typeOf(k) === undefined ? [path(k)] : unknownByTypeMap(v, typeOf(k)!, path(k)))))).flat();
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return Array.isArray(value) ? all([...value.entries()].map(([i, v]) => [String(i), v]), () => array[1], (i) => `${at}[${i}]`) : [];
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return typeof value === "object" ? all(Object.entries(value), () => map[1], (k) => `${at}.${k}`) : [];
    const attributes = await typeMapOf(type);
    if (!attributes || typeof value !== "object") return [];
    const known = new Map(attributes.map((a) => [a.baseName, a.type]));
    return all(Object.entries(value), (k) => known.get(k), (k) => `${at}.${k}`);
}

/**
 * A custom resource's fields as its TypeScript type has them: a table of nodes, `root` the
 * resource's. A node is an object type's properties and its string index (`{ [key: string]: T }`),
 * or an array type's element. Nodes refer to each other by index, so a type that contains itself
 * is one node; the index -1 is a value whose fields aren't checked (a string, a number, an enum).
 */
interface Shape {
    root: number;
    nodes: ShapeNode[];
}
interface ShapeNode {
    props?: Record<string, number>;
    index?: number;
    element?: number;
}

/**
 * The shapes are read from TypeScript's checker over a probe file that imports the models' types:
 * each kind's own declaration file (`<module>/<Kind>`), added to the probe the first time a kind is
 * asked for. A program is rebuilt from the previous one (TypeScript reuses every file it already
 * parsed), so the suite pays for the declarations of the kinds it checks, not for all ~330 of both
 * modules. That check is ~1 s of CPU per test process, so the shapes are kept on disk, beside the
 * loader's TypeScript cache, under a key of everything they are derived from: this file, and the
 * versions of TypeScript and both model packages. A process that finds them loads no TypeScript.
 */
let checker: { program: TS.Program; kinds: string[] } | undefined;
const probePath = path.join(projectRoot, "tests", "__schema-probe.mts");

function probeProgram(ts: typeof TS, kinds: string[], oldProgram?: TS.Program): TS.Program {
    /** ES5's lib is all the models' declarations use (interfaces of strings, numbers, arrays, records); ES2022's is 54 more files to parse. */
    const compilerOptions: TS.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ["lib.es5.d.ts"] };
    const probeText = kinds.map((kind, i) => `export type { I${kind.split("/").pop()} as T${i} } from "${kind}";`).join("\n");
    const host = ts.createCompilerHost(compilerOptions);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) => (file === probePath ? ts.createSourceFile(file, probeText, language) : getSourceFile(file, language, ...rest));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (file) => file === probePath || fileExists(file);
    return ts.createProgram([probePath], compilerOptions, host, oldProgram);
}

/**
 * The shape of a TypeScript type, as unknown fields are judged: of a union, its first object type;
 * of an object type, each property's type without null and undefined, and its string index type.
 */
function shapeOfType(ts: typeof TS, typeChecker: TS.TypeChecker, type: TS.Type): Shape {
    const nodes: ShapeNode[] = [];
    const ids = new Map<TS.Type, number>();
    const visit = (t: TS.Type): number => {
        const objectType = (t.isUnion() ? t.types.filter((u) => u.flags & ts.TypeFlags.Object) : [t])[0];
        if (!objectType) return -1;
        const known = ids.get(objectType);
        if (known !== undefined) return known;
        const node: ShapeNode = {};
        const id = nodes.push(node) - 1;
        ids.set(objectType, id);
        if (typeChecker.isArrayType(objectType)) {
            node.element = visit(typeChecker.getTypeArguments(objectType as TS.TypeReference)[0]);
        } else {
            node.props = {};
            for (const property of objectType.getProperties()) node.props[property.name] = visit(typeChecker.getNonNullableType(typeChecker.getTypeOfSymbol(property)));
            const indexType = objectType.getStringIndexType();
            if (indexType) node.index = visit(indexType);
        }
        return id;
    };
    return { root: visit(type), nodes };
}

/** The key of the shapes on disk: what they are derived from. */
function shapesFile(): string | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { cacheRoot } = require("../scripts/register-ts.cjs") as { cacheRoot?: string };
    if (!cacheRoot) return undefined;
    const versionOf = (pkg: string) => (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
    const key = crypto.createHash("sha256");
    key.update(fs.readFileSync(__filename.replace(/\.js$/, ".ts")));
    for (const pkg of ["typescript", "@kubernetes-models/prometheus-operator", "@kubernetes-models/external-secrets", "@kubernetes-models/gateway-api", "@kubernetes-models/argo-rollouts"]) key.update(`\0${pkg}@${versionOf(pkg)}`);
    return path.join(cacheRoot, "k8s-schema", `${key.digest("hex").slice(0, 16)}.json`);
}

let shapes: { file: string | undefined; byKind: Record<string, Shape | null> } | undefined;

function readShapes(): NonNullable<typeof shapes> {
    if (!shapes) {
        const file = shapesFile();
        let byKind: Record<string, Shape | null> = {};
        try {
            if (file) byKind = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Shape | null>;
        } catch {
            // Not there yet, or cut short: the probe fills it.
        }
        shapes = { file, byKind };
    }
    return shapes;
}

/** Adds shapes to the file, with what another test process wrote meanwhile; written whole or not at all. */
function writeShapes(added: Record<string, Shape | null>): void {
    const { file } = readShapes();
    if (!file) return;
    let onDisk: Record<string, Shape | null> = {};
    try {
        onDisk = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Shape | null>;
    } catch {
        // First to write.
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ ...onDisk, ...added }));
    fs.renameSync(temporary, file);
}

/** The shape of `I<kind>`, a custom resource model's type: from disk, else from the probe (with every kind the program creates); a kind the module lacks is refused. */
function customResourceShape(moduleName: string, kind: string): Shape {
    const specifier = `${moduleName}/${kind}`;
    const cached = readShapes().byKind;
    if (!Object.hasOwn(cached, specifier)) probeShapes(specifier);
    const shape = cached[specifier];
    if (!shape) throw new Error(`no type I${kind} in ${moduleName}`);
    return shape;
}

/** Runs the probe for `specifier` and every kind the program creates, adding their shapes (null: no such type) to memory and disk. */
function probeShapes(specifier: string): void {
    const cached = readShapes().byKind;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    if (!checker?.kinds.includes(specifier)) {
        const known = programKinds.map((k) => `${customResourceModules[k.split("/").slice(0, -1).join("/")]}/${k.split("/").pop()}`);
        const kinds = [...new Set([...(checker?.kinds ?? known), specifier])];
        checker = { program: probeProgram(ts, kinds, checker?.program), kinds };
    }
    const typeChecker = checker.program.getTypeChecker();
    const probe = typeChecker.getSymbolAtLocation(checker.program.getSourceFile(probePath)!);
    const exported = probe ? typeChecker.getExportsOfModule(probe) : [];
    const added: Record<string, Shape | null> = {};
    checker.kinds.forEach((k, i) => {
        const symbol = exported.find((s) => s.name === `T${i}`);
        const type = symbol && typeChecker.getDeclaredTypeOfSymbol(typeChecker.getAliasedSymbol(symbol));
        if (!Object.hasOwn(cached, k)) added[k] = type && !(type.flags & ts.TypeFlags.Any) ? shapeOfType(ts, typeChecker, type) : null;
    });
    Object.assign(cached, added);
    writeShapes(added);
}

/**
 * The paths of `value`'s fields that `shape` doesn't have, from node `id`. An array is checked
 * against an array type's element (against any other type it is not checked, as TypeScript's
 * structural view of it would be); an object's keys against an object type's properties and string
 * index (against an array type each key is unknown).
 */
function unknownByShape(shape: Shape, value: unknown, id: number, at: string): string[] {
    const node = shape.nodes[id];
    if (value === null || value === undefined || typeof value !== "object" || !node) return [];
    if (Array.isArray(value)) return node.element === undefined ? [] : value.flatMap((v, i) => unknownByShape(shape, v, node.element!, `${at}[${i}]`));
    return Object.entries(value).flatMap(([key, v]) => {
        if (node.props && Object.hasOwn(node.props, key)) return unknownByShape(shape, v, node.props[key], `${at}.${key}`);
        if (node.index !== undefined) return unknownByShape(shape, v, node.index, `${at}.${key}`);
        return [`${at}.${key}`];
    });
}

/** The paths of fields the object's schema does not know, e.g. ".spec.template.spec.containers[0].imagePullPolice". */
export async function unknownFields(object: Json): Promise<string[]> {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const customModule = customResourceModules[apiVersion];
    if (customModule) {
        const shape = customResourceShape(customModule, kind);
        return unknownByShape(shape, object, shape.root, "");
    }
    const type = clientNodeType(apiVersion, kind);
    if (!(await typeMapOf(type))) return [`no client-node model ${type}`];
    return unknownByTypeMap(object, type, "");
}
