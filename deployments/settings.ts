/**
 * What the deployments program declares, as pure functions of its typed config: the deployment
 * settings of each stack, and who may exchange a GitHub Actions token for a Pulumi one. index.ts
 * only turns their results into resources, so each decision is tested here without mocks.
 */
import type * as service from "@pulumi/pulumiservice";
import { packName } from "../policy/policies";
import { DeploymentsConfig, OidcConfig } from "./config";

/**
 * What every deployment runs before the Pulumi operation. `npm ci` installs exactly the
 * lockfile, so the automatic `npm install` is skipped (see `skipInstallDependencies`); its
 * `prepare` step transpiles the TypeScript into the loader's cache (scripts/register-ts.cjs), so
 * the operation starts without transpiling.
 */
export const preRunCommands = ["npm ci"];

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
            preRunCommands,
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
