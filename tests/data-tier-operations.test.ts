/**
 * Operating the data tier (#13 items 2 and 5): scheduled PostgreSQL backups, the restore of a
 * chosen dump, in-cluster passwords from an existing Secret, and the rotation of generated
 * passwords, as pure functions, as config rules with their exact messages, and under mocks per
 * stack (including the protect options of what holds data).
 */
import { strict as assert } from "assert";
import { postgresJobNetworkPolicySpec } from "../network/network-policies";
import { isDeepStrictEqual } from "util";
import { backupClaimSpec, backupCronJobSpec, backupPodSpec, backupScript, passwordSyncPodSpec, passwordSyncScript, restoreJobName, restorePodSpec, restoreScript } from "../data-tier/postgres-jobs.specs";
import { passwordKeepers } from "../data-tier/data-store";
import { Problem } from "../validation/problem";
import { backupEnabled, dataTierProblems } from "../data-tier/data-tier.rules";
import { postgresqlSchema, redisSchema } from "../data-tier/data-tier.schema";
import { isCronSchedule } from "../validation/primitives";
import { problemsOf } from "./config-harness";
import { ProgramRun, RecordedResource, readStackConfig, runStack } from "./mocks";

type Values = Record<string, any>;

const base = { image: "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4", imagePullSecrets: ["pull"] };
const connection = { host: "pg.ns.svc.cluster.local", database: "llm_platform", user: "llm_platform", password: { name: "pg-auth", key: "password" } };
const backup = { schedule: "0 3 * * *", retentionDays: 7, storage: { size: "20Gi" }, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } };
const postgresPods = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "llm-platform-test-postgresql" };

/** Every container of a pod, init containers first. */
const containersOf = (pod: Values): Values[] => [...(pod.initContainers ?? []), ...pod.containers];

function assertRestricted(pod: Values): void {
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.restartPolicy, "Never");
    assert.ok(pod.volumes.some((v: Values) => v.name === "tmp" && v.emptyDir), "a writable /tmp");
    for (const container of containersOf(pod)) {
        const sc = container.securityContext;
        assert.deepEqual([sc.runAsNonRoot, sc.readOnlyRootFilesystem, sc.allowPrivilegeEscalation, sc.capabilities.drop, sc.seccompProfile.type], [true, true, false, ["ALL"], "RuntimeDefault"], container.name);
        assert.ok(container.volumeMounts.some((m: Values) => m.mountPath === "/tmp"), container.name);
        assert.ok(container.resources.limits.cpu && container.resources.limits.memory, `${container.name} sets limits`);
    }
}

describe("backups: the pods, the CronJob and the claim", () => {
    it("the dump runs the PostgreSQL image: pg_dump -Fc of the database as the application user, into <db>-<UTC timestamp>.dump, then deletes dumps past retention", () => {
        const pod: Values = backupPodSpec(base, connection, backup, "llm-platform-test-postgresql-backups");
        assert.equal(pod.containers.length, 1);
        const [dump] = pod.containers;
        assert.equal(dump.image, base.image);
        assert.deepEqual(dump.command, ["/bin/bash", "-c", backupScript]);
        assert.match(backupScript, /pg_dump --format=custom --file="\$\{BACKUP_DIR\}\/\$\{name\}\.partial"/);
        assert.match(backupScript, /name="\$\{PGDATABASE\}-\$\(date -u \+%Y%m%dT%H%M%SZ\)\.dump"/);
        assert.match(backupScript, /-name "\$\{PGDATABASE\}-\*\.dump" -mmin "\+\$\(\(RETENTION_DAYS \* 1440\)\)" -print -delete/);
        const env = Object.fromEntries(dump.env.map((e: Values) => [e.name, e.value ?? e.valueFrom]));
        assert.deepEqual(env, {
            PGHOST: "pg.ns.svc.cluster.local",
            PGPORT: "5432",
            PGDATABASE: "llm_platform",
            PGUSER: "llm_platform",
            PGPASSWORD: { secretKeyRef: { name: "pg-auth", key: "password" } },
            HOME: "/tmp",
            BACKUP_DIR: "/backups",
            RETENTION_DAYS: "7",
        });
        assert.deepEqual(pod.volumes[1], { name: "backups", persistentVolumeClaim: { claimName: "llm-platform-test-postgresql-backups" } });
        assert.deepEqual(dump.volumeMounts[1], { name: "backups", mountPath: "/backups" });
        assert.deepEqual(pod.imagePullSecrets, [{ name: "pull" }]);
        assertRestricted(pod);
    });

    it("with an uploader, the dump is an init container and the uploader reads the claim read-only, with its Secret as env", () => {
        const upload = { image: "amazon/aws-cli:2.17.0", command: ["sh", "-c"], args: ['aws s3 cp "$BACKUP_DIR/$(cat /tmp/latest-dump)" s3://acme/'], envFromSecret: "s3-creds" };
        const pod: Values = backupPodSpec(base, connection, { ...backup, upload }, "claim");
        assert.deepEqual(pod.initContainers.map((c: Values) => c.name), ["dump"]);
        const [uploader] = pod.containers;
        assert.equal(uploader.name, "upload");
        assert.equal(uploader.image, "amazon/aws-cli:2.17.0");
        assert.deepEqual([uploader.command, uploader.args], [upload.command, upload.args]);
        assert.deepEqual(uploader.envFrom, [{ secretRef: { name: "s3-creds" } }]);
        assert.deepEqual(uploader.volumeMounts[1], { name: "backups", mountPath: "/backups", readOnly: true });
        assert.ok(!uploader.env.some((e: Values) => e.name === "PGPASSWORD"), "the uploader never sees the database password");
        assert.match(backupScript, /> \/tmp\/latest-dump/);
        assertRestricted(pod);
    });

    it("no password is in a command or argument: only Secret references", () => {
        const pod = JSON.stringify(backupPodSpec(base, connection, backup, "claim"));
        assert.ok(!/password=|PGPASSWORD=/i.test(pod));
    });

    it("the CronJob runs one backup at a time, on schedule in UTC, keeping three finished Jobs of each kind and starting a missed run within an hour", () => {
        const spec: Values = backupCronJobSpec({ schedule: "30 2 * * 0" }, { a: "b" }, { containers: [] });
        assert.deepEqual(
            [spec.schedule, spec.timeZone, spec.concurrencyPolicy, spec.successfulJobsHistoryLimit, spec.failedJobsHistoryLimit, spec.startingDeadlineSeconds],
            ["30 2 * * 0", "Etc/UTC", "Forbid", 3, 3, 3600],
        );
        assert.deepEqual(spec.jobTemplate.spec.template.metadata.labels, { a: "b" });
    });

    it("the claim has the configured size and its own StorageClass (the cluster's default when unset)", () => {
        assert.deepEqual(backupClaimSpec({ size: "50Gi", storageClass: "backup-hdd" }), { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } }, storageClassName: "backup-hdd" });
        assert.ok(!("storageClassName" in backupClaimSpec({ size: "20Gi" })));
    });

    it("the job pods' NetworkPolicy: nothing in, DNS and PostgreSQL out, HTTPS only for the uploader", () => {
        const selector = { "app.kubernetes.io/name": "postgresql-backup", "app.kubernetes.io/instance": "llm-platform-test" };
        const dns = { namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" } };
        const plain: Values = postgresJobNetworkPolicySpec(selector, postgresPods, dns);
        assert.deepEqual(plain.policyTypes, ["Ingress", "Egress"]);
        assert.ok(!("ingress" in plain));
        assert.deepEqual(plain.egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            },
            { to: [{ podSelector: { matchLabels: postgresPods } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
        const upload: Values = postgresJobNetworkPolicySpec(selector, postgresPods, dns, { cidrs: ["0.0.0.0/0"], excluded: ["169.254.169.254/32"] });
        assert.deepEqual(upload.egress[2], { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] });
    });
});

describe("restore: the Job that loads a chosen dump", () => {
    it("is named <release>-restore-<hash of the file>: the same file is the same Job, another file another", () => {
        const name = restoreJobName("llm-platform-staging-postgresql", "llm_platform-20250101T030000Z.dump");
        assert.match(name, /^llm-platform-staging-postgresql-restore-[0-9a-f]{10}$/);
        assert.equal(restoreJobName("llm-platform-staging-postgresql", "llm_platform-20250101T030000Z.dump"), name);
        assert.notEqual(restoreJobName("llm-platform-staging-postgresql", "llm_platform-20250102T030000Z.dump"), name);
        assert.ok(restoreJobName("x".repeat(40), "a.dump").length <= 63, "a Job name fits its job-name label");
    });

    it("runs pg_restore --clean --if-exists --no-owner of the file from the claim (read-only) as the application user, in one transaction, without the dump's extensions", () => {
        const pod: Values = restorePodSpec(base, connection, "llm_platform-20250101T030000Z.dump", "old-stack-backups");
        const [restore] = pod.containers;
        assert.deepEqual(restore.command, ["/bin/bash", "-c", restoreScript]);
        assert.match(restoreScript, /pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --use-list=\/tmp\/restore.list --dbname="\$PGDATABASE" "\$dump"/);
        assert.match(restoreScript, /pg_restore --list "\$dump" \| grep -v ' EXTENSION '/);
        const env = Object.fromEntries(restore.env.map((e: Values) => [e.name, e.value ?? e.valueFrom]));
        assert.equal(env.RESTORE_FILE, "llm_platform-20250101T030000Z.dump");
        assert.equal(env.PGUSER, "llm_platform");
        assert.deepEqual(env.PGPASSWORD, { secretKeyRef: { name: "pg-auth", key: "password" } });
        assert.deepEqual(pod.volumes[1], { name: "backups", persistentVolumeClaim: { claimName: "old-stack-backups", readOnly: true } });
        assertRestricted(pod);
    });
});

describe("password rotation: keepers and the sync Job's pod", () => {
    it("generation 0 has no keepers, so passwords generated before rotation existed are not replaced; any other generation has its own", () => {
        assert.equal(passwordKeepers(0), undefined);
        assert.deepEqual(passwordKeepers(1), { rotation: "1" });
    });

    it("the sync sets each role's password as the superuser, reading names and passwords from the environment, never from its script or args", () => {
        const roles = [{ role: "llm_platform", passwordKey: "password" }, { role: "repl_user", passwordKey: "replication-password" }];
        const superuser = { host: "pg", database: "postgres", user: "postgres", password: { name: "pg-auth", key: "postgres-password" } };
        const pod: Values = passwordSyncPodSpec(base, superuser, roles);
        const env = Object.fromEntries(pod.containers[0].env.map((e: Values) => [e.name, e.value ?? e.valueFrom]));
        assert.equal(env.PGUSER, "postgres");
        assert.deepEqual(env.PGPASSWORD, { secretKeyRef: { name: "pg-auth", key: "postgres-password" } });
        assert.deepEqual([env.ROLE_0, env.PASSWORD_0], ["llm_platform", { secretKeyRef: { name: "pg-auth", key: "password" } }]);
        assert.deepEqual([env.ROLE_1, env.PASSWORD_1], ["repl_user", { secretKeyRef: { name: "pg-auth", key: "replication-password" } }]);
        const script = passwordSyncScript(roles);
        assert.ok(script.includes("\\getenv password_1 PASSWORD_1\nALTER ROLE :\"role_1\" WITH PASSWORD :'password_1';"));
        assert.ok(script.includes("psql --no-psqlrc -v ON_ERROR_STOP=1 <<'SQL'"), "a quoted heredoc: the shell expands nothing in it");
        assertRestricted(pod);
    });
});

describe("config: backups, restore, existing Secrets and rotation", () => {
    const pg = (raw: Values = {}) => postgresqlSchema.parse(raw);
    const redis = (raw: Values = {}) => redisSchema.parse(raw);
    const problems = (environment: "development" | "staging" | "production", postgresql: Values = {}, redisRaw: Values = {}): Problem[] =>
        dataTierProblems({ environment, postgresql: pg(postgresql), redis: redis(redisRaw) });
    const resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
    const prodPg = { primary: { resources } };

    it("backups default: on in production in the cluster, off elsewhere and for external databases", () => {
        assert.equal(backupEnabled("production", pg()), true);
        assert.equal(backupEnabled("staging", pg()), false);
        assert.equal(backupEnabled("staging", pg({ backup: { enabled: true } })), true);
        assert.equal(backupEnabled("production", pg({ backup: { enabled: false } })), false);
        assert.equal(backupEnabled("production", pg({ mode: "external" })), false);
        assert.deepEqual(pg().backup, { schedule: "0 3 * * *", retentionDays: 7, storage: { size: "20Gi" }, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } });
    });

    it("the schedule is what the CronJob controller accepts: five fields in range, its descriptors, @every", () => {
        const accepted = ["0 3 * * *", "*/15 * * * *", "0 2 1,15 * 1-5", "30 4 * * 6", "0 3 * JAN-MAR MON-FRI", "0 3 ? * SUN", "@daily", "@hourly", "@weekly", "@monthly", "@yearly", "@annually", "@midnight", "@every 6h", "@every 1h30m"];
        for (const ok of accepted) assert.ok(isCronSchedule(ok), ok);
        // Refused by the controller's parser, though other crons take some of them: seconds or years, L, W and #, Sunday as 7, a time zone prefix.
        const refused = ["@reboot", "@every", "@every 0s", "@every soon", "0 3 * *", "0 24 * * *", "60 * * * *", "0 3 * * 7", "0 3 * * 8", "5-1 * * * *", "0 3 * * * *", "0 0 3 * * * 2026", "0 3 L * *", "0 3 15W * *", "0 3 * * 5#2", "0 3 * * 5L", "TZ=UTC 0 3 * * *", "0 3 * FOO *"];
        for (const bad of refused) assert.ok(!isCronSchedule(bad), bad);
        const base = (): Values => ({ environment: "staging", services: { api: { image: { repository: "a/b", tag: "1" } } }, postgresql: { backup: { schedule: "0 25 * * *" } } });
        assert.deepEqual(problemsOf(base, () => undefined), [
            { key: "postgresql.backup.schedule", given: "0 25 * * *", expected: 'a schedule the CronJob controller accepts: five fields such as "0 3 * * *" (minute hour day-of-month month day-of-week, the day of the week 0-6 or SUN-SAT), @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>' },
        ]);
    });

    it("a restore file is a plain .dump name in the claim's root, and an uploader image has a tag or digest", () => {
        assert.equal(postgresqlSchema.safeParse({ restore: { file: "../etc/passwd.dump" } }).success, false);
        assert.equal(postgresqlSchema.safeParse({ restore: { file: "llm_platform-20250101T030000Z.dump" } }).success, true);
        const base = (): Values => ({
            environment: "staging",
            services: { api: { image: { repository: "a/b", tag: "1" } } },
            postgresql: { restore: { file: "dump.sql" }, backup: { enabled: true, upload: { image: "amazon/aws-cli", command: ["aws"] } } },
        });
        assert.deepEqual(problemsOf(base, () => undefined), [
            { key: "postgresql.backup.upload.image", given: "amazon/aws-cli", expected: 'an image with a tag or a digest, such as "amazon/aws-cli:2.17.0"' },
            { key: "postgresql.restore.file", given: "dump.sql", expected: 'a dump file name in the claim\'s root such as "llm_platform-20250101T030000Z.dump" (letters, digits, _ . -, ending in .dump)' },
        ]);
    });

    it("backups and restores are of the in-cluster database: external mode refuses them", () => {
        const external = { mode: "external", external: { host: "db.example.com", existingSecret: "db" }, backup: { enabled: true }, restore: { file: "a.dump" } };
        assert.deepEqual(problems("production", external), [
            { key: "postgresql.backup.enabled", given: true, expected: 'false or unset, because postgresql.mode is "external": back up a managed database with its provider\'s backups' },
            { key: "postgresql.restore", given: { file: "a.dump", timeoutSeconds: 3600 }, expected: 'nothing, because postgresql.mode is "external": restore a managed database with its provider\'s tools' },
        ].concat(problems("production", { mode: "external", external: { host: "db.example.com", existingSecret: "db" } }) as never[]));
    });

    it("a restore needs a claim: the stack's backup claim, or claimName when backups are off", () => {
        assert.deepEqual(problems("staging", { restore: { file: "a.dump" } }), [
            { key: "postgresql.restore.claimName", given: undefined, expected: "the claim holding the dump, because postgresql.backup is off and the stack has no backup claim" },
        ]);
        assert.deepEqual(problems("staging", { restore: { file: "a.dump", claimName: "old-backups" } }), []);
        assert.deepEqual(problems("staging", { restore: { file: "a.dump" }, backup: { enabled: true } }), []);
        assert.deepEqual(problems("production", { ...prodPg, restore: { file: "a.dump" } }, { master: { resources } }), []);
    });

    it("an existing Secret in the cluster: passwordSource existing and existingSecret go together; external mode keeps external.existingSecret", () => {
        assert.deepEqual(problems("staging", { auth: { passwordSource: "existing" } }, { auth: { existingSecret: { name: "cache" } } }), [
            { key: "postgresql.auth.existingSecret", given: undefined, expected: 'the Secret holding the passwords ({name, keys?}), because postgresql.auth.passwordSource is "existing"' },
            { key: "redis.auth.existingSecret", given: { name: "cache", key: "redis-password" }, expected: 'nothing, because redis.auth.passwordSource is "generated" (set it to "existing" to read the passwords from this Secret)' },
        ]);
        assert.deepEqual(problems("staging", { auth: { passwordSource: "existing", existingSecret: { name: "db", keys: { userPassword: "app" } } } }, { auth: { passwordSource: "existing", existingSecret: { name: "cache" } } }), []);
        assert.deepEqual(pg({ auth: { existingSecret: { name: "db" } } }).auth.existingSecret, { name: "db", keys: { adminPassword: "postgres-password", userPassword: "password", replicationPassword: "replication-password" } });
        assert.deepEqual(problems("staging", { mode: "external", auth: { passwordSource: "existing" }, external: { host: "db.example.com", existingSecret: "db" } }), [
            { key: "postgresql.auth.passwordSource", given: "existing", expected: '"generated" or "external-secrets", because postgresql.mode is "external": name its Secret in postgresql.external.existingSecret' },
        ]);
    });

    it("rotation is of generated passwords only", () => {
        assert.deepEqual(problems("staging", { auth: { rotation: 1 } }, { auth: { rotation: 3 } }), []);
        assert.deepEqual(problems("staging", { auth: { passwordSource: "existing", existingSecret: { name: "db" }, rotation: 1 } }, { mode: "external", external: { host: "c.example.com", existingSecret: "c" }, auth: { rotation: 1 } }), [
            { key: "postgresql.auth.rotation", given: 1, expected: '0, because postgresql.auth.passwordSource is "existing": the program rotates only the passwords it generates (rotate the others where they are kept)' },
            { key: "redis.auth.rotation", given: 1, expected: '0, because redis.mode is "external": the program rotates only the passwords it generates (rotate the others where they are kept)' },
        ]);
    });
});

/** The stack file's section, changed. */
function section(stack: string, store: "postgresql" | "redis", change: Values): Values {
    const current = structuredClone((readStackConfig(stack).values[`llm-platform:${store}`] as Values | undefined) ?? {});
    return { ...current, ...change };
}

const claimType = "kubernetes:core/v1:PersistentVolumeClaim";
const cronJobType = "kubernetes:batch/v1:CronJob";
const jobType = "kubernetes:batch/v1:Job";
const chartType = "kubernetes:helm.sh/v4:Chart";
const chartOf = (run: ProgramRun, store: string): RecordedResource => run.ofType(chartType).find((r) => r.inputs.values?.nameOverride === store)!;

describe("backups under mocks, per stack", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runStack("prod");
    });

    it("prod: a backup claim of its own, protected and retained (it holds data), and a CronJob dumping as the application user", () => {
        const claim = prod.one(claimType, "postgresql-backup-claim");
        assert.equal(claim.inputs.metadata.name, "llm-platform-prod-postgresql-backups");
        assert.deepEqual([claim.options.protect, claim.options.retainOnDelete], [true, true]);
        const cron = prod.one(cronJobType, "postgresql-backup-cronjob");
        assert.equal(cron.inputs.metadata.name, "llm-platform-prod-postgresql-backup");
        assert.deepEqual([cron.options.protect, cron.options.retainOnDelete], [false, false], "the CronJob holds no data");
        const pod = cron.inputs.spec.jobTemplate.spec.template.spec;
        assert.equal(pod.containers[0].image, "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4");
        assert.equal(pod.volumes[1].persistentVolumeClaim.claimName, "llm-platform-prod-postgresql-backups");
        const env = Object.fromEntries(pod.containers[0].env.map((e: Values) => [e.name, e.value ?? e.valueFrom]));
        assert.equal(env.PGHOST, "llm-platform-prod-postgresql-primary.llm-platform.svc.cluster.local");
        assert.deepEqual(env.PGPASSWORD, { secretKeyRef: { name: "llm-platform-prod-postgresql-auth", key: "password" } });
    });

    it("prod: the backup pods have their own NetworkPolicy, and PostgreSQL's admits them", () => {
        const policy = prod.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-backup-netpol");
        const selector = { "app.kubernetes.io/name": "postgresql-backup", "app.kubernetes.io/instance": "llm-platform-prod" };
        assert.deepEqual(policy.inputs.spec.podSelector.matchLabels, selector);
        const from = prod.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-netpol").inputs.spec.ingress[0].from;
        assert.ok(from.some((peer: Values) => isDeepStrictEqual(peer.podSelector.matchLabels, selector)));
    });

    it("dev and staging: no backups unless enabled; enabled in staging, the claim is not protected (data safety is off there)", async () => {
        const staging = await runStack("staging");
        assert.deepEqual([staging.ofType(claimType).filter((r) => r.name.includes("backup")).length, staging.ofType(cronJobType).length], [0, 0]);
        const enabled = await runStack("staging", { set: { postgresql: section("staging", "postgresql", { backup: { enabled: true, storage: { size: "5Gi", storageClass: "standard" }, retentionDays: 3, schedule: "15 1 * * *" } }) } });
        const claim = enabled.one(claimType, "postgresql-backup-claim");
        assert.deepEqual([claim.options.protect, claim.options.retainOnDelete], [false, false]);
        assert.deepEqual(claim.inputs.spec.resources.requests.storage, "5Gi");
        assert.equal(claim.inputs.spec.storageClassName, "standard");
        const cron = enabled.one(cronJobType);
        assert.equal(cron.inputs.spec.schedule, "15 1 * * *");
    });

    it("prod with postgresql.backup.enabled false: no claim, CronJob or backup NetworkPolicy", async () => {
        const off = await runStack("prod", { set: { postgresql: section("prod", "postgresql", { backup: { enabled: false } }) } });
        assert.equal(off.ofType(cronJobType).length, 0);
        assert.equal(off.ofType(claimType).filter((r) => r.name.includes("backup")).length, 0);
    });
});

describe("restore under mocks", () => {
    it("a restore Job named for the file, from the stack's backup claim, after the chart is ready and the claim exists", async () => {
        const run = await runStack("staging", { set: { postgresql: section("staging", "postgresql", { backup: { enabled: true }, restore: { file: "llm_platform-20250101T030000Z.dump" } }) } });
        const job = run.one(jobType, "postgresql-restore");
        assert.equal(job.inputs.metadata.name, restoreJobName("llm-platform-staging-postgresql", "llm_platform-20250101T030000Z.dump"));
        assert.deepEqual(job.inputs.metadata.annotations, { "pulumi.com/replaceUnready": "true" });
        assert.deepEqual([job.inputs.spec.backoffLimit, job.inputs.spec.activeDeadlineSeconds], [0, 3600]);
        const pod = job.inputs.spec.template.spec;
        assert.equal(pod.volumes[1].persistentVolumeClaim.claimName, "llm-platform-staging-postgresql-backups");
        assert.ok(job.options.dependsOn.includes(chartOf(run, "postgresql").urn), "waits for the release");
        assert.ok(job.options.dependsOn.includes(run.one(claimType, "postgresql-backup-claim").urn), "waits for the claim");
        assert.ok(job.options.dependsOn.includes(run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-restore-netpol").urn), "and for its NetworkPolicy");
        assert.equal(job.options.protect, false);
    });

    it("into a fresh stack without backups: from the named claim", async () => {
        const run = await runStack("dev", { set: { postgresql: section("dev", "postgresql", { restore: { file: "llm_platform-20250101T030000Z.dump", claimName: "copied-dumps" } }) } });
        const job = run.one(jobType, "postgresql-restore");
        assert.equal(job.inputs.spec.template.spec.volumes[1].persistentVolumeClaim.claimName, "copied-dumps");
        assert.equal(run.ofType(cronJobType).length, 0);
    });
});

describe("in-cluster passwords from an existing Secret, under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("staging", {
            set: {
                postgresql: section("staging", "postgresql", { auth: { passwordSource: "existing", existingSecret: { name: "db-creds", keys: { adminPassword: "admin", userPassword: "app", replicationPassword: "repl" } } } }),
                redis: section("staging", "redis", { auth: { passwordSource: "existing", existingSecret: { name: "cache-creds", key: "token" } } }),
            },
        });
    });

    it("creates no password, Secret or ExternalSecret for the data stores", () => {
        assert.equal(run.ofType("random:index/randomPassword:RandomPassword").length, 0);
        assert.ok(!run.ofType("kubernetes:core/v1:Secret").some((r) => /-(postgresql|redis)-auth$/.test(r.inputs.metadata?.name ?? "")));
        assert.ok(!run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").some((r) => /^(postgresql|redis)-auth$/.test(r.name)));
    });

    it("hands the charts that Secret by name with the configured keys", () => {
        assert.deepEqual(chartOf(run, "postgresql").inputs.values.auth.existingSecret, "db-creds");
        assert.deepEqual(chartOf(run, "postgresql").inputs.values.auth.secretKeys, { adminPasswordKey: "admin", userPasswordKey: "app", replicationPasswordKey: "repl" });
        const redisAuth = chartOf(run, "redis").inputs.values.auth;
        assert.deepEqual([redisAuth.existingSecret, redisAuth.existingSecretPasswordKey], ["cache-creds", "token"]);
    });

    it("the application reads DATABASE_PASSWORD and REDIS_PASSWORD from it", () => {
        const env = run.ofType("kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec.containers[0].env;
        const byName = Object.fromEntries(env.map((e: Values) => [e.name, e.valueFrom?.secretKeyRef]));
        assert.deepEqual(byName.DATABASE_PASSWORD, { name: "db-creds", key: "app" });
        assert.deepEqual(byName.REDIS_PASSWORD, { name: "cache-creds", key: "token" });
    });
});

describe("rotation of generated passwords, under mocks", () => {
    const passwordType = "random:index/randomPassword:RandomPassword";

    it("staging as deployed (rotation 0): no keepers, no sync Job, no annotation: nothing changes for stacks that never rotate", async () => {
        const run = await runStack("staging");
        assert.ok(run.ofType(passwordType).every((r) => !("keepers" in r.inputs)));
        assert.equal(run.ofType(jobType).filter((r) => r.name.includes("password-sync")).length, 0);
        assert.ok(!("annotations" in run.ofType("kubernetes:apps/v1:Deployment")[0].inputs.spec.template.metadata));
    });

    it("rotation 1: new user and replication passwords (not the superuser's), set in the database by a Job before the application rolls to them", async () => {
        const run = await runStack("staging", { set: { postgresql: section("staging", "postgresql", { auth: { rotation: 1 } }), redis: section("staging", "redis", { auth: { rotation: 2 } }) } });
        const keepers = Object.fromEntries(run.ofType(passwordType).map((r) => [r.name, r.inputs.keepers]));
        assert.deepEqual(keepers, { "postgresql-admin-password": undefined, "postgresql-user-password": { rotation: "1" }, "postgresql-replication-password": { rotation: "1" }, "redis-password": { rotation: "2" } });

        const sync = run.one(jobType, "postgresql-password-sync");
        assert.equal(sync.inputs.metadata.name, "llm-platform-staging-postgresql-password-sync-1");
        const env = Object.fromEntries(sync.inputs.spec.template.spec.containers[0].env.map((e: Values) => [e.name, e.value ?? e.valueFrom]));
        assert.deepEqual([env.PGUSER, env.ROLE_0, env.ROLE_1], ["postgres", "llm_platform", "repl_user"]);
        const secret = run.ofType("kubernetes:core/v1:Secret").find((r) => r.inputs.metadata?.name === "llm-platform-staging-postgresql-auth")!;
        assert.ok(sync.options.dependsOn.includes(secret.urn) && sync.options.dependsOn.includes(chartOf(run, "postgresql").urn), "after the Secret and the release");

        const deployment = run.ofType("kubernetes:apps/v1:Deployment")[0];
        assert.ok(deployment.options.dependsOn.includes(sync.urn), "the Deployment waits for the sync");
        assert.ok(deployment.options.dependsOn.includes(chartOf(run, "redis").urn), "and for Redis restarted with its new password");
        assert.deepEqual(deployment.inputs.spec.template.metadata.annotations, { "llm-platform/postgresql-password-generation": "1", "llm-platform/redis-password-generation": "2" });
        const redisValues = chartOf(run, "redis").inputs.values;
        assert.deepEqual([redisValues.master.podAnnotations, redisValues.replica.podAnnotations], [{ "llm-platform/password-generation": "2" }, { "llm-platform/password-generation": "2" }]);

        const policy = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-password-sync-netpol");
        assert.equal(policy.inputs.spec.podSelector.matchLabels["app.kubernetes.io/name"], "postgresql-password-sync");
    });

    it("prod with generated passwords and rotation: the rotated RandomPasswords stay protected (data safety is on)", async () => {
        const pgSection = section("prod", "postgresql", {});
        pgSection.auth = { rotation: 1 };
        const redisSection = section("prod", "redis", {});
        redisSection.auth = {};
        const run = await runStack("prod", { set: { postgresql: pgSection, redis: redisSection } });
        assert.ok(run.ofType(passwordType).every((r) => r.options.protect), "each RandomPassword is protected");
        assert.equal(run.one(jobType, "postgresql-password-sync").options.protect, false);
    });
});
