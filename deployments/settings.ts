/**
 * What the deployments program declares, as pure functions of its typed config: the deployment
 * settings of each stack, and who may exchange a GitHub Actions token for a Pulumi one. index.ts
 * only turns their results into resources, so each decision is tested here without mocks.
 */
import type * as service from "@pulumi/pulumiservice";
import { packName } from "../policy/policies";
import { DeploymentsConfig, OidcConfig, ReleaseSettings, releaseSettingsOf } from "./config";

/**
 * What every deployment runs first. `npm ci` installs exactly the lockfile (and writes nothing
 * git tracks), so the automatic `npm install`, which may rewrite package-lock.json, is skipped
 * (see `skipInstallDependencies`); its `prepare` step transpiles the TypeScript into the loader's
 * cache under node_modules (scripts/register-ts.cjs), so the operation starts without transpiling.
 */
export const installCommand = "npm ci";

/** The policy pack's directory, relative to the program's (the deploy workflow's `--policy-pack`). */
export const policyDir = "policy";

/**
 * The release tool's command line for a deployment of `stack`. The stack is named in full, since
 * the deployment's token is scoped to that stack, not to an organization the CLI would default
 * to. No `--cwd`: npm runs a script from the package's root, the program's directory. The
 * deployment's backend is Pulumi Cloud and its `PULUMI_ACCESS_TOKEN` reaches the tool's `pulumi`.
 * With `policyEnforcement` on, Pulumi Cloud runs the pack on the tool's update as on any other
 * (a local `--policy-pack` would run it twice); off, the release passes the workflow's flags.
 */
export function releaseCommand(organization: string, stack: string, release: Pick<ReleaseSettings, "refresh">, config: Pick<DeploymentsConfig, "project" | "policyEnforcement">): string {
    const policy = config.policyEnforcement.enabled ? [] : ["--policy-pack", policyDir, "--policy-pack-config", `${policyDir}/config/${stack}.json`];
    return ["npm run release --", "--stack", `${organization}/${config.project}/${stack}`, ...(release.refresh ? ["--refresh"] : []), ...policy].join(" ");
}

/**
 * What a deployment of `stack` runs before its Pulumi operation: `npm ci`, then, for a stack whose
 * release is atomic, the release itself. Each line runs in a shell of its own (bash by default),
 * before every operation of the stack, so the release runs only when the operation is an update
 * (`PULUMI_CI_OPERATION`): a preview, refresh, destroy or drift check changes nothing. A failed
 * release (exit 1: the last good release is back; 2: the stack needs a person) fails the
 * pre-run step and so the deployment, before its own `pulumi up`; after a successful one, that
 * `pulumi up` of the same commit and config has nothing left to change. A review template runs no
 * release (docs/releases.md, "Pulumi Deployments").
 */
export function preRunCommands(organization: string, stack: string, role: StackRole, config: DeploymentsConfig): string[] {
    if (role === "review-template") return [installCommand];
    const release = releaseSettingsOf(config, stack);
    if (!release.atomic) return [installCommand];
    return [installCommand, `if [ "$PULUMI_CI_OPERATION" = update ]; then ${releaseCommand(organization, stack, release, config)}; fi`];
}

/** The role a stack plays in the delivery flow, which decides its VCS triggers. */
export type StackRole = "stack" | "review-template";

/** The OIDC settings of the Deployments API, from the config's. */
export function oidcSettings(oidc: OidcConfig | undefined): service.types.input.OperationContextOIDCArgs | undefined {
    if (oidc === undefined) return undefined;
    return {
        aws: oidc.aws && {
            roleARN: oidc.aws.roleArn,
            sessionName: oidc.aws.sessionName,
            duration: oidc.aws.duration,
            policyARNs: oidc.aws.policyArns.length > 0 ? oidc.aws.policyArns : undefined,
        },
        gcp: oidc.gcp && {
            projectId: oidc.gcp.projectNumber,
            workloadPoolId: oidc.gcp.workloadPoolId,
            providerId: oidc.gcp.providerId,
            serviceAccount: oidc.gcp.serviceAccount,
            region: oidc.gcp.region,
            tokenLifetime: oidc.gcp.tokenLifetime,
        },
        azure: oidc.azure && { ...oidc.azure },
    };
}

/**
 * The deployment settings of one stack of the project. GitHub Actions previews every pull request
 * (with the policy pack) and updates staging on merge, so Deployments neither previews pull
 * requests (no duplicate comments) nor deploys commits unless a stack opts in; it runs drift
 * detection, review stacks, and the `pulumi up`/`refresh`/`destroy` started from Pulumi Cloud.
 */
export function deploymentSettingsArgs(
    organization: string,
    stack: string,
    role: StackRole,
    config: DeploymentsConfig,
): service.DeploymentSettingsArgs {
    const template = role === "review-template";
    const settings = template ? undefined : config.stacks[stack];
    const oidc = (template ? config.reviewStacks.oidc : settings?.oidc) ?? config.oidc;
    return {
        organization,
        project: config.project,
        stack,
        executorContext: config.executorImage === undefined ? undefined : { executorImage: config.executorImage },
        sourceContext: {
            git: { branch: `refs/heads/${config.branch}`, repoDir: config.repoDir },
        },
        vcs: {
            provider: "github",
            repository: config.repository,
            // The provider defaults both triggers to true; each is decided here instead.
            deployCommits: settings?.deployCommits ?? false,
            previewPullRequests: false,
            pullRequestTemplate: template,
        },
        operationContext: {
            preRunCommands: preRunCommands(organization, stack, role, config),
            environmentVariables: { ...config.environmentVariables, ...settings?.environmentVariables },
            oidc: oidcSettings(oidc),
            options: {
                skipInstallDependencies: true,
                // A review stack is removed from Pulumi Cloud once its pull request closes and it is destroyed.
                deleteAfterDestroy: template,
            },
        },
        cacheOptions: { enable: true },
    };
}

/** GitHub's OIDC issuer, as Pulumi Cloud registers it. */
export const githubActionsIssuerUrl = "https://token.actions.githubusercontent.com";

/**
 * Who may exchange a GitHub Actions OIDC token for a Pulumi organization token: jobs of the
 * project's repository only, and of those only pull_request jobs (the previews) and jobs in the
 * listed GitHub environments (the staging `up`), by the token's `sub` claim.
 */
export function githubActionsPolicies(organization: string, config: DeploymentsConfig): service.types.input.AuthPolicyDefinitionArgs[] {
    const { repository, githubActions } = config;
    const subjects = [
        ...(githubActions.pullRequests ? [`repo:${repository}:pull_request`] : []),
        ...githubActions.environments.map((environment) => `repo:${repository}:environment:${environment}`),
    ];
    return subjects.map((sub) => ({
        decision: "allow",
        tokenType: "organization",
        authorizedPermissions: ["standard"],
        rules: { aud: `urn:pulumi:org:${organization}`, sub },
    }));
}

/** A policy config file as `--policy-pack-config` reads it: per policy, a level or an object. */
export type PolicyConfigFile = Record<string, string | Record<string, unknown>>;

/**
 * The policy group that enforces the pack on one stack in Pulumi Cloud, configured from the same
 * policy/config/<stack>.json GitHub Actions passes to `--policy-pack-config`.
 */
export function policyGroupArgs(organization: string, stack: string, versionTag: string, file: PolicyConfigFile, config: DeploymentsConfig): service.PolicyGroupArgs {
    return {
        organizationName: organization,
        name: `${config.project}-${stack}`,
        entityType: "stacks",
        mode: config.policyEnforcement.mode,
        stacks: [{ name: stack, routingProject: config.project }],
        policyPacks: [
            {
                name: packName,
                versionTag,
                // Policy groups take an object per policy; the file may abbreviate one to its level.
                config: Object.fromEntries(Object.entries(file).map(([policy, entry]) => [policy, typeof entry === "string" ? { enforcementLevel: entry } : entry])),
            },
        ],
    };
}
