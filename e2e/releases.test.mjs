// The release tool (releases/, #25 item 6 "CI, against the real engine"): the real pulumi CLI,
// this project's Node.js language host, a file backend and passphrase secrets, with a throwaway
// program (e2e/fixtures/releases) whose app resource fails on demand. No cluster: the fixture's
// dynamic provider writes its objects to a directory. A good release; a bad one (a new version
// that never becomes ready, and a program change) fails and the tool puts the good one back by
// itself: the state is the good release's and a preview of it is a no-op; a bad release that
// changed the data tier rolls back the application only; `rollback --to` goes back further.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { Workspace, git as gitIn, projectRoot, releaseTool } from "./lib.mjs";

const missing = (process.env.TOOLCHAIN_MISSING ?? "").split(/\s+/).filter((m) => m === "pulumi" || m === "language-nodejs");
const skip = missing.length ? `toolchain pieces missing: ${missing.join(", ")}` : false;

describe("release tool e2e: release, automatic rollback, rollback --to (real engine, file backend)", { concurrency: false, skip }, () => {
    /** @type {Workspace} */
    let ws;
    let cluster;
    const commits = {};
    const git = (...args) => gitIn(ws.project, ...args);
    /** The release tool on the fixture's repository. */
    const tool = (...args) => releaseTool(ws, "dev", args);
    /**
     * The stack's resources, without what an update records of itself: its timestamps, and the
     * registration's stack trace and a source position in the SDK, whose node_modules paths are
     * relative to where the program ran (a restore runs it from a worktree). A position in the
     * program itself is kept.
     */
    const resources = () =>
        JSON.parse(ws.stackExport()).deployment.resources
            .filter((r) => !r.type.startsWith("pulumi:providers:"))
            .map(({ created: _c, modified: _m, stackTrace: _t, ...r }) => ({ ...r, ...(r.sourcePosition?.includes("/node_modules/") ? { sourcePosition: "(in the SDK)" } : {}) }));
    const live = (name) => JSON.parse(fs.readFileSync(path.join(cluster, `${name}.json`), "utf8"));
    /** Sets the stack's config and commits it with the program: a release is a commit. */
    const commit = (label, config) => {
        for (const [key, value] of Object.entries(config)) ws.setConfig(key, value);
        git("add", "-A");
        git("commit", "-q", "-m", label);
        commits[label] = git("rev-parse", "HEAD");
    };
    /** A preview of the program and config of `label`'s commit, checked out, is a no-op. */
    const previewAt = (label) => {
        git("checkout", "-q", commits[label]);
        try {
            ws.pulumi(["preview", "--expect-no-changes", "-s", "dev"]);
        } finally {
            git("checkout", "-q", "main");
        }
    };

    before(() => {
        ws = new Workspace(path.join(projectRoot, "e2e", "fixtures", "releases"));
        cluster = path.join(ws.dir, "cluster");
        fs.mkdirSync(cluster);
        fs.writeFileSync(path.join(ws.project, ".gitignore"), "node_modules\n");
        git("init", "-q", "-b", "main");
        ws.initStack("dev");
        ws.setConfig("clusterDir", cluster);
        ws.setConfig("apiKey", "sk-e2e-release-canary", { secret: true });
        commit("good", { version: "1.0.0", fail: "false", postgresql: '{"size":"8Gi"}' });
    });

    after(() => {
        ws?.pulumi(["destroy", "--yes", "--skip-preview", "-s", "dev"], { allowFail: true });
        ws?.cleanup();
    });

    let good;
    it("release: a good release succeeds, exit 0, and records its commit", () => {
        const res = tool("release");
        assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
        assert.match(res.stdout, /^Released 1 of stack dev \(commit [0-9a-f]{40}\)\./);
        assert.deepEqual(live("app"), { version: "1.0.0" });
        good = resources();
        const list = tool("releases", "--json");
        const [release] = JSON.parse(list.stdout);
        assert.deepEqual([release.version, release.result, release.kind, release.commit], [1, "succeeded", "release", commits.good]);
        assert.match(release.record.ranBy, /^npm run release \(CI: /);
        assert.equal(release.config["e2e-releases:apiKey"], "[secret]");
    });

    it("release: a bad release (a version that never becomes ready, a program change) fails, is rolled back by itself, exit 1", () => {
        fs.appendFileSync(path.join(ws.project, "index.ts"), '\nexport const extra = new ClusterObject("extra", { clusterDir, name: "extra", spec: "{}", fail: false }).id;\n');
        commit("bad", { version: "2.0.0", fail: "true" });
        const res = tool("release");
        assert.equal(res.status, 1, `${res.stdout}\n${res.stderr}`);
        assert.equal(res.stdout.split("\n")[0], `Release 2 of stack dev (commit ${commits.bad}) failed:`);
        assert.match(res.stdout, /- update pulumi-nodejs:dynamic:Resource \(app\): rollout of app failed: its new version \(\{"version":"2.0.0"\}\) never became ready/);
        assert.match(res.stdout, new RegExp(`Restored release 1 \\(commit ${commits.good}\\)\\.`));
        assert.doesNotMatch(res.stdout, /data tier/);
        assert.deepEqual(live("app"), { version: "1.0.0" }, "the cluster serves the good version again");
        assert.ok(!fs.existsSync(path.join(cluster, "extra.json")), "the bad program's new object is gone");
        assert.deepEqual(resources(), good, "the state is the last good release's");
        previewAt("good");
    });

    it("releases: the history says what failed and what restored it; --show prints a release's config and objects", () => {
        const list = JSON.parse(tool("releases", "--json").stdout);
        assert.deepEqual(list.map((r) => [r.version, r.result, r.kind, r.commit]), [[1, "succeeded", "release", commits.good], [2, "failed", "release", commits.bad], [3, "succeeded", "rollback", commits.good]]);
        assert.deepEqual([list[2].record.restores, list[2].record.failed], [1, 2]);
        const show = JSON.parse(tool("releases", "--show", "3", "--json").stdout);
        assert.equal(show.config["e2e-releases:version"], "1.0.0");
        assert.deepEqual(show.objects.map((o) => o.urn.split("::").pop()).sort(), ["app", "data"]);
        assert.ok(!JSON.stringify(show).includes("sk-e2e-release-canary"), "no secret value is printed");
        const older = JSON.parse(tool("releases", "--show", "1", "--json").stdout);
        assert.match(older.objects, /^not available: the backend keeps no state of release 1/);
    });

    it("release: a bad release that changed the data tier rolls back the application only, and says so", () => {
        git("revert", "--no-edit", "HEAD");
        commit("fixed", { version: "1.1.0", fail: "false" });
        assert.equal(tool("release").status, 0);
        commit("bad-data", { version: "2.0.1", fail: "true", postgresql: '{"size":"16Gi"}' });
        const res = tool("release");
        assert.equal(res.status, 1, `${res.stdout}\n${res.stderr}`);
        assert.match(res.stdout, /Restored release 4 /);
        assert.match(res.stdout, /The data tier is never rolled back: its keys that differ from release 4 \(e2e-releases:postgresql\) keep their current values, so only the application was rolled back\./);
        assert.deepEqual(live("app"), { version: "1.1.0" });
        assert.deepEqual(live("data"), { size: "16Gi" });
    });

    it("rollback --to 1: back to the first release, through the same path; the data tier stays", () => {
        const res = tool("rollback", "--to", "1");
        assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
        assert.match(res.stdout, new RegExp(`^Restored release 1 \\(commit ${commits.good}\\)\\.`));
        assert.deepEqual(live("app"), { version: "1.0.0" });
        assert.deepEqual(live("data"), { size: "16Gi" });
        const app = (rs) => rs.find((r) => r.urn.endsWith("::app"));
        assert.deepEqual(app(resources()), app(good), "the app is release 1's");
        const bad = tool("rollback", "--to", "2");
        assert.equal(bad.status, 1);
        assert.equal(bad.stdout.trim(), "Nothing to roll back to: release 2 failed: only a release that succeeded can be restored.");
    });
});
