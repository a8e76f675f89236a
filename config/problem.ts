/**
 * How config problems are found, reported and read: one Problem per bad key, every problem of a
 * stack in one ConfigError, and the engine's config read as plain values. The application's config
 * and the deployments program's config both use it.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * One thing wrong with the stack config. All problems are collected and reported together, so a
 * user fixes a stack file in one pass instead of one error per `pulumi preview`.
 */
export interface Problem {
    /** The config key, without the project prefix, e.g. "services.api.autoscaling.minReplicas". */
    key: string;
    /** What the stack file holds there. */
    given: unknown;
    /** What would be accepted. */
    expected: string;
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

/** Walks a schema down wrappers (default, optional, pipe) to what accepts values. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    const def = schema._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType; type: string };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    return schema;
}

/** The keys the object schema at `path` under `root` knows, for "unknown key" messages. */
function knownKeys(root: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
    let schema = unwrap(root);
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

/** Turns the issues of parsing with `root` into problems; each unknown key is a problem of its own. */
export function problemsOf(root: z.core.$ZodType, issues: readonly z.core.$ZodIssue[]): Problem[] {
    return issues.flatMap((issue): Problem[] => {
        if (issue.code === "unrecognized_keys") {
            const known = knownKeys(root, issue.path);
            return issue.keys.map((key) => ({
                key: keyOf([...issue.path, key]),
                given: (issue.input as Record<string, unknown> | undefined)?.[key],
                expected: `no such key; known keys here: ${known.join(", ")}`,
            }));
        }
        return [{ key: keyOf(issue.path), given: issue.input, expected: expectedOf(issue) }];
    });
}

/** The raw stack config: values by key without the project prefix, and which keys are secret. */
export interface RawConfig {
    /** The Pulumi project. */
    project: string;
    /** The Pulumi stack. */
    stack: string;
    values: Record<string, unknown>;
    secretKeys: ReadonlySet<string>;
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

/**
 * This stack's config as plain values. Secret values are never parsed or kept here: they stand as
 * "[secret]", and the program reads them with `pulumi.Config.getSecret`.
 */
export function readEngineConfig(): RawConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const isSecret = isSecretKey(fullKey);
        if (isSecret) secretKeys.add(key);
        values[key] = isSecret ? "[secret]" : parseValue(text);
    }
    return { project, stack: pulumi.getStack(), values, secretKeys };
}
