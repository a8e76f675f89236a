/**
 * What a deployed stack's state is made of, per stack and per variation of a stack: every
 * resource's URN, aliases, inputs and options, as the program registers them under mocks. The
 * recorded snapshots in tests/snapshots/ are the contract with stacks already deployed: a refactor
 * that renames a resource (a new URN without an alias to the old one) would make `pulumi up`
 * delete and recreate it, one that drops a recorded alias would do the same to stacks deployed
 * before the alias, and one that changes inputs would change the cluster.
 *
 * Regenerate deliberately, and review the diff like a `pulumi preview --diff`:
 *   UPDATE_SNAPSHOTS=1 npx mocha tests/state-snapshot.test.ts
 */
import * as fs from "fs";
import * as path from "path";
import { ProgramRun, RecordedResource, fakeSecretValue, projectRoot, readStackConfig, runProgram, runStack, runStackFile, userSecrets } from "./mocks";

type Values = Record<string, any>;

const stackSection = (stack: string, key: string): Values => structuredClone((readStackConfig(stack).values[`llm-platform:${key}`] as Values | undefined) ?? {});

/** Staging with its orchestrator blue-green: 1.4.2 on blue, 1.5.0 with FEATURE_NEW_PLANNER on green, `active` live. */
export function blueGreenStaging(active: "blue" | "green"): Values {
    const services = stackSection("staging", "services");
    services.orchestrator.image = { repository: services.orchestrator.image.repository };
    services.orchestrator.release = { strategy: "blueGreen", active, blue: { image: { tag: "1.4.2" } }, green: { image: { tag: "1.5.0" }, env: { FEATURE_NEW_PLANNER: "true" } } };
    return { services };
}

/** The stacks as their users run them, and variations that reach the program's other branches. */
export const variants: Record<string, () => Promise<ProgramRun>> = {
    dev: () => runStack("dev"),
    staging: () => runStack("staging"),
    prod: () => runStack("prod"),
    pr: () => runProgram("pr", { secrets: { anthropicApiKey: fakeSecretValue("anthropicApiKey") } }),
    /** A namespace shared with other workloads (not created): the default-deny selects only the stack's pods (#15). */
    "prod-shared-namespace": () => runStack("prod", { set: { namespace: { name: "shared-team", create: false } } }),
    /** Managed data stores with existing Secrets; the app's keys from an existing Secret. */
    "prod-external-data-existing-secrets": () =>
        runStack("prod", {
            set: {
                postgresql: { mode: "external", auth: { database: "llm", username: "llm_app" }, external: { host: "db.example.com", port: 6432, existingSecret: "managed-db", cidrs: ["10.20.0.0/16"] } },
                redis: { mode: "external", external: { host: "cache.example.com", existingSecret: "managed-cache", passwordKey: "auth-token" } },
                secrets: {
                    source: "existing",
                    existingSecret: { name: "llm-keys", keys: { anthropicApiKey: "anthropic", openaiApiKey: "openai", cohereApiKey: "cohere", vectorDbApiKey: "pinecone" } },
                },
            },
        }),
    /** Managed data stores whose passwords ESO syncs; a ClusterSecretStore that exists. */
    "prod-external-synced-data": () =>
        runStack("prod", {
            set: {
                postgresql: { mode: "external", auth: { passwordSource: "external-secrets", remoteRefs: { userPassword: { key: "rds!db-0123", property: "password" } } }, external: { host: "db.example.com" } },
                redis: { mode: "external", auth: { passwordSource: "external-secrets", remoteRef: { key: "cache", property: "token" } }, external: { host: "cache.example.com" } },
                secrets: { ...stackSection("prod", "secrets"), store: { create: false, kind: "ClusterSecretStore", name: "org-aws" } },
            },
        }),
    /** Secrets from config, Redis with Sentinel, two services calling each other, GCP store for the data tier. */
    "staging-pulumi-sentinel-two-services": () => {
        const services = stackSection("staging", "services");
        services.frontend = { component: "frontend", image: { repository: "ghcr.io/example/web", tag: "2.0.0" }, metrics: { enabled: false }, connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false, services: ["orchestrator"] } };
        return runStack("staging", {
            set: {
                services,
                redis: { ...stackSection("staging", "redis"), auth: { passwordSource: "external-secrets", remoteRef: { key: "redis" } }, sentinel: { enabled: true, quorum: 2 } },
                secrets: { source: "pulumi", store: { provider: "gcp", kind: "ClusterSecretStore", gcp: { projectID: "acme-llm" }, serviceAccount: { name: "eso", create: true, annotations: { "iam.gke.io/gcp-service-account": "eso@acme-llm.iam.gserviceaccount.com" } } } },
            },
            secrets: Object.fromEntries(["anthropicApiKey", "openaiApiKey", "vectorDbApiKey", "appSecretKey"].map((k) => [k, fakeSecretValue(k)])),
        });
    },
    /** Azure Key Vault store; in-cluster PostgreSQL passwords from the manager, standalone. */
    "dev-azure-store": () =>
        runStack("dev", {
            set: {
                postgresql: { ...stackSection("dev", "postgresql"), auth: { passwordSource: "external-secrets", remoteRefs: { adminPassword: { key: "pg-admin" }, userPassword: { key: "pg-user" } } } },
                secrets: { source: "pulumi", store: { provider: "azure", azure: { vaultUrl: "https://llm-dev.vault.azure.net" } } },
            },
            secrets: userSecrets.dev,
        }),
    /** The secret catalog's three places in one stack: stack config, a remote ref beside it, an existing Secret per provider; a frontend without secrets (#12). */
    "dev-secret-catalog-places": () =>
        runProgram("dev", {
            set: {
                services: {
                    orchestrator: { ...stackSection("dev", "services").orchestrator, secrets: ["anthropicApiKey", "appSecretKey", "jwtSecret", "smtpPassword"] },
                    web: { component: "frontend", image: { repository: "docker.io/nginxinc/nginx-unprivileged", tag: "1.27.4-alpine" }, securityContext: { preset: "web-server" }, metrics: { enabled: false }, connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false } },
                },
                secrets: {
                    source: "pulumi",
                    store: { create: false, kind: "ClusterSecretStore", name: "org-vault" },
                    entries: {
                        anthropicApiKey: { existingSecret: { name: "anthropic-credentials", key: "api-key" } },
                        jwtSecret: {},
                        smtpPassword: { env: "SMTP_PASS", remoteRef: { key: "mail/smtp", property: "password" } },
                    },
                },
            },
            secrets: { appSecretKey: fakeSecretValue("appSecretKey"), jwtSecret: fakeSecretValue("jwtSecret") },
        }),
    /** Autoscaling without a budget configured: the PDB of maxUnavailable 1 that comes with it (#27). */
    "dev-autoscaling-default-budget": () => {
        const services = stackSection("dev", "services");
        services.orchestrator.autoscaling = { enabled: true, minReplicas: 2, maxReplicas: 4 };
        return runStack("dev", { set: { services } });
    },
    /** Profiles (#27): the service large with its own memory limit, PostgreSQL medium, Redis small; the objects show the resolved values. */
    "staging-profiles": () => {
        const services = stackSection("staging", "services");
        delete services.orchestrator.resources;
        delete services.orchestrator.autoscaling;
        services.orchestrator.profile = "large";
        services.orchestrator.resources = { limits: { memory: "8Gi" } };
        return runStack("staging", { set: { services, postgresql: { ...stackSection("staging", "postgresql"), profile: "medium" }, redis: { ...stackSection("staging", "redis"), profile: "small" } } });
    },
    /** Blue-green (#25): the orchestrator's two tracks, 1.4.2 on blue (live) and 1.5.0 with a setting of its own on green. */
    "staging-blue-green": () => runStack("staging", { set: blueGreenStaging("blue") }),
    /** Canary (#25): the orchestrator's Deployment handed to an Argo Rollouts Rollout, with the default steps and the analysis. */
    "staging-canary": () => {
        const services = stackSection("staging", "services");
        services.orchestrator.release = { strategy: "canary", canary: { analysis: { prometheusAddress: "http://prometheus-operated.monitoring:9090" } } };
        return runStack("staging", { set: { services, cluster: { argoRollouts: true } } });
    },
    /** No Redis (#27): redis.enabled false, the service connecting to PostgreSQL only. */
    "staging-no-redis": () => {
        const services = stackSection("staging", "services");
        services.orchestrator.connectsTo = { redis: false };
        return runStack("staging", { set: { services, redis: { enabled: false } } });
    },
    /** No PostgreSQL (#27): postgresql.enabled false in production, so no backup, alert or dashboard row of it either. */
    "prod-no-postgresql": () => {
        const services = stackSection("prod", "services");
        services.orchestrator.connectsTo = { postgresql: false };
        return runStack("prod", { set: { services, postgresql: { enabled: false } } });
    },
    /** The stack-wide storageClass on every claim, and the Ingress host from domain (#27). */
    "prod-storage-class-domain": () => {
        const services = stackSection("prod", "services");
        services.orchestrator.ingress.hosts = [];
        return runStack("prod", { set: { services, storageClass: "fast-ssd", domain: "llm.example.com" } });
    },
    /** Logs (#26): the monitoring stack with its own Loki (SingleBinary in development) and the collector, Grafana's Loki datasource, a logs panel per service. */
    "dev-logs": () => runStack("dev", { set: { monitoring: { enabled: true, stack: { enabled: true }, logs: { enabled: true } } } }),
    /** Logs (#26) without the monitoring stack: the collector ships to an existing Loki, its password a secret entry from stack config. */
    "staging-logs-external": () =>
        runStack("staging", {
            set: {
                monitoring: { ...stackSection("staging", "monitoring"), logs: { enabled: true, destination: { type: "loki", url: "https://logs.example.com/loki/api/v1/push", tenantId: "llm", basicAuth: { username: "llm", passwordEntry: "lokiPassword" } } } },
                secrets: { ...stackSection("staging", "secrets"), entries: { ...stackSection("staging", "secrets").entries, lokiPassword: { configKey: "lokiPassword" } } },
            },
            secrets: { lokiPassword: fakeSecretValue("lokiPassword") },
        }),
    /** examples/backend-frontend.yaml, as its user runs it (#12 item 9). */
    "example-backend-frontend": () => runStackFile("examples/backend-frontend.yaml", { secrets: { jwtSecret: fakeSecretValue("jwtSecret") } }),
};

/** One resource as the snapshot keeps it. */
export interface SnapshotEntry {
    urn: string;
    inputs: unknown;
    secretPaths: string[];
    parent: string;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    dependsOn: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** The URNs the resource was known by before: a deployed stack may still hold them. */
    aliases: string[];
}

/** A run's resources in snapshot form, sorted by URN, with the aliases that map them onto older URNs. */
export function snapshotOf(resources: readonly RecordedResource[]): SnapshotEntry[] {
    return resources
        .map((r) => ({
            urn: r.urn,
            inputs: r.inputs,
            secretPaths: [...r.secretPaths].sort(),
            parent: r.options.parent,
            protect: r.options.protect,
            retainOnDelete: r.options.retainOnDelete,
            deleteBeforeReplace: r.options.deleteBeforeReplace,
            dependsOn: [...r.options.dependsOn].sort(),
            ignoreChanges: [...r.options.ignoreChanges].sort(),
            replaceOnChanges: [...r.options.replaceOnChanges].sort(),
            additionalSecretOutputs: [...r.options.additionalSecretOutputs].sort(),
            // The program's own aliases: the Kubernetes SDK adds one per older apiVersion of a kind,
            // which is no contract of this program.
            aliases: r.options.aliases.filter((alias) => alias.split("::").pop() === r.name && alias.split("::")[2].split("$").pop() === r.type).sort(),
        }))
        .sort((a, b) => a.urn.localeCompare(b.urn));
}

export const snapshotDir = path.join(projectRoot, "tests", "snapshots");

export function snapshotFile(variant: string): string {
    return path.join(snapshotDir, `${variant}.json`);
}

export function readSnapshot(variant: string): SnapshotEntry[] | undefined {
    const file = snapshotFile(variant);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as SnapshotEntry[]) : undefined;
}

export function writeSnapshot(variant: string, entries: readonly SnapshotEntry[]): void {
    fs.mkdirSync(snapshotDir, { recursive: true });
    fs.writeFileSync(snapshotFile(variant), `${JSON.stringify(entries, null, 1)}\n`);
}
