import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { packName } from "../policy/policies";
import { loadDeploymentsConfig } from "./config";
import { deploymentSettingsArgs, githubActionsIssuerUrl, githubActionsPolicies, policyGroupArgs } from "./settings";

const config = loadDeploymentsConfig();
const organization = pulumi.getOrganization();

const settings = Object.fromEntries(
    Object.keys(config.stacks).map((stack) => [
        stack,
        new service.DeploymentSettings(`${stack}-settings`, deploymentSettingsArgs(organization, stack, "stack", config)),
    ]),
);

const driftSchedules = config.driftDetection.stacks.map(
    (stack) =>
        new service.DriftSchedule(`${stack}-drift`, {
            organization,
            project: config.project,
            stack,
            scheduleCron: config.driftDetection.scheduleCron,
            autoRemediate: config.driftDetection.autoRemediate,
        }, { dependsOn: settings[stack] }),
);

let reviewTemplate: service.DeploymentSettings | undefined;
if (config.reviewStacks.enabled) {
    const templateStack = config.reviewStacks.templateStack;
    reviewTemplate = new service.DeploymentSettings(
        `${templateStack}-settings`,
        deploymentSettingsArgs(organization, templateStack, "review-template", config),
    );
    if (config.reviewStacks.expiresAt !== undefined) {
        new service.TtlSchedule(`${templateStack}-ttl`, {
            organization,
            project: config.project,
            stack: templateStack,
            timestamp: config.reviewStacks.expiresAt,
            // Destroy only: deleting the template stack would take its settings, and review stacks, with it.
            deleteAfterDestroy: false,
        }, { dependsOn: reviewTemplate });
    }
}

if (config.policyEnforcement.enabled) {
    const policyDir = path.join(__dirname, "..", "policy");
    const readJson = (...segments: string[]) => JSON.parse(fs.readFileSync(path.join(policyDir, ...segments), "utf8"));
    // Versions are immutable in Pulumi Cloud: bumping policy/package.json publishes a new one.
    const versionTag: string = readJson("package.json").version;
    const pack = new service.PolicyPack("policy-pack", { organization, name: packName, sourcePath: "../policy", versionTag });
    for (const stack of Object.keys(config.stacks)) {
        new service.PolicyGroup(`${stack}-policy-group`, policyGroupArgs(organization, stack, versionTag, readJson("config", `${stack}.json`), config), { dependsOn: pack });
    }
}

if (config.githubActions.registerOidcIssuer) {
    new service.OidcIssuer("github-actions", {
        organization,
        name: "github-actions",
        url: githubActionsIssuerUrl,
        maxExpirationSeconds: config.githubActions.maxExpirationSeconds,
        policies: githubActionsPolicies(organization, config),
    });
}

export const configuredStacks = Object.keys(settings);
export const driftDetection = driftSchedules.map((schedule) => schedule.scheduleId);
export const reviewStackTemplate = reviewTemplate?.stack;
