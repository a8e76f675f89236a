/**
 * The rules of the `postgresql` and `redis` sections that no schema can express alone: what
 * production requires (sizing, data safety, immutable images), the password sources and their
 * settings, the backups, and the tuning within the resources.
 */
import { RegistryImage } from "../lib/image";
import { parsePostgresMemory, parseRedisMemory } from "../lib/memory-units";
import { parseQuantity } from "../lib/quantity";
import { Environment } from "../validation/primitives";
import { Problem } from "../validation/problem";
import { mutableImageProblems } from "../validation/common-rules";
import { DataStoreResources, PostgresqlConfig, RedisConfig } from "./data-tier.schema";


function resourceProblems(key: string, resources: DataStoreResources | undefined, environment: Environment | undefined): Problem[] {
    if (resources === undefined) {
        return environment === "production"
            ? [{ key, given: undefined, expected: "explicit requests and limits in production, not the chart's resourcesPreset" }]
            : [];
    }
    const problems: Problem[] = [];
    for (const resource of ["cpu", "memory"] as const) {
        const limit = resources.limits[resource];
        if (limit !== undefined && parseQuantity(resources.requests[resource]) > parseQuantity(limit)) {
            problems.push({ key: `${key}.requests.${resource}`, given: resources.requests[resource], expected: `at most ${key}.limits.${resource} (${limit})` });
        }
    }
    if (environment === "production" && resources.limits.memory === undefined) {
        problems.push({ key: `${key}.limits.memory`, given: undefined, expected: "a memory limit in production" });
    }
    return problems;
}

function modeProblems(store: "postgresql" | "redis", section: PostgresqlConfig | RedisConfig): Problem[] {
    const problems: Problem[] = [];
    const { external } = section;
    if (section.mode === "external") {
        if (section.profile !== undefined) {
            problems.push({ key: `${store}.profile`, given: section.profile, expected: `nothing, because ${store}.mode is "external": a profile sizes the in-cluster pods, and there are none` });
        }
        if (external.host === undefined) {
            problems.push({ key: `${store}.external.host`, given: undefined, expected: `a host name, because ${store}.mode is "external"` });
        }
        const synced = section.auth.passwordSource === "external-secrets";
        if (synced && external.existingSecret !== undefined) {
            problems.push({
                key: `${store}.external.existingSecret`,
                given: external.existingSecret,
                expected: `nothing, because ${store}.auth.passwordSource is "external-secrets": the program syncs the password into its own Secret`,
            });
        } else if (!synced && external.existingSecret === undefined) {
            problems.push({
                key: `${store}.external.existingSecret`,
                given: undefined,
                expected: `the name of an existing Secret holding the password under "${external.passwordKey}", because ${store}.mode is "external"`,
            });
        }
    } else {
        for (const field of ["host", "existingSecret"] as const) {
            if (external[field] !== undefined) {
                problems.push({ key: `${store}.external.${field}`, given: external[field], expected: `nothing, because ${store}.mode is "in-cluster" (set ${store}.mode: external to use it)` });
            }
        }
    }
    return problems;
}

type PasswordRef = "adminPassword" | "userPassword" | "replicationPassword";

/** Which remote refs a data store's passwords need, with passwordSource "external-secrets". */
function passwordProblems(store: "postgresql" | "redis", section: PostgresqlConfig | RedisConfig): Problem[] {
    const problems: Problem[] = [];
    const synced = section.auth.passwordSource === "external-secrets";
    const refs: Partial<Record<PasswordRef | "remoteRef", unknown>> = "remoteRefs" in section.auth ? section.auth.remoteRefs : { remoteRef: section.auth.remoteRef };
    const wanted: Partial<Record<PasswordRef | "remoteRef", string>> = {};
    if (store === "redis") {
        wanted.remoteRef = "the password";
    } else if (section.mode === "external") {
        wanted.userPassword = `postgresql.auth.username's password`;
    } else {
        wanted.adminPassword = "the superuser's password";
        wanted.userPassword = `postgresql.auth.username's password`;
        if ((section as PostgresqlConfig).architecture === "replication") wanted.replicationPassword = "the replication password";
    }
    const optional = store === "postgresql" && section.mode === "in-cluster" ? ["replicationPassword"] : [];
    const keyOf = (field: string) => (field === "remoteRef" ? `${store}.auth.remoteRef` : `${store}.auth.remoteRefs.${field}`);
    for (const [field, given] of Object.entries(refs)) {
        if (given === undefined) continue;
        if (!synced) {
            problems.push({ key: keyOf(field), given, expected: `nothing, because ${store}.auth.passwordSource is "${section.auth.passwordSource}"` });
        } else if (!(field in wanted) && !optional.includes(field)) {
            problems.push({ key: keyOf(field), given, expected: `nothing, because ${store}.mode is "external": the application only needs the password of postgresql.auth.username` });
        }
    }
    if (synced) {
        for (const [field, what] of Object.entries(wanted)) {
            if (refs[field as PasswordRef] === undefined) {
                problems.push({ key: keyOf(field), given: undefined, expected: `where ${what} lives in the secret manager ({key, property?, version?}), because ${store}.auth.passwordSource is "external-secrets"` });
            }
        }
    }
    return problems;
}

/** An existing Secret only with passwordSource "existing" (in-cluster), and rotation only of generated passwords. */
function credentialSourceProblems(store: "postgresql" | "redis", section: PostgresqlConfig | RedisConfig): Problem[] {
    const problems: Problem[] = [];
    const { passwordSource: source, existingSecret, rotation: generation } = section.auth;
    const external = section.mode === "external";
    if (source === "existing" && external) {
        problems.push({
            key: `${store}.auth.passwordSource`,
            given: source,
            expected: `"generated" or "external-secrets", because ${store}.mode is "external": name its Secret in ${store}.external.existingSecret`,
        });
    } else if (source === "existing" && existingSecret === undefined) {
        problems.push({ key: `${store}.auth.existingSecret`, given: undefined, expected: `the Secret holding the password${store === "redis" ? "" : "s"} ({name, ${store === "redis" ? "key?" : "keys?"}}), because ${store}.auth.passwordSource is "existing"` });
    }
    if (source !== "existing" && existingSecret !== undefined) {
        problems.push({ key: `${store}.auth.existingSecret`, given: existingSecret, expected: `nothing, because ${store}.auth.passwordSource is "${source}" (set it to "existing" to read the passwords from this Secret)` });
    }
    if (generation > 0 && (source !== "generated" || external)) {
        const why = external ? `${store}.mode is "external"` : `${store}.auth.passwordSource is "${source}"`;
        problems.push({ key: `${store}.auth.rotation`, given: generation, expected: `0, because ${why}: the program rotates only the passwords it generates (rotate the others where they are kept)` });
    }
    return problems;
}

/** Whether the stack backs up PostgreSQL: as configured, else in production; only in the cluster. */
export function backupEnabled(environment: Environment | undefined, pg: Pick<PostgresqlConfig, "mode" | "backup">): boolean {
    return pg.mode === "in-cluster" && (pg.backup.enabled ?? environment === "production");
}

/** Backups and restores are of the in-cluster database; a restore needs a claim to read from. */
function backupProblems(environment: Environment | undefined, pg: PostgresqlConfig): Problem[] {
    const problems: Problem[] = [];
    if (pg.mode === "external") {
        if (pg.backup.enabled === true) {
            problems.push({ key: "postgresql.backup.enabled", given: true, expected: "false or unset, because postgresql.mode is \"external\": back up a managed database with its provider's backups" });
        }
        if (pg.restore !== undefined) {
            problems.push({ key: "postgresql.restore", given: pg.restore, expected: "nothing, because postgresql.mode is \"external\": restore a managed database with its provider's tools" });
        }
    } else if (pg.restore !== undefined && pg.restore.claimName === undefined && !backupEnabled(environment, pg)) {
        problems.push({ key: "postgresql.restore.claimName", given: undefined, expected: "the claim holding the dump, because postgresql.backup is off and the stack has no backup claim" });
    }
    return problems;
}

/** The memory limit of a workload's resources in bytes, when set. */
function memoryLimit(resources: DataStoreResources | undefined): { bytes: number; given: string } | undefined {
    const limit = resources?.limits.memory;
    return limit === undefined ? undefined : { bytes: parseQuantity(limit), given: limit };
}

/** Init scripts the chart would ignore, and in production shared_buffers beyond the primary's memory limit. */
function postgresqlTuningProblems(pg: PostgresqlConfig, environment: Environment | undefined): Problem[] {
    const problems: Problem[] = [];
    const existing = pg.initScripts.existingConfigMap;
    if (existing !== undefined && (pg.extensions.length > 0 || Object.keys(pg.initScripts.scripts).length > 0)) {
        problems.push({
            key: "postgresql.initScripts.existingConfigMap",
            given: existing,
            expected: "nothing, because postgresql.extensions or postgresql.initScripts.scripts is set and the chart runs only the existing ConfigMap then (put them in it, or use initScripts.existingSecret)",
        });
    }
    const sharedBuffers = pg.tuning.sharedBuffers;
    const limit = memoryLimit(pg.primary.resources);
    if (environment === "production" && pg.mode === "in-cluster" && sharedBuffers !== undefined && limit && parsePostgresMemory(sharedBuffers) >= limit.bytes) {
        problems.push({ key: "postgresql.tuning.sharedBuffers", given: sharedBuffers, expected: `less than postgresql.primary.resources.limits.memory (${limit.given}), or PostgreSQL is killed for using more memory than its limit` });
    }
    return problems;
}

/** In production, maxmemory beyond the memory limit of a Redis node. */
function redisTuningProblems(redis: RedisConfig, environment: Environment | undefined): Problem[] {
    const maxmemory = redis.tuning.maxmemory;
    if (environment !== "production" || redis.mode !== "in-cluster" || maxmemory === undefined) return [];
    const nodes = redis.sentinel.enabled
        ? [["replica", redis.replica.resources] as const]
        : [["master", redis.master.resources] as const, ...(redis.architecture === "replication" ? [["replica", redis.replica.resources] as const] : [])];
    return nodes.flatMap(([role, resources]) => {
        const limit = memoryLimit(resources);
        return limit && parseRedisMemory(maxmemory) >= limit.bytes
            ? [{ key: "redis.tuning.maxmemory", given: maxmemory, expected: `less than redis.${role}.resources.limits.memory (${limit.given}), or Redis is killed before it evicts` }]
            : [];
    });
}

/** The images an in-cluster store's chart runs with this config, by their key under `<store>.images`. */
function imagesRun(store: "postgresql" | "redis", section: PostgresqlConfig | RedisConfig, monitoring: boolean): [string, RegistryImage][] {
    const images = section.images as Record<string, RegistryImage>;
    const sentinel = store === "redis" && (section as RedisConfig).sentinel.enabled;
    const running = [store, ...(monitoring ? ["metrics"] : []), ...(section.volumePermissions ? ["volumePermissions"] : []), ...(sentinel ? ["sentinel", "kubectl"] : [])];
    return running.map((name) => [name, images[name]]);
}

/** Production runs no data-tier image from a moving tag (the same rule as the services' images). */
function imageProblems(store: "postgresql" | "redis", section: PostgresqlConfig | RedisConfig, environment: Environment | undefined, monitoring: boolean): Problem[] {
    if (section.mode !== "in-cluster") return [];
    return imagesRun(store, section, monitoring).flatMap(([name, image]) => mutableImageProblems(`${store}.images.${name}.tag`, image, environment));
}

/** Cross-field rules of PostgreSQL; keys are config keys without the project prefix. */
export function postgresqlProblems(pg: PostgresqlConfig, environment: Environment | undefined, monitoring = true): Problem[] {
    const problems: Problem[] = [
        ...modeProblems("postgresql", pg),
        ...passwordProblems("postgresql", pg),
        ...credentialSourceProblems("postgresql", pg),
        ...imageProblems("postgresql", pg, environment, monitoring),
        ...postgresqlTuningProblems(pg, environment),
        ...backupProblems(environment, pg),
    ];
    if (pg.auth.username === "postgres") {
        problems.push({ key: "postgresql.auth.username", given: "postgres", expected: "a user other than the superuser \"postgres\", which the chart gives the admin password" });
    }
    if (pg.mode === "in-cluster") {
        problems.push(...resourceProblems("postgresql.primary.resources", pg.primary.resources, environment));
        if (pg.architecture === "replication") {
            problems.push(...resourceProblems("postgresql.readReplicas.resources", pg.readReplicas.resources, environment));
        }
        if (environment === "production" && !pg.persistence.enabled) {
            problems.push({ key: "postgresql.persistence.enabled", given: false, expected: "true in production, or a pod restart loses the database" });
        }
    }
    return problems;
}

/** The fewest Redis nodes Sentinel can fail over with in production: a majority of Sentinels must survive one node's loss. */
export const minSentinelNodes = 3;

/** Cross-field rules of Redis. */
export function redisProblems(redis: RedisConfig, environment: Environment | undefined, monitoring = true): Problem[] {
    const problems: Problem[] = [
        ...modeProblems("redis", redis),
        ...passwordProblems("redis", redis),
        ...credentialSourceProblems("redis", redis),
        ...imageProblems("redis", redis, environment, monitoring),
        ...redisTuningProblems(redis, environment),
    ];
    if (redis.mode !== "in-cluster") return problems;
    const { sentinel, replica } = redis;
    if (sentinel.enabled && redis.architecture !== "replication") {
        problems.push({ key: "redis.sentinel.enabled", given: true, expected: `false, because redis.architecture is "${redis.architecture}" (Sentinel needs "replication")` });
    }
    if (sentinel.enabled && sentinel.quorum > replica.replicaCount) {
        problems.push({ key: "redis.sentinel.quorum", given: sentinel.quorum, expected: `at most redis.replica.replicaCount (${replica.replicaCount}), the number of Sentinels` });
    }
    if (environment === "production" && sentinel.enabled && replica.replicaCount < minSentinelNodes) {
        problems.push({
            key: "redis.replica.replicaCount",
            given: replica.replicaCount,
            expected: `at least ${minSentinelNodes} with Sentinel in production: with fewer, losing one node leaves no majority of Sentinels to elect a new master, so there is nothing to fail over to`,
        });
    }
    if (!sentinel.enabled) problems.push(...resourceProblems("redis.master.resources", redis.master.resources, environment));
    if (redis.architecture === "replication") problems.push(...resourceProblems("redis.replica.resources", replica.resources, environment));
    if (sentinel.enabled) problems.push(...resourceProblems("redis.sentinel.resources", sentinel.resources, environment));
    return problems;
}

/** Cross-field rules of the data tier; keys are config keys without the project prefix. */
export function dataTierProblems(cfg: { environment: Environment; postgresql: PostgresqlConfig; redis: RedisConfig; monitoring?: boolean }): Problem[] {
    return [...postgresqlProblems(cfg.postgresql, cfg.environment, cfg.monitoring), ...redisProblems(cfg.redis, cfg.environment, cfg.monitoring)];
}
