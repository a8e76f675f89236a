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

function coreModule(apiVersion: string): string {
    return apiVersion.includes("/") ? `kubernetes-models/${apiVersion}` : `kubernetes-models/v1`;
}

/** The schema problems of an object (empty when valid), from kubernetes-models' validators. */
export async function schemaProblems(object: Json): Promise<string[]> {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const moduleName = customResourceModules[apiVersion] ?? coreModule(apiVersion);
    const models = (await import(moduleName)) as Record<string, new (data: unknown) => { validate(): void }>;
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

function unknownByTypeMap(models: Record<string, { attributeTypeMap?: TypeMapEntry[] }>, value: unknown, type: string, at: string): string[] {
    if (value === null || value === undefined) return [];
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownByTypeMap(models, v, array[1], `${at}[${i}]`)) : [];
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => unknownByTypeMap(models, v, map[1], `${at}.${k}`)) : [];
    const attributes = models[type]?.attributeTypeMap;
    if (!attributes || typeof value !== "object") return [];
    const known = new Map(attributes.map((a) => [a.baseName, a.type]));
    return Object.entries(value).flatMap(([key, v]) =>
        known.has(key) ? unknownByTypeMap(models, v, known.get(key)!, `${at}.${key}`) : [`${at}.${key}`],
    );
}

let checker: { program: ts.Program; probe: ts.SourceFile } | undefined;

/** The TypeScript type `I<kind>` of a custom resource model, via a probe file compiled on first use. */
function customResourceType(moduleName: string, kind: string): { type: ts.Type; typeChecker: ts.TypeChecker } {
    const probePath = path.join(projectRoot, "tests", "__schema-probe.mts");
    const probeText = Object.entries(customResourceModules)
        .map(([, mod], i) => `import type * as m${i} from "${mod}";\nexport type M${i} = typeof m${i};`)
        .join("\n");
    if (!checker) {
        const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ["lib.es2022.d.ts"] };
        const host = ts.createCompilerHost(options);
        const getSourceFile = host.getSourceFile.bind(host);
        host.getSourceFile = (file, language, ...rest) =>
            file === probePath ? ts.createSourceFile(file, probeText, language) : getSourceFile(file, language, ...rest);
        const fileExists = host.fileExists.bind(host);
        host.fileExists = (file) => file === probePath || fileExists(file);
        const program = ts.createProgram([probePath], options, host);
        checker = { program, probe: program.getSourceFile(probePath)! };
    }
    const typeChecker = checker.program.getTypeChecker();
    const index = Object.values(customResourceModules).indexOf(moduleName);
    const moduleSymbol = typeChecker.getSymbolsInScope(checker.probe, ts.SymbolFlags.Alias).find((s) => s.name === `m${index}`)!;
    const exports = typeChecker.getExportsOfModule(typeChecker.getAliasedSymbol(moduleSymbol));
    const symbol = exports.find((s) => s.name === `I${kind}`);
    if (!symbol) throw new Error(`no type I${kind} in ${moduleName}`);
    return { type: typeChecker.getDeclaredTypeOfSymbol(symbol), typeChecker };
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
    const models = (await import("@kubernetes/client-node")) as unknown as Record<string, { attributeTypeMap?: TypeMapEntry[] }>;
    const type = clientNodeType(apiVersion, kind);
    if (!models[type]) return [`no client-node model ${type}`];
    return unknownByTypeMap(models, object, type, "");
}
