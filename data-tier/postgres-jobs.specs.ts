/**
 * The pods the program runs against its in-cluster PostgreSQL, as pure functions: the scheduled
 * backup (pg_dump to a claim, an optional uploader), the one-shot restore of a chosen dump, and
 * the password sync after a rotation. They share the connection (libpq's PG* variables, the
 * password from a Secret key), the restricted security contexts and a NetworkPolicy that lets them
 * reach only DNS and PostgreSQL (and HTTPS for the uploader).
 */
import { createHash } from "crypto";
import { Input } from "@pulumi/pulumi";
import { postgresPort } from "../lib/bitnami-charts";
import { Labels, WorkloadIdentity } from "../lib/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../application/security-context.specs";
import { ResourcesSpec } from "./data-tier.args";
import * as k8s from "../platform/k8s";
import { SecretKeyRef } from "../secrets/secrets.args";
import { PostgresBackupSpec } from "./data-tier.args";

/** The jobs' one writable directory (their root filesystem is read-only). */
const writableMounts = { tmp: "/tmp" } as const;

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Where and as whom a job pod connects. */
export interface PostgresConnection {
    /** The primary's host. */
    readonly host: Input<string>;
    /** The database to connect to. */
    readonly database: string;
    /** The role to log in as. */
    readonly user: string;
    /** The Secret key of that role's password. */
    readonly password: SecretKeyRef;
}

/** What every job pod runs with: the PostgreSQL image (it has pg_dump, pg_restore and psql) and its pull Secrets. */
export interface JobPodBase {
    /** The image reference, e.g. "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4". */
    readonly image: string;
    readonly imagePullSecrets: readonly string[];
}

/** The platform instance the jobs belong to. */
export interface JobStack {
    readonly instance: string;
    readonly partOf: string;
}

/** Who the backup pods are. */
export function backupIdentity(stack: JobStack): WorkloadIdentity {
    return { name: "postgresql-backup", instance: stack.instance, component: "backup", partOf: stack.partOf };
}

/** Who the restore pods are. */
export function restoreIdentity(stack: JobStack): WorkloadIdentity {
    return { name: "postgresql-restore", instance: stack.instance, component: "restore", partOf: stack.partOf };
}

/** Who the password sync pods are. */
export function passwordSyncIdentity(stack: JobStack): WorkloadIdentity {
    return { name: "postgresql-password-sync", instance: stack.instance, component: "credentials", partOf: stack.partOf };
}

/** The backup claim of a release: "<release>-backups". */
export function backupClaimName(release: string): string {
    return `${release}-backups`;
}

/** The backup CronJob of a release: "<release>-backup" (CronJob names are at most 52 characters; releases at most 40). */
export function backupCronJobName(release: string): string {
    return `${release}-backup`;
}

/** The length of the hash in a restore Job's name. */
export const restoreHashLength = 10;

/** The restore Job of a dump: "<release>-restore-<hash of the file name>", so a new file is a new Job and the same file is no change. */
export function restoreJobName(release: string, file: string): string {
    return `${release}-restore-${createHash("sha256").update(file).digest("hex").slice(0, restoreHashLength)}`;
}

/** The password sync Job of a generation: "<release>-password-sync-<generation>", so an unchanged generation is no change. */
export function passwordSyncJobName(release: string, generation: number): string {
    return `${release}-password-sync-${generation}`;
}

/** Where the backup claim is mounted in the job pods. */
export const backupMountPath = "/backups";
/** The file in which the dump container leaves the new dump's name for the uploader. */
export const latestDumpFile = `${writableMounts.tmp}/latest-dump`;

/** libpq's variables for a connection; the password only by reference to its Secret key. */
export function connectionEnv(connection: PostgresConnection): EnvVar[] {
    return [
        { name: "PGHOST", value: connection.host },
        { name: "PGPORT", value: String(postgresPort) },
        { name: "PGDATABASE", value: connection.database },
        { name: "PGUSER", value: connection.user },
        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: connection.password.name, key: connection.password.key } } },
        // libpq and psql look for ~/.pgpass and ~/.psqlrc; the root filesystem is read-only.
        { name: "HOME", value: writableMounts.tmp },
    ];
}

/**
 * The dump: `pg_dump -Fc` of the application database into "<db>-<UTC timestamp>.dump" (written
 * as .partial and renamed, so a failed run never leaves a truncated dump under a dump's name),
 * then every dump older than RETENTION_DAYS is deleted, and partial files older than a day.
 */
export const backupScript = [
    "set -euo pipefail",
    'name="${PGDATABASE}-$(date -u +%Y%m%dT%H%M%SZ).dump"',
    'pg_dump --format=custom --file="${BACKUP_DIR}/${name}.partial"',
    'mv "${BACKUP_DIR}/${name}.partial" "${BACKUP_DIR}/${name}"',
    `printf '%s\\n' "$name" > ${latestDumpFile}`,
    'echo "dumped ${PGDATABASE} to ${name}"',
    'find "$BACKUP_DIR" -maxdepth 1 -type f -name "${PGDATABASE}-*.dump" -mmin "+$((RETENTION_DAYS * 1440))" -print -delete',
    'find "$BACKUP_DIR" -maxdepth 1 -type f -name "*.partial" -mmin +1440 -delete',
    "",
].join("\n");

/**
 * The restore: the dump's table of contents without its extensions (they belong to the stack,
 * created by the superuser from postgresql.extensions, and the application user may not drop
 * them), then `pg_restore --clean --if-exists --no-owner` of the rest into the database, in one
 * transaction that stops at the first error, so a failed restore changes nothing.
 */
export const restoreScript = [
    "set -euo pipefail",
    'dump="${BACKUP_DIR}/${RESTORE_FILE}"',
    'if [ ! -f "$dump" ]; then echo "no dump ${RESTORE_FILE} in the claim" >&2; ls -l "$BACKUP_DIR" >&2; exit 1; fi',
    `pg_restore --list "$dump" | grep -v ' EXTENSION ' > ${writableMounts.tmp}/restore.list`,
    `pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --use-list=${writableMounts.tmp}/restore.list --dbname="$PGDATABASE" "$dump"`,
    'echo "restored ${RESTORE_FILE} into ${PGDATABASE}"',
    "",
].join("\n");

/** A role whose password the sync sets, and the environment variable holding the new password. */
export interface SyncedRole {
    readonly role: string;
    /** The Secret key of its (new) password. */
    readonly passwordKey: string;
}

/**
 * The password sync: as the superuser, sets each role's password to the one in the Secret. psql
 * reads the names and passwords from the environment (\getenv), so no password is in an argument
 * or in the script, and quotes them as an identifier and a literal.
 */
export function passwordSyncScript(roles: readonly SyncedRole[]): string {
    const sql = roles.flatMap((_, i) => [`\\getenv role_${i} ROLE_${i}`, `\\getenv password_${i} PASSWORD_${i}`, `ALTER ROLE :"role_${i}" WITH PASSWORD :'password_${i}';`]);
    return ["set -euo pipefail", "psql --no-psqlrc -v ON_ERROR_STOP=1 <<'SQL'", ...sql, "SQL", 'echo "passwords set for: ${SYNCED_ROLES}"', ""].join("\n");
}

/** The containers' resources as the config gives them (limits only where set). */
function resourcesOf(resources: ResourcesSpec): k8s.types.input.core.v1.ResourceRequirements {
    return { requests: { ...resources.requests }, limits: Object.fromEntries(Object.entries(resources.limits).filter(([, v]) => v !== undefined)) as Record<string, string> };
}

/** The resources of the restore and password sync containers. */
export const jobResources: ResourcesSpec = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };

/** A restricted container running a bash script, with a writable /tmp. */
function scriptContainer(name: string, base: JobPodBase, script: string, env: EnvVar[], resources: ResourcesSpec, volumeMounts: k8s.types.input.core.v1.VolumeMount[]): Container {
    return {
        name,
        image: base.image,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/bash", "-c", script],
        env,
        resources: resourcesOf(resources),
        securityContext: restrictedContainerSecurityContext(),
        terminationMessagePolicy: "FallbackToLogsOnError",
        volumeMounts: [{ name: "tmp", mountPath: writableMounts.tmp }, ...volumeMounts],
    };
}

/** A job pod: restricted, no ServiceAccount token, never restarted in place (the Job retries). */
function jobPod(base: JobPodBase, containers: Container[], volumes: k8s.types.input.core.v1.Volume[], initContainers: Container[] = []): PodSpec {
    return {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(),
        ...(base.imagePullSecrets.length > 0 ? { imagePullSecrets: base.imagePullSecrets.map((name) => ({ name })) } : {}),
        ...(initContainers.length > 0 ? { initContainers } : {}),
        containers,
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...volumes],
    };
}

/**
 * The backup pod: the dump container (the PostgreSQL image, as the application user) writes to the
 * claim; with an uploader, the dump runs as an init container and the uploader as the container,
 * with the claim read-only, BACKUP_DIR and the new dump's name in /tmp/latest-dump.
 */
export function backupPodSpec(base: JobPodBase, connection: PostgresConnection, backup: PostgresBackupSpec, claimName: Input<string>): PodSpec {
    const env = [...connectionEnv(connection), { name: "BACKUP_DIR", value: backupMountPath }, { name: "RETENTION_DAYS", value: String(backup.retentionDays) }];
    const volumes = [{ name: "backups", persistentVolumeClaim: { claimName } }];
    const dump = scriptContainer("dump", base, backupScript, env, backup.resources, [{ name: "backups", mountPath: backupMountPath }]);
    if (backup.upload === undefined) return jobPod(base, [dump], volumes);
    const { upload } = backup;
    const uploader: Container = {
        name: "upload",
        image: upload.image,
        imagePullPolicy: "IfNotPresent",
        command: [...upload.command],
        ...(upload.args.length > 0 ? { args: [...upload.args] } : {}),
        env: [{ name: "BACKUP_DIR", value: backupMountPath }, { name: "HOME", value: writableMounts.tmp }],
        ...(upload.envFromSecret !== undefined ? { envFrom: [{ secretRef: { name: upload.envFromSecret } }] } : {}),
        resources: resourcesOf(backup.resources),
        securityContext: restrictedContainerSecurityContext(),
        terminationMessagePolicy: "FallbackToLogsOnError",
        volumeMounts: [{ name: "tmp", mountPath: writableMounts.tmp }, { name: "backups", mountPath: backupMountPath, readOnly: true }],
    };
    return jobPod(base, [uploader], volumes, [dump]);
}

/** The backup CronJob: one run at a time, a few finished Jobs kept for their logs, a missed run started within an hour. */
export function backupCronJobSpec(backup: Pick<PostgresBackupSpec, "schedule">, labels: Labels, pod: PodSpec): k8s.types.input.batch.v1.CronJobSpec {
    return {
        schedule: backup.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: { backoffLimit: 1, template: { metadata: { labels }, spec: pod } },
        },
    };
}

/** The backup claim: one volume, written by one pod at a time. */
export function backupClaimSpec(storage: PostgresBackupSpec["storage"]): k8s.types.input.core.v1.PersistentVolumeClaimSpec {
    return {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: storage.size } },
        ...(storage.storageClass !== undefined ? { storageClassName: storage.storageClass } : {}),
    };
}

/** The restore pod: the chosen dump from the claim (read-only) into the database, as the application user. */
export function restorePodSpec(base: JobPodBase, connection: PostgresConnection, file: string, claimName: Input<string>): PodSpec {
    const env = [...connectionEnv(connection), { name: "BACKUP_DIR", value: backupMountPath }, { name: "RESTORE_FILE", value: file }];
    return jobPod(
        base,
        [scriptContainer("restore", base, restoreScript, env, jobResources, [{ name: "backups", mountPath: backupMountPath, readOnly: true }])],
        [{ name: "backups", persistentVolumeClaim: { claimName, readOnly: true } }],
    );
}

/** The password sync pod: as the superuser, each role's password from its Secret key. */
export function passwordSyncPodSpec(base: JobPodBase, superuser: PostgresConnection, roles: readonly SyncedRole[]): PodSpec {
    const env: EnvVar[] = [
        ...connectionEnv(superuser),
        ...roles.flatMap((r, i): EnvVar[] => [
            { name: `ROLE_${i}`, value: r.role },
            { name: `PASSWORD_${i}`, valueFrom: { secretKeyRef: { name: superuser.password.name, key: r.passwordKey } } },
        ]),
        { name: "SYNCED_ROLES", value: roles.map((r) => r.role).join(" ") },
    ];
    return jobPod(base, [scriptContainer("password-sync", base, passwordSyncScript(roles), env, jobResources, [])], []);
}

/** A one-shot Job: no retry (a failed run fails `pulumi up`), within `timeoutSeconds`, kept after it finishes so the next `up` runs nothing. */
export function oneShotJobSpec(labels: Labels, pod: PodSpec, timeoutSeconds: number): k8s.types.input.batch.v1.JobSpec {
    return { backoffLimit: 0, activeDeadlineSeconds: timeoutSeconds, template: { metadata: { labels }, spec: pod } };
}

/** A failed one-shot Job is replaced by the next `up` instead of awaited again (as the migration Job). */
export const oneShotJobAnnotations: Readonly<Record<string, string>> = { "pulumi.com/replaceUnready": "true" };
