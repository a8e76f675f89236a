/**
 * The only reader of the stack config. `loadConfig()` turns the raw stack config into one typed,
 * validated object, or throws one error that lists every problem, before any resource exists.
 * Components never read config: they take typed args built from this object.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { postgresqlSchema, redisSchema, dataTierProblems } from "./data-tier";
import { Problem } from "./problem";
import { monitoringProblems, serviceProblems } from "./rules";
import { SecretKey, providerSecretKeys, secretKeys, secretsProblems, secretsSchema } from "./secrets";
import {
    dnsLabel,
    llmSchema,
    monitoringSchema,
    namespaceSchema,
    networkPolicySchema,
    serviceSchema,
    vectorDbSchema,
} from "./schema";

export * from "./schema";
export { SecretKey, SecretsConfig, StoreConfig, RemoteRefConfig, providerSecretKeys, secretKeys, secretsProblems } from "./secrets";
export { Problem } from "./problem";

export const configSchema = z.strictObject({
    /** development, staging or production: decides the production-only rules. */
    environment: z.enum(["development", "staging", "production"]),
    namespace: namespaceSchema.prefault({}),
    networkPolicy: networkPolicySchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    llm: llmSchema.prefault({}),
    vectorDb: vectorDbSchema.prefault({}),
    /** The workloads of the stack by name: an orchestrator API, or e.g. a backend and a frontend. */
    services: z.record(dnsLabel, serviceSchema).refine((s) => Object.keys(s).length > 0, { error: "at least one service" }),
    postgresql: postgresqlSchema.prefault({}),
    redis: redisSchema.prefault({}),
    /** Where the application's secrets come from, the secret manager's store, and rollouts on change. */
    secrets: secretsSchema.prefault({}),
});

/** The stack config after validation and defaults, without secret values. */
export type ValidatedConfig = z.infer<typeof configSchema>;

/** The whole typed config the program is built from. */
export interface PlatformConfig extends Omit<ValidatedConfig, "namespace"> {
    /** The namespace settings, with the name resolved. */
    namespace: ValidatedConfig["namespace"] & { name: string };
    /** The Pulumi project, also app.kubernetes.io/part-of. */
    project: string;
    /** The Pulumi stack. */
    stack: string;
    /** app.kubernetes.io/instance of every workload: "<project>-<stack>". */
    instance: string;
    /** The secret config values that are set (source "pulumi"), as secret Outputs. */
    secretValues: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** The raw stack config: values by key without the project prefix, and which keys are secret. */
export interface RawConfig {
    values: Record<string, unknown>;
    secretKeys: ReadonlySet<string>;
}

/** The config was invalid; `problems` lists everything wrong with it. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: Problem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The one error message for a config's problems, one line each. */
export function formatProblems(stack: string, problems: readonly Problem[]): string {
    const lines = problems.map((p) => `  - ${p.key}: given ${describe(p.given)}; expected ${p.expected}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Stack config of "${stack}" has ${count}:\n${lines.join("\n")}`;
}

/** Walks a schema down wrappers (default, optional, pipe) to what accepts values. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    const def = schema._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType; type: string };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    return schema;
}

/** The keys an object schema at `path` knows, for "unknown key" messages. */
function knownKeys(path: readonly PropertyKey[]): string[] {
    let schema = unwrap(configSchema);
    for (const segment of path) {
        const def = schema._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; valueType?: z.core.$ZodType; element?: z.core.$ZodType };
        const next = def.shape?.[String(segment)] ?? def.valueType ?? def.element;
        if (!next) return [];
        schema = unwrap(next);
    }
    return Object.keys((schema._zod.def as { shape?: object }).shape ?? {});
}

function expectedOf(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "invalid_type":
            return issue.expected === "int" ? "an integer" : `${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
        case "too_small":
            return issue.origin === "array" || issue.origin === "string"
                ? `at least ${issue.minimum} ${issue.origin === "array" ? "items" : "characters"}`
                : `a number ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
        case "too_big":
            return issue.origin === "array" || issue.origin === "string"
                ? `at most ${issue.maximum} ${issue.origin === "array" ? "items" : "characters"}`
                : `a number ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
        case "invalid_value":
            return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "invalid_format":
            return issue.message.startsWith("Invalid") ? `a ${issue.format}` : issue.message;
        case "invalid_key":
            return issue.issues.map(expectedOf).join(", or ");
        case "invalid_union": {
            const messages = new Set(issue.errors.flat().map((i) => expectedOf(i)));
            return [...messages].join(", or ");
        }
        default:
            return issue.message;
    }
}

function keyOf(path: readonly PropertyKey[]): string {
    return path.map(String).join(".");
}

/** Turns schema issues into problems; each unknown key is a problem of its own. */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): Problem[] {
    return issues.flatMap((issue): Problem[] => {
        if (issue.code === "unrecognized_keys") {
            const known = knownKeys(issue.path);
            return issue.keys.map((key) => ({
                key: keyOf([...issue.path, key]),
                given: (issue.input as Record<string, unknown> | undefined)?.[key],
                expected: `no such key; known keys here: ${known.join(", ")}`,
            }));
        }
        return [{ key: keyOf(issue.path), given: issue.input, expected: expectedOf(issue) }];
    });
}

/**
 * Validates raw stack config: schema, defaults, cross-field rules and secret handling. Pure:
 * returns the typed config or every problem found.
 */
export function validateConfig(raw: RawConfig): { config: ValidatedConfig; problems: [] } | { config?: undefined; problems: Problem[] } {
    const problems: Problem[] = [];
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.values)) {
        if ((secretKeys as readonly string[]).includes(key)) {
            if (!raw.secretKeys.has(key)) {
                problems.push({ key, given: "a plaintext value", expected: `a secret: pulumi config set --secret ${key} <value>` });
            }
        } else if (raw.secretKeys.has(key)) {
            problems.push({
                key,
                given: "a secret value",
                expected: `a plain value: secrets belong only in ${secretKeys.join(", ")}, each set with pulumi config set --secret`,
            });
        } else {
            plain[key] = value;
        }
    }

    const parsed = configSchema.safeParse(plain, { reportInput: true });
    if (!parsed.success) {
        return { problems: [...problems, ...problemsOf(parsed.error.issues)] };
    }
    const config = parsed.data;
    const names = Object.keys(config.services);
    for (const [name, service] of Object.entries(config.services)) {
        problems.push(...serviceProblems(`services.${name}`, service, config.environment, names));
    }
    problems.push(...monitoringProblems(config.monitoring));
    problems.push(...dataTierProblems(config));
    problems.push(
        ...secretsProblems({
            secrets: config.secrets,
            enabledProviders: Object.keys(providerSecretKeys).filter((p) => config.llm.providers[p as keyof typeof providerSecretKeys].enabled),
            vectorDbType: config.vectorDb.type,
            setSecretKeys: new Set(secretKeys.filter((key) => key in raw.values)),
            otherExternalSecretsUsers: (["postgresql", "redis"] as const)
                .filter((store) => config[store].auth.passwordSource === "external-secrets")
                .map((store) => `${store}.auth.passwordSource`),
        }),
    );
    if (config.vectorDb.type !== "none" && config.vectorDb.url === undefined) {
        problems.push({ key: "vectorDb.url", given: undefined, expected: `a URL, because vectorDb.type is "${config.vectorDb.type}"` });
    }
    return problems.length > 0 ? { problems } : { config, problems: [] };
}

/** Parses a config value as the engine hands it over: objects and arrays arrive as JSON text. */
function parseValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?[0-9]+(\.[0-9]+)?)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

/**
 * Whether the engine marked a config key secret. The SDK keeps this behind an internal function
 * (the same one `Config.get` uses to warn about secrets read in plaintext).
 */
function isSecretKey(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return runtimeConfig.isConfigSecret?.(fullKey) ?? false;
}

/** Reads and validates this stack's config; throws a ConfigError listing every problem. */
export function loadConfig(): PlatformConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secret = new Set<string>();
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const isSecret = isSecretKey(fullKey);
        if (isSecret) secret.add(key);
        // Secret values are never parsed or kept here; they are read below with getSecret.
        values[key] = isSecret ? "[secret]" : parseValue(text);
    }
    const result = validateConfig({ values, secretKeys: secret });
    if (!result.config) {
        throw new ConfigError(stack, result.problems);
    }
    const config = new pulumi.Config();
    const secretValues: PlatformConfig["secretValues"] = {};
    for (const key of secretKeys) {
        const value = config.getSecret(key);
        if (value !== undefined) secretValues[key] = value;
    }
    const instance = `${project}-${stack}`;
    const namespace = { ...result.config.namespace, name: result.config.namespace.name ?? instance };
    return { ...result.config, namespace, project, stack, instance, secretValues };
}
