/**
 * The one mocks module of the test suite. It installs Pulumi mocks that record every registered
 * resource ({type, name, inputs, options}) and runs the whole program for a stack file, so tests
 * assert on exactly what `pulumi up` would send to the providers.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

import { currentTest, projectRoot } from "./suite";

export { currentTest, projectRoot };

/** Resource options as the engine receives them (what the mocks API alone does not expose). */
export interface RecordedOptions {
    parent: string;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    dependsOn: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** How many engine-side transforms the resource registers (each applies to its children too). */
    transforms: number;
    /** The URNs this resource was known by before (aliases), resolved as the engine would. */
    aliases: string[];
    /** For each alias, the parent URN it names ("" for none, undefined for an alias given as a URN). */
    aliasParents: (string | undefined)[];
}

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    /** A custom resource (state in a provider), or a component (a logical grouping only). */
    custom: boolean;
    /** The inputs as plain values (secrets unwrapped). */
    inputs: any;
    /**
     * Its engine-side transforms, in order (the mocks API hands them to `newResource`; the mock
     * monitor doesn't run them). applyTransforms applies them to an object it parents.
     */
    transforms: readonly pulumi.ResourceTransform[];
    /** Paths of the inputs that were sent as secrets, e.g. "stringData.anthropic-api-key". */
    secretPaths: string[];
    options: RecordedOptions;
}

/** Unwraps the engine's secret envelopes, noting where they were. */
function unwrapSecrets(value: any, at: string, secretPaths: string[]): any {
    if (pulumi.runtime.isRpcSecret(value)) {
        secretPaths.push(at);
        return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value), at, []);
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secretPaths));
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, secretPaths)]));
    }
    return value;
}

/**
 * When the last resource registration was answered, in ms since the process started
 * (performance.now()), and the CPU time the process had used by then: the start-up figure of
 * docs/performance.md (bench/startup.mjs reads it through e2e/render.ts).
 */
export const lastRegistration = { at: 0, cpuMicros: 0 };

/**
 * Writes the start-up figures to `file` as JSON when the process exits: the last registration (epoch
 * ms, ms since the process started, CPU ms by then), the CPU ms at the exit, and how many resources
 * were recorded (a run that registered nothing measured nothing).
 */
export function writeStartupTiming(file: string): void {
    const timing = {
        resources: recorded.length,
        lastRegistrationEpochMs: performance.timeOrigin + lastRegistration.at,
        lastRegistrationMs: lastRegistration.at,
        lastRegistrationCpuMs: lastRegistration.cpuMicros / 1000,
    };
    process.on("exit", () => {
        const cpu = process.cpuUsage();
        fs.writeFileSync(file, JSON.stringify({ ...timing, exitCpuMs: (cpu.user + cpu.system) / 1000 }));
    });
}

/** Every resource registered since the last `resetRecorder()`, in registration order. */
export const recorded: RecordedResource[] = [];

/** The plaintext each fake secret config value has under mocks; tests search state for these. */
export function fakeSecretValue(key: string): string {
    return `plaintext-${key}-0123456789`;
}

/** Resolves an Output (or plain value) to its value; secrets are unwrapped. */
export function promiseOf<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
    return new Promise((resolve) => pulumi.output(value as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

/** Resolves an Output and whether it is secret. */
export async function secretnessOf<T>(value: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const [v, secret] = await Promise.all([promiseOf(value), pulumi.isSecret(value)]);
    return { value: v as T, secret };
}

function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    const state: Record<string, any> = { ...args.inputs };
    if (args.type.startsWith("kubernetes:") && args.type !== "kubernetes:helm.sh/v4:Chart") {
        // The Kubernetes provider auto-names objects whose metadata.name is unset.
        const metadata = { ...(args.inputs.metadata ?? {}) };
        metadata.name ??= `${args.name}-mock1234`;
        state.metadata = metadata;
    }
    if (args.type === "random:index/randomPassword:RandomPassword") {
        state.result = `generated-${args.name}-0123456789`;
    }
    return state;
}

/** The transforms of registrations not yet recorded, by type and name, first in first out. */
const pendingTransforms = new Map<string, pulumi.ResourceTransform[][]>();
const transformsKey = (type: string, name: string) => `${type}::${name}`;

const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const key = transformsKey(args.type, args.name);
        pendingTransforms.set(key, [...(pendingTransforms.get(key) ?? []), args.transforms ?? []]);
        return { id: `${args.name}-id`, state: mockState(args) };
    },
    call(args) {
        return args.inputs;
    },
};

/** The URN a resource of `type` named `name` under `parentUrn` has (the engine's construction). */
export function urnOf(stack: string, type: string, name: string, parentUrn: string | undefined): string {
    const parentTypes = parentUrn ? `${parentUrn.split("::")[2]}$` : "";
    return `urn:pulumi:${stack}::llm-platform::${parentTypes}${type}::${name}`;
}

/** Resolves a registration's aliases (URNs, or specs relative to the resource) to URNs and the parents they name. */
function aliasesOf(req: any, stack: string): { urn: string; parent?: string }[] {
    const fromSpecs = (req.getAliasesList?.() ?? []).map((alias: any) => {
        if (alias.hasUrn?.() || !alias.hasSpec?.()) return { urn: alias.getUrn() };
        const spec = alias.getSpec();
        const parent = spec.getNoparent() ? undefined : spec.getParenturn() || req.getParent() || undefined;
        return { urn: urnOf(spec.getStack() || stack, spec.getType() || req.getType(), spec.getName() || req.getName(), parent), parent: parent ?? "" };
    });
    return [...fromSpecs, ...(req.getAliasurnsList?.() ?? []).map((urn: string) => ({ urn }))];
}

function optionsOf(req: any, stack: string): RecordedOptions {
    const aliases = aliasesOf(req, stack);
    return {
        parent: req.getParent(),
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
        dependsOn: req.getDependenciesList(),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        transforms: req.getTransformsList?.().length ?? 0,
        aliases: aliases.map((a) => a.urn),
        aliasParents: aliases.map((a) => a.parent),
    };
}

/**
 * Installs the recording mocks for a stack. The mocks API hands `newResource` only the inputs, so
 * the monitor's registerResource is wrapped to see the options the engine would receive too.
 */
export async function installMocks(stack: string, preview = false): Promise<void> {
    await pulumi.runtime.setMocks(mocks, "llm-platform", stack, preview);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) {
                const cpu = process.cpuUsage();
                lastRegistration.at = performance.now();
                lastRegistration.cpuMicros = cpu.user + cpu.system;
                recorded.push(recordedResource(req, resp, stack));
            }
            callback(err, resp);
        });
}

/**
 * A registration as recorded: its inputs and options are decoded, and frozen, when first read. Most
 * tests read a few resources of a run, and decoding every one was most of the recording's cost.
 */
function recordedResource(req: any, resp: any, stack: string): RecordedResource {
    let decoded: { inputs: any; secretPaths: string[] } | undefined;
    let options: RecordedOptions | undefined;
    const decode = () => {
        if (!decoded) {
            const secretPaths: string[] = [];
            decoded = deepFreeze({ inputs: unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()), "", secretPaths), secretPaths });
        }
        return decoded;
    };
    const key = transformsKey(req.getType(), req.getName());
    const [transforms = [], ...later] = pendingTransforms.get(key) ?? [];
    if (later.length > 0) pendingTransforms.set(key, later);
    else pendingTransforms.delete(key);
    const resource = {
        type: req.getType(),
        name: req.getName(),
        urn: resp.getUrn(),
        custom: req.getCustom(),
        get inputs() {
            return decode().inputs;
        },
        get secretPaths() {
            return decode().secretPaths;
        },
        get options() {
            return (options ??= deepFreeze(optionsOf(req, stack)));
        },
    } as RecordedResource;
    // Functions, which differ from run to run: not enumerable, so runs compare by what they registered.
    return Object.defineProperty(resource, "transforms", { value: transforms, enumerable: false });
}

/** Waits until every resource registration the program started has been answered. */
export async function settle(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
}

/** An object as a transform sees it: a chart's rendered object, say. */
export interface TransformedObject {
    type: string;
    name: string;
    custom: boolean;
    props: Record<string, any>;
    opts: pulumi.CustomResourceOptions;
}

/**
 * What `resource`'s transforms make of an object it parents, applied as the engine applies them:
 * in order, each seeing what the one before returned, `undefined` leaving the object as it was.
 */
export async function applyTransforms(resource: RecordedResource, object: Omit<TransformedObject, "opts"> & { opts?: pulumi.CustomResourceOptions }): Promise<TransformedObject> {
    let current: TransformedObject = { opts: {}, ...object };
    for (const transform of resource.transforms) {
        const result = await transform(current);
        if (result) current = { ...current, props: result.props, opts: result.opts };
    }
    return current;
}

/** A stack file's config, keyed as the engine passes it to the program ("llm-platform:key"). */
export interface StackConfig {
    values: Record<string, unknown>;
    secretKeys: string[];
}

/** The stack files, parsed once per process and version of the file (every run reads its stack's). */
const stackFiles = new Map<string, { mtimeMs: number; doc: any }>();

/** Reads Pulumi.<stack>.yaml; `secure:` values become recognisable fake plaintexts. A fresh copy each call. */
export function readStackConfig(stack: string): StackConfig {
    return readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`));
}

/** Reads a stack settings file from any path (e.g. examples/backend-frontend.yaml); `secure:` values become recognisable fake plaintexts. A fresh copy each call. */
export function readStackFile(file: string): StackConfig {
    file = path.resolve(projectRoot, file);
    const { mtimeMs } = fs.statSync(file);
    if (stackFiles.get(file)?.mtimeMs !== mtimeMs) stackFiles.set(file, { mtimeMs, doc: parseYaml(fs.readFileSync(file, "utf8")) ?? {} });
    const doc = structuredClone(stackFiles.get(file)!.doc);
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries<any>(doc.config ?? {})) {
        if (value && typeof value === "object" && Object.keys(value).length === 1 && "secure" in value) {
            values[key] = fakeSecretValue(key.split(":").pop()!);
            secretKeys.push(key);
        } else {
            values[key] = value;
        }
    }
    return { values, secretKeys };
}

/** What one run of the program under mocks produced. */
export interface ProgramRun {
    resources: RecordedResource[];
    /** The stack outputs, resolved. */
    outputs: Record<string, unknown>;
    /** The stack outputs as Outputs, to inspect secretness. */
    rawOutputs: Record<string, pulumi.Output<unknown>>;
    /** Every resource of a type token, e.g. "kubernetes:apps/v1:Deployment". */
    ofType(type: string): RecordedResource[];
    /** The one resource of a type whose name ends with `suffix`; fails when there is not exactly one. */
    one(type: string, suffix?: string): RecordedResource;
}

/**
 * Makes the next require of index.ts run the program again. Only the entry module is evicted: the
 * modules it imports hold no state of a run (config is read when loadConfig() is called), so they
 * are loaded, and transpiled, once per test process.
 */
function clearProgramModules(program: string): void {
    delete require.cache[require.resolve(path.join(projectRoot, program))];
}

/** A change of a stack file's config: keys without the project prefix; `secrets` adds secret keys. */
export interface ConfigEdit {
    set?: Record<string, unknown>;
    /** Keys to remove. */
    remove?: string[];
    secrets?: Record<string, string>;
}

/** How a run is evaluated. */
export interface RunOptions {
    /**
     * Evaluate the program again, even when this config was evaluated before. A test that compares
     * two evaluations (a second run sends the same passwords, a second preview shows no change)
     * needs it; any other test reads the evaluation every test of the process shares.
     */
    fresh?: boolean;
    /**
     * The program to evaluate, relative to the project: index.ts unless told. The start-up
     * benchmark's floor (bench/startup-floor.ts) runs a one-component program through the same
     * harness and config as a stack.
     */
    program?: string;
}

/** The stack a stack file is for: "Pulumi.dev.yaml" is dev, "examples/backend-frontend.yaml" is backend-frontend. */
export function stackOfFile(file: string): string {
    return path.basename(file).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
}

/** The config the engine would pass for a stack file's config changed by `edit`. */
function engineConfigOf(config: StackConfig, edit: ConfigEdit): { values: Record<string, string>; secretKeys: string[] } {
    for (const [key, value] of Object.entries(edit.set ?? {})) config.values[`llm-platform:${key}`] = value;
    for (const key of edit.remove ?? []) delete config.values[`llm-platform:${key}`];
    for (const [key, value] of Object.entries(edit.secrets ?? {})) {
        config.values[`llm-platform:${key}`] = value;
        config.secretKeys.push(`llm-platform:${key}`);
    }
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.values)) {
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, secretKeys: config.secretKeys };
}

/** Evaluates index.ts under mocks with this config. */
async function evaluate(stack: string, config: { values: Record<string, string>; secretKeys: string[] }, entry = "index.ts"): Promise<ProgramRun> {
    recorded.length = 0;
    pendingTransforms.clear();
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    await installMocks(stack);
    clearProgramModules(entry);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(projectRoot, entry));
    const rawOutputs: Record<string, pulumi.Output<unknown>> = {};
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        rawOutputs[key] = pulumi.output(value);
        outputs[key] = await promiseOf(value as pulumi.Input<unknown>);
    }
    await settle();
    const resources = deepFreeze([...recorded]);
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return Object.freeze({
        resources,
        outputs: deepFreeze(outputs),
        rawOutputs: Object.freeze(rawOutputs),
        ofType,
        one(type: string, suffix = "") {
            const found = ofType(type).filter((r) => r.name.endsWith(suffix));
            if (found.length !== 1) {
                throw new Error(`expected one ${type} named *${suffix}, found ${found.map((r) => r.name).join(", ") || "none"}`);
            }
            return found[0];
        },
    });
}

/** Freezes a run's plain data all the way down: a test that changes what it read fails at once. */
function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value) && !pulumi.Output.isInstance(value)) {
        Object.freeze(value);
        // Data properties only: a recorded resource's accessors decode (and freeze) on first read.
        for (const d of Object.values(Object.getOwnPropertyDescriptors(value))) if ("value" in d) deepFreeze(d.value);
    }
    return value;
}

/** Every evaluation of the process, by stack and config: most tests read a stack another test evaluated. */
const evaluations = new Map<string, Promise<ProgramRun>>();

/** The test (currentTest's id) that last asked for each config without `fresh`. */
const askedInTest = new Map<string, number>();

/**
 * Runs index.ts for a stack under mocks, with the stack file's config changed by `edit`
 * (keys without the project prefix; `undefined` removes a key; `secrets` adds secret keys).
 * An evaluation is shared by every test of the process that asks for the same stack and config
 * (the suite's time was mostly evaluations; docs/performance.md); it is frozen, so no test changes
 * what another reads. `{ fresh: true }` evaluates again.
 */
export function runProgram(stack: string, edit: ConfigEdit = {}, options: RunOptions = {}): Promise<ProgramRun> {
    return runConfig(stack, readStackConfig(stack), edit, options);
}

/**
 * Runs index.ts under mocks with the config of a stack file anywhere (an example, a user's file),
 * as the stack the file name says, changed by `edit`; shared like runProgram's.
 */
export function runStackFile(file: string, edit: ConfigEdit = {}, options: RunOptions = {}): Promise<ProgramRun> {
    return runConfig(stackOfFile(file), readStackFile(file), edit, options);
}

async function runConfig(stack: string, stackConfig: StackConfig, edit: ConfigEdit, options: RunOptions): Promise<ProgramRun> {
    const config = engineConfigOf(stackConfig, edit);
    const entry = options.program ?? "index.ts";
    const key = JSON.stringify([entry, stack, Object.entries(config.values).sort(([a], [b]) => a.localeCompare(b)), [...config.secretKeys].sort()]);
    if (options.fresh) return evaluate(stack, config, entry);
    if (currentTest.running) {
        if (askedInTest.get(key) === currentTest.id) {
            throw new Error(`the ${stack} stack with this config was already evaluated in this test: pass { fresh: true } to compare two evaluations`);
        }
        askedInTest.set(key, currentTest.id);
    }
    let run = evaluations.get(key);
    if (!run) {
        run = evaluate(stack, config, entry);
        evaluations.set(key, run);
        // A failed evaluation is not kept: the next test that asks sees its own failure.
        run.catch(() => evaluations.delete(key));
    }
    return run;
}

/** Runs the program expecting it to throw; returns the error and what was registered before it. */
export async function runProgramExpectingError(stack: string, edit: ConfigEdit = {}): Promise<{ error: Error; resources: RecordedResource[] }> {
    try {
        await runProgram(stack, edit, { fresh: true });
    } catch (error) {
        await settle();
        return { error: error as Error, resources: [...recorded] };
    }
    throw new Error(`the ${stack} stack was expected to fail, but it succeeded`);
}

export const stacks = ["dev", "staging", "prod"] as const;

/**
 * The secrets each stack needs and a user sets with `pulumi config set --secret` (the README's
 * setup step); stack files hold none. Values are recognisable fakes, see fakeSecretValue. Staging
 * and prod take theirs from secret managers through ESO (secrets.source "external-secrets"), so a
 * user sets none there.
 */
export const userSecrets: Record<(typeof stacks)[number], Record<string, string>> = {
    dev: { anthropicApiKey: fakeSecretValue("anthropicApiKey") },
    staging: {},
    prod: {},
};

/**
 * The secrets a stack would need with `secrets.source: pulumi`: every key its config can use,
 * for runs that switch a stack's source to pulumi.
 */
export const pulumiSourceSecrets: Record<(typeof stacks)[number], Record<string, string>> = {
    dev: { anthropicApiKey: fakeSecretValue("anthropicApiKey") },
    staging: Object.fromEntries(["anthropicApiKey", "openaiApiKey", "vectorDbApiKey", "appSecretKey"].map((k) => [k, fakeSecretValue(k)])),
    prod: Object.fromEntries(["anthropicApiKey", "openaiApiKey", "cohereApiKey", "vectorDbApiKey", "appSecretKey"].map((k) => [k, fakeSecretValue(k)])),
};

/** Runs a stack as its user would: the stack file plus the secrets they set. */
export function runStack(stack: (typeof stacks)[number], edit: ConfigEdit = {}, options: RunOptions = {}): Promise<ProgramRun> {
    return runProgram(stack, { ...edit, secrets: { ...userSecrets[stack], ...edit.secrets } }, options);
}
