/**
 * The GitHub Actions workflows, read as data: they parse, they call the npm scripts package.json
 * defines and the docs document, their actions are pinned, each job gets only the permissions it
 * uses, Pulumi Cloud is reached through OIDC, and the Pulumi steps preview and update the stacks
 * the issue names with the policy pack.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { projectRoot } from "./mocks";

const workflowDir = path.join(projectRoot, ".github", "workflows");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    name?: string;
    uses?: string;
    needs?: string | string[];
    if?: string;
    environment?: string;
    permissions?: Record<string, string> | string;
    strategy?: { matrix?: Record<string, unknown[]> };
    env?: Record<string, unknown>;
    steps?: Step[];
}

interface Workflow {
    file: string;
    text: string;
    name: string;
    on: Record<string, any>;
    permissions?: Record<string, string> | string;
    env?: Record<string, unknown>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

function readWorkflows(): Workflow[] {
    return fs
        .readdirSync(workflowDir)
        .filter((file) => /\.ya?ml$/.test(file))
        .sort()
        .map((file) => {
            const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
            const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
            assert.deepEqual([...doc.errors, ...doc.warnings].map(String), [], file);
            return { file, text, ...(doc.toJS() as Omit<Workflow, "file" | "text">) };
        });
}

const workflows = readWorkflows();
const byFile = (file: string) => workflows.find((w) => w.file === file)!;
const jobsOf = (w: Workflow) => Object.entries(w.jobs);
const allSteps = () => workflows.flatMap((w) => jobsOf(w).flatMap(([id, job]) => (job.steps ?? []).map((step) => ({ workflow: w, id, job, step }))));
const action = (step: Step) => step.uses?.split("@")[0];

const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(projectRoot, "package-lock.json"), "utf8"));

/** The npm scripts a command line runs: `npm ci` is npm's own; `npm test` and `npm run x` are scripts. */
function npmScriptsIn(command: string): string[] {
    return [...command.matchAll(/\bnpm (?:run(?:-script)? ([\w:-]+)|(test|start)\b)/g)].map((m) => m[1] ?? m[2]);
}

/** The docs that document the npm scripts. */
function docs(): { file: string; text: string }[] {
    return ["README.md", "docs/delivery.md"]
        .filter((file) => fs.existsSync(path.join(projectRoot, file)))
        .map((file) => ({ file, text: fs.readFileSync(path.join(projectRoot, file), "utf8") }));
}

/** A job's value of `${{ matrix.x }}` expressions, expanded over its matrix. */
function expand(value: string, job: Job): string[] {
    const matrix = job.strategy?.matrix ?? {};
    const key = /\$\{\{\s*matrix\.(\w+)\s*\}\}/.exec(value)?.[1];
    if (key === undefined) return [value];
    return (matrix[key] as string[]).flatMap((v) => expand(value.replace(new RegExp(`\\$\\{\\{\\s*matrix\\.${key}\\s*\\}\\}`, "g"), v), job));
}

describe("workflows: files", () => {
    it("there are the checks, pull-request and deploy workflows, and each parses cleanly", () => {
        assert.deepEqual(workflows.map((w) => w.file), ["checks.yml", "deploy.yml", "pull-request.yml"]);
        for (const w of workflows) {
            assert.ok(w.name && w.on && Object.keys(w.jobs).length > 0, w.file);
        }
    });

    it("pull requests and merges to main run them, and the checks are a reusable workflow both call", () => {
        assert.deepEqual(byFile("pull-request.yml").on, { pull_request: { branches: ["main"] } });
        assert.deepEqual(byFile("deploy.yml").on, { push: { branches: ["main"] } });
        assert.deepEqual(Object.keys(byFile("checks.yml").on), ["workflow_call"]);
        for (const file of ["pull-request.yml", "deploy.yml"]) {
            assert.equal(byFile(file).jobs.checks.uses, "./.github/workflows/checks.yml", file);
        }
    });
});

describe("workflows: npm scripts", () => {
    const runCommands = () => allSteps().filter(({ step }) => step.run !== undefined);

    it("each preview checks its stack file with npm run check before it logs in to Pulumi Cloud", () => {
        const steps = byFile("pull-request.yml").jobs.preview.steps!;
        const checkAt = steps.findIndex((s) => s.run === "npm run check -- --stack ${{ matrix.stack }}");
        const loginAt = steps.findIndex((s) => action(s) === "pulumi/auth-actions");
        assert.ok(checkAt > steps.findIndex((s) => s.run === "npm ci") && checkAt < loginAt, "npm ci, then npm run check, then the login and the preview");
    });

    it("the checks run npm ci, then the build, lint and test scripts, in that order", () => {
        assert.deepEqual(byFile("checks.yml").jobs.checks.steps!.filter((s) => s.run).map((s) => s.run), ["npm ci", "npm run build", "npm run lint", "npm test"]);
    });

    it("every npm script a workflow calls exists in package.json", () => {
        const called = runCommands().flatMap(({ step }) => npmScriptsIn(step.run!));
        assert.ok(called.length > 0);
        for (const script of called) assert.ok(script in packageJson.scripts, `npm script "${script}" is not in package.json`);
    });

    it("every npm script a workflow calls is documented in README.md and docs/delivery.md, as the command a reader types", () => {
        const commands = new Set(runCommands().flatMap(({ step }) => npmScriptsIn(step.run!).map((s) => (s === "test" ? "npm test" : `npm run ${s}`))));
        assert.deepEqual(docs().map((d) => d.file), ["README.md", "docs/delivery.md"]);
        for (const { file, text } of docs()) {
            for (const command of commands) assert.ok(text.includes(`\`${command}\``), `${file} does not document \`${command}\``);
        }
    });

    it("every job that runs npm sets up Node 24 with the npm cache first", () => {
        for (const w of workflows) {
            for (const [id, job] of jobsOf(w)) {
                const steps = job.steps ?? [];
                const firstNpm = steps.findIndex((s) => s.run?.startsWith("npm"));
                if (firstNpm === -1) continue;
                const setup = steps.findIndex((s) => action(s) === "actions/setup-node");
                assert.ok(setup !== -1 && setup < firstNpm, `${w.file} ${id}: setup-node before npm`);
                assert.deepEqual(steps[setup].with, { "node-version": 24, cache: "npm" }, `${w.file} ${id}`);
            }
        }
    });
});

describe("workflows: supply chain and permissions", () => {
    it("every action is pinned to a major version or a commit: pulumi/actions to v7, pulumi/auth-actions to v2", () => {
        const uses = allSteps().map(({ step }) => step.uses).filter((u): u is string => u !== undefined);
        for (const ref of uses) assert.match(ref, /^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/, ref);
        assert.deepEqual([...new Set(uses.map((u) => u.split("@")[0]))].sort(), ["actions/checkout", "actions/setup-node", "pulumi/actions", "pulumi/auth-actions"]);
        for (const ref of uses.filter((u) => u.startsWith("pulumi/actions@"))) assert.match(ref, /@(v7|[0-9a-f]{40})$/, ref);
        for (const ref of uses.filter((u) => u.startsWith("pulumi/auth-actions@"))) assert.match(ref, /@(v2|[0-9a-f]{40})$/, ref);
    });

    it("checkouts do not leave the GitHub token in the git config", () => {
        for (const { workflow, id, step } of allSteps().filter(({ step }) => action(step) === "actions/checkout")) {
            assert.equal(step.with?.["persist-credentials"], false, `${workflow.file} ${id}`);
        }
    });

    it("no workflow grants anything by default: each job asks for its own permissions", () => {
        for (const w of workflows) {
            assert.deepEqual(w.permissions, {}, w.file);
            for (const [id, job] of jobsOf(w)) assert.equal(typeof job.permissions, "object", `${w.file} ${id}`);
        }
    });

    it("a job gets id-token: write only to log in to Pulumi Cloud, pull-requests: write only to comment, and nothing else", () => {
        for (const w of workflows) {
            for (const [id, job] of jobsOf(w)) {
                const steps = job.steps ?? [];
                const logsIn = steps.some((s) => action(s) === "pulumi/auth-actions");
                const comments = steps.some((s) => action(s) === "pulumi/actions" && s.with?.["comment-on-pr"] === true);
                const expected: Record<string, string> = { contents: "read" };
                if (comments) expected["pull-requests"] = "write";
                if (logsIn) expected["id-token"] = "write";
                assert.deepEqual(job.permissions, expected, `${w.file} ${id}`);
            }
        }
    });

    it("no long-lived Pulumi token: no PULUMI_ACCESS_TOKEN secret or variable, and every Pulumi step logs in through OIDC first", () => {
        for (const w of workflows) {
            assert.doesNotMatch(w.text, /PULUMI_ACCESS_TOKEN/, w.file);
            assert.deepEqual([...w.text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]).filter((s) => s !== "GITHUB_TOKEN"), [], w.file);
        }
        for (const { workflow, id, job, step } of allSteps().filter(({ step }) => action(step) === "pulumi/actions")) {
            const steps = job.steps!;
            const login = steps.findIndex((s) => action(s) === "pulumi/auth-actions");
            assert.ok(login !== -1 && login < steps.indexOf(step), `${workflow.file} ${id}: auth-actions before pulumi/actions`);
            assert.deepEqual(steps[login].with, {
                organization: "${{ vars.PULUMI_ORGANIZATION }}",
                "requested-token-type": "urn:pulumi:token-type:access_token:organization",
            });
        }
    });

    it("fork pull requests, which get no OIDC token, skip the preview instead of failing it", () => {
        assert.equal(byFile("pull-request.yml").jobs.preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
    });
});

describe("workflows: Pulumi steps", () => {
    /** The steps that run a Pulumi command through pulumi/actions (without one, it installs the CLI only). */
    const pulumiSteps = (file: string) =>
        allSteps()
            .filter(({ workflow, step }) => workflow.file === file && action(step) === "pulumi/actions" && step.with?.command !== undefined)
            .map(({ job, step }) => ({ job, step }));

    it("pull requests preview staging and prod with diff, refresh and the policy pack, commenting once and editing it after", () => {
        const steps = pulumiSteps("pull-request.yml");
        assert.equal(steps.length, 1);
        const { job, step } = steps[0];
        assert.deepEqual(expand(String(step.with!["stack-name"]), job), ["${{ vars.PULUMI_ORGANIZATION }}/llm-platform/staging", "${{ vars.PULUMI_ORGANIZATION }}/llm-platform/prod"]);
        assert.deepEqual({ ...step.with, "stack-name": undefined, policyPackConfigs: undefined }, {
            command: "preview",
            "stack-name": undefined,
            "pulumi-version": "${{ env.PULUMI_VERSION }}",
            diff: true,
            refresh: true,
            policyPacks: "policy",
            policyPackConfigs: undefined,
            "comment-on-pr": true,
            "edit-pr-comment": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
        assert.equal(job.strategy && (job.strategy as any)["fail-fast"], false);
    });

    it("a merge to main releases staging through the release tool, in the staging environment, with refresh and the policy pack", () => {
        assert.deepEqual(pulumiSteps("deploy.yml"), [], "no pulumi/actions command: the release tool runs the update");
        const job = byFile("deploy.yml").jobs["up-staging"];
        assert.equal(job.environment, "staging");
        const steps = job.steps!;
        const release = steps.filter((s) => s.run?.startsWith("npm run release"));
        assert.equal(release.length, 1);
        assert.equal(release[0].run, 'npm run release -- --stack "$STACK" --refresh --policy-pack policy --policy-pack-config policy/config/staging.json');
        assert.deepEqual(release[0].env, { STACK: "${{ vars.PULUMI_ORGANIZATION }}/llm-platform/staging" });
        const cli = steps.findIndex((s) => action(s) === "pulumi/actions");
        assert.deepEqual(steps[cli].with, { "pulumi-version": "${{ env.PULUMI_VERSION }}" }, "the action installs the CLI only");
        assert.ok(cli < steps.indexOf(release[0]) && steps.findIndex((s) => action(s) === "pulumi/auth-actions") < cli, "log in, install the CLI, release");
        assert.equal(steps.find((s) => action(s) === "actions/checkout")!.with!["fetch-depth"], 0, "a restore checks out an earlier commit: the checkout has the history");
        assert.ok(fs.existsSync(path.join(projectRoot, "policy/config/staging.json")) && fs.existsSync(path.join(projectRoot, "Pulumi.staging.yaml")));
    });

    it("every stack a workflow previews or updates has a stack file and a policy config", () => {
        for (const file of ["pull-request.yml", "deploy.yml"]) {
            for (const { job, step } of pulumiSteps(file)) {
                for (const configFile of expand(String(step.with!.policyPackConfigs), job)) {
                    const stack = /policy\/config\/(\w+)\.json$/.exec(configFile)![1];
                    assert.ok(fs.existsSync(path.join(projectRoot, configFile)), configFile);
                    assert.ok(fs.existsSync(path.join(projectRoot, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`);
                }
                for (const stackName of expand(String(step.with!["stack-name"]), job)) {
                    const stack = stackName.split("/").pop();
                    assert.ok(expand(String(step.with!.policyPackConfigs), job).includes(`policy/config/${stack}.json`), `${file}: ${stack} runs with its own policy config`);
                }
            }
        }
    });

    it("the Pulumi CLI they install is the release of the SDK in package-lock.json", () => {
        const sdk = lock.packages["node_modules/@pulumi/pulumi"].version;
        for (const file of ["pull-request.yml", "deploy.yml"]) assert.equal(byFile(file).env?.PULUMI_VERSION, sdk, file);
    });

    it("staging updates queue in merge order and are never cancelled halfway; superseded previews are", () => {
        assert.deepEqual(byFile("deploy.yml").concurrency, { group: "deploy-staging", "cancel-in-progress": false });
        assert.equal(byFile("pull-request.yml").concurrency!["cancel-in-progress"], true);
    });
});
