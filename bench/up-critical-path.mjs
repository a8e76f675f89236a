#!/usr/bin/env node
// The critical path of a `pulumi up`, from the engine's own event log (docs/performance.md).
//
//   node bench/up-critical-path.mjs --record EVENTS -- pulumi -C <dir> up --yes ... -s <stack>
//       runs the command with the engine's event log on (`--event-log`, which the CLI offers when
//       PULUMI_DEBUG_COMMANDS is set), read through a named pipe as the engine writes it, and
//       writes EVENTS: one event a line, each with `receivedMs`, when it arrived (the events' own
//       timestamps are whole seconds). Exits with the command's status.
//   node bench/up-critical-path.mjs --analyze EVENTS STATE [--json OUT]
//       STATE is `pulumi stack export` after the up (its dependencies). Prints each resource's
//       step (start, end, what the provider waited for) and the longest chain: from the resource
//       that finished last, back through the dependency that finished last before it started.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { fileURLToPath } from "node:url";

/** What the Kubernetes provider waits for after it creates or updates a kind (bench/up-order.mjs reads it too). */
export const awaits = {
    "kubernetes:apps/v1:Deployment": "rollout",
    "kubernetes:apps/v1:StatefulSet": "rollout",
    "kubernetes:batch/v1:Job": "completion",
    "kubernetes:core/v1:Service": "endpoints (the pods ready)",
    "kubernetes:networking.k8s.io/v1:Ingress": "an address",
    "kubernetes:helm.sh/v4:Chart": "its workloads ready",
};

const typeOf = (urn) => urn.split("::")[2].split("$").pop();
const nameOf = (urn) => urn.split("::")[3];

/** Runs `command` with its event log read through a pipe; resolves to its exit status. */
async function record(out, command) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "up-events-"));
    const fifo = path.join(dir, "events");
    const made = spawnSync("mkfifo", [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    const start = performance.now();
    const lines = [];
    // Opened before the engine opens it (so that nothing it writes waits for a reader), non-blocking
    // and read as a socket: a file stream's read of a pipe blocks a thread of the pool, and exit waits for it.
    const input = new net.Socket({ fd: fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), readable: true, writable: false });
    const reader = readline.createInterface({ input });
    reader.on("line", (line) => {
        if (line.trim() === "") return;
        const event = JSON.parse(line);
        event.receivedMs = Math.round(performance.now() - start);
        lines.push(JSON.stringify(event));
    });
    const child = spawn(command[0], [...command.slice(1), "--event-log", fifo], { stdio: "inherit", env: { ...process.env, PULUMI_DEBUG_COMMANDS: "true" } });
    const status = await new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    // The engine writes its last event before it exits; give the reader the lines in flight.
    await new Promise((resolve) => setTimeout(resolve, 200));
    reader.close();
    input.destroy();
    fs.writeFileSync(out, lines.join("\n") + "\n");
    fs.rmSync(dir, { recursive: true, force: true });
    if (lines.length === 0) {
        console.error("up-critical-path: the engine wrote no events (does this CLI take --event-log with PULUMI_DEBUG_COMMANDS set?)");
        return status === 0 ? 1 : status;
    }
    return status;
}

/** Each resource's step, by URN: when it started and finished (ms after the command started), and its op. */
export function steps(events) {
    const byUrn = new Map();
    for (const e of events) {
        const pre = e.resourcePreEvent?.metadata;
        const done = e.resOutputsEvent?.metadata;
        const failed = e.resOpFailedEvent?.metadata;
        if (pre && !byUrn.has(pre.urn)) byUrn.set(pre.urn, { urn: pre.urn, type: pre.type, op: pre.op, start: e.receivedMs });
        const end = done ?? failed;
        if (end && byUrn.has(end.urn)) Object.assign(byUrn.get(end.urn), { end: e.receivedMs, failed: Boolean(failed) });
    }
    return byUrn;
}

/** The state's resources by URN: whether each is custom, and what it depends on (its parent too). */
function graphOf(state) {
    const graph = new Map();
    for (const r of state.deployment?.resources ?? []) {
        const deps = new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat(), ...(r.parent ? [r.parent] : [])]);
        graph.set(r.urn, { custom: Boolean(r.custom), deps: [...deps] });
    }
    return graph;
}

/**
 * The longest chain of steps: from the custom resource that finished last, back through the
 * custom resource it depends on (directly, or through the components it or they belong to) that
 * finished last before it started.
 */
export function criticalPath(byUrn, state) {
    const graph = graphOf(state);
    const isCustom = (urn) => graph.get(urn)?.custom === true;
    const upstream = (urn) => {
        const found = new Set();
        const visit = (u) => {
            for (const d of graph.get(u)?.deps ?? []) {
                if (found.has(d)) continue;
                found.add(d);
                if (!isCustom(d)) visit(d); // a component: what it waits for is its own dependencies and parent
            }
        };
        visit(urn);
        return [...found].filter(isCustom);
    };
    const done = [...byUrn.values()].filter((x) => x.end !== undefined && isCustom(x.urn));
    const chain = [];
    let at = done.sort((a, b) => b.end - a.end)[0];
    while (at && !chain.includes(at)) {
        chain.unshift(at);
        const start = at.start;
        // 50 ms of slack: an event is stamped when it is read, not when the engine makes it.
        at = upstream(at.urn)
            .map((u) => byUrn.get(u))
            .filter((x) => x?.end !== undefined && x.end <= start + 50)
            .sort((a, b) => b.end - a.end)[0];
    }
    return chain;
}

function analyze(eventsFile, stateFile, jsonOut) {
    const events = fs.readFileSync(eventsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    const byUrn = steps(events);
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const label = (step) => `${typeOf(step.urn).replace(/^kubernetes:/, "")} ${nameOf(step.urn)}`;
    const total = Math.max(...events.map((e) => e.receivedMs));
    const graph = graphOf(state);
    const custom = [...byUrn.values()].filter((x) => x.end !== undefined && graph.get(x.urn)?.custom);
    console.log(`${custom.length} resources created or updated; the last event ${s(total)} after the command started.`);
    console.log("");
    console.log("Steps that took longer than 0.5 s (what the provider waited for):");
    console.log("");
    console.log("| resource | start | end | took | waits for |");
    console.log("| --- | ---: | ---: | ---: | --- |");
    for (const x of custom.filter((c) => c.end - c.start > 500).sort((a, b) => a.start - b.start)) {
        console.log(`| ${label(x)} | ${s(x.start)} | ${s(x.end)} | ${s(x.end - x.start)} | ${awaits[typeOf(x.urn)] ?? ""} |`);
    }
    const chain = criticalPath(byUrn, state);
    console.log("");
    console.log("The critical path (each step started after the one above it finished):");
    console.log("");
    console.log("| step | start | end | took | waits for |");
    console.log("| --- | ---: | ---: | ---: | --- |");
    for (const x of chain) console.log(`| ${label(x)} | ${s(x.start)} | ${s(x.end)} | ${s(x.end - x.start)} | ${awaits[typeOf(x.urn)] ?? ""} |`);
    const waited = chain.reduce((sum, x) => sum + (awaits[typeOf(x.urn)] ? x.end - x.start : 0), 0);
    console.log("");
    console.log(`The path's waits for readiness: ${s(waited)} of ${s(total)}; before its first step (the program's start and registrations): ${s(chain[0]?.start ?? 0)}.`);
    if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ total, chain, steps: custom }, null, 1));
}

async function main() {
    const argv = process.argv.slice(2);
    if (argv[0] === "--record") {
        const sep = argv.indexOf("--");
        if (sep < 0 || !argv[1]) throw new Error("usage: up-critical-path.mjs --record EVENTS -- <pulumi up command>");
        process.exitCode = await record(argv[1], argv.slice(sep + 1));
    } else if (argv[0] === "--analyze" && argv[1] && argv[2]) {
        analyze(argv[1], argv[2], argv.includes("--json") ? argv[argv.indexOf("--json") + 1] : undefined);
    } else {
        throw new Error("usage: up-critical-path.mjs --record EVENTS -- <command> | --analyze EVENTS STATE [--json OUT]");
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().catch((err) => {
        console.error(err.message);
        process.exit(1);
    });
}
