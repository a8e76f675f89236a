// Release and rollback times of prod (#25, item 7's first two goals), printed as ratios beside
// their goals, not asserted. Needs the provider plugins and the cluster of KUBECONFIG (with kwok's
// stages of e2e/fixtures/kwok-stages.yaml); bench/run.sh runs it.
//
// 1. Prod, with e2e part 2's overrides (e2e/stack-overrides.mjs), in a workspace that is a git
//    repository (a release is a commit): `pulumi up`, then one release, neither measured.
// 2. BENCH_RELEASE_RUNS times (default 3), in turn:
//    - a release that changes one image, the first service's tag: `npm run release`, spawn to exit;
//    - its floor: the same change to the live objects, `kubectl apply --server-side` of exactly the
//      objects the change alters (the program rendered under mocks with the old and the new tag,
//      compared), under the field manager the provider applied each with, then `kubectl rollout
//      status` of the changed workloads.
// 3. A broken release (a tag whose pods never become Ready, kwok's pod-never-ready stage, with a
//    30 s progress deadline): from the moment the deadline passed (the Deployment's Progressing
//    condition turned ProgressDeadlineExceeded, as the controller stamps it) until the release tool
//    exits with the last good release back and rolled out.
//
// prod's pods are one a node (required anti-affinity) and spread over zones (DoNotSchedule, counted
// per revision): a release of its 5 replicas with maxSurge 1 needs a free node in the zone the
// spread asks for, which 6 nodes in 3 zones don't always have (the rollout then stalls until its
// deadline). bench/run.sh starts 9 nodes.
//
//   CLUSTER_NODES=9 scripts/toolchain/cluster.sh start && KUBECONFIG=$(scripts/toolchain/cluster.sh kubeconfig) node bench/release.mjs
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";

import { Workspace, deleteNamespace, git, kubectl, kubectlJson, projectRoot, releaseTool, releaseToolCommand, rolloutStatus, run } from "../e2e/lib.mjs";
import { PROJECT, deepMerge, stackOverrides } from "../e2e/stack-overrides.mjs";

const RUNS = Number(process.env.BENCH_RELEASE_RUNS ?? 3);
const STACK = "prod";
const DEADLINE_S = 30;
const FIXTURES = path.join(projectRoot, "e2e", "fixtures");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const key = (o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The program's objects for prod with `overrides` (no chart objects: an image change alters none). */
function render(overrides) {
    const args = ["-r", path.join(projectRoot, "scripts", "register-ts.cjs"), path.join(projectRoot, "e2e", "render.ts"), STACK];
    for (const [k, v] of Object.entries(overrides.set)) args.push(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(overrides.secrets)) args.push(`secret:${k}=${v}`);
    return JSON.parse(run("node", args, { cwd: projectRoot }).stdout).items;
}

/** The objects of `after` that differ from `before`'s (the change), by kind, namespace and name. */
function changedObjects(before, after) {
    const old = new Map(before.map((o) => [key(o), o]));
    return after.filter((o) => !isDeepStrictEqual(old.get(key(o)), o));
}

/** The field manager the provider applied a live object with (`pulumi-kubernetes-…`). */
function managerOf(o) {
    // kubectl hides managedFields unless asked.
    const live = kubectlJson(["get", o.kind, o.metadata.name, "-n", o.metadata.namespace, "--show-managed-fields"]);
    const apply = (live.metadata.managedFields ?? []).find((m) => m.operation === "Apply" && m.manager.startsWith("pulumi-kubernetes"));
    if (!apply) throw new Error(`${key(o)}: no field manager of the provider on the live object (${(live.metadata.managedFields ?? []).map((m) => `${m.manager} ${m.operation}`).join(", ")})`);
    return apply.manager;
}

/**
 * The changed objects with the names Pulumi gives auto-named ones: the mocks name an object Pulumi
 * names "<name>-<8 hex>" as "<name>-mock1234" (tests/mocks.ts), in the object and wherever another
 * refers to it (a Deployment's ConfigMap). A ConfigMap or Secret is updated in place under its live
 * name (the provider replaces it, which costs more: this is a floor); a Job, whose pod template is
 * immutable, is a new one under a fresh name, as the provider creates it.
 */
function withLiveNames(changed, namespace) {
    let text = JSON.stringify(changed);
    const mocks = [...new Set(text.match(/[a-z0-9.-]+-mock1234/g) ?? [])];
    for (const mock of mocks) {
        const prefix = mock.slice(0, -"mock1234".length);
        const kind = changed.find((o) => o.metadata.name === mock)?.kind;
        let name;
        if (kind === "Job") {
            name = `${prefix}${Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0")}`;
        } else {
            const live = kubectlJson(["get", kind ?? "configmaps,secrets", "-n", namespace]).items.map((o) => o.metadata.name);
            const matches = live.filter((n) => n.startsWith(prefix) && /^[0-9a-f]{8}$/.test(n.slice(prefix.length)));
            if (matches.length !== 1) throw new Error(`${mock}: ${matches.length} live objects named ${prefix}<8 hex> (${matches.join(", ")})`);
            name = matches[0];
        }
        text = text.replaceAll(`"${mock}"`, JSON.stringify(name));
    }
    return JSON.parse(text);
}

/**
 * The floor of a change: server-side apply of exactly the changed objects, as the provider applied
 * them (a new Job under a field manager of its own), then their rollouts and the Jobs' completion.
 */
function floor(changed) {
    const managers = changed.map((o) => (o.kind === "Job" ? "bench-floor" : managerOf(o)));
    const started = Date.now();
    changed.forEach((o, i) => kubectl(["apply", "--server-side", `--field-manager=${managers[i]}`, "-f", "-"], { input: JSON.stringify(o) }));
    for (const o of changed.filter((c) => c.kind === "Deployment" || c.kind === "StatefulSet")) rolloutStatus(o.kind.toLowerCase(), o.metadata.name, o.metadata.namespace, "300s");
    for (const o of changed.filter((c) => c.kind === "Job")) kubectl(["wait", "--for=condition=Complete", `job/${o.metadata.name}`, "-n", o.metadata.namespace, "--timeout=300s"]);
    const ms = Date.now() - started;
    // The provider deletes the Job it replaced; the floor's own goes too, unmeasured.
    for (const o of changed.filter((c) => c.kind === "Job")) kubectl(["delete", "job", o.metadata.name, "-n", o.metadata.namespace, "--wait=false"]);
    return ms;
}

/** Runs the release tool while polling the Deployment: when its deadline passed (ProgressDeadlineExceeded), and when the tool exited. */
function brokenRelease(ws, namespace, deployment) {
    const { command, argv, env } = releaseToolCommand(ws, STACK, ["release"]);
    return new Promise((resolve) => {
        let deadlineAt;
        const poll = setInterval(() => {
            const res = run("kubectl", ["get", "deployment", deployment, "-n", namespace, "-o", "json"], { allowFail: true });
            const cond = res.status === 0 ? JSON.parse(res.stdout).status?.conditions?.find((c) => c.type === "Progressing") : undefined;
            if (deadlineAt === undefined && cond?.reason === "ProgressDeadlineExceeded") deadlineAt = Date.parse(cond.lastTransitionTime);
        }, 1000);
        let stdout = "";
        const child = spawn(command, argv, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
        child.stdout.on("data", (d) => (stdout += d));
        child.on("exit", (status) => {
            clearInterval(poll);
            resolve({ status, stdout, deadlineAt, exitedAt: Date.now() });
        });
    });
}

const overrides = stackOverrides(STACK);
const stackConfig = parseYaml(fs.readFileSync(path.join(projectRoot, `Pulumi.${STACK}.yaml`), "utf8")).config ?? {};
const current = (k) => overrides.set[k] ?? stackConfig[`${PROJECT}:${k}`];
const namespace = current("namespace")?.name ?? `${PROJECT}-${STACK}`;
const service = Object.keys(current("services"))[0];
const withService = (patch) => ({ ...overrides, set: { ...overrides.set, services: deepMerge(current("services"), { [service]: patch }) } });

kubectl(["apply", "--server-side", "-f", path.join(FIXTURES, "crds.yaml")]);
kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
kubectl(["apply", "--server-side", "-f", path.join(FIXTURES, "prerequisites.yaml")]);
deleteNamespace(namespace);
const ws = new Workspace(projectRoot);
const setAll = (o) => {
    for (const [k, v] of Object.entries(o.set)) ws.setConfig(k, typeof v === "string" ? v : JSON.stringify(v));
};
const commit = (label) => {
    git(ws.project, "add", "-A");
    git(ws.project, "commit", "-q", "--allow-empty", "-m", label);
};
try {
    ws.initStack(STACK);
    setAll(overrides);
    for (const [k, v] of Object.entries(overrides.secrets)) ws.setConfig(k, v, { secret: true });
    git(ws.project, "init", "-q", "-b", "main");
    ws.up();
    commit("first");
    const first = releaseTool(ws, STACK, ["release"], { timeoutMs: 30 * 60_000 });
    if (first.status !== 0) throw new Error(`the first release failed:\n${first.stdout}`);

    const releases = [];
    const floors = [];
    let released;
    let releasedImage;
    for (let i = 0; i < RUNS; i++) {
        // The release: the next tag, committed, released.
        released = withService({ image: { tag: `1.4.${10 + 2 * i}` } });
        ws.setConfig("services", JSON.stringify(released.set.services));
        commit(`release ${i}`);
        const started = Date.now();
        const res = releaseTool(ws, STACK, ["release"], { timeoutMs: 30 * 60_000 });
        releases.push(Date.now() - started);
        if (res.status !== 0) throw new Error(`release ${i} failed:\n${res.stdout}`);
        releasedImage = new RegExp(`\\n  - ${service}: (\\S+)`).exec(res.stdout)?.[1];
        // The floor: the tag after it, the changed objects applied straight to the cluster.
        const next = render(withService({ image: { tag: `1.4.${11 + 2 * i}` } }));
        const changed = withLiveNames(changedObjects(render(released), next), namespace);
        if (changed.length === 0) throw new Error("the floor's change alters no object");
        floors.push(floor(changed));
        console.error(`# run ${i}: release ${sec(releases.at(-1))}, floor ${sec(floors.at(-1))} (${changed.map(key).join(", ")})`);
    }
    // The broken release. The floor's last change is the live state now; the last good release is
    // the last the tool made, and that is what the rollback puts back.
    const good = releasedImage;
    const broken = withService({ image: { tag: "1.4.99-e2e-never-ready" }, probes: { startup: { failureThreshold: 4 } }, release: { progressDeadlineSeconds: DEADLINE_S } });
    ws.setConfig("services", JSON.stringify(broken.set.services));
    commit("broken");
    const res = await brokenRelease(ws, namespace, service);
    if (res.status !== 1) throw new Error(`the broken release exited ${res.status}, not 1:\n${res.stdout}`);
    if (res.deadlineAt === undefined) throw new Error("the Deployment never reported ProgressDeadlineExceeded");
    rolloutStatus("deployment", service, namespace, "10s");
    const image = kubectlJson(["get", "deployment", service, "-n", namespace]).spec.template.spec.containers[0].image;
    if (image !== good) throw new Error(`after the rollback the Deployment runs ${image}, not ${good}`);

    const release = median(releases);
    const floorMs = median(floors);
    const afterDeadline = res.exitedAt - res.deadlineAt;
    console.log(`A release of ${STACK} changing one image: ${releases.map(sec).join(", ")} (median ${sec(release)}); the floor: ${floors.map(sec).join(", ")} (median ${sec(floorMs)})`);
    console.log(`Goal: a release of ${STACK} that changes one image ${sec(release)} <= 1.5 x its floor (kubectl apply --server-side + rollout status) ${sec(floorMs)} = ${sec(1.5 * floorMs)}: ${release <= 1.5 * floorMs ? "PASS" : "FAIL"} (ratio ${(release / floorMs).toFixed(2)} of the floor)`);
    console.log(`Goal: an automatic rollback serving again ${sec(afterDeadline)} after the failed attempt's deadline (${DEADLINE_S} s) <= one release ${sec(release)}: ${afterDeadline <= release ? "PASS" : "FAIL"} (ratio ${(afterDeadline / release).toFixed(2)})`);
} finally {
    // Prod's data safety is on: the deliberate path (docs/data-tier.md) to a clean cluster.
    try {
        for (const store of ["postgresql", "redis"]) ws.setConfig(store, JSON.stringify({ ...(current(store) ?? {}), protect: false }));
        ws.pulumi(["up", "--yes", "--skip-preview", "-s", STACK], { allowFail: true });
        ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", STACK], { allowFail: true });
    } finally {
        ws.cleanup();
        deleteNamespace(namespace);
    }
}
