/**
 * Property-based tests of config validation (fast-check): for generated configs, valid ones and
 * mutations of them, the program either evaluates, or throws a ConfigError before registering any
 * resource whose every line starts with a real key path and repeats no generated secret; it
 * never throws anything else. Each object a valid generated config produces passes the
 * Kubernetes schema check. Runs are seeded, so a failure is reproducible (fast-check prints the
 * seed and the shrunk counterexample).
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { ConfigError, formatProblems } from "../validation/problem";
import { configSchema } from "../config/schema";
import { validateConfig } from "../config/validate";
import { builtinSecrets } from "../lib/builtin-secrets";
import { raw } from "./config-harness";
import { Values, generatedSecrets, mutatedConfig, validConfig } from "./config-arbitraries";
import { schemaProblems, unknownFields } from "./k8s-schema";
import { RecordedResource, readStackConfig, runProgram, runProgramExpectingError } from "./mocks";

const seed = 20261121;

function withSecrets(config: Values): Values {
    return { ...config, ...Object.fromEntries(Object.keys(generatedSecrets(config)).map((k) => [k, "[secret]"])) };
}

function validate(config: Values) {
    return validateConfig(raw(withSecrets(config), Object.keys(generatedSecrets(config))));
}

/** Whether a key path names something real: its first segment is a key of the config (known, a secret catalog entry's config key, or given). */
function startsWithRealKey(key: string, config: Values): boolean {
    const first = key.split(".")[0];
    const declared = Object.entries<any>(config.secrets?.entries ?? {}).flatMap(([name, entry]) => [name, entry?.configKey]);
    return first in configSchema.shape || builtinSecrets.some((b) => b.name === first) || declared.includes(first) || first in config;
}

/** The problems' lines of an error message, checked: each starts with a real key path and holds no secret. */
function assertSafeMessage(text: string, config: Values, secret: string | undefined): void {
    const [header, ...lines] = text.split("\n");
    assert.match(header, /^Stack config of "[^"]+" has [0-9]+ problems?:$/);
    assert.ok(lines.length > 0, "a ConfigError lists at least one problem");
    for (const line of lines) {
        const match = /^ {2}- (\S(?:.*?\S)?): given .+; expected .+$/.exec(line);
        assert.ok(match, `not a problem line: ${line}`);
        assert.ok(startsWithRealKey(match[1], config), `not a real key path: ${match[1]}`);
    }
    if (secret !== undefined) assert.ok(!text.includes(secret), `the message repeats the generated secret ${secret}:\n${text}`);
}

/** Runs the program for a generated config under mocks: the stack's config is the generated one, and only it. */
function runGenerated(config: Values): ReturnType<typeof runProgram>;
function runGenerated(config: Values, expectingError: true): ReturnType<typeof runProgramExpectingError>;
function runGenerated(config: Values, expectingError = false) {
    const remove = Object.keys(readStackConfig("dev").values).map((k) => k.replace(/^llm-platform:/, "")).filter((k) => !(k in config));
    const edit = { set: config, remove, secrets: generatedSecrets(config) };
    return expectingError ? runProgramExpectingError("dev", edit) : runProgram("dev", edit);
}

const kubernetesObjects = (resources: RecordedResource[]) => resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));

describe("config properties: generated valid configs", () => {
    it("every generated valid config passes validation (the generator and the rules agree)", () => {
        fc.assert(
            fc.property(validConfig, (config) => {
                assert.deepEqual(validate(config).problems, []);
            }),
            { seed, numRuns: 150 },
        );
    });

    it("the program evaluates them, and every object passes the Kubernetes schema check", async () => {
        await fc.assert(
            fc.asyncProperty(validConfig, async (config) => {
                const run = await runGenerated(config);
                const objects = kubernetesObjects(run.resources);
                assert.ok(objects.some((o) => o.type === "kubernetes:apps/v1:Deployment"));
                for (const { type, name, inputs } of objects) {
                    assert.deepEqual(await schemaProblems(inputs), [], `${type} ${name}`);
                    assert.deepEqual(await unknownFields(inputs), [], `${type} ${name}`);
                }
            }),
            { seed, numRuns: 2 },
        );
    });
});

describe("config properties: mutations of valid configs", () => {
    it("validation returns the config or problems whose message has a real key path per line and no secret; it never throws", () => {
        fc.assert(
            fc.property(mutatedConfig, ({ config, secret }) => {
                const result = validate(config);
                if (result.config) return;
                const text = formatProblems("generated", result.problems);
                assertSafeMessage(text, config, secret);
                if (secret !== undefined) assert.ok(!JSON.stringify(new ConfigError("generated", result.problems).problems).includes(secret));
            }),
            { seed, numRuns: 300 },
        );
    });

    it("the program either evaluates or throws a ConfigError before registering any resource", async () => {
        await fc.assert(
            fc.asyncProperty(mutatedConfig, async ({ config, secret }) => {
                let failed;
                try {
                    failed = await runGenerated(config, true);
                } catch (error) {
                    if (/was expected to fail, but it succeeded/.test((error as Error).message)) return;
                    throw error;
                }
                // The program's modules are loaded afresh for each run, so its ConfigError is another class object.
                assert.equal(failed.error.name, "ConfigError", `not a ConfigError: ${String(failed.error)}`);
                assertSafeMessage(failed.error.message, config, secret);
                assert.deepEqual(failed.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.urn), []);
            }),
            { seed, numRuns: 3 },
        );
    });
});
