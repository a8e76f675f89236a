import * as pulumi from "@pulumi/pulumi";
import { postgresPort, postgresReplicationUser, postgresSecretKeys, postgresSuperuser, postgresqlPrimaryService, postgresqlReadService } from "../lib/bitnami-charts";
import { registryImageReference } from "../lib/image";
import { Labels, selectorLabels } from "../lib/labels";
import { GeneratedPasswordSpec, bitnamiChart, chartAlerts, credentialKey, credentialsGeneration, dataStoreNetworkPolicy, dataStoreParts, externalEndpoint, releaseEndpoint, serviceHost } from "./data-store";
import * as k8s from "../platform/k8s";
import { HttpsEgress, excludedBlocks } from "../network/network-policies";
import { PeerSelector } from "../network/network.args";
import { PostgresBackup } from "./postgres-backup";
import { postgresqlValues } from "./postgres-database.values";
import { JobPodBase, PostgresConnection, backupClaimName, backupIdentity, passwordSyncIdentity, passwordSyncJobName, passwordSyncPodSpec, restoreIdentity, restoreJobName, restorePodSpec } from "./postgres-jobs.specs";
import { PostgresBackupSpec } from "./data-tier.args";
import { PostgresTask } from "./postgres-task";
import { PostgresEndpoint } from "./data-tier.args";
import { PostgresRestoreSpec, PostgresDatabaseArgs } from "./data-tier.args";

/** The RandomPassword of each key of the program's Secret. The superuser's is never rotated by the program: the password sync logs in with it. */
const generatedPasswords: Readonly<Record<string, GeneratedPasswordSpec>> = {
    [postgresSecretKeys.adminPasswordKey]: { suffix: "admin-password", rotates: false },
    [postgresSecretKeys.userPasswordKey]: { suffix: "user-password", rotates: true },
    [postgresSecretKeys.replicationPasswordKey]: { suffix: "replication-password", rotates: true },
};

/**
 * PostgreSQL for the platform: the pinned Bitnami chart (helm.v4.Chart) with passwords the program
 * generates (or ESO syncs from the secret manager, or an existing Secret holds), or an external
 * server. Either way `endpoint` is what the application needs. In the cluster it also runs the
 * scheduled backups, a restore of a chosen dump, and the password sync after a rotation.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** Where and as whom the application connects. */
    public readonly endpoint: PostgresEndpoint;

    /** What the stack outputs show of the connection: host, read host, port, database, user and the password's Secret key. */
    get connection() {
        const { host, port, database, user, passwordSecret } = this.endpoint;
        return { host, readHost: this.readHost, port, database, user, passwordSecret };
    }
    /** The Secret with the passwords (keys "postgres-password", "password", "replication-password"; external: the configured one). */
    public readonly secretName: pulumi.Output<string>;
    /** The read replicas' host, with replication in the cluster. */
    public readonly readHost?: pulumi.Output<string>;
    /** The labels of the chart's pods, in the cluster. */
    public readonly podSelector?: Record<string, string>;
    /** The release, in the cluster. */
    public readonly chart?: k8s.helm.v4.Chart;
    /** The URNs of the chart's objects (platform/chart-objects.ts); none in external mode. */
    public readonly chartObjects?: pulumi.Output<string[]>;
    /** The backups, when on. */
    public readonly backup?: PostgresBackup;
    /** The restore Job, when a restore is configured. */
    public readonly restore?: PostgresTask;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:PostgresDatabase", name, {}, opts);
        const stack = { instance: args.instance, partOf: args.partOf };
        const generation = credentialsGeneration(args.credentials);
        const jobIdentities = args.mode === "in-cluster"
            ? [...(args.backup ? [backupIdentity(stack)] : []), ...(args.restore ? [restoreIdentity(stack)] : []), ...(generation > 0 ? [passwordSyncIdentity(stack)] : [])]
            : [];
        // The program's own jobs connect to the release, so its NetworkPolicy admits them as clients.
        const clients = [...(args.clients ?? []), ...jobIdentities.map(selectorLabels)];
        const { names, partOf, protect, safety, secret, chartInput } = dataStoreParts(this, name, "postgresql", { ...args, clients }, generatedPasswords);
        this.secretName = secret.name;
        const login = { database: args.database, user: args.user };

        if (args.mode === "external") {
            this.endpoint = { ...externalEndpoint(args.server, secret.name), ...login };
            this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
            return;
        }
        const key = (chartKey: keyof typeof postgresSecretKeys) => credentialKey(args.credentials, postgresSecretKeys[chartKey]);
        const keys = { adminPasswordKey: key("adminPasswordKey"), userPasswordKey: key("userPasswordKey"), replicationPasswordKey: key("replicationPasswordKey") };
        const values = postgresqlValues({
            ...chartInput,
            config: args.settings,
            alerts: chartAlerts("postgresql", args.alerts),
            ...(args.credentials.source === "existing" ? { secret: { name: args.credentials.secretName, keys } } : {}),
        });
        // The pods start under their own policy (the chart's are off), not behind the namespace's deny alone.
        const isolation = dataStoreNetworkPolicy(this, name, { ...args, clients, store: "postgresql", names, partOf, sentinel: false });
        const after = [...(args.monitoringStack ? [args.monitoringStack] : []), ...(isolation ? [isolation] : [])];
        const { chart, objects } = bitnamiChart(`${name}-chart`, { source: args.chart, release: names.release, namespace: args.namespace, values, secret: secret.resource, after, safety: safety.chart }, this);
        this.chart = chart;
        this.chartObjects = objects;
        this.podSelector = names.podSelector;
        const replication = args.settings.architecture === "replication";
        this.readHost = replication ? serviceHost(postgresqlReadService(names), args.namespace, args.clusterDomain) : undefined;
        const primary = postgresqlPrimaryService(names, args.settings.architecture);
        const endpoint = releaseEndpoint(names, primary, postgresPort, args.namespace, { name: secret.name, key: keys.userPasswordKey }, args.clusterDomain);

        const jobs: JobsInput = {
            namespace: args.namespace,
            release: names.release,
            stack,
            base: { image: registryImageReference(args.settings.images.postgresql), imagePullSecrets: args.settings.imagePullSecrets },
            app: { host: endpoint.host, ...login, password: endpoint.passwordSecret },
            networkPolicy: args.networkPolicy && { postgres: names.podSelector, dns: args.networkPolicy.dns },
        };
        const https = args.networkPolicy && { cidrs: args.networkPolicy.httpsEgressCidrs, excluded: excludedBlocks(args.networkPolicy) };
        this.backup = args.backup && this.backups(name, jobs, args.backup, protect, https);
        this.restore = args.restore && this.restoreJob(name, jobs, args.restore, chart);
        const sync = generation > 0
            ? this.passwordSync(name, jobs, { generation, replication, keys, secretName: secret.name, after: [chart, ...(secret.resource ? [secret.resource] : [])] })
            : undefined;
        this.endpoint = {
            ...endpoint,
            ...login,
            ...(this.readHost ? { readHost: this.readHost } : {}),
            ...(sync ? { passwordRotation: { generation, after: sync.job } } : {}),
        };
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName, readHost: this.readHost });
    }

    /** The scheduled backups: their claim (guarded by data safety), CronJob and NetworkPolicy. */
    private backups(name: string, jobs: JobsInput, backup: PostgresBackupSpec, protect: boolean, https: HttpsEgress | undefined): PostgresBackup {
        return new PostgresBackup(`${name}-backup`, {
            namespace: jobs.namespace,
            release: jobs.release,
            identity: backupIdentity(jobs.stack),
            pod: jobs.base,
            connection: jobs.app,
            backup,
            protect,
            networkPolicy: jobs.networkPolicy && https && { ...jobs.networkPolicy, https },
        }, { parent: this });
    }

    /** The restore of a chosen dump, once the release is ready (and the backup claim exists). */
    private restoreJob(name: string, jobs: JobsInput, restore: PostgresRestoreSpec, chart: k8s.helm.v4.Chart): PostgresTask {
        return new PostgresTask(`${name}-restore`, {
            namespace: jobs.namespace,
            jobName: restoreJobName(jobs.release, restore.file),
            identity: restoreIdentity(jobs.stack),
            pod: restorePodSpec(jobs.base, jobs.app, restore.file, restore.claimName ?? backupClaimName(jobs.release)),
            timeoutSeconds: restore.timeoutSeconds,
            networkPolicy: jobs.networkPolicy,
            after: [chart, ...(this.backup ? [this.backup.claim] : [])],
        }, { parent: this });
    }

    /**
     * After a rotation of the generated passwords, the Job that sets the new ones in the database
     * (as the superuser, whose password the program never rotates), before the application rolls.
     */
    private passwordSync(name: string, jobs: JobsInput, input: {
        generation: number;
        replication: boolean;
        keys: { adminPasswordKey: string; userPasswordKey: string; replicationPasswordKey: string };
        secretName: pulumi.Output<string>;
        after: pulumi.Resource[];
    }): PostgresTask {
        const superuser: PostgresConnection = { host: jobs.app.host, database: "postgres", user: postgresSuperuser, password: { name: input.secretName, key: input.keys.adminPasswordKey } };
        const roles = [
            { role: jobs.app.user, passwordKey: input.keys.userPasswordKey },
            ...(input.replication ? [{ role: postgresReplicationUser, passwordKey: input.keys.replicationPasswordKey }] : []),
        ];
        return new PostgresTask(`${name}-password-sync`, {
            namespace: jobs.namespace,
            jobName: passwordSyncJobName(jobs.release, input.generation),
            identity: passwordSyncIdentity(jobs.stack),
            pod: passwordSyncPodSpec(jobs.base, superuser, roles),
            timeoutSeconds: 300,
            networkPolicy: jobs.networkPolicy,
            after: input.after,
        }, { parent: this });
    }
}

/** What every job of the release shares. */
interface JobsInput {
    readonly namespace: pulumi.Input<string>;
    readonly release: string;
    readonly stack: { readonly instance: string; readonly partOf: string };
    readonly base: JobPodBase;
    /** The application user's connection. */
    readonly app: PostgresConnection;
    readonly networkPolicy?: { readonly postgres: Labels; readonly dns: PeerSelector };
}
