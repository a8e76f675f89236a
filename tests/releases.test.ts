/**
 * The release tool's decisions (#25 items 1-3), on plain data without mocks: which updates are
 * releases and what each recorded, which release is the last good one, what a restore puts back
 * (never the data tier), what failed, and the report and exit code.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fetchCommitArgs, fetchEnv, stackFileName, unfetchedReason } from "../releases/checkout";
import { inWorktree, writeStackFile } from "../releases/workspace";
import { Release, StackConfig, ToolRecord, UpdateSummaryLike, lastGood, recordMessage, recordOf, releasesOf, rollbackTarget, sameRelease, unrestorableReason } from "../releases/history";
import { errorsOf, exitCodeOf, failuresOf, failuresOfUpdate, fileValue, kindOf, reportText, restorePlan, stackFileConfig, stalledRollout } from "../releases/restore";
import { configValues, objectsOf, redacted, releaseTable } from "../releases/show";

const sha = (c: string) => c.repeat(40);
const record = (over: Partial<ToolRecord> = {}): ToolRecord => ({ kind: "release", commit: sha("a"), images: { api: "ghcr.io/acme/api:1.0.0" }, configDigest: "sha256:x", ranBy: "npm run release (user: alice)", ...over });
const config = (over: Record<string, string> = {}, secrets: string[] = []): StackConfig => ({
    "llm-platform:environment": { value: "production", secret: false },
    "llm-platform:services": { value: '{"api":{"image":{"repository":"ghcr.io/acme/api","tag":"1.0.0"}}}', secret: false },
    "llm-platform:postgresql": { value: '{"persistence":{"size":"8Gi"}}', secret: false },
    ...Object.fromEntries(Object.entries(over).map(([k, value]) => [k, { value, secret: false }])),
    ...Object.fromEntries(secrets.map((k) => [k, { value: "[secret]", secret: true }])),
});
const update = (version: number, result: string, over: Partial<UpdateSummaryLike> = {}): UpdateSummaryLike => ({
    version, kind: "update", result, startTime: new Date(Date.UTC(2026, 0, version)), message: recordMessage(record({ commit: sha(String(version)) })), config: config(), ...over,
});

describe("releases: the history", () => {
    it("a record round-trips through the update's message; any other message carries none", () => {
        assert.deepEqual(recordOf(recordMessage(record())), record());
        assert.equal(recordOf("fix the thing"), undefined);
        assert.equal(recordOf("llm-platform release {not json"), undefined);
        assert.equal(recordOf('llm-platform release {"kind":"other"}'), undefined);
        assert.equal(recordOf(undefined), undefined);
    });

    it("releases are the updates, oldest first; a plain pulumi up counts, with git's commit from the update's environment", () => {
        const releases = releasesOf([
            update(3, "failed"),
            { version: 2, kind: "update", result: "succeeded", startTime: "2026-01-02T00:00:00.000Z", message: "", environment: { "git.head": sha("b"), "git.dirty": "true" }, config: config() },
            { version: 4, kind: "refresh", result: "succeeded", startTime: new Date(0) },
            update(1, "succeeded"),
        ]);
        assert.deepEqual(releases.map((r) => [r.version, r.result, r.kind, r.commit]), [[1, "succeeded", "release", sha("1")], [2, "succeeded", "update", `${sha("b")}+dirty`], [3, "failed", "release", sha("3")]]);
        assert.equal(releasesOf([{ version: 1, kind: "update", result: "succeeded", startTime: new Date(0) }])[0].commit, "unknown");
    });

    it("a backend that numbers no update (a file backend's 0) gets them numbered by time, oldest first, refreshes counted", () => {
        const at = (day: number) => new Date(Date.UTC(2026, 0, day));
        const releases = releasesOf([
            update(0, "failed", { startTime: at(3) }),
            { version: 0, kind: "refresh", result: "succeeded", startTime: at(2) },
            update(0, "succeeded", { startTime: at(1) }),
        ]);
        assert.deepEqual(releases.map((r) => [r.version, r.result]), [[1, "succeeded"], [3, "failed"]]);
    });

    it("the last good release is the newest that succeeded (before a version when asked)", () => {
        const releases = releasesOf([update(1, "succeeded"), update(2, "succeeded"), update(3, "failed")]);
        assert.equal(lastGood(releases)?.version, 2);
        assert.equal(lastGood(releases, 2)?.version, 1);
        assert.equal(lastGood(releases, 1), undefined);
    });

    it("only a clean, known commit can be checked out again", () => {
        const [release] = releasesOf([update(1, "succeeded")]);
        assert.equal(unrestorableReason(release), undefined);
        assert.equal(unrestorableReason({ ...release, commit: "unknown" }), "release 1 recorded no commit (run outside git): its program can't be checked out");
        assert.equal(unrestorableReason({ ...release, commit: `${sha("c")}+dirty` }), `release 1 ran from a tree with uncommitted changes (${sha("c")}+dirty): its program was never committed`);
        assert.equal(unrestorableReason({ ...release, commit: "main" }), "release 1's commit \"main\" is not a git commit");
    });
});

describe("releases: what rollback goes back to", () => {
    const releases = releasesOf([update(1, "succeeded"), update(2, "succeeded"), update(3, "failed")]);

    it("--to <n>: that release, if it succeeded", () => {
        assert.equal((rollbackTarget(releases, 1) as Release).version, 1);
        assert.equal(rollbackTarget(releases, 3), "release 3 failed: only a release that succeeded can be restored");
        assert.equal(rollbackTarget(releases, 9), "no release 9: the stack's releases are 1, 2, 3");
    });

    it("without --to: the good release before the current one, skipping those identical to it (a rollback's own predecessor)", () => {
        assert.equal((rollbackTarget(releases) as Release).version, 1);
        // 4 restored 1 after 3 failed: going back from 4 skips 1 (the same commit and config) and finds 2.
        const restored = releasesOf([update(1, "succeeded"), update(2, "succeeded"), update(3, "failed"), update(4, "succeeded", { message: recordMessage(record({ kind: "rollback", commit: sha("1"), restores: 1, failed: 3 })) })]);
        assert.equal((rollbackTarget(restored) as Release).version, 2);
        assert.equal(rollbackTarget(releasesOf([update(1, "succeeded")])), "no earlier good release to go back to: no release before the current one succeeded with another commit or config");
    });

    it("two releases are the same when their commit and plain config are; secrets count by name", () => {
        const [a] = releasesOf([update(1, "succeeded", { config: config({}, ["llm-platform:apiKey"]) })]);
        assert.ok(sameRelease(a, { ...a, version: 2, config: config({}, ["llm-platform:apiKey"]) }));
        assert.ok(!sameRelease(a, { ...a, config: config({ "llm-platform:domain": "example.com" }, ["llm-platform:apiKey"]) }));
        assert.ok(!sameRelease(a, { ...a, commit: sha("f") }));
    });
});

describe("releases: what a restore puts back", () => {
    it("the release's plain config, but the data tier as it is now; keys the release didn't have go", () => {
        const good = config();
        const failed = config({ "llm-platform:postgresql": '{"persistence":{"size":"16Gi"}}', "llm-platform:storageClass": "fast", "llm-platform:domain": "example.com", "llm-platform:services": '{"api":{"image":{"repository":"ghcr.io/acme/api","tag":"2.0.0"}}}' });
        const plan = restorePlan("llm-platform", good, failed);
        assert.deepEqual(plan.plain, {
            "llm-platform:environment": "production",
            "llm-platform:postgresql": '{"persistence":{"size":"16Gi"}}',
            "llm-platform:services": '{"api":{"image":{"repository":"ghcr.io/acme/api","tag":"1.0.0"}}}',
            "llm-platform:storageClass": "fast",
        });
        assert.deepEqual(plan.dataTierKept, ["llm-platform:postgresql", "llm-platform:storageClass"]);
        assert.deepEqual(plan.missingSecrets, []);
    });

    it("a data-tier key the failed release removed stays removed; unchanged data tier is not reported", () => {
        const failed = Object.fromEntries(Object.entries(config()).filter(([k]) => k !== "llm-platform:postgresql"));
        const plan = restorePlan("llm-platform", config(), failed);
        assert.equal(plan.plain["llm-platform:postgresql"], undefined);
        assert.deepEqual(plan.dataTierKept, ["llm-platform:postgresql"]);
        assert.deepEqual(restorePlan("llm-platform", config(), config({ "llm-platform:domain": "x.example" })).dataTierKept, []);
    });

    it("secrets are the stack's current ones; a secret only the release had is named", () => {
        const plan = restorePlan("llm-platform", config({}, ["llm-platform:apiKey", "llm-platform:oldKey"]), config({}, ["llm-platform:apiKey"]));
        assert.equal(plan.plain["llm-platform:apiKey"], undefined);
        assert.deepEqual(plan.missingSecrets, ["llm-platform:oldKey"]);
    });

    it("the restored stack file: the plan's values (JSON objects as YAML), the current file's secure entries as they are", () => {
        assert.deepEqual(
            stackFileConfig({ "llm-platform:apiKey": { secure: "v1:abc" }, "llm-platform:domain": "new.example" }, { plain: { "llm-platform:services": '{"api":{"replicas":2}}', "llm-platform:environment": "production", "llm-platform:replicas": "3" } }),
            { "llm-platform:apiKey": { secure: "v1:abc" }, "llm-platform:environment": "production", "llm-platform:replicas": "3", "llm-platform:services": { api: { replicas: 2 } } },
        );
        assert.equal(fileValue("{broken"), "{broken");
    });
});

const diagnostics = `Updating (prod):
 ~  kubernetes:apps/v1:Deployment orchestrator-deployment updating (600s) [diff: ~spec]
Diagnostics:
  kubernetes:apps/v1:Deployment (orchestrator-deployment):
    error: 1 error occurred:
    error: resource llm-platform-prod/orchestrator was not successfully created: Deployment "orchestrator" exceeded its progress deadline

  kubernetes:batch/v1:Job (orchestrator-check):
    error: Job orchestrator-check-x1 failed

  pulumi:pulumi:Stack (llm-platform-prod):
    error: update failed

Resources:
    1 unchanged
`;

describe("releases: what failed", () => {
    it("each failed resource once, named by what it was: the rollout, the post-deploy check", () => {
        assert.deepEqual(failuresOf(`${diagnostics}\n${diagnostics}`), [
            { what: "rollout", resource: "kubernetes:apps/v1:Deployment (orchestrator-deployment)", message: "1 error occurred:; resource llm-platform-prod/orchestrator was not successfully created: Deployment \"orchestrator\" exceeded its progress deadline" },
            { what: "post-deploy check", resource: "kubernetes:batch/v1:Job (orchestrator-check)", message: "Job orchestrator-check-x1 failed" },
        ]);
    });

    it("a migration Job, a dynamic resource, anything else", () => {
        assert.equal(kindOf("kubernetes:batch/v1:Job", "orchestrator-migration"), "migration");
        assert.equal(kindOf("pulumi-nodejs:dynamic:Resource", "probe"), "update");
    });

    it("the program's config error: nothing changed", () => {
        const output = `  pulumi:pulumi:Stack (llm-platform-prod):\n    error: Stack config of "prod" has 1 problem:\n      - services.orchestrator.replicas: given -1; expected a number >= 0\n`;
        assert.deepEqual(failuresOf(output), [{ what: "config", message: "nothing was changed, the config has problems: - services.orchestrator.replicas: given -1; expected a number >= 0" }]);
    });

    it("the provider's aggregated error: its items, not the count", () => {
        const body = ["error: 2 errors occurred:", "* [MinimumReplicasUnavailable] Deployment does not have minimum availability.", "* Minimum number of live Pods was not attained", "error: another"];
        assert.deepEqual(errorsOf(body), ["[MinimumReplicasUnavailable] Deployment does not have minimum availability.", "Minimum number of live Pods was not attained", "another"]);
        assert.deepEqual(errorsOf(["error: 1 error occurred:"]), ["1 error occurred:"]);
    });

    it("a rollout past its progress deadline, from the provider's warning: the Deployment's own message", () => {
        const urn = "urn:pulumi:prod::llm-platform::llm-platform:application:Application$kubernetes:apps/v1:Deployment::orchestrator-deployment";
        const message = '[ProgressDeadlineExceeded] ReplicaSet "orchestrator-7d4b9c" has timed out progressing.\n';
        const stalled = { what: "rollout", resource: "kubernetes:apps/v1:Deployment (orchestrator-deployment)", message: '[ProgressDeadlineExceeded] ReplicaSet "orchestrator-7d4b9c" has timed out progressing.' };
        assert.deepEqual(stalledRollout({ urn, message }), stalled);
        assert.equal(stalledRollout({ urn, message: "[MinimumReplicasUnavailable] Deployment does not have minimum availability." }), undefined);
        assert.equal(stalledRollout({ message }), undefined);
        // The cancelled update's own error for the same Deployment gives way to the deadline's; other failures stay.
        const cancelled = `Diagnostics:\n  kubernetes:apps/v1:Deployment (orchestrator-deployment):\n    error: resource operation was cancelled\n\n  kubernetes:core/v1:Service (orchestrator-service):\n    error: timed out waiting for endpoints\n`;
        assert.deepEqual(failuresOfUpdate(cancelled, [stalled]), [stalled, { what: "update", resource: "kubernetes:core/v1:Service (orchestrator-service)", message: "timed out waiting for endpoints" }]);
        assert.deepEqual(failuresOfUpdate(cancelled, []), failuresOf(cancelled));
    });

    it("output without diagnostics still fails, with its error lines", () => {
        assert.deepEqual(failuresOf("error: could not connect\n"), [{ what: "update", message: "error: could not connect" }]);
        assert.deepEqual(failuresOf(""), [{ what: "update", message: "the update failed" }]);
    });
});

describe("releases: the report and the exit code", () => {
    const failed = { version: 3, commit: sha("3"), failures: failuresOf(diagnostics).slice(0, 1) };

    it("a failed release rolled back: what failed, what was restored, the data tier kept; exit 1", () => {
        const report = { stack: "prod", failed, restored: { version: 2, commit: sha("2"), images: { orchestrator: "ghcr.io/acme/llm-orchestrator:1.4.2" }, ok: true }, dataTierKept: ["llm-platform:postgresql"] };
        assert.equal(reportText(report), [
            `Release 3 of stack prod (commit ${sha("3")}) failed:`,
            "  - rollout kubernetes:apps/v1:Deployment (orchestrator-deployment): 1 error occurred:; resource llm-platform-prod/orchestrator was not successfully created: Deployment \"orchestrator\" exceeded its progress deadline",
            `Restored release 2 (commit ${sha("2")}).`,
            "  - orchestrator: ghcr.io/acme/llm-orchestrator:1.4.2",
            "The data tier is never rolled back: its keys that differ from release 2 (llm-platform:postgresql) keep their current values, so only the application was rolled back.",
        ].join("\n"));
        assert.equal(exitCodeOf(report), 1);
    });

    it("a restore that fails too needs a person: exit 2", () => {
        const report = { stack: "prod", failed, restored: { version: 2, commit: sha("2"), ok: false, failures: [{ what: "update", message: "the update failed" }] }, dataTierKept: [] };
        assert.equal(reportText(report).split("\n").slice(2).join("\n"), `Restoring release 2 (commit ${sha("2")}) failed too: the stack needs a person.\n  - update: the update failed`);
        assert.equal(exitCodeOf(report), 2);
    });

    it("nothing restored: exit 1 when nothing had changed (a config error), 2 when something may have", () => {
        const config = { stack: "prod", failed: { ...failed, failures: [{ what: "config", message: "nothing was changed" }] }, notRestored: "nothing had changed, the program stopped at its config check", dataTierKept: [] };
        assert.match(reportText(config), /\nNothing was restored: nothing had changed, the program stopped at its config check\.$/);
        assert.equal(exitCodeOf(config), 1);
        assert.equal(exitCodeOf({ stack: "prod", failed, notRestored: "the stack has no release that succeeded before this one", dataTierKept: [] }), 2);
    });
});

describe("releases: what the list and --show print", () => {
    it("the table: one line per release, the rollback saying what it restored", () => {
        const releases = releasesOf([update(1, "succeeded"), update(2, "failed"), update(3, "succeeded", { message: recordMessage(record({ kind: "rollback", commit: sha("1"), restores: 1, failed: 2, ranBy: "npm run release (user: alice), automatic rollback" })) })]);
        assert.equal(releaseTable(releases), [
            "VERSION  TIME                      RESULT     KIND                            COMMIT        RAN BY                                             IMAGES",
            "1        2026-01-01T00:00:00.000Z  succeeded  release                         111111111111  npm run release (user: alice)                      api=ghcr.io/acme/api:1.0.0",
            "2        2026-01-02T00:00:00.000Z  failed     release                         222222222222  npm run release (user: alice)                      api=ghcr.io/acme/api:1.0.0",
            "3        2026-01-03T00:00:00.000Z  succeeded  rollback to 1 (after 2 failed)  111111111111  npm run release (user: alice), automatic rollback  api=ghcr.io/acme/api:1.0.0",
        ].join("\n"));
    });

    it("the config shows secrets as [secret]; the objects are the state's custom resources with secrets redacted", () => {
        assert.deepEqual(configValues(config({}, ["llm-platform:apiKey"]))["llm-platform:apiKey"], "[secret]");
        assert.deepEqual(redacted({ a: [{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: "\"sk\"" }], b: 1 }), { a: ["[secret]"], b: 1 });
        assert.deepEqual(objectsOf({ resources: [
            { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", type: "pulumi:pulumi:Stack" },
            { urn: "urn:pulumi:prod::p::pulumi:providers:kubernetes::default", type: "pulumi:providers:kubernetes", custom: true },
            { urn: "urn:pulumi:prod::p::kubernetes:core/v1:ConfigMap::settings", type: "kubernetes:core/v1:ConfigMap", custom: true, inputs: { data: { A: "1" } } },
        ] }), [{ urn: "urn:pulumi:prod::p::kubernetes:core/v1:ConfigMap::settings", type: "kubernetes:core/v1:ConfigMap", inputs: { data: { A: "1" } } }]);
    });
});

describe("releases: the restored commit in a shallow clone (Pulumi Deployments, CI)", () => {
    it("a shallow clone fetches the one commit; a full clone fetches it with its history, staying unshallow", () => {
        assert.deepEqual(fetchCommitArgs(sha("a"), true), ["fetch", "--depth=1", "--no-tags", "origin", sha("a")]);
        assert.deepEqual(fetchCommitArgs(sha("a"), false), ["fetch", "--no-tags", "origin", sha("a")]);
    });

    it("GitHub's token reaches the fetch as a github.com header through git's environment config, after any config already there", () => {
        assert.deepEqual(fetchEnv({}), {});
        const header = `AUTHORIZATION: basic ${Buffer.from("x-access-token:ghs_token").toString("base64")}`;
        assert.deepEqual(fetchEnv({ GITHUB_TOKEN: "ghs_token" }), { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.https://github.com/.extraheader", GIT_CONFIG_VALUE_0: header });
        assert.deepEqual(fetchEnv({ GITHUB_TOKEN: "ghs_token", GIT_CONFIG_COUNT: "2" }), { GIT_CONFIG_COUNT: "3", GIT_CONFIG_KEY_2: "http.https://github.com/.extraheader", GIT_CONFIG_VALUE_2: header });
    });

    it("the report's reason when the commit can't be fetched: the clone, the command and git's last line", () => {
        assert.equal(
            unfetchedReason(sha("a"), "/workspace/repo", true, "fatal: git upload-pack: not our ref\nfatal: remote error: upload-pack: not our ref\n"),
            `commit ${sha("a")} is not in the shallow clone at /workspace/repo, and \`git fetch --depth=1 --no-tags origin ${sha("a")}\` could not bring it: fatal: remote error: upload-pack: not our ref`,
        );
        assert.equal(unfetchedReason(sha("a"), "/r", false, ""), `commit ${sha("a")} is not in the clone at /r, and \`git fetch --no-tags origin ${sha("a")}\` could not bring it: no output`);
    });

    it("the stack file is named by the stack's own name, also when the stack is given in full", () => {
        assert.equal(stackFileName("prod"), "Pulumi.prod.yaml");
        assert.equal(stackFileName("acme/llm-platform/prod"), "Pulumi.prod.yaml");
    });

    it("a restore given the stack in full (as CI and Deployments name it) reads and writes Pulumi.<name>.yaml, the secrets kept", () => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "releases-stackfile-"));
        try {
            const [from, to] = ["from", "to"].map((d) => path.join(base, d));
            [from, to].forEach((d) => fs.mkdirSync(d));
            fs.writeFileSync(path.join(from, "Pulumi.prod.yaml"), "config:\n  llm-platform:token:\n    secure: v1:abc\n  llm-platform:environment: staging\n");
            writeStackFile({ dir: from, stackName: "acme/llm-platform/prod" }, to, { plain: { "llm-platform:environment": "production" } });
            assert.deepEqual(fs.readdirSync(to), ["Pulumi.prod.yaml"]);
            assert.equal(fs.readFileSync(path.join(to, "Pulumi.prod.yaml"), "utf8"), "config:\n  llm-platform:environment: production\n  llm-platform:token:\n    secure: v1:abc\n");
        } finally {
            fs.rmSync(base, { recursive: true, force: true });
        }
    });

    it("against git: a worktree of a commit a depth-1 clone lacks is fetched first; an unknown commit fails with the reason", async () => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "releases-shallow-"));
        const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
        try {
            const origin = path.join(base, "origin");
            fs.mkdirSync(origin);
            git(origin, "init", "-q");
            fs.writeFileSync(path.join(origin, "release.txt"), "1\n");
            git(origin, "add", "release.txt");
            git(origin, "commit", "-q", "-m", "release 1");
            const first = git(origin, "rev-parse", "HEAD");
            fs.writeFileSync(path.join(origin, "release.txt"), "2\n");
            git(origin, "commit", "-q", "-am", "release 2");
            const clone = path.join(base, "clone");
            git(base, "clone", "-q", "--depth=1", `file://${origin}`, clone);
            assert.throws(() => git(clone, "cat-file", "-e", `${first}^{commit}`));
            const target = { dir: clone, stackName: "acme/llm-platform/dev" };
            assert.equal(await inWorktree(target, first, async (dir) => fs.readFileSync(path.join(dir, "release.txt"), "utf8")), "1\n");
            assert.equal(git(clone, "rev-parse", "--is-shallow-repository"), "true");
            await assert.rejects(inWorktree(target, sha("9"), async () => "unreachable"), (error: Error) => {
                assert.match(error.message, new RegExp(`^commit ${sha("9")} is not in the shallow clone at ${fs.realpathSync(clone)}, and \`git fetch --depth=1 --no-tags origin ${sha("9")}\` could not bring it: \\S`));
                return true;
            });
        } finally {
            fs.rmSync(base, { recursive: true, force: true });
        }
    });
});
