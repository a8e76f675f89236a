/**
 * How config problems are found, reported and read: one Problem per bad key, every problem of a
 * stack in one ConfigError, and the engine's config read as plain values. The application's config
 * and the deployments program's config both use it.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "./zod";
import { credentialIn, hasHighEntropyToken, isSecretLikeKey } from "../lib/credentials";

/**
 * One thing wrong with the stack config. All problems are collected and reported together, so a
 * user fixes a stack file in one pass instead of one error per `pulumi preview`.
 */
export interface Problem {
    /** The config key, without the project prefix, e.g. "services.api.autoscaling.minReplicas". */
    key: string;
    /** What the stack file holds there (a `Description` when the program words it itself). */
    given: unknown;
    /** What would be accepted. */
    expected: string;
}

/** A given value the program describes in its own words ("a secret value"), printed as is. */
export class Description {
    constructor(readonly text: string) {}
}

/** The program's own description of a given value, printed without quotes and never redacted. */
export function described(text: string): Description {
    return new Description(text);
}

/**
 * Thresholds of the "looks random" heuristic for messages. Lower than the ConfigMap policy's: a
 * harmless value described by its length costs little, a printed key costs a rotation.
 */
const messageEntropy = { minLength: 20, minEntropy: 3.5 } as const;

/** Whether a string could be a credential: a known credential shape or a long random-looking token. */
export function looksSecret(text: string): boolean {
    return credentialIn(text) !== undefined || hasHighEntropyToken(text, messageEntropy);
}

/**
 * Whether a key (a map key the user chose: an env name, a label key) could be a pasted credential.
 * Stricter than for values, with the ConfigMap policy's thresholds: a long UPPER_SNAKE name must stay readable.
 */
function keyLooksSecret(key: string): boolean {
    return credentialIn(key) !== undefined || hasHighEntropyToken(key, { minLength: 32, minEntropy: 4.3 });
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A value by its type and length, never its content: "a string of 12 characters", "a number",
 * "an object with 2 keys (enabled, minReplicas)". Key names are shown unless they look secret.
 */
export function shapeOf(value: unknown): string {
    if (value === null) return "null";
    if (typeof value === "string") return `a string of ${plural(value.length, "character", "characters")}`;
    if (Array.isArray(value)) return `a list of ${plural(value.length, "item", "items")}`;
    if (typeof value === "object") {
        const keys = Object.keys(value as object).map((k) => (keyLooksSecret(k) ? "[redacted]" : k));
        return `an object with ${plural(keys.length, "key", "keys")}${keys.length > 0 ? ` (${keys.join(", ")})` : ""}`;
    }
    return `a ${typeof value}`;
}

/**
 * The value with every string that could be secret replaced by its shape: strings under a key
 * whose name looks secret, and strings that look like credentials.
 */
function redactDeep(value: unknown, underSecretKey: boolean): unknown {
    if (typeof value === "string") return underSecretKey || looksSecret(value) ? `[redacted: ${shapeOf(value)}]` : value;
    if (typeof value === "number" || typeof value === "boolean") return underSecretKey ? `[redacted: ${shapeOf(value)}]` : value;
    if (Array.isArray(value)) return value.map((v) => redactDeep(v, underSecretKey));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [keyLooksSecret(k) ? "[redacted]" : k, redactDeep(v, underSecretKey || isSecretLikeKey(k))]),
        );
    }
    return value;
}

/** The segments of a key that name a secret; the first (a section of the program's) never does. */
function underSecretKey(key: string): boolean {
    return key.split(".").slice(1).some((segment) => isSecretLikeKey(segment));
}

/**
 * The given value of a problem as the error prints it: never a value that could be secret. Under
 * a key whose name looks secret it is described by its type and length; elsewhere it is printed,
 * with each string that looks like a credential described instead.
 */
export function describeGiven(key: string, value: unknown): string {
    if (value === undefined) return "nothing";
    if (value instanceof Description) return value.text;
    if (underSecretKey(key)) return shapeOf(value);
    if (typeof value === "string" && looksSecret(value)) return shapeOf(value);
    const text = JSON.stringify(redactDeep(value, false));
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A key path with each segment that looks like a credential (a pasted value used as a map key) hidden. */
function safeKey(key: string): string {
    return key
        .split(".")
        .map((segment) => (keyLooksSecret(segment) ? "[redacted]" : segment))
        .join(".");
}

/** The strings of a value, for scrubbing messages that might quote them. */
function stringsOf(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (value !== null && typeof value === "object" && !(value instanceof Description)) return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
    return [];
}

/**
 * What is expected, without any of the given value in it (a validator's message may quote its
 * input) and without anything shaped like a credential.
 */
function safeExpected(problem: Problem): string {
    let text = problem.expected;
    for (const s of stringsOf(problem.given).filter((s) => s.length >= 4 && (looksSecret(s) || underSecretKey(problem.key)))) {
        text = text.split(s).join("[redacted]");
    }
    return text
        .split(/(\s+)/)
        .map((word) => (credentialIn(word) !== undefined ? "[redacted]" : word))
        .join("");
}

/** The problem as the error states it: a safe key, the given value described safely, what is expected. */
export function safeProblem(problem: Problem): Problem {
    return { key: safeKey(problem.key), given: described(describeGiven(problem.key, problem.given)), expected: safeExpected(problem) };
}

/** Orders key paths segment by segment, numbers (list indexes) numerically. */
export function compareKeys(a: string, b: string): number {
    const as = a.split(".");
    const bs = b.split(".");
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
        if (as[i] === bs[i]) continue;
        const [na, nb] = [Number(as[i]), Number(bs[i])];
        if (/^[0-9]+$/.test(as[i]) && /^[0-9]+$/.test(bs[i])) return na - nb;
        return as[i] < bs[i] ? -1 : 1;
    }
    return as.length - bs.length;
}

/** Problems sorted by key path (stable: problems of one key keep their order). */
export function sortProblems(problems: readonly Problem[]): Problem[] {
    return [...problems].sort((a, b) => compareKeys(a.key, b.key));
}

/**
 * The one error message for a config's problems, one line each, sorted by key path. No line
 * repeats a value that could be secret (see `describeGiven`).
 */
export function formatProblems(stack: string, problems: readonly Problem[]): string {
    const lines = sortProblems(problems)
        .map(safeProblem)
        .map((p) => `  - ${p.key}: given ${(p.given as Description).text}; expected ${p.expected}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Stack config of "${stack}" has ${count}:\n${lines.join("\n")}`;
}

/**
 * The config was invalid; `problems` lists everything wrong with it, sorted by key path and made
 * safe to print (a logger that dumps the error's fields prints no secret either).
 */
export class ConfigError extends Error {
    readonly problems: Problem[];

    constructor(
        readonly stack: string,
        problems: readonly Problem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
        this.problems = sortProblems(problems).map(safeProblem);
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
                // A key the program doesn't know could hold anything: a pasted password too.
                given: described(shapeOf((issue.input as Record<string, unknown> | undefined)?.[key])),
                expected: unknownKeyExpectation(key, known),
            }));
        }
        return [{ key: keyOf(issue.path), given: issue.input, expected: expectedOf(issue) }];
    });
}

/**
 * What an unknown key should have been: the known key it is a typo of, when one is close enough
 * (an edit distance of at most 2, and less than half the known key's length), else every key the
 * place knows.
 */
export function unknownKeyExpectation(key: string, known: readonly string[]): string {
    const suggestion = closeMatch(key, known);
    return suggestion === undefined ? `no such key; known keys here: ${known.join(", ")}` : `no such key; did you mean "${suggestion}"?`;
}

/** The known name `name` is a typo of, by edit distance (fastest-levenshtein); undefined when none is close. */
export function closeMatch(name: string, known: readonly string[]): string | undefined {
    if (known.length === 0) return undefined;
    const best = closest(name, [...known]);
    const d = distance(name.toLowerCase(), best.toLowerCase());
    return d <= 2 && d * 2 < best.length ? best : undefined;
}

/** The raw stack config: values by key without the project prefix, and which keys are secret. */
export interface RawConfig {
    /** The Pulumi project. */
    project: string;
    /** The Pulumi stack. */
    stack: string;
    values: Record<string, unknown>;
    secretKeys: ReadonlySet<string>;
    /** The stack's config keys of other namespaces, in full ("kubernetes:context", "llm-platfom:monitoring"). @default none */
    otherKeys?: readonly string[];
}
