/**
 * Checks a stack file the way `pulumi preview` would read it, without the Pulumi CLI, a cluster or
 * the stack's passphrase: the program runs under the unit tests' recording mocks (tests/mocks.ts),
 * so its own validation and its own components decide, and nothing is sent anywhere.
 *
 *   npm run check                                  every Pulumi.<stack>.yaml of the project
 *   npm run check -- --stack prod                  Pulumi.prod.yaml
 *   npm run check -- --file path/to/Pulumi.x.yaml  a stack file anywhere (run as stack "x")
 *
 * It prints the program's one report of problems and exits 1 when there are any; otherwise a
 * one-screen summary of what the stack would create (objects per kind, per service), and exits 0.
 * Secret values are never read: a `secure:` value in the file, or a secret the stack needs and the
 * file lacks (set with `pulumi config set --secret` before a preview), is a stand-in, and the
 * summary says which were missing. Exit 2: usage.
 */
import * as fs from "fs";
import * as path from "path";
import { validateConfig } from "../config/validate";
import { ConfigError, Problem, RawConfig, formatProblems } from "../validation/problem";
import { RecordedResource, fakeSecretValue, projectRoot, readStackFile, runStackFile, stackOfFile } from "../tests/mocks";

const usage = `usage: npm run check [-- --stack <name> | --file <path> ...]
  --stack <name>  check Pulumi.<name>.yaml of the project
  --file <path>   check a stack file anywhere (the stack is its name: Pulumi.x.yaml is "x")
  no argument     check every Pulumi.<stack>.yaml of the project`;

/** The stack files the arguments name; undefined for a usage error. */
export function stackFilesOf(argv: readonly string[], root = projectRoot): string[] | undefined {
    if (argv.length === 0) {
        return fs
            .readdirSync(root)
            .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f) && /^config:/m.test(fs.readFileSync(path.join(root, f), "utf8")))
            .sort()
            .map((f) => path.join(root, f));
    }
    const files: string[] = [];
    for (let i = 0; i < argv.length; i += 2) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if (value === undefined || value.startsWith("--")) return undefined;
        if (flag === "--stack") files.push(path.join(root, `Pulumi.${value}.yaml`));
        else if (flag === "--file") files.push(path.resolve(value));
        else return undefined;
    }
    return files;
}

/** The stack file's config as the engine would hand it to the program (keys without the project's prefix in `values`). */
function rawConfigOf(file: string): RawConfig {
    const config = readStackFile(file);
    const project = "llm-platform";
    const prefix = `${project}:`;
    const values = Object.fromEntries(Object.entries(config.values).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const secretKeys = new Set(config.secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
    for (const key of secretKeys) values[key] = "[secret]";
    return { project, stack: stackOfFile(file), values, secretKeys, otherKeys: Object.keys(config.values).filter((k) => !k.startsWith(prefix)) };
}

/** A secret the stack needs and the file doesn't hold: set with `pulumi config set --secret` before a preview. */
function missingSecret(problem: Problem, raw: RawConfig): boolean {
    return problem.given === undefined && !problem.key.includes(".") && !(problem.key in raw.values) && problem.expected.includes(`pulumi config set --secret ${problem.key} `);
}

/** The component a resource belongs to: its topmost ancestor below the stack (a service, a data store, the namespace…). */
function groupOf(resource: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
    let current = resource;
    for (;;) {
        const parent = byUrn.get(current.options.parent);
        if (parent === undefined || parent.type === "pulumi:pulumi:Stack") return current.name;
        current = parent;
    }
}

/** "kubernetes:apps/v1:Deployment" is "Deployment"; a chart names its chart and version. */
function kindOf(resource: RecordedResource): string {
    const kind = resource.type.split(":").pop()!;
    if (resource.type !== "kubernetes:helm.sh/v4:Chart") return kind;
    const { chart, version } = resource.inputs as { chart?: string; version?: string };
    return `Chart (${String(chart ?? "").split("/").pop()}${version ? ` ${version}` : ""})`;
}

/** What a preview creates: the providers' resources, and the Helm charts (components the provider expands into the chart's objects). */
const created = (r: RecordedResource) => r.custom || r.type === "kubernetes:helm.sh/v4:Chart";

/** What the stack would create: per group (in registration order), the count of each kind. */
export function summaryOf(resources: readonly RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const groups = new Map<string, Map<string, number>>();
    for (const resource of resources.filter(created)) {
        const group = groupOf(resource, byUrn);
        const kinds = groups.get(group) ?? new Map<string, number>();
        kinds.set(kindOf(resource), (kinds.get(kindOf(resource)) ?? 0) + 1);
        groups.set(group, kinds);
    }
    const width = Math.max(...[...groups.keys()].map((g) => g.length));
    return [...groups].map(([group, kinds]) => `  ${group.padEnd(width)}  ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(", ")}`);
}

/** Checks one stack file, printing the report or the summary through `print`; returns whether it is valid. */
export async function check(file: string, print: (line: string) => void = console.log): Promise<boolean> {
    const relative = path.relative(process.cwd(), file);
    const shown = relative === "" || relative.startsWith("..") ? file : relative;
    if (!fs.existsSync(file)) {
        print(`${shown}: no such file`);
        return false;
    }
    const raw = rawConfigOf(file);
    const { problems } = validateConfig(raw);
    const missing = problems.filter((p) => missingSecret(p, raw)).map((p) => p.key);
    const others = problems.filter((p) => !missing.includes(p.key));
    if (others.length > 0) {
        print(`${shown}: ${formatProblems(raw.stack, others)}`);
        return false;
    }
    let run;
    try {
        run = await runStackFile(file, { secrets: Object.fromEntries(missing.map((key) => [key, fakeSecretValue(key)])) }, { fresh: true });
    } catch (error) {
        print(error instanceof Error && error.name === ConfigError.name ? `${shown}: ${error.message}` : `${shown}: the program failed: ${String(error)}`);
        return false;
    }
    const charts = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart").length;
    const count = run.resources.filter(created).length;
    print(`${shown} (stack ${raw.stack}): valid. A preview would create ${count} resources${charts > 0 ? ` (each of the ${charts} charts adds its own objects)` : ""}:`);
    for (const line of summaryOf(run.resources)) print(line);
    if (missing.length > 0) {
        print(`  Not in the file, so stand-ins were used: ${missing.join(", ")}. Set ${missing.length === 1 ? "it" : "each"} before a preview: ${missing.map((key) => `pulumi config set --secret --stack ${raw.stack} ${key}`).join("; ")}`);
    }
    return true;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(usage);
        return;
    }
    const files = stackFilesOf(argv);
    if (files === undefined || files.length === 0) {
        console.error(usage);
        process.exit(2);
    }
    let valid = true;
    for (const file of files) valid = (await check(file)) && valid;
    process.exit(valid ? 0 : 1);
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
