/**
 * The deployments program (deployments/): its config rules and settings builders called
 * directly, and the whole program run under mocks with its stack file, asserting what it would
 * send to Pulumi Cloud.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { DeploymentsConfig, described, formatProblems, validateDeploymentsConfig } from "../deployments/config";
import { deploymentSettingsArgs, githubActionsPolicies, installCommand, oidcSettings, policyGroupArgs, preRunCommands, releaseCommand } from "../deployments/settings";
import { projectRoot, promiseOf, stacks } from "./mocks";

const programDir = path.join(projectRoot, "deployments");
const project = "llm-platform-deployments";
const organization = "example";

/** The deployments stack file's config, keys without the project prefix. */
function stackFileValues(): Record<string, unknown> {
    const doc = parseYaml(fs.readFileSync(path.join(programDir, "Pulumi.main.yaml"), "utf8"));
    return Object.fromEntries(Object.entries<unknown>(doc.config).map(([key, value]) => [key.slice(`${project}:`.length), value]));
}

function validConfig(edit: (values: Record<string, any>) => void = () => {}): DeploymentsConfig {
    const values = structuredClone(stackFileValues()) as Record<string, any>;
    edit(values);
    const result = validateDeploymentsConfig(values);
    assert.deepEqual(result.problems, []);
    return result.config!;
}

function problemsOf(edit: (values: Record<string, any>) => void) {
    const values = structuredClone(stackFileValues()) as Record<string, any>;
    edit(values);
    return validateDeploymentsConfig(values).problems;
}

interface Registered {
    type: string;
    name: string;
    inputs: any;
}

/** Runs deployments/index.ts under mocks with the stack file's config (plus `set`). */
async function runDeploymentsProgram(set: Record<string, unknown> = {}): Promise<{ resources: Registered[]; outputs: Record<string, unknown> }> {
    const resources: Registered[] = [];
    const values = { ...stackFileValues(), ...set };
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(values).map(([key, value]) => [`${project}:${key}`, typeof value === "string" ? value : JSON.stringify(value)])),
        [],
    );
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, scheduleId: `${args.name}-schedule` } };
            },
            call(args) {
                return args.inputs;
            },
        },
        project,
        "main",
        false,
        organization,
    );
    for (const id of Object.keys(require.cache)) {
        if (id.startsWith(programDir + path.sep)) delete require.cache[id];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(programDir, "index.ts"));
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) outputs[key] = await promiseOf(value as pulumi.Input<unknown>);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    return { resources, outputs };
}

describe("deployments: config", () => {
    it("the stack file is valid and configures every stack of the project", () => {
        const config = validConfig();
        assert.deepEqual(Object.keys(config.stacks).sort(), [...stacks].sort());
        assert.equal(config.project, "llm-platform");
    });

    it("the project it configures is the one in the root Pulumi.yaml, and repoDir holds that Pulumi.yaml", () => {
        const config = validConfig();
        const rootProject = parseYaml(fs.readFileSync(path.join(projectRoot, config.repoDir, "Pulumi.yaml"), "utf8"));
        assert.equal(rootProject.name, config.project);
    });

    it("rejects a misspelt key instead of ignoring it", () => {
        assert.deepEqual(problemsOf((v) => (v.driftDetection.autoRemediation = true)), [
            {
                key: "driftDetection.autoRemediation",
                given: described("a boolean"),
                expected: "no such key; known keys here: stacks, scheduleCron, autoRemediate",
            },
        ]);
    });

    it("rejects drift detection of a stack it does not configure", () => {
        assert.deepEqual(problemsOf((v) => (v.driftDetection.stacks = ["prod", "production"])), [
            { key: "driftDetection.stacks.1", given: "production", expected: "one of the configured stacks (dev, staging, prod)" },
        ]);
    });

    it("rejects a review template that is also a regular stack", () => {
        assert.deepEqual(problemsOf((v) => (v.reviewStacks.templateStack = "dev")), [
            { key: "reviewStacks.templateStack", given: "dev", expected: "a stack of its own, not one that is also under stacks" },
        ]);
    });

    it("rejects a malformed role ARN, cron and TTL timestamp, naming each key", () => {
        const problems = problemsOf((v) => {
            v.stacks.prod.oidc.aws.roleArn = "llm-platform-deploy-prod";
            v.driftDetection.scheduleCron = "every 6 hours";
            v.reviewStacks.expiresAt = "next summer";
        });
        assert.deepEqual(problems.map((p) => p.key), ["stacks.prod.oidc.aws.roleArn", "driftDetection.scheduleCron", "reviewStacks.expiresAt"]);
        assert.equal(problems[1].expected, 'a cron expression of five fields such as "0 */6 * * *"');
        assert.equal(problems[1].given, "every 6 hours");
    });

    it("formats problems one per line", () => {
        assert.equal(
            formatProblems("main", [{ key: "repository", given: "llm-platform", expected: "a GitHub repository such as \"acme/llm-platform\"" }]),
            'Stack config of "main" has 1 problem:\n  - repository: given "llm-platform"; expected a GitHub repository such as "acme/llm-platform"',
        );
    });
});

describe("deployments: settings", () => {
    it("every stack runs `npm ci` before the operation and skips the automatic install", () => {
        const args = deploymentSettingsArgs(organization, "prod", "stack", validConfig());
        assert.deepEqual(args.operationContext, {
            preRunCommands: ["npm ci", 'if [ "$PULUMI_CI_OPERATION" = update ]; then npm run release -- --stack example/llm-platform/prod --refresh; fi'],
            environmentVariables: { PULUMI_SKIP_UPDATE_CHECK: "true" },
            oidc: { aws: { roleARN: "arn:aws:iam::123456789012:role/llm-platform-deploy-prod", sessionName: "llm-platform-prod", duration: "1h", policyARNs: undefined }, gcp: undefined, azure: undefined },
            options: { skipInstallDependencies: true, deleteAfterDestroy: false },
        });
        assert.equal(installCommand, "npm ci");
    });

    it("checks out the branch and the program's directory from the GitHub repository", () => {
        const args = deploymentSettingsArgs(organization, "staging", "stack", validConfig());
        assert.deepEqual(args.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
        assert.deepEqual(args.vcs, { provider: "github", repository: "example/llm-platform", deployCommits: false, previewPullRequests: false, pullRequestTemplate: false });
    });

    it("a stack opts into push-to-deploy and adds environment variables over the shared ones", () => {
        const config = validConfig((v) => (v.stacks.dev = { ...v.stacks.dev, deployCommits: true, environmentVariables: { PULUMI_SKIP_UPDATE_CHECK: "false", LOG: "1" } }));
        const args = deploymentSettingsArgs(organization, "dev", "stack", config);
        assert.equal((args.vcs as any).deployCommits, true);
        assert.deepEqual((args.operationContext as any).environmentVariables, { PULUMI_SKIP_UPDATE_CHECK: "false", LOG: "1" });
    });

    it("a stack without OIDC of its own uses the shared OIDC settings", () => {
        const config = validConfig((v) => {
            delete v.stacks.dev.oidc;
            v.oidc = { gcp: { projectNumber: "123456789", workloadPoolId: "pulumi", providerId: "pulumi-cloud", serviceAccount: "deploy@example.iam.gserviceaccount.com" } };
        });
        assert.deepEqual((deploymentSettingsArgs(organization, "dev", "stack", config).operationContext as any).oidc.gcp, {
            projectId: "123456789",
            workloadPoolId: "pulumi",
            providerId: "pulumi-cloud",
            serviceAccount: "deploy@example.iam.gserviceaccount.com",
            region: undefined,
            tokenLifetime: undefined,
        });
    });

    it("the review template is only a template: no previews, no commits, deleted after its destroy", () => {
        const args = deploymentSettingsArgs(organization, "pr", "review-template", validConfig());
        assert.deepEqual(args.vcs, { provider: "github", repository: "example/llm-platform", deployCommits: false, previewPullRequests: false, pullRequestTemplate: true });
        assert.equal((args.operationContext as any).options.deleteAfterDestroy, true);
        assert.equal((args.operationContext as any).oidc.aws.roleARN, "arn:aws:iam::123456789012:role/llm-platform-deploy-review");
    });

    it("oidcSettings maps every cloud to the Deployments API's field names", () => {
        assert.equal(oidcSettings(undefined), undefined);
        const azure = { clientId: "0b6f6b0e-3d2a-4c1e-9d63-0a2d9c1f7e11", tenantId: "5f0c1c52-8f43-4a51-b8c2-64f0d8f9b4a2", subscriptionId: "9a1b7c3d-2e4f-4a6b-8c0d-1e2f3a4b5c6d" };
        assert.deepEqual(oidcSettings({ azure }), { aws: undefined, gcp: undefined, azure });
    });

    it("a policy group takes the stack's policy/config file, each level written as an object", () => {
        const file = JSON.parse(fs.readFileSync(path.join(projectRoot, "policy", "config", "dev.json"), "utf8"));
        const args = policyGroupArgs(organization, "dev", "1.0.0", file, validConfig());
        assert.deepEqual(args.policyPacks, [
            {
                name: "llm-platform",
                versionTag: "1.0.0",
                config: {
                    "pdb-for-multi-replica-workloads": { enforcementLevel: "disabled" },
                    "network-policy-coverage": { enforcementLevel: "disabled" },
                    "no-load-balancer-services": { enforcementLevel: "mandatory", allowLoadBalancer: false },
                },
            },
        ]);
        assert.equal(args.name, "llm-platform-dev");
    });

    it("GitHub Actions may exchange tokens only from this repository's pull_request jobs and staging environment", () => {
        assert.deepEqual(githubActionsPolicies(organization, validConfig()), [
            { decision: "allow", tokenType: "organization", authorizedPermissions: ["standard"], rules: { aud: "urn:pulumi:org:example", sub: "repo:example/llm-platform:pull_request" } },
            { decision: "allow", tokenType: "organization", authorizedPermissions: ["standard"], rules: { aud: "urn:pulumi:org:example", sub: "repo:example/llm-platform:environment:staging" } },
        ]);
    });
});

/** A stack's release line: `command` on updates only. */
const releaseLine = (command: string) => `if [ "$PULUMI_CI_OPERATION" = update ]; then ${command}; fi`;

/** Runs a pre-run line as Deployments does (bash), with an `npm` that records its arguments and exits with `npmExit`. */
function runPreRunLine(line: string, operation: string | undefined, npmExit: number): { status: number | null; npm: string | undefined } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-prerun-"));
    try {
        fs.writeFileSync(path.join(dir, "npm"), `#!/bin/sh\necho "$*" > "${dir}/args"\nexit ${npmExit}\n`, { mode: 0o755 });
        const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH}` };
        if (operation !== undefined) env.PULUMI_CI_OPERATION = operation;
        const result = spawnSync("bash", ["-c", line], { env, encoding: "utf8" });
        const args = path.join(dir, "args");
        return { status: result.status, npm: fs.existsSync(args) ? fs.readFileSync(args, "utf8").trim() : undefined };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("deployments: a deployment's pulumi up is a release (#25)", () => {
    it("every configured stack releases through the release tool after npm ci, named in full, with --refresh; the review template only installs", () => {
        const config = validConfig();
        for (const stack of ["dev", "staging", "prod"]) {
            assert.deepEqual(preRunCommands(organization, stack, "stack", config), [
                "npm ci",
                `if [ "$PULUMI_CI_OPERATION" = update ]; then npm run release -- --stack example/llm-platform/${stack} --refresh; fi`,
            ]);
        }
        assert.deepEqual(preRunCommands(organization, "pr", "review-template", config), ["npm ci"]);
    });

    it("with policy enforcement off, the release passes the policy pack as the deploy workflow does", () => {
        const config = validConfig((v) => (v.policyEnforcement = { enabled: false }));
        assert.deepEqual(preRunCommands(organization, "prod", "stack", config), [
            "npm ci",
            releaseLine("npm run release -- --stack example/llm-platform/prod --refresh --policy-pack policy --policy-pack-config policy/config/prod.json"),
        ]);
        const workflow = parseYaml(fs.readFileSync(path.join(projectRoot, ".github", "workflows", "deploy.yml"), "utf8"));
        const run: string = workflow.jobs["up-staging"].steps.find((step: { run?: string }) => step.run?.startsWith("npm run release")).run;
        assert.equal(releaseCommand(organization, "staging", { refresh: true }, config).replace("example/llm-platform/staging", '"$STACK"'), run);
    });

    it("a stack's own release keys override the shared ones, key by key", () => {
        const config = validConfig((v) => {
            v.release = { atomic: false };
            v.stacks.prod.release = { atomic: true, refresh: false };
            v.stacks.staging.release = { atomic: true };
        });
        assert.deepEqual(preRunCommands(organization, "dev", "stack", config), ["npm ci"]);
        assert.deepEqual(preRunCommands(organization, "staging", "stack", config), ["npm ci", releaseLine("npm run release -- --stack example/llm-platform/staging --refresh")]);
        assert.deepEqual(preRunCommands(organization, "prod", "stack", config), ["npm ci", releaseLine("npm run release -- --stack example/llm-platform/prod")]);
    });

    it("the release runs on an update only; its exit 1 or 2 fails the pre-run step, and every other operation runs nothing", () => {
        const [, line] = preRunCommands(organization, "prod", "stack", validConfig());
        assert.deepEqual(runPreRunLine(line, "update", 0), { status: 0, npm: "run release -- --stack example/llm-platform/prod --refresh" });
        assert.deepEqual(runPreRunLine(line, "update", 1), { status: 1, npm: "run release -- --stack example/llm-platform/prod --refresh" });
        assert.deepEqual(runPreRunLine(line, "update", 2), { status: 2, npm: "run release -- --stack example/llm-platform/prod --refresh" });
        for (const operation of ["preview", "refresh", "destroy", "detect-drift", "remediate-drift", undefined]) {
            assert.deepEqual(runPreRunLine(line, operation, 2), { status: 0, npm: undefined }, `operation ${operation}`);
        }
    });

    it("rejects a stack's release.refresh where its release isn't atomic, and a misspelt release key", () => {
        assert.deepEqual(problemsOf((v) => {
            v.release = { atomic: false };
            v.stacks.dev.release = { refresh: false };
        }), [
            { key: "stacks.dev.release.refresh", given: false, expected: "unset while the stack's release.atomic is false: only the release tool refreshes, a deployment's own pulumi up takes no --refresh" },
        ]);
        assert.deepEqual(problemsOf((v) => (v.stacks.prod.release = { automatic: true })), [
            { key: "stacks.prod.release.automatic", given: described("a boolean"), expected: "no such key; known keys here: atomic, refresh" },
        ]);
        assert.deepEqual(problemsOf((v) => (v.release = { atomic: "yes" })), [{ key: "release.atomic", given: "yes", expected: "a boolean" }]);
        assert.deepEqual(problemsOf((v) => (v.reviewStacks.release = { atomic: true })), [
            { key: "reviewStacks.release", given: described("an object with 1 key (atomic)"), expected: "no such key; known keys here: enabled, templateStack, expiresAt, oidc" },
        ]);
    });

    it("rejects a project name the stack reference and the shell line can't carry", () => {
        assert.deepEqual(problemsOf((v) => (v.project = "llm platform")), [{ key: "project", given: "llm platform", expected: 'a Pulumi project name such as "llm-platform"' }]);
    });

    it("a deployment's checkout stays clean for the release tool: npm ci's prepare step writes its caches under node_modules, which git ignores", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { cacheRoot } = require("../scripts/register-ts.cjs") as { cacheRoot?: string };
        if (!process.env.LLM_PLATFORM_TS_CACHE) assert.equal(cacheRoot, path.join(projectRoot, "node_modules", ".cache", "llm-platform"));
        assert.equal(execFileSync("git", ["check-ignore", "node_modules"], { cwd: projectRoot, encoding: "utf8" }).trim(), "node_modules");
        const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));
        assert.equal(pkg.scripts.prepare, "node scripts/register-ts.cjs --warm");
    });
});

describe("deployments: the program under mocks", () => {
    it("declares deployment settings for dev, staging, prod and the pr template, a prod drift schedule, a TTL, the policy pack and groups, and the OIDC issuer", async () => {
        const { resources, outputs } = await runDeploymentsProgram();
        assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "pulumiservice:index:DeploymentSettings dev-settings",
            "pulumiservice:index:DeploymentSettings pr-settings",
            "pulumiservice:index:DeploymentSettings prod-settings",
            "pulumiservice:index:DeploymentSettings staging-settings",
            "pulumiservice:index:DriftSchedule prod-drift",
            "pulumiservice:index:OidcIssuer github-actions",
            "pulumiservice:index:PolicyGroup dev-policy-group",
            "pulumiservice:index:PolicyGroup prod-policy-group",
            "pulumiservice:index:PolicyGroup staging-policy-group",
            "pulumiservice:index:PolicyPack policy-pack",
            "pulumiservice:index:TtlSchedule pr-ttl",
        ]);
        assert.deepEqual(outputs, { configuredStacks: ["dev", "staging", "prod"], driftDetection: ["prod-drift-schedule"], reviewStackTemplate: "pr" });
    });

    it("prod is checked for drift every 6 hours without remediating it", async () => {
        const { resources } = await runDeploymentsProgram();
        const drift = resources.find((r) => r.type === "pulumiservice:index:DriftSchedule")!;
        assert.deepEqual(drift.inputs, { organization: "example", project: "llm-platform", stack: "prod", scheduleCron: "0 */6 * * *", autoRemediate: false });
    });

    it("the pr template gets a TTL that destroys without deleting the template", async () => {
        const { resources } = await runDeploymentsProgram();
        const ttl = resources.find((r) => r.type === "pulumiservice:index:TtlSchedule")!;
        assert.deepEqual(ttl.inputs, { organization: "example", project: "llm-platform", stack: "pr", timestamp: "2027-06-30T00:00:00Z", deleteAfterDestroy: false });
    });

    it("sends each stack's settings to Pulumi Cloud as the settings builder made them", async () => {
        const { resources } = await runDeploymentsProgram();
        const prod = resources.find((r) => r.name === "prod-settings")!;
        assert.equal(prod.inputs.stack, "prod");
        assert.deepEqual(prod.inputs.operationContext.preRunCommands, preRunCommands(organization, "prod", "stack", validConfig()));
        assert.deepEqual(resources.find((r) => r.name === "pr-settings")!.inputs.operationContext.preRunCommands, ["npm ci"]);
        assert.equal(prod.inputs.vcs.pullRequestTemplate, false);
        assert.equal(prod.inputs.cacheOptions.enable, true);
    });

    it("publishes policy/ at the version in policy/package.json and enforces it on each stack with its policy config", async () => {
        const { resources } = await runDeploymentsProgram();
        const version = JSON.parse(fs.readFileSync(path.join(projectRoot, "policy", "package.json"), "utf8")).version;
        const pack = resources.find((r) => r.type === "pulumiservice:index:PolicyPack")!;
        assert.deepEqual(pack.inputs, { organization: "example", name: "llm-platform", sourcePath: "../policy", versionTag: version });
        const prodGroup = resources.find((r) => r.name === "prod-policy-group")!;
        assert.deepEqual(prodGroup.inputs.stacks, [{ name: "prod", routingProject: "llm-platform" }]);
        assert.equal(prodGroup.inputs.mode, "preventative");
        assert.equal(prodGroup.inputs.policyPacks[0].versionTag, version);
    });

    it("the GitHub Actions issuer lets tokens live an hour at most", async () => {
        const { resources } = await runDeploymentsProgram();
        const issuer = resources.find((r) => r.type === "pulumiservice:index:OidcIssuer")!;
        assert.equal(issuer.inputs.url, "https://token.actions.githubusercontent.com");
        assert.equal(issuer.inputs.maxExpirationSeconds, 3600);
        assert.equal(issuer.inputs.policies.length, 2);
    });

    it("without review stacks, issuer registration or policy enforcement, declares none of them", async () => {
        const { resources } = await runDeploymentsProgram({ reviewStacks: { enabled: false }, githubActions: { registerOidcIssuer: false }, policyEnforcement: { enabled: false } });
        assert.deepEqual(resources.filter((r) => /TtlSchedule|OidcIssuer|Policy|pr-settings/.test(`${r.type} ${r.name}`)), []);
    });

    it("fails before creating anything when the config is invalid", async () => {
        await assert.rejects(runDeploymentsProgram({ repository: "llm-platform" }), /Stack config of "main" has 1 problem:\n {2}- repository: given "llm-platform"; expected a GitHub repository such as "acme\/llm-platform"/);
    });
});
