// The blue-green switch time (#25, item 7's third goal: at most 2 s once the check has passed),
// printed, not asserted. It applies the objects of staging's blue-green variant (e2e/stack-overrides.mjs,
// staging-blue-green: the program rendered under the unit tests' mocks, as e2e part 1 does) to the
// cluster of KUBECONFIG, waits until both tracks are Ready, then flips release.active BENCH_SWITCHES
// times (default 6). Each switch applies what the flip changes (the live Service and the HTTPRoute)
// and is timed from the start of `kubectl apply` until the live Service's EndpointSlices hold exactly
// the new track's ready pods: what kube-proxy and a Gateway's data plane route by. The check itself
// ran before (the idle track's check Job); a switch starts no pod.
//
//   scripts/toolchain/cluster.sh start && KUBECONFIG=$(scripts/toolchain/cluster.sh kubeconfig) npm run bench:switch
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { deleteNamespace, kubectl, kubectlJson, projectRoot, rolloutStatus, run } from "../e2e/lib.mjs";
import { blueGreenServices, variantOverrides } from "../e2e/stack-overrides.mjs";

const SWITCHES = Number(process.env.BENCH_SWITCHES ?? 6);
const FIXTURES = path.join(projectRoot, "e2e", "fixtures");

/** The program's objects for staging's blue-green variant with `active` live (no chart objects: the switch needs none). */
function render(active) {
    const overrides = variantOverrides("staging-blue-green");
    overrides.set.services = blueGreenServices(overrides.set.services, active);
    const args = ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, "e2e", "render.ts"), "staging"];
    for (const [k, v] of Object.entries(overrides.set)) args.push(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(overrides.secrets)) args.push(`secret:${k}=${v}`);
    return JSON.parse(run("node", args, { cwd: projectRoot }).stdout).items;
}

function apply(items) {
    const file = path.join(fs.mkdtempSync("/tmp/llm-platform-switch-"), "objects.json");
    fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    kubectl(["apply", "--server-side", "--field-manager=bench", "-f", file]);
}

/** The ready pods of a track, by name. */
function readyPods(namespace, track) {
    return kubectlJson(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/name=orchestrator,llm-platform/track=${track}`]).items
        .filter((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((p) => p.metadata.name)
        .sort();
}

/** Splits a stream of concatenated JSON documents (`kubectl get --watch -o json`) into the documents complete so far, and the rest. */
export function splitJsonStream(text) {
    const docs = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let from = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            if (escaped) escaped = false;
            else if (c === "\\") escaped = true;
            else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{") depth++;
        else if (c === "}" && --depth === 0) {
            docs.push(JSON.parse(text.slice(from, i + 1)));
            from = i + 1;
        }
    }
    return { docs, rest: text.slice(from) };
}

/**
 * Watches the live Service's EndpointSlices (one `kubectl get --watch`, started before the switch,
 * so the timing holds no kubectl start-up of its own) and resolves when the ready endpoints are
 * exactly `want`, with the time the event arrived; fails after 30 s. (kubectl's jsonpath output
 * prints only the first object of a watch, so the watch is JSON.)
 */
function watchEndpoints(namespace, want) {
    const child = spawn("kubectl", ["get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=orchestrator", "--watch", "-o", "json"], { stdio: ["ignore", "pipe", "inherit"] });
    let listening;
    const started = new Promise((resolve) => { listening = resolve; });
    const done = new Promise((resolve, reject) => {
        const timer = setTimeout(() => { child.kill(); reject(new Error(`the endpoints are not ${want.join(", ")} after 30 s`)); }, 30_000);
        let buffer = "";
        child.stdout.on("data", (chunk) => {
            const at = performance.now();
            const { docs, rest } = splitJsonStream(buffer + chunk);
            buffer = rest;
            for (const slice of docs) {
                listening();
                // An endpoint without a ready condition counts as ready, as kube-proxy has it.
                const got = (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name).sort();
                if (process.env.BENCH_DEBUG) console.error(`watch: ${got.join(", ")}`);
                if (JSON.stringify(got) === JSON.stringify(want)) {
                    clearTimeout(timer);
                    child.kill();
                    resolve(at);
                }
            }
        });
    });
    return { started, done };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
    kubectl(["apply", "--server-side", "-f", path.join(FIXTURES, "crds.yaml")]);
    kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    kubectl(["apply", "--server-side", "-f", path.join(FIXTURES, "prerequisites.yaml")]);
    const renders = { blue: render("blue"), green: render("green") };
    const namespace = renders.blue.find((o) => o.kind === "Namespace").metadata.name;
    deleteNamespace(namespace);
    try {
        apply(renders.blue.filter((o) => o.kind === "Namespace"));
        apply(renders.blue);
        for (const track of ["blue", "green"]) rolloutStatus("deployment", `orchestrator-${track}`, namespace, "180s");
        // Each track's HPA raises it to its minimum (every 15 s): wait for that, so no switch races a scale-up.
        for (const hpa of renders.blue.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
            kubectl(["wait", `--for=jsonpath={.status.availableReplicas}=${hpa.spec.minReplicas}`, `deployment/${hpa.spec.scaleTargetRef.name}`, "-n", namespace, "--timeout=120s"]);
        }
        // What a flip to `to` changes: the objects of its render that differ from the other's.
        const key = (o) => `${o.kind}/${o.metadata.name}`;
        const changed = (to) => {
            const before = new Map(renders[to === "blue" ? "green" : "blue"].map((o) => [key(o), JSON.stringify(o)]));
            return renders[to].filter((o) => before.get(key(o)) !== JSON.stringify(o));
        };
        const times = [];
        let active = "blue";
        for (let i = 0; i < SWITCHES; i++) {
            const to = active === "blue" ? "green" : "blue";
            const want = readyPods(namespace, to);
            const objects = changed(to);
            const watch = watchEndpoints(namespace, want);
            // The watch's first line (the current state) says it is listening.
            await watch.started;
            const start = performance.now();
            apply(objects);
            const applied = performance.now();
            const at = await watch.done;
            times.push(at - start);
            console.log(`switch ${i + 1} to ${to}: ${Math.round(at - start)} ms from the apply's start (kubectl apply returned after ${Math.round(applied - start)} ms; ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}; ${want.length} pods)`);
            active = to;
        }
        const m = median(times) / 1000;
        // The last line is bench/run.sh's goal line.
        console.log(`blue-green switch ${m.toFixed(2)} s <= 2 s: ${m <= 2 ? "PASS" : "FAIL"} (ratio ${(m / 2).toFixed(2)}; the median of ${times.length}, min ${(Math.min(...times) / 1000).toFixed(2)} s, max ${(Math.max(...times) / 1000).toFixed(2)} s)`);
    } finally {
        deleteNamespace(namespace);
    }
}

await main();
