// The real pulumi engine, language host, file backend and passphrase secrets
// against the local API server, with a throwaway program (e2e/fixtures/engine)
// that needs no provider plugin. Runs wherever the pulumi CLI and the language
// host exist, so the engine side of the e2e is proven even where the provider
// plugins can't be built.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { Workspace, deleteNamespace, exists, kubectl, kubectlJson, projectRoot, rolloutStatus } from "./lib.mjs";

const NS = `e2e-engine-${process.pid}`;
const API_KEY = `sk-e2e-${process.pid}-plaintext-canary`;

const missing = (process.env.TOOLCHAIN_MISSING ?? "").split(/\s+/).filter((m) => m === "pulumi" || m === "language-nodejs");
const skip = missing.length ? `toolchain pieces missing: ${missing.join(", ")}` : false;

describe("engine e2e: pulumi CLI + Node.js language host + file backend + local API server", { concurrency: false, skip }, () => {
    /** @type {Workspace} */
    let ws;

    before(() => {
        ws = new Workspace(path.join(projectRoot, "e2e", "fixtures", "engine"));
        ws.useResourceTimeouts();
        ws.initStack("dev");
        ws.setConfig("namespace", NS);
        ws.setConfig("replicas", "1");
        ws.setConfig("greeting", "hello");
        ws.setConfig("imageTag", "1.0.0");
        ws.setConfig("apiKey", API_KEY, { secret: true });
    });

    after(() => {
        ws?.pulumi(["destroy", "--yes", "--skip-preview", "-s", "dev"], { allowFail: true });
        ws?.cleanup();
        // The namespace the program retains on purpose.
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"], { allowFail: true });
    });

    it("pulumi up creates every object with the expected spec, and the Deployment rolls out", () => {
        ws.up();
        const cm = kubectlJson(["get", "configmap", "settings", "-n", NS]);
        assert.deepEqual(cm.data, { GREETING: "hello" });
        const dep = kubectlJson(["get", "deployment", "api", "-n", NS]);
        assert.equal(dep.spec.replicas, 1);
        assert.equal(dep.spec.template.spec.containers[0].image, "registry.invalid/e2e/api:1.0.0");
        assert.ok(exists("secret", "credentials", NS));
        rolloutStatus("deployment", "api", NS);
        const ready = kubectlJson(["get", "deployment", "api", "-n", NS]);
        assert.equal(ready.status.readyReplicas, 1);
    });

    it("the harness's per-resource timeouts reach every resource (a stack transform)", () => {
        const resources = JSON.parse(ws.stackExport()).deployment.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
        assert.ok(resources.length >= 5);
        for (const r of resources) {
            assert.deepEqual(r.customTimeouts, { create: 300, update: 300, delete: 180 }, r.urn);
        }
    });

    it("a second preview has no changes (--expect-no-changes)", () => {
        ws.pulumi(["preview", "--expect-no-changes", "-s", "dev"]);
    });

    it("a replicas change previews as exactly that update and up applies it", () => {
        ws.setConfig("replicas", "2");
        const steps = ws.previewSteps();
        assert.deepEqual(
            steps.map((s) => [s.op, s.urn.split("::").pop()]),
            [["update", "api"]],
        );
        ws.up();
        rolloutStatus("deployment", "api", NS);
        assert.equal(kubectlJson(["get", "deployment", "api", "-n", NS]).status.readyReplicas, 2);
    });

    it("an env value and an image tag change preview as exactly those updates", () => {
        ws.setConfig("greeting", "bonjour");
        ws.setConfig("imageTag", "1.0.1");
        const steps = ws.previewSteps();
        assert.deepEqual(
            steps.map((s) => [s.op, s.urn.split("::").pop()]).sort(),
            [["update", "api"], ["update", "settings"]],
        );
        ws.up();
        assert.deepEqual(kubectlJson(["get", "configmap", "settings", "-n", NS]).data, { GREETING: "bonjour" });
        assert.equal(
            kubectlJson(["get", "deployment", "api", "-n", NS]).spec.template.spec.containers[0].image,
            "registry.invalid/e2e/api:1.0.1",
        );
        ws.pulumi(["preview", "--expect-no-changes", "-s", "dev"]);
    });

    it("a migration Job that exits non-zero fails pulumi up with its message, and the Deployment that depends on it is not updated", () => {
        ws.setConfig("migrationExitCode", "1");
        ws.setConfig("imageTag", "1.0.2");
        const failed = ws.pulumi(["up", "--yes", "--skip-preview", "-s", "dev"], { allowFail: true });
        // kwok completes every Job pod unless the pod-fail stage of e2e/fixtures/kwok-stages.yaml
        // is active; without it this proves nothing, so it fails rather than skips.
        assert.notEqual(
            failed.status,
            0,
            "pulumi up succeeded although the migration's pod was labelled to fail: kwok's pod-fail stage is not active " +
                "(start the control plane with scripts/toolchain/cluster.sh, which passes e2e/fixtures/kwok-stages.yaml to kwok)",
        );
        const output = `${failed.stdout}\n${failed.stderr}`;
        assert.match(output, /Job api-migrate-1-0-2-1 failed/);
        assert.match(output, /e2e migration failed: relation \\?"documents\\?" already exists/, "the pod's termination message is in the error");
        assert.equal(
            kubectlJson(["get", "deployment", "api", "-n", NS]).spec.template.spec.containers[0].image,
            "registry.invalid/e2e/api:1.0.1",
            "the Deployment keeps the running version",
        );

        ws.setConfig("migrationExitCode", "0");
        ws.up();
        assert.equal(kubectlJson(["get", "job", "api-migrate-1-0-2-0", "-n", NS]).status.succeeded, 1);
        assert.equal(kubectlJson(["get", "deployment", "api", "-n", NS]).spec.template.spec.containers[0].image, "registry.invalid/e2e/api:1.0.2");
        ws.pulumi(["preview", "--expect-no-changes", "-s", "dev"]);
    });

    it("neither the stack export nor the stack file holds the generated password or the API key in plaintext", () => {
        const password = ws.outputs({ showSecrets: true }).databasePassword;
        assert.equal(typeof password, "string");
        assert.ok(password.length >= 16);
        const exported = ws.stackExport();
        const stackFile = ws.stackFile();
        assert.ok(stackFile.includes("secure:"), "the API key is stored encrypted in the stack file");
        for (const [what, text] of [["stack export", exported], ["Pulumi.dev.yaml", stackFile]]) {
            assert.ok(!text.includes(password), `${what} contains the generated password`);
            assert.ok(!text.includes(API_KEY), `${what} contains the API key`);
        }
        // And the cluster did get the real values.
        const secret = kubectlJson(["get", "secret", "credentials", "-n", NS]);
        assert.equal(Buffer.from(secret.data.API_KEY, "base64").toString(), API_KEY);
        assert.equal(Buffer.from(secret.data.DATABASE_PASSWORD, "base64").toString(), password);
    });

    it("a protected destroy guard that depends on every component: destroy refuses before deleting anything", () => {
        ws.setConfig("guard", "protected");
        ws.up();
        assert.ok(exists("configmap", "destroy-guard", NS));
        const urns = () => JSON.parse(ws.stackExport()).deployment.resources.map((r) => r.urn).sort();
        const before = urns();
        const guardUrn = before.find((u) => u.endsWith("::destroy-guard"));
        // With and without the preview (the issue's destroy ran --skip-preview, and deleted the app).
        for (const args of [["destroy", "--yes", "--skip-preview"], ["destroy", "--yes"]]) {
            const res = ws.pulumi([...args, "-s", "dev"], { allowFail: true });
            assert.notEqual(res.status, 0, `${args.join(" ")} succeeded`);
            // The engine's wording differs between CLI releases; either names the guard as protected.
            assert.match(res.stdout + res.stderr, /unable to delete resource "([^"]+)"\s+as it is currently marked for protection|resource "([^"]+)" cannot be deleted\s+because it is protected/);
            assert.ok((res.stdout + res.stderr).includes(guardUrn), "the refusal names the guard");
            assert.deepEqual(urns(), before, `${args.join(" ")}: the state lost resources`);
            for (const [kind, name] of [["deployment", "api"], ["configmap", "settings"], ["secret", "credentials"], ["configmap", "destroy-guard"]]) {
                assert.ok(exists(kind, name, NS), `${args.join(" ")} deleted ${kind}/${name}`);
            }
        }
        rolloutStatus("deployment", "api", NS);
    });

    it("the deliberate path: the guard unprotected through `pulumi up`, then destroy goes through", () => {
        ws.setConfig("guard", "unprotected");
        ws.up();
        const guard = JSON.parse(ws.stackExport()).deployment.resources.find((r) => r.urn.endsWith("::destroy-guard"));
        assert.equal(guard.protect ?? false, false);
    });

    it("pulumi destroy removes everything but the retained namespace", () => {
        ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", "dev"]);
        assert.ok(!exists("configmap", "destroy-guard", NS));
        assert.ok(!exists("deployment", "api", NS));
        assert.ok(!exists("configmap", "settings", NS));
        assert.ok(!exists("secret", "credentials", NS));
        assert.ok(!exists("job", "api-migrate-1-0-2-0", NS));
        assert.ok(exists("namespace", NS), "the namespace is retained");
        ws.pulumi(["stack", "rm", "--yes", "-s", "dev"]);
    });
});

describe("the harness's time limit: cancel, report, unlock, clean up", { concurrency: false, skip }, () => {
    const ns = `${NS}-slow`;
    /** @type {Workspace} */
    let ws;

    before(() => {
        ws = new Workspace(path.join(projectRoot, "e2e", "fixtures", "engine"));
        ws.initStack("slow");
        ws.setConfig("namespace", ns);
        ws.setConfig("replicas", "1");
        ws.setConfig("greeting", "hello");
        ws.setConfig("imageTag", "1.0.0");
        ws.setConfig("apiKey", API_KEY, { secret: true });
        ws.setConfig("slowSeconds", "600");
    });

    after(() => {
        ws?.pulumiUnlimited(["stack", "rm", "--force", "--yes", "-s", "slow"]);
        ws?.cleanup();
        deleteNamespace(ns);
    });

    it("a pulumi up over the limit is cancelled, names the resource still waiting, leaves no lock and no process", () => {
        assert.throws(
            () => ws.pulumi(["up", "--yes", "--skip-preview", "-s", "slow"], { timeoutMs: 20_000, graceMs: 15_000 }),
            (err) => {
                assert.match(err.message, /did not finish within 20 s and was cancelled/);
                assert.match(err.message, /Still waiting: [^\n]*pulumi-nodejs:dynamic:Resource slow creating/);
                assert.match(err.message, /Lock: released/);
                return true;
            },
        );
        assert.deepEqual(ws.locks(), []);
        assert.deepEqual(processesIn(ws.dir), [], "processes left running in the workspace");
        // The stack is usable again: no lock in the way of the next command.
        ws.pulumi(["stack", "export", "-s", "slow"]);
    });
});

/** Processes whose working directory is under `dir` (the CLI, language host and program run in the project). */
function processesIn(dir) {
    const found = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`);
        } catch {
            // gone, or not ours to read
        }
    }
    return found;
}
