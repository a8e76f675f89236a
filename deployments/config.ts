/**
 * The only reader of the deployments program's stack config. `loadDeploymentsConfig()` turns it
 * into one typed, validated object, or throws one error that lists every problem. Every object is
 * strict, so a misspelt key is an error rather than a silently ignored value.
 *
 * This config holds no secrets: cloud credentials reach deployments through OIDC, and Pulumi
 * Cloud hands each deployment a short-lived token for its own stack.
 */
import { z } from "zod";
import { ConfigError, Problem, problemsOf } from "../validation/problem";
import { readEngineConfig } from "../config/engine";

export { type Problem, described, formatProblems } from "../validation/problem";

const stackName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: "a stack name such as \"prod\"" });
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "an environment variable name such as \"NODE_OPTIONS\"" });
/** Five cron fields: minute hour day-of-month month day-of-week. */
const cron = z.string().regex(/^\S+( \S+){4}$/, { error: "a cron expression of five fields such as \"0 */6 * * *\"" });
/** Go duration as the Pulumi Cloud API takes it: "1h", "30m", "1h30m0s". */
const duration = z.string().regex(/^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/, { error: "a duration such as \"1h\" or \"45m\"" }).refine((d) => d !== "", { error: "a duration such as \"1h\" or \"45m\"" });

export const oidcSchema = z
    .strictObject({
        /** Assume an AWS role with the deployment's OIDC token. */
        aws: z
            .strictObject({
                roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, { error: "an IAM role ARN such as \"arn:aws:iam::123456789012:role/deploy\"" }),
                sessionName: z.string().min(1).default("pulumi-deployments"),
                duration: duration.optional(),
                policyArns: z.array(z.string().startsWith("arn:aws")).default([]),
            })
            .optional(),
        /** Impersonate a GCP service account through workload identity federation. */
        gcp: z
            .strictObject({
                projectNumber: z.string().regex(/^[0-9]+$/, { error: "the numeric project number" }),
                workloadPoolId: z.string().min(1),
                providerId: z.string().min(1),
                serviceAccount: z.email(),
                region: z.string().min(1).optional(),
                tokenLifetime: duration.optional(),
            })
            .optional(),
        /** Log in to Azure as a federated workload identity. */
        azure: z
            .strictObject({
                clientId: z.uuid(),
                tenantId: z.uuid(),
                subscriptionId: z.uuid(),
            })
            .optional(),
    })
    .refine((o) => o.aws !== undefined || o.gcp !== undefined || o.azure !== undefined, { error: "at least one of aws, gcp, azure" });

/**
 * How a deployment's `pulumi up` of a stack runs (docs/releases.md, "Pulumi Deployments"): as a
 * release of the release tool, whose failure puts the last good release back and fails the
 * deployment before its own `pulumi up`.
 */
export const releaseSchema = z
    .strictObject({
        /** Run each `pulumi up` deployment as `npm run release` (deadlines, the record, the automatic restore). */
        atomic: z.boolean().default(true),
        /** Refresh before the release's update (`--refresh`), as the deploy workflow does. */
        refresh: z.boolean().default(true),
    })
    .prefault({});

export const stackSettingsSchema = z.strictObject({
    /** Run `pulumi up` through Deployments on every push to the branch (push-to-deploy). */
    deployCommits: z.boolean().default(false),
    /** This stack's release settings, over the shared `release` (each key unset: the shared one). */
    release: z.strictObject({ atomic: z.boolean().optional(), refresh: z.boolean().optional() }).optional(),
    /** Extra environment variables of this stack's deployments, over the shared ones. */
    environmentVariables: z.record(envName, z.string()).default({}),
    /** Cloud credentials of this stack's deployments, instead of the shared ones. */
    oidc: oidcSchema.optional(),
});

export const deploymentsConfigSchema = z.strictObject({
    /** The Pulumi project whose stacks are configured. */
    project: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: "a Pulumi project name such as \"llm-platform\"" }).default("llm-platform"),
    /** The GitHub repository holding the project, "owner/name". */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: "a GitHub repository such as \"acme/llm-platform\"" }),
    /** The branch deployments check out. */
    branch: z.string().min(1).default("main"),
    /** The directory of the project's Pulumi.yaml within the repository. */
    repoDir: z.string().default("."),
    /** A custom executor image, e.g. to pin the Pulumi CLI; unset uses pulumi/pulumi. */
    executorImage: z.string().min(1).optional(),
    /** Environment variables of every stack's deployments. */
    environmentVariables: z.record(envName, z.string()).default({}),
    /** Cloud credentials of every stack's deployments (a stack may override them). */
    oidc: oidcSchema.optional(),
    /** How every stack's `pulumi up` deployments run (a stack may override each key). */
    release: releaseSchema,
    /** Deployment settings per stack of the project. */
    stacks: z.record(stackName, stackSettingsSchema.prefault({})).refine((s) => Object.keys(s).length > 0, { error: "at least one stack" }),
    /** Scheduled drift detection. */
    driftDetection: z
        .strictObject({
            /** The stacks checked for drift. */
            stacks: z.array(stackName).default(["prod"]),
            /** When drift detection runs. */
            scheduleCron: cron.default("0 */6 * * *"),
            /** Run `pulumi up` when drift is found. Off: drift on prod is a finding for a human. */
            autoRemediate: z.boolean().default(false),
        })
        .prefault({}),
    /** Review stacks: one ephemeral stack per pull request, created from a template stack. */
    reviewStacks: z
        .strictObject({
            enabled: z.boolean().default(true),
            /** The template stack; its Pulumi.<stack>.yaml is copied into every review stack. */
            templateStack: stackName.default("pr"),
            /** When the template stack is destroyed (ISO 8601, UTC), as a backstop; unset sets no TTL. */
            expiresAt: z.iso.datetime({ error: "an ISO 8601 UTC timestamp such as \"2027-06-30T00:00:00Z\"" }).optional(),
            /** Cloud credentials of review stacks, instead of the shared ones. */
            oidc: oidcSchema.optional(),
        })
        .prefault({}),
    /**
     * The policy pack in Pulumi Cloud, so that updates Deployments runs are checked as GitHub
     * Actions' are: publishes policy/ and puts each stack in a policy group with its
     * policy/config/<stack>.json. Needs a Pulumi Cloud edition with policy groups.
     */
    policyEnforcement: z
        .strictObject({
            enabled: z.boolean().default(false),
            /** "preventative" blocks an update with a mandatory violation; "audit" only records it. */
            mode: z.enum(["preventative", "audit"]).default("preventative"),
        })
        .prefault({}),
    /** GitHub Actions' access to Pulumi Cloud through OIDC. */
    githubActions: z
        .strictObject({
            /** Register GitHub's OIDC issuer in the organization (only one registration per issuer URL). */
            registerOidcIssuer: z.boolean().default(true),
            /** GitHub environments whose jobs may exchange their token, e.g. the staging `up` job's. */
            environments: z.array(z.string().min(1)).default(["staging"]),
            /** Whether pull_request jobs (the previews) may exchange their token. */
            pullRequests: z.boolean().default(true),
            /** Longest life of an exchanged Pulumi token, in seconds. */
            maxExpirationSeconds: z.number().int().min(300).max(86400).default(3600),
        })
        .prefault({}),
});

export type DeploymentsConfig = z.infer<typeof deploymentsConfigSchema>;
export type OidcConfig = z.infer<typeof oidcSchema>;
export type StackSettings = z.infer<typeof stackSettingsSchema>;
export type ReleaseSettings = z.infer<typeof releaseSchema>;

/** The release settings of one configured stack: its own keys over the shared ones. Pure. */
export function releaseSettingsOf(config: Pick<DeploymentsConfig, "release" | "stacks">, stack: string): ReleaseSettings {
    const own = config.stacks[stack]?.release;
    return { atomic: own?.atomic ?? config.release.atomic, refresh: own?.refresh ?? config.release.refresh };
}

/** Validates raw config values (keys without the project prefix). Pure. */
export function validateDeploymentsConfig(values: Record<string, unknown>): { config: DeploymentsConfig; problems: [] } | { config?: undefined; problems: Problem[] } {
    const parsed = deploymentsConfigSchema.safeParse(values, { reportInput: true });
    if (!parsed.success) {
        return { problems: problemsOf(deploymentsConfigSchema, parsed.error.issues) };
    }
    const config = parsed.data;
    const problems: Problem[] = [];
    for (const [i, stack] of config.driftDetection.stacks.entries()) {
        if (!(stack in config.stacks)) {
            problems.push({ key: `driftDetection.stacks.${i}`, given: stack, expected: `one of the configured stacks (${Object.keys(config.stacks).join(", ")})` });
        }
    }
    for (const [stack, settings] of Object.entries(config.stacks)) {
        if (settings.release?.refresh !== undefined && !releaseSettingsOf(config, stack).atomic) {
            problems.push({ key: `stacks.${stack}.release.refresh`, given: settings.release.refresh, expected: "unset while the stack's release.atomic is false: only the release tool refreshes, a deployment's own pulumi up takes no --refresh" });
        }
    }
    if (config.reviewStacks.enabled && config.reviewStacks.templateStack in config.stacks) {
        problems.push({ key: "reviewStacks.templateStack", given: config.reviewStacks.templateStack, expected: "a stack of its own, not one that is also under stacks" });
    }
    return problems.length > 0 ? { problems } : { config, problems: [] };
}

/** Reads and validates this stack's config; throws listing every problem. */
export function loadDeploymentsConfig(): DeploymentsConfig {
    const raw = readEngineConfig();
    const result = validateDeploymentsConfig(raw.values);
    if (!result.config) throw new ConfigError(raw.stack, result.problems);
    return result.config;
}
