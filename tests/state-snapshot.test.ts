import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SnapshotEntry, readSnapshot, snapshotOf, variants } from "./state-snapshot";
import { ProgramRun, projectRoot } from "./mocks";

/** The stack file a variant is recorded from: "prod-shared-namespace" from Pulumi.prod.yaml, "example-backend-frontend" from examples/backend-frontend.yaml. */
function stackFileOf(variant: string): string {
    return variant.startsWith("example-") ? `examples/${variant.slice("example-".length)}.yaml` : `Pulumi.${variant.split("-")[0]}.yaml`;
}

/** What a snapshot failure means and the one command that re-records the snapshots. */
function snapshotAdvice(variant: string): string {
    const file = stackFileOf(variant);
    let changed = false;
    try {
        changed = execFileSync("git", ["status", "--porcelain", "--", file], { cwd: projectRoot, encoding: "utf8" }).trim() !== "";
    } catch {
        // Not a git checkout: say nothing of what changed.
    }
    return (
        `tests/snapshots/${variant}.json no longer matches what ${file} gives${changed ? ` (${file} differs from the last commit)` : ""}. ` +
        "If you meant to change the stack's objects, re-record the snapshots with `npm run snapshots:update` and review `git diff tests/snapshots` as you would `pulumi preview --diff`; a refactor changes none."
    );
}

/** Runs a snapshot check; a failure starts with what it means and how to re-record. */
function explained(variant: string, check: () => void): void {
    try {
        check();
    } catch (error) {
        if (error instanceof assert.AssertionError) {
            const advice = snapshotAdvice(variant);
            // Mocha prints the stack, which holds the message it was built with.
            error.message = `${advice}\n${error.message}`;
            error.stack = `${advice}\n${error.stack}`;
        }
        throw error;
    }
}

describe("state contract: each variant's stack file exists", () => {
    it("every variant is recorded from a stack file of the repository", () => {
        for (const variant of Object.keys(variants)) assert.ok(fs.existsSync(path.join(projectRoot, stackFileOf(variant))), `${variant}: ${stackFileOf(variant)}`);
    });
});

/**
 * Maps each resource of a run to the URN the deployed stack knows it by: its own URN when the
 * snapshot has it, else the one alias of it that the snapshot has.
 */
function deployedUrns(run: ProgramRun, known: ReadonlySet<string>): Map<string, string> {
    const map = new Map<string, string>();
    for (const r of run.resources) {
        const candidates = [r.urn, ...r.options.aliases].filter((urn) => known.has(urn));
        if (candidates.length === 1) map.set(r.urn, candidates[0]);
        else if (candidates.length > 1) assert.fail(`${r.urn} matches ${candidates.length} deployed resources: ${candidates.join(", ")}`);
    }
    return map;
}

describe("state contract: every stack's resources keep their URNs (or alias them) and their objects", () => {
    for (const [variant, run] of Object.entries(variants)) {
        describe(variant, () => {
            let snapshot: SnapshotEntry[];
            let current: ProgramRun;
            let toDeployed: Map<string, string>;

            before(async () => {
                const recorded = readSnapshot(variant);
                assert.ok(recorded, `tests/snapshots/${variant}.json is missing: record it with tests/update-snapshots.ts`);
                snapshot = recorded;
                current = await run();
                toDeployed = deployedUrns(current, new Set(snapshot.map((e) => e.urn)));
            });

            it("no deployed resource would be deleted: each URN is registered again or aliased", () => explained(variant, () => {
                const matched = new Set(toDeployed.values());
                assert.deepEqual(snapshot.map((e) => e.urn).filter((urn) => !matched.has(urn)), []);
            }));

            it("no resource is new, but for components: they group resources and hold no state", () => explained(variant, () => {
                const added = current.resources.filter((r) => !toDeployed.has(r.urn));
                assert.deepEqual(added.filter((r) => r.custom).map((r) => r.urn), []);
                assert.ok(added.every((r) => r.inputs && Object.keys(r.inputs).length === 0), "a new component has no inputs");
            }));

            it("every resource keeps its inputs and options (parents and dependencies by deployed URN)", () => explained(variant, () => {
                const translate = (urn: string) => toDeployed.get(urn) ?? urn;
                // A resource matched through an alias had the parent that alias names.
                const aliasParent = new Map(
                    current.resources
                        .filter((r) => toDeployed.has(r.urn) && toDeployed.get(r.urn) !== r.urn)
                        .map((r) => [r.urn, r.options.aliasParents[r.options.aliases.indexOf(toDeployed.get(r.urn)!)]]),
                );
                const now = snapshotOf(current.resources.filter((r) => toDeployed.has(r.urn))).map((e) => ({
                    ...e,
                    urn: translate(e.urn),
                    parent: aliasParent.has(e.urn) ? (aliasParent.get(e.urn) ?? "(an alias without a parent)") : translate(e.parent),
                    dependsOn: e.dependsOn.map(translate).sort(),
                }));
                now.sort((a, b) => a.urn.localeCompare(b.urn));
                assert.deepStrictEqual(now, snapshot);
            }));
        });
    }
});
