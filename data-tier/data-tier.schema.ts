/**
 * The stack config of the data tier: `llm-platform:postgresql` and `llm-platform:redis`. Each data
 * store runs in the cluster from the pinned Bitnami chart (mode "in-cluster") or is a managed
 * service the application connects to (mode "external"). No password is ever read from here:
 * in-cluster passwords are generated, synced from a secret manager by the External Secrets
 * Operator (`auth.passwordSource: external-secrets`), or read from a Secret that exists
 * (`auth.passwordSource: existing`); external ones stay in an existing Secret named here, or are
 * synced from the manager the same way.
 */
import { z } from "../validation/zod";
import { legacyImage, postgresqlChart, redisChart } from "../lib/bitnami-charts";
import { RegistryImage } from "../lib/image";
import { postgresMemoryPattern, redisMemoryPattern } from "../lib/memory-units";
import { postgresSecretKeys, redisSecretKey } from "../lib/bitnami-charts";
import { byteQuantity, cidr, cpuQuantity, cronSchedule, hostName, imageDigest, imageReferenceString, imageRegistry, imageTag, nonNegativeInt, objectName, port, profileName, ProfileName, repositoryPath, secretDataKey } from "../validation/primitives";
import { remoteRefSchema } from "../secrets/secrets.schema";
import { chartSchema } from "../validation/primitives";

const existingObjectName = objectName("postgres-credentials");
/** An unquoted PostgreSQL identifier. */
const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "a lowercase PostgreSQL identifier such as \"llm_platform\" (a-z, 0-9, _)" });

const imageSchema = (chartImage: RegistryImage) => {
    const fallback = legacyImage(chartImage);
    return z
        .strictObject({
            /** e.g. "docker.io" or an internal mirror "registry.internal:5000". */
            registry: imageRegistry.default(fallback.registry),
            /** e.g. "bitnamilegacy/postgresql". */
            repository: repositoryPath("bitnamilegacy/postgresql").default(fallback.repository),
            tag: imageTag("17.6.0-debian-12-r4").default(fallback.tag),
            /** When set, the chart pulls by digest and ignores the tag. */
            digest: imageDigest.optional(),
        })
        .prefault({});
};

const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: byteQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: byteQuantity.optional() }).default({}),
});

/** The topology of a data store's release. */
const architecture = z.enum(["standalone", "replication"]).default("standalone");

/** The replicas of a replicated release: how many, and their resources (unset: the chart's preset). */
const replicasSchema = (defaultCount: number) =>
    z.strictObject({ replicaCount: z.number().int().min(1).default(defaultCount), resources: resourcesSchema.optional() }).prefault({});

const persistenceSchema = z
    .strictObject({
        /** Keep the data on a PersistentVolumeClaim; off, it lives in an emptyDir and dies with the pod. */
        enabled: z.boolean().default(true),
        size: byteQuantity.default("8Gi"),
        /** The StorageClass of the claims; unset, the cluster's default. */
        storageClass: objectName("gp3").optional(),
    })
    .prefault({});

const externalSchema = (defaultPort: number, defaultKey: string) =>
    z
        .strictObject({
            /** The managed service's host name (mode "external" only). */
            host: hostName.optional(),
            port: port.default(defaultPort),
            /** An existing Secret in the stack's namespace holding the password (mode "external" only). */
            existingSecret: existingObjectName.optional(),
            /** The key of the password in that Secret. */
            passwordKey: secretDataKey("password").default(defaultKey),
            /** The addresses the application may reach the service at, on its port only. */
            cidrs: z.array(cidr("10.0.0.0/8")).min(1).default(["0.0.0.0/0"]),
        })
        .prefault({});

/**
 * "generated": in-cluster, RandomPasswords kept (encrypted) in the stack's state; in external mode
 * the password is in external.existingSecret. "external-secrets": an ExternalSecret syncs the
 * password(s) from the secret manager (secrets.store) into "<project>-<stack>-<store>-auth".
 * "existing" (in-cluster only): a Secret something else manages, named in auth.existingSecret.
 */
const passwordSource = z.enum(["generated", "external-secrets", "existing"]).default("generated");

/**
 * The generation of the generated passwords: raising it generates new ones (the application
 * user's and the replication user's for PostgreSQL, the password for Redis), which the program
 * rolls out (docs/data-tier.md, "Password rotation"). 0 is the passwords first generated.
 */
const rotation = nonNegativeInt.default(0);

/** A dump file name in the root of the backup claim, e.g. "llm_platform-20250101T030000Z.dump". */
const dumpFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}\.dump$/, { error: "a dump file name in the claim's root such as \"llm_platform-20250101T030000Z.dump\" (letters, digits, _ . -, ending in .dump)" });

const backupSchema = z
    .strictObject({
        /** Scheduled pg_dump backups of the application database. Unset: on in production (in-cluster), off elsewhere. */
        enabled: z.boolean().optional(),
        /** When the backup CronJob runs, in UTC (the CronJob pins timeZone "Etc/UTC", whatever the controller's zone). */
        schedule: cronSchedule.default("0 3 * * *"),
        /** Dumps older than this many days are deleted after each backup. */
        retentionDays: z.number().int().min(1).max(3650).default(7),
        /** The backup claim "<release>-backups". */
        storage: z
            .strictObject({
                size: byteQuantity.default("20Gi"),
                /** Its StorageClass; unset, the cluster's default. */
                storageClass: objectName("gp3").optional(),
            })
            .prefault({}),
        /** A container that copies each new dump elsewhere (object storage), after the dump. */
        upload: z
            .strictObject({
                /** Its image, e.g. "amazon/aws-cli:2.17.0". */
                image: imageReferenceString,
                /** Its command; it finds the dump at "$BACKUP_DIR/$(cat /tmp/latest-dump)". */
                command: z.array(z.string().min(1)).min(1),
                args: z.array(z.string()).default([]),
                /** An existing Secret whose keys become its environment (the object store's credentials). */
                envFromSecret: existingObjectName.optional(),
            })
            .optional(),
        /** The backup containers' resources. */
        resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }),
    })
    .prefault({});

const restoreSchema = z.strictObject({
    /** The dump to load, by file name in the claim. A new name runs a new restore. */
    file: dumpFileName,
    /** The claim holding it; unset, the stack's backup claim "<release>-backups". */
    claimName: existingObjectName.optional(),
    /** How long the restore may run. */
    timeoutSeconds: z.number().int().min(60).default(3600),
});

const common = {
    /** Off: the stack has no such store (no chart, Secret, password, env, egress, backup, alert, dashboard row, output); no service may connect to it. */
    enabled: z.boolean().default(true),
    /** "in-cluster" installs the Bitnami chart; "external" connects to a service that exists. */
    mode: z.enum(["in-cluster", "external"]).default("in-cluster"),
    /** A size (postgresqlProfiles, redisProfiles): the in-cluster pods' resources under the section's own keys. Unset: none. */
    profile: profileName.optional(),
    /**
     * Data safety: Pulumi `protect` and retainOnDelete on what holds or unlocks data (the password
     * Secret, the generated passwords, PostgreSQL's StatefulSets and any claim or Secret the chart
     * renders), and the StatefulSets' PVC retention policy "Retain"; nothing else is protected.
     * Unset, it is on in production and off elsewhere.
     */
    protect: z.boolean().optional(),
    /** Mount-time chown of the data volume by an init container, for storage that needs it. */
    volumePermissions: z.boolean().default(false),
    /** Names of existing docker-registry Secrets for the images (global.imagePullSecrets). */
    imagePullSecrets: z.array(existingObjectName).default([]),
};

/** Requests and limits; limits are 1.5 times the requests, as in Bitnami's common resourcesPreset. */
const sized = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({ requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } });

/**
 * The data stores' sizes, `postgresql.profile` / `redis.profile`: the resources of the primary
 * (master) and of the replicas, merged under what the section sets (which wins key by key) before
 * defaults. After Bitnami's resourcesPreset sizes: PostgreSQL small, medium and large are the
 * presets of those names; Redis, whose working set is a cache, is a size smaller below large.
 */
export const postgresqlProfiles = {
    small: { primary: { resources: sized("500m", "512Mi", "750m", "768Mi") }, readReplicas: { resources: sized("500m", "512Mi", "750m", "768Mi") } },
    medium: { primary: { resources: sized("500m", "1Gi", "750m", "1536Mi") }, readReplicas: { resources: sized("500m", "1Gi", "750m", "1536Mi") } },
    large: { primary: { resources: sized("1", "2Gi", "1500m", "3Gi") }, readReplicas: { resources: sized("1", "2Gi", "1500m", "3Gi") } },
} as const satisfies Record<ProfileName, object>;

export const redisProfiles = {
    small: { master: { resources: sized("250m", "256Mi", "375m", "384Mi") }, replica: { resources: sized("250m", "256Mi", "375m", "384Mi") } },
    medium: { master: { resources: sized("500m", "512Mi", "750m", "768Mi") }, replica: { resources: sized("500m", "512Mi", "750m", "768Mi") } },
    large: { master: { resources: sized("1", "2Gi", "1500m", "3Gi") }, replica: { resources: sized("1", "2Gi", "1500m", "3Gi") } },
} as const satisfies Record<ProfileName, object>;

/** A PostgreSQL extension's name, e.g. "vector", "pg_trgm", "uuid-ossp". */
const extensionName = z.string().regex(/^[a-z_][a-z0-9_-]{0,62}$/, { error: "an extension name such as \"vector\" or \"pg_trgm\" (a-z, 0-9, _, -)" });

/** An init script's file name: the image runs *.sh, *.sql and *.sql.gz in name order. */
const initScriptName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}\.(sh|sql|sql\.gz)$/, { error: "a script file name ending in .sh, .sql or .sql.gz, such as \"10-schema.sql\"" });

const postgresMemory = (example: string) => z.string().regex(postgresMemoryPattern, { error: `a PostgreSQL size with a unit (kB, MB, GB, TB), such as "${example}"` });

const postgresTuningSchema = z
    .strictObject({
        /** max_connections. */
        maxConnections: z.number().int().min(10).max(10000).optional(),
        /** shared_buffers, e.g. "512MB"; in production at most the primary's memory limit. */
        sharedBuffers: postgresMemory("512MB").optional(),
        /** work_mem, per sort or hash operation, e.g. "8MB". */
        workMem: postgresMemory("8MB").optional(),
        /** statement_timeout in milliseconds; 0 turns it off. */
        statementTimeoutMs: z.number().int().min(0).optional(),
        /** Any other postgresql.conf parameter, as written (the escape hatch). */
        extra: z.record(z.string().regex(/^[a-z_][a-z0-9_.]{0,62}$/, { error: "a postgresql.conf parameter name such as \"effective_cache_size\"" }), z.string()).default({}),
    })
    .prefault({});

const redisTuningSchema = z
    .strictObject({
        /** appendonly: the append-only file (AOF). The chart's default configuration has it on. */
        appendonly: z.boolean().optional(),
        /** appendfsync: how often the AOF is fsynced. */
        appendfsync: z.enum(["always", "everysec", "no"]).optional(),
        /** maxmemory, e.g. "512mb"; in production at most the memory limit of the Redis containers. */
        maxmemory: z.string().regex(redisMemoryPattern, { error: "a Redis size such as \"512mb\" or \"2gb\"" }).optional(),
        /** maxmemory-policy: what Redis evicts at maxmemory. */
        maxmemoryPolicy: z.enum(["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]).optional(),
        /** Any other redis.conf directive, as written (the escape hatch). */
        extra: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: "a redis.conf directive such as \"timeout\"" }), z.string()).default({}),
    })
    .prefault({});

/** `postgresql.auth`: the application's database and user, and where the passwords come from. */
const postgresqlAuthSchema = z
    .strictObject({
        /** The database the application uses, created on first start. */
        database: sqlIdentifier.default("llm_platform"),
        /** The user the application logs in as, created on first start. */
        username: sqlIdentifier.default("llm_platform"),
        /** Where the passwords come from. */
        passwordSource,
        /** The Secret holding the passwords, with passwordSource "existing" (in-cluster). */
        existingSecret: z
            .strictObject({
                name: existingObjectName,
                /** The key of each password in it. */
                keys: z
                    .strictObject({
                        adminPassword: secretDataKey("postgres-password").default(postgresSecretKeys.adminPasswordKey),
                        userPassword: secretDataKey("password").default(postgresSecretKeys.userPasswordKey),
                        replicationPassword: secretDataKey("replication-password").default(postgresSecretKeys.replicationPasswordKey),
                    })
                    .prefault({}),
            })
            .optional(),
        rotation,
        /** Where each password lives in the secret manager, with passwordSource "external-secrets". */
        remoteRefs: z
            .strictObject({
                /** The superuser's ("postgres-password"; in-cluster only). */
                adminPassword: remoteRefSchema.optional(),
                /** The application user's ("password"; in external mode, the one under external.passwordKey). */
                userPassword: remoteRefSchema.optional(),
                /** The replication user's ("replication-password"; in-cluster, required with replication). */
                replicationPassword: remoteRefSchema.optional(),
            })
            .prefault({}),
    })
    .prefault({});

/** `postgresql.initScripts`: scripts the image runs when it initialises the database. */
const postgresqlInitScriptsSchema = z
    .strictObject({
        /** Scripts by file name, written into a ConfigMap the chart creates. */
        scripts: z.record(initScriptName, z.string().min(1)).default({}),
        /** An existing ConfigMap of scripts; the chart then runs it instead of `scripts` and the extensions. */
        existingConfigMap: existingObjectName.optional(),
        /** An existing Secret of scripts (for scripts holding credentials); runs with the others. */
        existingSecret: existingObjectName.optional(),
    })
    .prefault({});

export const postgresqlSchema = z.strictObject({
    ...common,
    chart: chartSchema(postgresqlChart),
    auth: postgresqlAuthSchema,
    /** "standalone": one primary; "replication": a primary and read replicas. */
    architecture,
    primary: z.strictObject({ resources: resourcesSchema.optional() }).prefault({}),
    readReplicas: replicasSchema(1),
    persistence: persistenceSchema,
    /** Every image the chart runs; each defaults to the chart's tag from docker.io/bitnamilegacy. */
    images: z
        .strictObject({
            postgresql: imageSchema(postgresqlChart.images.postgresql),
            /** postgres-exporter, with monitoring on. */
            metrics: imageSchema(postgresqlChart.images.metrics),
            /** os-shell, with volumePermissions on. */
            volumePermissions: imageSchema(postgresqlChart.images.volumePermissions),
        })
        .prefault({}),
    external: externalSchema(5432, "password"),
    /** Extensions created in the application database when it is initialised, e.g. ["vector"]. */
    extensions: z.array(extensionName).default([]),
    /** Scripts the image runs when it initialises the database (first start on an empty volume). */
    initScripts: postgresqlInitScriptsSchema,
    /** postgresql.conf settings, on the primary and the read replicas. */
    tuning: postgresTuningSchema,
    /** Scheduled logical backups to a claim of their own (in-cluster). */
    backup: backupSchema,
    /** Load a dump into this stack's database once (in-cluster). */
    restore: restoreSchema.optional(),
});

export const redisSchema = z.strictObject({
    ...common,
    chart: chartSchema(redisChart),
    auth: z
        .strictObject({
            /** Where the password comes from. */
            passwordSource,
            /** The Secret holding the password, with passwordSource "existing" (in-cluster). */
            existingSecret: z.strictObject({ name: existingObjectName, key: secretDataKey("redis-password").default(redisSecretKey) }).optional(),
            rotation,
            /** Where the password lives in the secret manager, with passwordSource "external-secrets". */
            remoteRef: remoteRefSchema.optional(),
        })
        .prefault({}),
    /** "standalone": one master; "replication": a master and replicas (or Sentinel-managed nodes). */
    architecture,
    master: z.strictObject({ resources: resourcesSchema.optional() }).prefault({}),
    replica: replicasSchema(3),
    sentinel: z
        .strictObject({
            /** Sentinel elects a new master when it fails; clients keep using the master Service. */
            enabled: z.boolean().default(false),
            /** Sentinels that must agree the master is down. */
            quorum: z.number().int().min(1).default(2),
            resources: resourcesSchema.optional(),
        })
        .prefault({}),
    persistence: persistenceSchema,
    /** Every image the chart runs; each defaults to the chart's tag from docker.io/bitnamilegacy. */
    images: z
        .strictObject({
            redis: imageSchema(redisChart.images.redis),
            /** redis-sentinel, with sentinel.enabled. */
            sentinel: imageSchema(redisChart.images.sentinel),
            /** redis-exporter, with monitoring on. */
            metrics: imageSchema(redisChart.images.metrics),
            /** os-shell, with volumePermissions on. */
            volumePermissions: imageSchema(redisChart.images.volumePermissions),
            /** kubectl, which labels the elected master for the master Service with Sentinel. */
            kubectl: imageSchema(redisChart.images.kubectl),
            /** os-shell, for the chart's sysctl init container (off by default). */
            sysctl: imageSchema(redisChart.images.sysctl),
        })
        .prefault({}),
    external: externalSchema(6379, "redis-password"),
    /** redis.conf settings; unset, the chart's (appendonly yes, no RDB snapshots). */
    tuning: redisTuningSchema,
});

export type PostgresqlConfig = z.infer<typeof postgresqlSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;

export type DataStoreResources = z.infer<typeof resourcesSchema>;
