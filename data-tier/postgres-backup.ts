import * as pulumi from "@pulumi/pulumi";
import { Labels, WorkloadIdentity, selectorLabels, standardLabels } from "../lib/labels";
import { dataSafetyOptions } from "./data-store";
import * as k8s from "../platform/k8s";
import { HttpsEgress, postgresJobNetworkPolicySpec } from "../network/network-policies";
import { PeerSelector } from "../network/network.args";
import { JobPodBase, PostgresConnection, backupClaimName, backupClaimSpec, backupCronJobName, backupCronJobSpec, backupPodSpec } from "./postgres-jobs.specs";
import { PostgresBackupSpec } from "./data-tier.args";

export interface PostgresBackupArgs {
    /** Namespace of the claim, the CronJob and the NetworkPolicy. */
    readonly namespace: pulumi.Input<string>;
    /** The PostgreSQL release: the claim is "<release>-backups", the CronJob "<release>-backup". */
    readonly release: string;
    /** Who the backup pods are. */
    readonly identity: WorkloadIdentity;
    /** The PostgreSQL image (pg_dump) and its pull Secrets. */
    readonly pod: JobPodBase;
    /** The primary, the application database and user, and the user's password Secret key. */
    readonly connection: PostgresConnection;
    /** Schedule, retention, storage, uploader and resources. */
    readonly backup: PostgresBackupSpec;
    /** Data safety: the claim holds data, so it is protected and retained. @default false */
    readonly protect?: boolean;
    /** The pods' NetworkPolicy: PostgreSQL's pod labels, and where the uploader may reach HTTPS. @default none */
    readonly networkPolicy?: { readonly postgres: Labels; readonly dns: PeerSelector; readonly https: HttpsEgress };
}

/**
 * Scheduled logical backups of the in-cluster PostgreSQL: a claim of their own and a CronJob that
 * runs `pg_dump -Fc` of the application database into it, deletes dumps past their retention and,
 * when configured, hands each new dump to an uploader (object storage). The chart's own
 * backup.cronjob is not used: it runs pg_dumpall with no retention and no uploader, inside the
 * Chart where no object of it can be guarded on its own.
 */
export class PostgresBackup extends pulumi.ComponentResource {
    /** The claim holding the dumps. */
    public readonly claim: k8s.core.v1.PersistentVolumeClaim;
    /** The claim's name. */
    public readonly claimName: pulumi.Output<string>;
    /** The CronJob's name. */
    public readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: PostgresBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:PostgresBackup", name, {}, opts);
        const labels = standardLabels(args.identity);
        const selector = selectorLabels(args.identity);
        this.claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-claim`, {
            metadata: { name: backupClaimName(args.release), namespace: args.namespace, labels },
            spec: backupClaimSpec(args.backup.storage),
        }, { parent: this, ...dataSafetyOptions(args.protect ?? false, "postgresql").objects });
        this.claimName = this.claim.metadata.name;
        if (args.networkPolicy) {
            const https = args.backup.upload !== undefined ? args.networkPolicy.https : undefined;
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
                metadata: { name: args.identity.name, namespace: args.namespace, labels },
                spec: postgresJobNetworkPolicySpec(selector, args.networkPolicy.postgres, args.networkPolicy.dns, https),
            }, { parent: this });
        }
        const cronJob = new k8s.batch.v1.CronJob(`${name}-cronjob`, {
            metadata: { name: backupCronJobName(args.release), namespace: args.namespace, labels },
            spec: backupCronJobSpec(args.backup, labels, backupPodSpec(args.pod, args.connection, args.backup, this.claimName)),
        }, { parent: this });
        this.cronJobName = cronJob.metadata.name;
        this.registerOutputs({ claimName: this.claimName, cronJobName: this.cronJobName });
    }
}
