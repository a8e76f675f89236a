// The project's own program against the local API server.
//
// 1. "API server accepts": the objects the program produces for dev and
//    staging (rendered under the unit tests' mocks by e2e/render.ts) are
//    server-side applied to the real API server (schema validation, defaulting,
//    Pod Security admission of the namespace's labels), exist with the expected
//    spec, the Deployments roll out to Ready on kwok's node, and a second apply
//    changes nothing. Needs only the cluster.
// 2. "pulumi up": the real engine with the Kubernetes and random provider
//    plugins: up, no-op preview, a config change, secrets not in plaintext,
//    destroy. Needs the provider plugins; skipped, with the reason, where
//    scripts/toolchain/build.sh could not build them (see docs/e2e.md).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";

import { Workspace, exists, kubectl, kubectlJson, missingForProgram, projectRoot, rolloutStatus, run } from "./lib.mjs";
import { PROJECT, stackOverrides } from "./stack-overrides.mjs";

const STACKS = (process.env.E2E_STACKS ?? "dev,staging").split(",").filter(Boolean);

function render(stack, overrides = stackOverrides(stack)) {
    const args = ["-r", "ts-node/register/transpile-only", path.join(projectRoot, "e2e", "render.ts"), stack];
    for (const [k, v] of Object.entries(overrides.set)) args.push(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(overrides.secrets)) args.push(`secret:${k}=${v}`);
    const out = run("node", args, { cwd: projectRoot, env: { TS_NODE_PROJECT: path.join(projectRoot, "tsconfig.json") } });
    return JSON.parse(out.stdout);
}

describe("the program's objects on the real API server", { concurrency: false }, () => {
    before(() => {
        kubectl(["apply", "--server-side", "-f", path.join(projectRoot, "e2e", "fixtures", "crds.yaml")]);
        kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    });

    for (const stack of STACKS) {
        describe(stack, { concurrency: false }, () => {
            let list;
            let file;
            let namespaces = [];

            before(() => {
                list = render(stack);
                file = path.join(fs.mkdtempSync("/tmp/llm-platform-render-"), `${stack}.json`);
                fs.writeFileSync(file, JSON.stringify(list));
                namespaces = list.items.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
                // Start from a clean slate (a previous run's namespace may still be terminating).
                for (const ns of namespaces) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=180s"]);
            });

            after(() => {
                for (const ns of namespaces) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"], { allowFail: true });
            });

            it("renders Kubernetes objects", () => {
                assert.ok(list.items.length > 0, "no objects");
                assert.ok(list.items.some((o) => o.kind === "Deployment"), "no Deployment");
            });

            it("the API server validates every object (server-side apply, --dry-run=server)", () => {
                // Namespaces must exist before a dry run of namespaced objects can pass.
                const nsList = { ...list, items: list.items.filter((o) => o.kind === "Namespace") };
                kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(nsList) });
                kubectl(["apply", "--server-side", "--field-manager=e2e", "--dry-run=server", "-f", file]);
            });

            it("applies, every object exists with the spec the program set, and the Deployments roll out to Ready", () => {
                kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", file]);
                const liveList = kubectlJson(["get", "-f", file]);
                const liveItems = liveList.kind === "List" ? liveList.items : [liveList];
                assert.equal(liveItems.length, list.items.length);
                for (const [i, o] of list.items.entries()) {
                    const live = liveItems[i];
                    assert.equal(live.kind, o.kind);
                    assert.equal(live.metadata.name, o.metadata.name);
                    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
                        assert.equal(live.metadata.labels?.[k], v, `${o.kind}/${o.metadata.name} label ${k}`);
                    }
                    if (o.kind === "Deployment" || o.kind === "StatefulSet") {
                        if (o.spec.replicas !== undefined) assert.equal(live.spec.replicas, o.spec.replicas);
                        assert.deepEqual(
                            live.spec.template.spec.containers.map((c) => c.image),
                            o.spec.template.spec.containers.map((c) => c.image),
                        );
                    }
                    if (o.kind === "ConfigMap") assert.deepEqual(live.data ?? {}, o.data ?? {});
                }
                for (const o of list.items.filter((x) => x.kind === "Deployment" || x.kind === "StatefulSet")) {
                    rolloutStatus(o.kind.toLowerCase(), o.metadata.name, o.metadata.namespace, "180s");
                    const live = kubectlJson(["get", o.kind.toLowerCase(), o.metadata.name, "-n", o.metadata.namespace]);
                    assert.ok((live.status.readyReplicas ?? 0) >= 1, `${o.kind}/${o.metadata.name} has no ready replica`);
                }
            });

            it("a second apply of the same objects changes nothing (kubectl diff --server-side)", () => {
                const res = kubectl(["diff", "--server-side", "--field-manager=e2e", "-f", file], { allowFail: true });
                assert.equal(res.status, 0, `kubectl diff found changes:\n${res.stdout}\n${res.stderr}`);
            });
        });
    }
});

// Generated valid configs (tests/config-arbitraries.ts, fixed seed): "validation passed" and "the
// API server accepts it" checked against each other on the real server.
describe("generated valid configs on the real API server (server-side dry run)", { concurrency: false }, () => {
    const count = Number(process.env.E2E_GENERATED_CONFIGS ?? 4);
    let generated;
    const namespaces = [];

    before(() => {
        const out = run("node", ["-r", "ts-node/register/transpile-only", path.join(projectRoot, "e2e", "generated-configs.ts"), String(count)], {
            cwd: projectRoot,
            env: { TS_NODE_PROJECT: path.join(projectRoot, "tsconfig.json") },
        });
        generated = JSON.parse(out.stdout);
    });

    after(() => {
        for (const ns of namespaces) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"], { allowFail: true });
    });

    for (let i = 0; i < count; i++) {
        it(`generated config ${i}: every object passes the API server's validation`, () => {
            const config = generated.configs[i];
            // The generated config is the whole stack config: dev's file is only the project's base, every key is set.
            const list = render("dev", { set: config, secrets: generated.secrets });
            assert.ok(list.items.some((o) => o.kind === "Deployment"), "no Deployment");
            const file = path.join(fs.mkdtempSync("/tmp/llm-platform-generated-"), `generated-${i}.json`);
            fs.writeFileSync(file, JSON.stringify(list));
            const nsList = { ...list, items: list.items.filter((o) => o.kind === "Namespace") };
            namespaces.push(...nsList.items.map((o) => o.metadata.name));
            kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"], { input: JSON.stringify(nsList) });
            const res = kubectl(["apply", "--server-side", "--field-manager=e2e", "--dry-run=server", "-f", file], { allowFail: true });
            assert.equal(res.status, 0, `seed ${generated.seed}, config ${i} (${JSON.stringify(config)}):\n${res.stderr}`);
        });
    }
});

describe("pulumi up of the program with the Kubernetes and random providers", { concurrency: false }, () => {
    const why = missingForProgram();
    for (const stack of STACKS) {
        describe(stack, { concurrency: false, skip: why || false }, () => {
            /** @type {Workspace} */
            let ws;
            const overrides = why ? { set: {}, secrets: {} } : stackOverrides(stack);
            let namespace;

            before(() => {
                ws = new Workspace(projectRoot); // the whole project but node_modules and .git
                ws.initStack(stack);
                for (const [k, v] of Object.entries(overrides.set)) ws.setConfig(k, typeof v === "string" ? v : JSON.stringify(v), { path: false });
                for (const [k, v] of Object.entries(overrides.secrets)) ws.setConfig(k, v, { secret: true });
            });

            after(() => {
                ws?.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack], { allowFail: true });
                ws?.cleanup();
            });

            it("pulumi up succeeds, every object exists, the Deployment rolls out", () => {
                ws.up();
                namespace = ws.outputs().namespaceName;
                assert.ok(exists("namespace", namespace));
                for (const d of kubectlJson(["get", "deployments", "-n", namespace]).items) {
                    rolloutStatus("deployment", d.metadata.name, namespace, "180s");
                }
            });

            it("a second preview has no changes", () => {
                ws.pulumi(["preview", "--expect-no-changes", "-s", stack]);
            });

            it("a replicas change previews as exactly that change and up applies it", () => {
                const svc = Object.keys((parseYaml(ws.stackFile()).config ?? {})[`${PROJECT}:services`] ?? { orchestrator: {} })[0];
                if (stack !== "dev") return; // staging autoscales: replicas are the HPA's
                ws.setConfig(`services.${svc}.replicas`, "2", { path: true });
                const steps = ws.previewSteps();
                assert.deepEqual(steps.map((s) => s.op), ["update"]);
                assert.match(steps[0].urn, /Deployment/);
                ws.up();
                rolloutStatus("deployment", svc, namespace, "180s");
            });

            it("neither the stack export nor the stack file holds a secret in plaintext", () => {
                const exported = ws.stackExport();
                const stackFile = ws.stackFile();
                for (const v of Object.values(overrides.secrets)) {
                    assert.ok(!exported.includes(v), "stack export holds a secret");
                    assert.ok(!stackFile.includes(v), "the stack file holds a secret");
                }
                const state = JSON.parse(exported);
                for (const r of state.deployment.resources ?? []) {
                    if (r.type === "random:index/randomPassword:RandomPassword") {
                        assert.equal(r.outputs?.result?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
                    }
                }
            });

            it("pulumi destroy removes everything but what is retained", () => {
                ws.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack]);
                const left = kubectl(["get", "deployments,services,configmaps,secrets", "-n", namespace, "-o", "name", "--ignore-not-found"], { allowFail: true });
                assert.doesNotMatch(left.stdout, /deployment/);
            });
        });
    }
});
