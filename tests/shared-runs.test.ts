/**
 * tests/mocks.ts shares one evaluation of a stack and config among the tests that ask for it (the
 * suite's time was mostly evaluations): what a test gets is the same run, frozen, and a test that
 * compares two evaluations must ask for a fresh one.
 */
import { strict as assert } from "assert";
import { ProgramRun, runStack } from "./mocks";

describe("shared evaluations (tests/mocks.ts)", () => {
    let shared: ProgramRun;
    it("the same stack and config is evaluated once; { fresh: true } evaluates again, to the same resources", async () => {
        shared = await runStack("dev", { set: { clusterDomain: "shared.example" } });
        const fresh = await runStack("dev", { set: { clusterDomain: "shared.example" } }, { fresh: true });
        assert.notEqual(fresh, shared);
        assert.deepEqual(fresh.resources, shared.resources);
    });

    it("a later test asking for the same stack and config gets that evaluation", async () => {
        assert.ok(shared.resources.length > 0);
        assert.equal(await runStack("dev", { set: { clusterDomain: "shared.example" } }), shared);
    });

    it("a shared run is frozen: a test can't change what another reads", async () => {
        const run = await runStack("dev");
        const deployment = run.one("kubernetes:apps/v1:Deployment");
        assert.throws(() => {
            deployment.inputs.spec.replicas = 7;
        }, TypeError);
        assert.throws(() => run.resources.pop(), TypeError);
    });

    it("asking twice for one config within a test fails: it would compare an evaluation with itself", async () => {
        await runStack("staging");
        await assert.rejects(runStack("staging"), /already evaluated in this test: pass \{ fresh: true \} to compare two evaluations/);
    });
});
