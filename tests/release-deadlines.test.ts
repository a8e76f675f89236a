/**
 * The deadlines of a release (#25 item 2): every Deployment fails a rollout that stops making
 * progress, after the service's `release.progressDeadlineSeconds` or its environment's default,
 * and `pulumi up` waits long enough for a healthy rollout of many steps.
 */
import { strict as assert } from "assert";
import { progressDeadlineOf, serviceSchema, ServiceConfig } from "../application/service.schema";
import { rolloutTimeoutSeconds } from "../application/application.specs";
import { releaseProblems } from "../application/service.rules";
import { reportOf, stagingBase } from "./config-harness";
import { readStackConfig, runStack, stacks } from "./mocks";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, ...overrides });

describe("release deadlines: progressDeadlineSeconds on every Deployment", () => {
    const expected = { dev: 300, staging: 600, prod: 600 };
    for (const stack of stacks) {
        it(`${stack}: the Deployment fails a rollout without progress after the environment's default (${expected[stack]} s)`, async () => {
            const run = await runStack(stack);
            const deployments = run.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
            assert.ok(deployments.length > 0, "the stack has a Deployment");
            for (const d of deployments) assert.equal(d.inputs.spec.progressDeadlineSeconds, expected[stack], d.name);
        });
    }

    it("services.<name>.release.progressDeadlineSeconds overrides the default", async () => {
        const services = readStackConfig("prod").values["llm-platform:services"] as Record<string, Record<string, unknown>>;
        const run = await runStack("prod", { set: { services: { orchestrator: { ...services.orchestrator, release: { progressDeadlineSeconds: 900 } } } } });
        assert.equal(run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.progressDeadlineSeconds, 900);
    });
});

describe("release deadlines: the config rules", () => {
    it("a deadline is an integer from 1 to 86400", () => {
        assert.equal(
            reportOf(stagingBase, (v) => { v.services.api.release = { progressDeadlineSeconds: 1.5 }; v.services.web = { ...v.services.api, release: { progressDeadlineSeconds: 0 } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.release.progressDeadlineSeconds: given 1.5; expected an integer\n" +
            "  - services.web.release.progressDeadlineSeconds: given 0; expected a number >= 1",
        );
    });

    it("a deadline the startup probe outlasts is refused: a slow but healthy start would fail every rollout", () => {
        assert.equal(
            reportOf(stagingBase, (v) => { v.services.api.release = { progressDeadlineSeconds: 150 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.release.progressDeadlineSeconds: given 150; expected more seconds than services.api.probes.startup gives a pod to start (initialDelaySeconds 0 + periodSeconds 5 × failureThreshold 30 = 150), or a slow but healthy start fails the rollout",
        );
    });

    it("without a startup probe, or unset, there is nothing to judge", () => {
        assert.deepEqual(releaseProblems("services.api", service({ probes: { startup: { enabled: false } }, release: { progressDeadlineSeconds: 1 } })), []);
        assert.deepEqual(releaseProblems("services.api", service({ probes: { startup: { initialDelaySeconds: 600 } } })), []);
    });
});

describe("release deadlines: the default", () => {
    it("is the environment's, unless the startup probe gives a pod longer to start: then that and a minute", () => {
        assert.equal(progressDeadlineOf(service(), "development"), 300);
        assert.equal(progressDeadlineOf(service(), "production"), 600);
        assert.equal(progressDeadlineOf(service({ probes: { startup: { periodSeconds: 10 } } }), "development"), 360);
        assert.equal(progressDeadlineOf(service({ probes: { startup: { enabled: false } } }), "development"), 300);
        assert.equal(progressDeadlineOf(service({ release: { progressDeadlineSeconds: 200 }, probes: { startup: { periodSeconds: 10 } } }), "production"), 200);
    });
});

describe("release deadlines: how long pulumi up waits for a rollout", () => {
    it("one pod, one surge: one deadline and a minute", () => {
        assert.equal(rolloutTimeoutSeconds(service(), 300), 360);
    });

    it("the HPA's maximum, one pod at a time: a deadline per pod (prod's 20 pods, maxSurge 1, maxUnavailable 0)", () => {
        assert.equal(rolloutTimeoutSeconds(service({ autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 20 } }), 600), 20 * 600 + 60);
    });

    it("percentages: maxSurge rounds up, maxUnavailable down, as Kubernetes does (10 pods, 25% + 25% = 3 + 2 a step: 2 steps)", () => {
        assert.equal(rolloutTimeoutSeconds(service({ replicas: 10, strategy: { maxSurge: "25%", maxUnavailable: "25%" } }), 100), 2 * 100 + 60);
    });

    it("no surge and no unavailable pod still moves one pod a step; zero replicas counts as one", () => {
        assert.equal(rolloutTimeoutSeconds(service({ replicas: 3, strategy: { maxSurge: 0, maxUnavailable: 0 } }), 100), 3 * 100 + 60);
        assert.equal(rolloutTimeoutSeconds(service({ replicas: 0 }), 100), 160);
    });
});
