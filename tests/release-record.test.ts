/**
 * The release record (#25 item 1): each update's stack output `release` says what it released,
 * computed from the config (images, digest) and from what the release tool passes (commit, who).
 */
import { strict as assert } from "assert";
import { canonicalJson, commitOf, configDigest, ranByOf, releaseRecord, serviceImages } from "../config/release";
import { serviceSchema } from "../application/service.schema";
import { toolRecord } from "../releases/record";
import { readStackConfig, runStack, stacks, userSecrets } from "./mocks";

const api = serviceSchema.parse({ image: { repository: "ghcr.io/acme/api", tag: "1.4.2" } });
const pinned = serviceSchema.parse({ image: { repository: "ghcr.io/acme/web", tag: "2.0.0", digest: `sha256:${"a".repeat(64)}` } });

describe("release record: the digest of the stack config", () => {
    it("is the same for the same config however its keys are ordered, and differs when a value does", () => {
        const a = configDigest({ values: { environment: "production", services: { api: { replicas: 2, image: { tag: "1" } } } }, secretKeys: new Set() });
        const b = configDigest({ values: { services: { api: { image: { tag: "1" }, replicas: 2 } }, environment: "production" }, secretKeys: new Set() });
        const c = configDigest({ values: { environment: "production", services: { api: { replicas: 3, image: { tag: "1" } } } }, secretKeys: new Set() });
        assert.equal(a, b);
        assert.notEqual(a, c);
        assert.match(a, /^sha256:[0-9a-f]{64}$/);
    });

    it("never hashes a secret's value: a secret is counted by its name only", () => {
        const one = configDigest({ values: { anthropicApiKey: "sk-ant-one" }, secretKeys: new Set(["anthropicApiKey"]) });
        const two = configDigest({ values: { anthropicApiKey: "sk-ant-two" }, secretKeys: new Set(["anthropicApiKey"]) });
        const none = configDigest({ values: {}, secretKeys: new Set() });
        assert.equal(one, two);
        assert.notEqual(one, none);
    });

    it("canonical JSON sorts every object's keys, keeps arrays in order and drops undefined", () => {
        assert.equal(canonicalJson({ b: [2, 1], a: { d: undefined, c: "x" } }), '{"a":{"c":"x"},"b":[2,1]}');
    });
});

describe("release record: images, commit and who ran it", () => {
    it("each service's image is what its pods run: the digest when there is one", () => {
        assert.deepEqual(serviceImages({ api, web: pinned }), { api: "ghcr.io/acme/api:1.4.2", web: `ghcr.io/acme/web@sha256:${"a".repeat(64)}` });
    });

    it("the commit is the release tool's word, else git's HEAD (+dirty with uncommitted changes), else unknown", () => {
        const git = () => ({ head: "abc123", dirty: false });
        assert.equal(commitOf({ LLM_PLATFORM_RELEASE_COMMIT: "def456" }, git), "def456");
        assert.equal(commitOf({}, git), "abc123");
        assert.equal(commitOf({}, () => ({ head: "abc123", dirty: true })), "abc123+dirty");
        assert.equal(commitOf({}, () => undefined), "unknown");
    });

    it("who ran it: the release tool's word, Pulumi Deployments, GitHub Actions, another CI, the user", () => {
        assert.equal(ranByOf({ LLM_PLATFORM_RELEASE_BY: "release tool (alice)", USER: "bob" }), "release tool (alice)");
        assert.equal(ranByOf({ PULUMI_CI_SYSTEM: "Pulumi Deployments", PULUMI_CI_BUILD_NUMBER: "42", PULUMI_CI_BUILD_URL: "https://app.pulumi.com/acme/llm-platform/prod/deployments/42", CI: "true" }), "Pulumi Deployments: deployment 42 (https://app.pulumi.com/acme/llm-platform/prod/deployments/42)");
        assert.equal(ranByOf({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/llm-platform", GITHUB_RUN_ID: "7", GITHUB_ACTOR: "carol", CI: "true" }), "CI: GitHub Actions, acme/llm-platform run 7 by carol");
        assert.equal(ranByOf({ CI: "true" }), "CI: unknown system");
        assert.equal(ranByOf({ CI: "false", USER: "dave" }), "user: dave");
        assert.equal(ranByOf({}), "user: unknown");
    });

    it("the record holds them all", () => {
        const raw = { values: { environment: "staging" }, secretKeys: new Set<string>() };
        assert.deepEqual(releaseRecord(raw, { api }, { commit: "abc", ranBy: "user: eve", time: "2026-01-01T00:00:00.000Z" }), {
            commit: "abc",
            images: { api: "ghcr.io/acme/api:1.4.2" },
            configDigest: configDigest(raw),
            time: "2026-01-01T00:00:00.000Z",
            ranBy: "user: eve",
        });
    });
});

describe("release record: the stack output", () => {
    it("prod: `release` names the orchestrator's image, the config's digest, a commit, a time and who ran it", async () => {
        const run = await runStack("prod");
        const release = run.outputs.release as Record<string, unknown>;
        assert.deepEqual(Object.keys(release).sort(), ["commit", "configDigest", "images", "ranBy", "time"]);
        assert.deepEqual(release.images, { orchestrator: (run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec.containers as { name: string; image: string }[]).find((c) => c.name === "orchestrator")!.image });
        assert.match(release.configDigest as string, /^sha256:[0-9a-f]{64}$/);
        assert.match(release.commit as string, /^([0-9a-f]{40}(\+dirty)?|unknown)$/);
        assert.ok(!Number.isNaN(Date.parse(release.time as string)));
    });

    it("a changed config value changes the digest; the images stay", async () => {
        const before = (await runStack("staging")).outputs.release as Record<string, unknown>;
        const after = (await runStack("staging", { set: { storageClass: "fast-ssd" } })).outputs.release as Record<string, unknown>;
        assert.notEqual(after.configDigest, before.configDigest);
        assert.deepEqual(after.images, before.images);
    });
});

describe("release record: the release tool's record is the program's", () => {
    for (const stack of stacks) {
        it(`${stack}: from the same stack config, the tool computes the images and the digest the program outputs`, async () => {
            const file = readStackConfig(stack);
            const secrets = Object.fromEntries(Object.entries(userSecrets[stack]).map(([key, value]) => [`llm-platform:${key}`, { value, secret: true }]));
            const entries = {
                ...Object.fromEntries(Object.entries(file.values).map(([key, value]) => [key, { value: typeof value === "string" ? value : JSON.stringify(value), secret: file.secretKeys.includes(key) }])),
                ...secrets,
            };
            const record = toolRecord("llm-platform", stack, entries, { kind: "release", commit: "c", ranBy: "r" });
            const release = (await runStack(stack)).outputs.release as Record<string, unknown>;
            assert.ok(Object.keys(record.images).length > 0, "the tool found the services");
            assert.deepEqual(record.images, release.images);
            assert.equal(record.configDigest, release.configDigest);
        });
    }
});
