// The harness's own rules, without a cluster: a dependent test fails when its step failed, and
// the resources still waiting are read from pulumi's output.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Steps, stillWaiting } from "./lib.mjs";

describe("e2e harness", () => {
    it("a step that needs a failed step fails, naming it, and never runs its body", async () => {
        const steps = new Steps();
        await assert.rejects(steps.step("up", () => { throw new Error("up failed"); })({}), /up failed/);
        let ran = false;
        await assert.rejects(steps.needs(["up"], "preview", () => { ran = true; })({}), /^Error: not run: it needs "up", which did not succeed$/);
        assert.equal(ran, false);
        await assert.rejects(steps.needs(["preview"], "destroy", () => undefined)({}), /needs "preview"/);
    });

    it("a step whose prerequisites succeeded runs", async () => {
        const steps = new Steps();
        await steps.step("up", () => undefined)({});
        let ran = false;
        await steps.needs(["up"], "preview", () => { ran = true; })({});
        assert.equal(ran, true);
    });

    it("the resources still waiting are those whose last line is in progress", () => {
        const out = [
            "Updating (prod):",
            "    pulumi:pulumi:Stack llm-platform-prod running ",
            " +  kubernetes:core/v1:Namespace namespace creating (0s) ",
            " +  kubernetes:core/v1:Namespace namespace created (0.1s) ",
            " +  kubernetes:apps/v1:Deployment orchestrator-deployment creating (0s) ",
            " +  kubernetes:networking.k8s.io/v1:Ingress orchestrator-ingress creating (1s) [1/3] Finding a matching service for each Ingress path",
            " +  kubernetes:apps/v1:Deployment orchestrator-deployment creating (12s) [1/2] Waiting for app ReplicaSet to be available (0/5 Pods available)",
            " +  kubernetes:networking.k8s.io/v1:Ingress orchestrator-ingress creating (30s) [3/3] Waiting for update of .status.loadBalancer with hostname/IP",
            " ~  kubernetes:apps/v1:StatefulSet read updating (3s) ",
            " ~  kubernetes:apps/v1:StatefulSet read updating failed error: timed out",
        ].join("\n");
        assert.deepEqual(stillWaiting(out), [
            "kubernetes:apps/v1:Deployment orchestrator-deployment creating (12s) [1/2] Waiting for app ReplicaSet to be available (0/5 Pods available)",
            "kubernetes:networking.k8s.io/v1:Ingress orchestrator-ingress creating (30s) [3/3] Waiting for update of .status.loadBalancer with hostname/IP",
        ]);
    });
});
