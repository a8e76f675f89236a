/**
 * Checks Kubernetes objects against the upstream schemas. kubernetes-models validates types,
 * required fields and formats but lets unknown fields through, as the API server silently drops
 * them; so a misspelt field (`imagePullPolice`) is caught separately: against the
 * @kubernetes/client-node model type maps for core types, and against the TypeScript types of
 * @kubernetes-models for custom resources (which ship no type maps).
 */
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "./mocks";

type Json = Record<string, unknown>;

/** Where each custom resource's model lives, by apiVersion: the module and its interface prefix. */
const customResourceModules: Record<string, string> = {
    "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
    "external-secrets.io/v1": "@kubernetes-models/external-secrets/external-secrets.io/v1",
};

/** The custom resources the program creates, compiled into the first probe (another kind is added when asked for). */
const programKinds = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule", "external-secrets.io/v1/ExternalSecret", "external-secrets.io/v1/SecretStore", "external-secrets.io/v1/ClusterSecretStore"];

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
 * The TypeScript checker over a probe file that imports the models' types: each kind's own
 * declaration file (`<module>/<Kind>`), added to the probe the first time a kind is asked for. A
 * program is rebuilt from the previous one (TypeScript reuses every file it already parsed), so the
 * suite pays for the declarations of the kinds it checks, not for all ~330 of both modules.
 */
let checker: { program: ts.Program; kinds: string[] } | undefined;
const probePath = path.join(projectRoot, "tests", "__schema-probe.mts");
/** ES5's lib is all the models' declarations use (interfaces of strings, numbers, arrays, records); ES2022's is 54 more files to parse. */
const compilerOptions: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ["lib.es5.d.ts"] };

function probeProgram(kinds: string[], oldProgram?: ts.Program): ts.Program {
    const probeText = kinds.map((kind, i) => `export type { I${kind.split("/").pop()} as T${i} } from "${kind}";`).join("\n");
    const host = ts.createCompilerHost(compilerOptions);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) => (file === probePath ? ts.createSourceFile(file, probeText, language) : getSourceFile(file, language, ...rest));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (file) => file === probePath || fileExists(file);
    return ts.createProgram([probePath], compilerOptions, host, oldProgram);
}

/** The TypeScript type `I<kind>` of a custom resource model. */
function customResourceType(moduleName: string, kind: string): { type: ts.Type; typeChecker: ts.TypeChecker } {
    const specifier = `${moduleName}/${kind}`;
    if (!checker?.kinds.includes(specifier)) {
        const known = programKinds.map((k) => `${customResourceModules[k.split("/").slice(0, -1).join("/")]}/${k.split("/").pop()}`);
        const kinds = [...new Set([...(checker?.kinds ?? known), specifier])];
        checker = { program: probeProgram(kinds, checker?.program), kinds };
    }
    const typeChecker = checker.program.getTypeChecker();
    const probe = typeChecker.getSymbolAtLocation(checker.program.getSourceFile(probePath)!);
    const symbol = probe && typeChecker.getExportsOfModule(probe).find((s) => s.name === `T${checker!.kinds.indexOf(specifier)}`);
    const type = symbol && typeChecker.getDeclaredTypeOfSymbol(typeChecker.getAliasedSymbol(symbol));
    if (!type || type.flags & ts.TypeFlags.Any) throw new Error(`no type I${kind} in ${moduleName}`);
    return { type, typeChecker };
}

function unknownByTsType(typeChecker: ts.TypeChecker, value: unknown, type: ts.Type, at: string): string[] {
    if (value === null || value === undefined || typeof value !== "object") return [];
    const candidates = type.isUnion() ? type.types.filter((t) => t.flags & ts.TypeFlags.Object) : [type];
    const objectType = candidates[0];
    if (!objectType) return [];
    if (Array.isArray(value)) {
        const element = typeChecker.isArrayType(objectType) ? typeChecker.getTypeArguments(objectType as ts.TypeReference)[0] : undefined;
        return element ? value.flatMap((v, i) => unknownByTsType(typeChecker, v, element, `${at}[${i}]`)) : [];
    }
    const indexType = objectType.getStringIndexType();
    return Object.entries(value).flatMap(([key, v]) => {
        const property = objectType.getProperty(key);
        if (property) return unknownByTsType(typeChecker, v, typeChecker.getNonNullableType(typeChecker.getTypeOfSymbol(property)), `${at}.${key}`);
        if (indexType) return unknownByTsType(typeChecker, v, indexType, `${at}.${key}`);
        return [`${at}.${key}`];
    });
}

/** The paths of fields the object's schema does not know, e.g. ".spec.template.spec.containers[0].imagePullPolice". */
export async function unknownFields(object: Json): Promise<string[]> {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const customModule = customResourceModules[apiVersion];
    if (customModule) {
        const { type, typeChecker } = customResourceType(customModule, kind);
        return unknownByTsType(typeChecker, object, type, "");
    }
    const type = clientNodeType(apiVersion, kind);
    if (!(await typeMapOf(type))) return [`no client-node model ${type}`];
    return unknownByTypeMap(object, type, "");
}
