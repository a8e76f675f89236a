/**
 * The report names the one mistake: a single value error anywhere in a valid stack file yields
 * exactly one problem, at that key, and no problem elsewhere (a service that fails to parse must
 * not make the secret catalog's rules conclude that no service needs a key, for example). Every
 * scalar of each stack file and example is replaced, in turn, by a value of another type; fast-check
 * picks which (seeded), and a second test walks every leaf of prod, the largest stack.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { validateConfig } from "../config/validate";
import { formatProblems } from "../validation/problem";
import { raw } from "./config-harness";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot, readStackConfig, readStackFile, runStackFile, userSecrets } from "./mocks";

type Leaf = { path: (string | number)[]; value: unknown };

/** The stack file's config without the project prefix, with the secrets its user sets. */
/** The secrets the example's user sets (its header says so). */
const exampleSecrets: Record<string, string[]> = { "examples/backend-frontend.yaml": ["jwtSecret"] };

function stackValues(file: string, stack: keyof typeof userSecrets | undefined): { values: Record<string, any>; secrets: string[] } {
    const config = stack ? readStackConfig(stack) : readStackFile(file);
    const values = Object.fromEntries(Object.entries(config.values).map(([k, v]) => [k.replace(/^llm-platform:/, ""), v])) as Record<string, any>;
    const secrets = [...config.secretKeys.map((k) => k.replace(/^llm-platform:/, "")), ...Object.keys(stack ? userSecrets[stack] : {}), ...(exampleSecrets[file] ?? [])];
    for (const key of secrets) values[key] = "[secret]";
    return { values, secrets };
}

/** Escape hatches, which take any value as written: a wrong type there is not a mistake the program can see. */
const rawValues = /^services\.[^.]+\.(scheduling\.(affinity|tolerations)|extraVolumes|extraVolumeMounts|extraInitContainers|autoscaling\.metrics)\b/;

/** Every scalar of the plain config, with its path (secret values and escape hatches left out). */
function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    if (value === "[secret]" || rawValues.test(path.join("."))) return [];
    return [{ path, value }];
}

/** A value of another type than `value`'s, which no key of that type accepts. */
function wrongValue(value: unknown): unknown {
    if (typeof value === "string") return ["a list"];
    if (typeof value === "number") return "five";
    if (typeof value === "boolean") return "yes";
    return { unexpected: true };
}

/** The key path a problem at `path` is reported at, as the report writes it ("hosts.0.host"). */
const keyOf = (path: (string | number)[]) => path.join(".");

function problemsWith(file: string, stack: keyof typeof userSecrets | undefined, leaf: Leaf) {
    const { values, secrets } = stackValues(file, stack);
    let at: any = values;
    for (const p of leaf.path.slice(0, -1)) at = at[p];
    at[leaf.path[leaf.path.length - 1]] = wrongValue(leaf.value);
    return validateConfig(raw(values, secrets)).problems;
}

function assertOneProblem(file: string, stack: keyof typeof userSecrets | undefined, leaf: Leaf): void {
    const problems = problemsWith(file, stack, leaf);
    const key = keyOf(leaf.path);
    assert.deepEqual(
        problems.map((p) => p.key),
        [key],
        `${file}: ${key} set to ${JSON.stringify(wrongValue(leaf.value))} should be one problem at ${key}:\n${formatProblems(stack ?? file, problems)}`,
    );
}

const files: { file: string; stack?: keyof typeof userSecrets }[] = [
    { file: "Pulumi.dev.yaml", stack: "dev" },
    { file: "Pulumi.staging.yaml", stack: "staging" },
    { file: "Pulumi.prod.yaml", stack: "prod" },
    { file: "examples/backend-frontend.yaml" },
];

describe("config report: one mistake, one problem", () => {
    it("the stack files and the example are valid as their users run them (the property's precondition)", () => {
        for (const { file, stack } of files) {
            const { values, secrets } = stackValues(file, stack);
            assert.deepEqual(validateConfig(raw(values, secrets)).problems, [], file);
        }
    });

    it("a wrong-typed value anywhere in a stack file or the example is one problem, at its key (fast-check, seeded)", () => {
        const cases = files.flatMap(({ file, stack }) => leaves(stackValues(file, stack).values).map((leaf) => ({ file, stack, leaf })));
        assert.ok(cases.length > 100, `only ${cases.length} leaves`);
        fc.assert(
            fc.property(fc.constantFrom(...cases), ({ file, stack, leaf }) => assertOneProblem(file, stack, leaf)),
            { seed: 20261207, numRuns: 200 },
        );
    });

    it("every leaf of prod: a wrong-typed value is one problem, at its key", () => {
        const { values } = stackValues("Pulumi.prod.yaml", "prod");
        const all = leaves(values);
        assert.ok(all.length > 80, `only ${all.length} leaves`);
        const wrong = all.flatMap((leaf) => {
            const problems = problemsWith("Pulumi.prod.yaml", "prod", leaf);
            const key = keyOf(leaf.path);
            return problems.length === 1 && problems[0].key === key ? [] : [`${key}: ${problems.map((p) => p.key).join(", ") || "no problem"}`];
        });
        assert.deepEqual(wrong, []);
    });

    it("the issue's cases in prod: a bad tag, a memory in the wrong unit, a word for a count are each one problem, and the remote refs stay", () => {
        const cases: [string[], unknown, string][] = [
            [["services", "orchestrator", "image", "tag"], "1.4.2:rc1", "services.orchestrator.image.tag"],
            [["services", "orchestrator", "resources", "limits", "memory"], "4gb", "services.orchestrator.resources.limits.memory"],
            [["services", "orchestrator", "autoscaling", "minReplicas"], "five", "services.orchestrator.autoscaling.minReplicas"],
        ];
        for (const [path, value, key] of cases) {
            const { values, secrets } = stackValues("Pulumi.prod.yaml", "prod");
            let at: any = values;
            for (const p of path.slice(0, -1)) at = at[p];
            at[path[path.length - 1]] = value;
            assert.deepEqual(validateConfig(raw(values, secrets)).problems.map((p) => p.key), [key], key);
        }
    });
});

describe("config report: the fix, named", () => {
    const dev = () => stackValues("Pulumi.dev.yaml", "dev");
    const problemsOfDev = (edit: (values: Record<string, any>) => void) => {
        const { values, secrets } = dev();
        edit(values);
        return validateConfig(raw(values, secrets)).problems;
    };

    it("an API key pasted into env is one problem, told to delete the line and set the built-in entry", () => {
        assert.deepEqual(
            problemsOfDev((v) => (v.services.orchestrator.env = { ANTHROPIC_API_KEY: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" })).map((p) => `${p.key}: ${p.expected}`),
            ["services.orchestrator.env.ANTHROPIC_API_KEY: no secret here: ANTHROPIC_API_KEY is the built-in secret entry anthropicApiKey, which the program sets itself. Delete this line and set the value with pulumi config set --secret anthropicApiKey <value> (or where secrets.source says it comes from)"],
        );
    });

    it("the vector DB provider's own key variable belongs to vectorDbApiKey", () => {
        const [problem] = problemsOfDev((v) => (v.services.orchestrator.extraEnv = [{ name: "PINECONE_API_KEY", value: "pcsk_abcdefghijklmnopqrstuvwxyz0123456789" }]));
        assert.match(problem.expected, /^no secret here: PINECONE_API_KEY is the built-in secret entry vectorDbApiKey, /);
    });

    it("extraEnv entries are EnvVars: a name, and a string value or a valueFrom with one source", () => {
        const problems = problemsOfDev((v) => {
            v.services.orchestrator.extraEnv = [
                { name: "SEATS", value: 5 },
                { name: "EMPTY" },
                { name: "BOTH", value: "a", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                { name: "TWO_SOURCES", valueFrom: { secretKeyRef: { name: "s", key: "k" }, configMapKeyRef: { name: "c", key: "k" } } },
                { name: "9LIVES", value: "x" },
                { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                { name: "SMTP_HOST", valueFrom: { configMapKeyRef: { name: "smtp", key: "host" } } },
                { name: "FLAG", value: "" },
            ];
        });
        assert.deepEqual(problems.map((p) => `${p.key}: ${p.expected}`), [
            "services.orchestrator.extraEnv.0.value: a string",
            'services.orchestrator.extraEnv.1: exactly one of value (a string; "" for an empty one) and valueFrom',
            'services.orchestrator.extraEnv.2: exactly one of value (a string; "" for an empty one) and valueFrom',
            "services.orchestrator.extraEnv.3.valueFrom: exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef",
            "services.orchestrator.extraEnv.4.name: a variable name such as \"FEATURE_X\" (letters, digits, '_', '-', '.'; not starting with a digit)",
        ]);
    });

    it("labels in config are checked as their reader would: Kubernetes labels on objects, Prometheus label names on alerts", () => {
        const problems = problemsOfDev((v) => {
            v.monitoring = {
                dashboards: { sidecarLabel: { name: "grafana dashboard", value: "yes please" }, folderAnnotation: "-folder" },
                alerts: { labels: { "app.kubernetes.io/team": "platform", __reserved: "x", team: "platform" } },
            };
        });
        assert.deepEqual(problems.map((p) => `${p.key}: ${p.expected}`), [
            'monitoring.alerts.labels.__reserved: a label name that doesn\'t start with "__" (Prometheus reserves those)',
            'monitoring.alerts.labels.app.kubernetes.io/team: a Prometheus label name such as "team" ([a-zA-Z_][a-zA-Z0-9_]*: no "/", "." or "-", unlike a Kubernetes label)',
            'monitoring.dashboards.folderAnnotation: a label or annotation key: an optional DNS prefix and "/", then at most 63 characters of a-z, A-Z, 0-9, \'-\', \'_\', \'.\', starting and ending alphanumeric (e.g. "app.kubernetes.io/name")',
            'monitoring.dashboards.sidecarLabel.name: a label or annotation key: an optional DNS prefix and "/", then at most 63 characters of a-z, A-Z, 0-9, \'-\', \'_\', \'.\', starting and ending alphanumeric (e.g. "app.kubernetes.io/name")',
            "monitoring.dashboards.sidecarLabel.value: a label value: at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric",
        ]);
    });

    it("a key under a misspelt project namespace is an error with the key it meant; the providers' namespaces stay allowed", () => {
        const { values, secrets } = dev();
        const otherKeys = ["llm-platfom:monitoring", "llmplatform:replicas", "kubernetes:context", "random:seed", "pulumi:tags", "platform:x"];
        const problems = validateConfig({ ...raw(values, secrets), otherKeys }).problems;
        assert.deepEqual(problems.map((p) => formatProblems("dev", [p]).split("\n")[1]), [
            '  - llm-platfom:monitoring: given a key of the namespace "llm-platfom", which nothing reads; expected a key of this project\'s namespace: did you mean "llm-platform:monitoring"?',
            '  - llmplatform:replicas: given a key of the namespace "llmplatform", which nothing reads; expected a key of this project\'s namespace: did you mean "llm-platform:replicas"?',
        ]);
    });

    it("the engine hands the program every namespace's keys: a stack file with the typo fails the program before any resource", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "typo-")), "Pulumi.dev.yaml");
        const text = fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8").replace(/^config:\n/m, "config:\n  llm-platfom:monitoring:\n    enabled: false\n  kubernetes:context: kind-dev\n");
        fs.writeFileSync(file, text);
        const failed = await runStackFile(file, { secrets: userSecrets.dev }, { fresh: true }).then(() => undefined, (error: Error) => error);
        assert.ok(failed, "the program refused the stack file");
        assert.equal(failed.name, "ConfigError");
        assert.match(failed.message, /^ {2}- llm-platfom:monitoring: given a key of the namespace "llm-platfom", which nothing reads; expected a key of this project's namespace: did you mean "llm-platform:monitoring"\?$/m);
        assert.doesNotMatch(failed.message, /kubernetes:context/);
    });
});

