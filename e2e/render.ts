/**
 * Renders the Kubernetes objects the program would send to the provider for a stack, as a
 * kubectl-ready `v1/List` on stdout: the program runs under the unit tests' recording mocks
 * (tests/mocks.ts), and every `kubernetes:*` resource's inputs become one object.
 *
 *   node -r ./scripts/register-ts.cjs e2e/render.ts <stack> [key=json ...] [secret:key=value ...]
 *   node -r ./scripts/register-ts.cjs e2e/render.ts examples/backend-frontend.yaml [...]
 *
 * A first argument ending in .yaml is a stack file anywhere (an example), run as the stack its name
 * says; otherwise it is a stack of the project (Pulumi.<stack>.yaml).
 * `key=json` pairs override stack config (keys without the project prefix), like the e2e's
 * `pulumi config set`; `secret:key=value` sets a secret one. What can't be rendered this way (Helm charts and releases, which the
 * provider expands itself) is listed on stderr; with RENDER_CHARTS=<file>, the helm.v4.Charts'
 * inputs (chart, release name, namespace, values) are written there, for `helm template`
 * (e2e/charts.mjs) to render what the provider would; with RENDER_CHART_OBJECTS=<file> as well, the
 * charts are rendered (helm on PATH) and each object goes through its chart's transforms as the
 * engine would send it to the provider (the data tier's protection, Loki's update strategy type),
 * written there as a `v1/List`. The e2e applies the result with server-side apply
 * to prove the API server accepts what the program produces, and the benchmark uses it for the
 * "API floor" (`kubectl apply --server-side --dry-run=server`).
 *
 * With RENDER_TIMING=<file>, the start-up figures are written there as JSON when the process exits
 * (tests/mocks.ts writeStartupTiming; bench/startup.mjs reads them). `--program <file>` runs another
 * program than index.ts with the same config and harness: the start-up benchmark's floor
 * (bench/startup-floor.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RecordedResource, applyTransforms, runProgram, runStackFile, writeStartupTiming } from "../tests/mocks";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Drops undefined values and unwraps secrets, recursively. */
function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return plain(obj.value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            if (v !== undefined && v !== null) out[k] = plain(v);
        }
        return out;
    }
    return value;
}

/** Types that are not one Kubernetes object (the provider expands them itself). */
const notAnObject = /^kubernetes:(helm\.sh\/v[0-9]+:(Chart|Release)|yaml(\/v2)?:|kustomize(\/v2)?:|.*List$)/;

/** The type token of a Kubernetes object, as the provider registers a chart's object: "kubernetes:core/v1:Secret". */
function objectType(obj: Record<string, any>): string {
    const apiVersion = String(obj.apiVersion ?? "");
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${obj.kind}`;
}

/**
 * What each chart renders (e2e/charts.mjs, `helm template`), every object through its chart's
 * transforms, named as helm.v4.Chart names its objects ("<chart>:<namespace>/<name>").
 */
async function renderChartObjects(charts: { resource: RecordedResource; entry: Record<string, unknown> }[]): Promise<Record<string, any>[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-charts-"));
    const items: Record<string, any>[] = [];
    for (const [i, { resource, entry }] of charts.entries()) {
        const file = path.join(dir, `${i}.json`);
        fs.writeFileSync(file, JSON.stringify([entry]));
        const out = execFileSync(process.execPath, [path.join(__dirname, "charts.mjs"), file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        for (const obj of JSON.parse(out).items as Record<string, any>[]) {
            const ns = obj.metadata?.namespace;
            const name = `${resource.name}:${ns ? `${ns}/` : ""}${obj.metadata?.name}`;
            const { props } = await applyTransforms(resource, { type: objectType(obj), name, custom: true, props: obj });
            items.push(props);
        }
    }
    return items;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const programAt = argv.indexOf("--program");
    const program = programAt >= 0 ? argv.splice(programAt, 2)[1] : undefined;
    const [stack, ...pairs] = argv;
    if (!stack || (programAt >= 0 && !program)) {
        console.error("usage: render.ts [--program <file>] <stack | stack file .yaml> [key=json ...] [secret:key=value ...]");
        process.exit(2);
    }
    const set: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const pair of pairs) {
        const i = pair.indexOf("=");
        if (pair.startsWith("secret:")) {
            secrets[pair.slice("secret:".length, i)] = pair.slice(i + 1);
            continue;
        }
        const raw = pair.slice(i + 1);
        let value: unknown = raw;
        try {
            value = JSON.parse(raw);
        } catch {
            // a plain string
        }
        set[pair.slice(0, i)] = value;
    }
    const run = /\.ya?ml$/.test(stack) ? await runStackFile(stack, { set, secrets }, { program }) : await runProgram(stack, { set, secrets }, { program });
    const items: Record<string, any>[] = [];
    const charts: { resource: RecordedResource; entry: Record<string, unknown> }[] = [];
    for (const r of run.resources) {
        if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:index:") || r.type.startsWith("pulumi:")) continue;
        if (r.type === "kubernetes:helm.sh/v4:Chart") {
            const { chart, name, namespace, values, version, skipCrds } = plain(r.inputs) as Record<string, unknown>;
            charts.push({ resource: r, entry: { resource: r.name, chart, release: name, namespace, values: values ?? {}, version, skipCrds } });
        }
        if (notAnObject.test(r.type)) {
            console.error(`render: not rendered (the provider expands it): ${r.type} ${r.name}`);
            continue;
        }
        const obj = plain(r.inputs) as Record<string, any>;
        obj.metadata = { ...(obj.metadata ?? {}) };
        // The mocks give auto-named objects this name; other objects refer to them by it.
        obj.metadata.name ??= `${r.name}-mock1234`;
        items.push(obj);
    }
    // Namespaces first, then the rest in registration order.
    items.sort((a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"));
    // Written before the process exits: to a pipe, stdout is asynchronous, and process.exit would cut it off.
    await new Promise<void>((resolve) => process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 1) + "\n", () => resolve()));
    if (process.env.RENDER_CHARTS) fs.writeFileSync(process.env.RENDER_CHARTS, JSON.stringify(charts.map((c) => c.entry), null, 1));
    if (process.env.RENDER_CHART_OBJECTS) fs.writeFileSync(process.env.RENDER_CHART_OBJECTS, JSON.stringify({ apiVersion: "v1", kind: "List", items: await renderChartObjects(charts) }));
    if (process.env.RENDER_TIMING) writeStartupTiming(process.env.RENDER_TIMING);
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
