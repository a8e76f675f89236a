/**
 * Runs the policies the way the Pulumi CLI's analyzer does, without the CLI or a PolicyPack: a
 * resource policy sees one resource's properties, a stack policy every resource, and each gets
 * its config from a policy/config/<stack>.json file with the schema defaults applied and the
 * enforcement level resolved (the file's, else the policy's).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { policies } from "../policy/policies";
import { RecordedResource, projectRoot } from "./mocks";

/** A policy config file: per policy, an enforcement level or an object with one and properties. */
export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** A resource to validate: its type token and properties (inputs, or outputs for stack policies). */
export interface PolicyTarget {
    type: string;
    name?: string;
    urn?: string;
    props: Record<string, any>;
}

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Reads policy/config/<stack>.json. */
export function readPolicyConfig(stack: string): PolicyConfigFile {
    return JSON.parse(fs.readFileSync(path.join(projectRoot, "policy", "config", `${stack}.json`), "utf8"));
}

/** The enforcement level and properties a policy runs with under a config file. */
export function resolveConfig(policy: AnyPolicy, file: PolicyConfigFile = {}): { level: EnforcementLevel; properties: Record<string, unknown> } {
    const entry = file[policy.name];
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => schema.default !== undefined)
            .map(([key, schema]) => [key, schema.default]),
    );
    if (typeof entry === "string") return { level: entry, properties: defaults };
    const { enforcementLevel, ...properties } = entry ?? {};
    return { level: enforcementLevel ?? policy.enforcementLevel ?? "advisory", properties: { ...defaults, ...properties } };
}

function notApplicable(reason?: string): never {
    throw new Error(`notApplicable: ${reason}`);
}

function urnOf(target: PolicyTarget): string {
    return target.urn ?? `urn:pulumi:test::llm-platform::${target.type}::${target.name ?? "resource"}`;
}

/** The messages a resource policy reports for one resource. */
export async function validateResource(policy: ResourceValidationPolicy, target: PolicyTarget, config: Record<string, unknown> = {}): Promise<string[]> {
    const messages: string[] = [];
    const props = unknownCheckingProxy(target.props);
    const args: ResourceValidationArgs = {
        type: target.type,
        props,
        urn: urnOf(target),
        name: target.name ?? "resource",
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({ ...resolveConfig(policy).properties, ...config }) as T,
        notApplicable,
    };
    const validations = [policy.validateResource ?? []].flat();
    for (const validate of validations) await validate(args, (message) => messages.push(message));
    return messages;
}

/** The violations a stack policy reports for a set of resources. */
export async function validateStack(policy: StackValidationPolicy, targets: readonly PolicyTarget[], config: Record<string, unknown> = {}): Promise<{ message: string; urn?: string }[]> {
    const violations: { message: string; urn?: string }[] = [];
    const resources = targets.map(
        (target): PolicyResource => ({
            type: target.type,
            props: unknownCheckingProxy(target.props),
            urn: urnOf(target),
            name: target.name ?? "resource",
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        }),
    );
    await policy.validateStack(
        {
            resources,
            stackTags: new Map(),
            getConfig: <T extends object>() => ({ ...resolveConfig(policy).properties, ...config }) as T,
            notApplicable,
        },
        (message, urn) => violations.push({ message, urn }),
    );
    return violations;
}

/** Runs the whole pack over a stack's resources with a config file, as `pulumi preview --policy-pack` would. */
export async function runPack(targets: readonly PolicyTarget[], file: PolicyConfigFile): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const { level, properties } = resolveConfig(policy, file);
        if (level === "disabled") continue;
        if ("validateStack" in policy) {
            for (const v of await validateStack(policy, targets, properties)) violations.push({ policy: policy.name, level, ...v });
        } else {
            for (const target of targets) {
                for (const message of await validateResource(policy, target, properties)) {
                    violations.push({ policy: policy.name, level, message, urn: urnOf(target) });
                }
            }
        }
    }
    return violations;
}

/**
 * A recorded resource as the policies see it at preview: its inputs, with the name the
 * Kubernetes provider would give an object whose metadata.name is unset (tests/mocks.ts gives
 * the same one, so references such as an HPA's scaleTargetRef match).
 */
export function asPolicyTarget(resource: RecordedResource): PolicyTarget {
    const props = { ...resource.inputs };
    if (resource.type.startsWith("kubernetes:") && resource.type !== "kubernetes:helm.sh/v4:Chart") {
        props.metadata = { ...(props.metadata ?? {}) };
        props.metadata.name ??= `${resource.name}-mock1234`;
    }
    return { type: resource.type, name: resource.name, urn: resource.urn, props };
}

/** The policy pack served by the CLI's own runner in a child process, and a client for it. */
export interface PackServer {
    /** The policies the pack declares, with their default enforcement levels. */
    policies(): Promise<{ name: string; level: EnforcementLevel }[]>;
    /** Sends a policy config file, as `--policy-pack-config` does. */
    configure(file: PolicyConfigFile): Promise<void>;
    /** The violations of one resource, as "<policy> [<level>]: <message>". */
    analyze(target: PolicyTarget): Promise<string[]>;
    /** The violations of a set of resources, as "<policy> [<level>]: <message>". */
    analyzeStack(targets: readonly PolicyTarget[]): Promise<string[]>;
    stop(): void;
}

const levelNames: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/**
 * Starts policy/ the way the Pulumi CLI does (the Node.js runner, in the pack's directory, with
 * its tsconfig) and connects to the analyzer server it prints the port of. Nothing is constructed
 * in the test process, which must not serve a pack itself.
 */
export function startPackServer(): Promise<PackServer> {
    // The gRPC and protobuf modules the generated analyzer stubs use, not copies of our own: the
    // client, its credentials and the messages must come from one instance of each.
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] })); // eslint-disable-line @typescript-eslint/no-require-imports
    const grpc = fromPulumi("@grpc/grpc-js");
    const rpc = fromPulumi("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const pb = fromPulumi("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
    const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: path.join(projectRoot, "policy") });
    // Started ahead of its tests (tests/policy.test.ts), it must neither keep a run whose filter
    // skips them alive nor outlive it.
    child.unref();
    for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref(): void }).unref();
    process.once("exit", () => child.kill());
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    return new Promise((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`the policy pack exited with ${code}: ${stderr}`)));
        child.stdout.once("data", (chunk: Buffer) => {
            const client = new rpc.AnalyzerClient(`127.0.0.1:${String(chunk).trim()}`, grpc.credentials.createInsecure());
            const call = (method: string, request: unknown): Promise<any> =>
                new Promise((done, fail) => client[method](request, (error: Error | null, response: any) => (error ? fail(error) : done(response))));
            const resource = <T>(message: T & { setType(t: string): void; setName(n: string): void; setUrn(u: string): void; setProperties(s: unknown): void; setOptions(o: unknown): void }, target: PolicyTarget): T => {
                message.setType(target.type);
                message.setName(target.name ?? "resource");
                message.setUrn(urnOf(target));
                message.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(target.props))));
                message.setOptions(new pb.AnalyzerResourceOptions());
                return message;
            };
            const diagnostics = (response: any): string[] =>
                response.getDiagnosticsList().map((d: any) => `${d.getPolicyname()} [${levelNames[d.getEnforcementlevel()]}]: ${d.getMessage().split("\n").pop()}`);
            resolve({
                async policies() {
                    const info = await call("getAnalyzerInfo", new Empty());
                    return info.getPoliciesList().map((p: any) => ({ name: p.getName(), level: levelNames[p.getEnforcementlevel()] }));
                },
                async configure(file) {
                    const request = new pb.ConfigureAnalyzerRequest();
                    for (const [name, entry] of Object.entries(file)) {
                        const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
                        const config = new pb.PolicyConfig();
                        const level = enforcementLevel ?? policies.find((p) => p.name === name)?.enforcementLevel ?? "advisory";
                        config.setEnforcementlevel(levelNames.indexOf(level));
                        config.setProperties(Struct.fromJavaScript(properties));
                        request.getPolicyconfigMap().set(name, config);
                    }
                    await call("configure", request);
                },
                async analyze(target) {
                    return diagnostics(await call("analyze", resource(new pb.AnalyzeRequest(), target)));
                },
                async analyzeStack(targets) {
                    const request = new pb.AnalyzeStackRequest();
                    request.setResourcesList(targets.map((t) => resource(new pb.AnalyzerResource(), t)));
                    return diagnostics(await call("analyzeStack", request));
                },
                stop() {
                    client.close();
                    child.removeAllListeners("exit");
                    child.kill();
                },
            });
        });
    });
}
