/**
 * Extensions, init scripts and tuning of the data stores (#13 items 3 and 4): the chart values they
 * become, the unit parsing, and the config rules (names, the chart's ConfigMap precedence, memory
 * settings against the containers' limits in production).
 */
import { strict as assert } from "assert";
import { extensionsScript, initdbValues, postgresqlConfiguration, postgresqlValues } from "../data-tier/postgres-database.values";
import { redisConfiguration, redisValues } from "../data-tier/redis-cache.values";
import { validateConfig } from "../config/validate";
import { dataTierProblems } from "../data-tier/data-tier.rules";
import { postgresqlSchema, redisSchema } from "../data-tier/data-tier.schema";
import { releaseNames } from "../lib/bitnami-charts";
import { parsePostgresMemory, parseRedisMemory } from "../lib/memory-units";

type Values = Record<string, any>;

const resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } };
const pgValues = (raw: Values): Values => postgresqlValues({ config: postgresqlSchema.parse(raw), names: releaseNames("llm-platform-prod", "postgresql"), partOf: "llm-platform", protect: false });
const redisVals = (raw: Values): Values => redisValues({ config: redisSchema.parse(raw), names: releaseNames("llm-platform-prod", "redis"), partOf: "llm-platform", protect: false });

describe("data tier: memory units", () => {
    it("PostgreSQL's kB, MB, GB and TB are powers of 1024", () => {
        assert.equal(parsePostgresMemory("64kB"), 64 * 1024);
        assert.equal(parsePostgresMemory("512MB"), 512 * 2 ** 20);
        assert.equal(parsePostgresMemory("2GB"), 2 * 2 ** 30);
        assert.throws(() => parsePostgresMemory("2Gi"), /"2Gi" is not a PostgreSQL memory size/);
    });

    it("Redis's k, m, g are powers of 1000 and kb, mb, gb of 1024, in any case", () => {
        assert.equal(parseRedisMemory("1000"), 1000);
        assert.equal(parseRedisMemory("1k"), 1000);
        assert.equal(parseRedisMemory("1KB"), 1024);
        assert.equal(parseRedisMemory("512mb"), 512 * 2 ** 20);
        assert.equal(parseRedisMemory("2g"), 2e9);
        assert.equal(parseRedisMemory("2Gb"), 2 * 2 ** 30);
    });
});

describe("data tier: PostgreSQL extensions and init scripts", () => {
    it("extensions are created by the superuser in the application database, first of the init scripts", () => {
        const script = extensionsScript(["vector", "pg_trgm"]);
        assert.match(script, /^#!\/bin\/bash\n/);
        assert.ok(script.includes('--username postgres --dbname "$POSTGRES_DATABASE"'));
        assert.ok(script.includes('PGPASSWORD="$(< "$POSTGRES_POSTGRES_PASSWORD_FILE")"'), "the admin password from the file the chart mounts, never a value");
        assert.ok(script.includes('CREATE EXTENSION IF NOT EXISTS "vector";\nCREATE EXTENSION IF NOT EXISTS "pg_trgm";\n'));
        const values = pgValues({ extensions: ["vector"], initScripts: { scripts: { "10-schema.sql": "CREATE TABLE t (id int);" } } });
        assert.deepEqual(Object.keys(values.primary.initdb.scripts), ["00-extensions.sh", "10-schema.sql"]);
        assert.equal(values.primary.initdb.scripts["00-extensions.sh"], extensionsScript(["vector"]));
    });

    it("existing ConfigMaps and Secrets of scripts are handed to the chart by name", () => {
        assert.deepEqual(initdbValues({ initScripts: { scripts: {}, existingConfigMap: "db-init", existingSecret: "db-init-secret" } }), {
            initdb: { scriptsConfigMap: "db-init", scriptsSecret: "db-init-secret" },
        });
    });

    it("without extensions or scripts, no initdb values", () => {
        assert.equal(pgValues({}).primary.initdb, undefined);
    });

    it("extension and script names are validated, and an existing ConfigMap that would hide them is refused", () => {
        assert.ok(!postgresqlSchema.safeParse({ extensions: ["vector; DROP TABLE x"] }).success);
        assert.ok(!postgresqlSchema.safeParse({ initScripts: { scripts: { "../evil.sh": "x" } } }).success);
        const problems = dataTierProblems({ environment: "development", postgresql: postgresqlSchema.parse({ extensions: ["vector"], initScripts: { existingConfigMap: "db-init" } }), redis: redisSchema.parse({}) });
        assert.deepEqual(problems, [
            {
                key: "postgresql.initScripts.existingConfigMap",
                given: "db-init",
                expected: "nothing, because postgresql.extensions or postgresql.initScripts.scripts is set and the chart runs only the existing ConfigMap then (put them in it, or use initScripts.existingSecret)",
            },
        ]);
    });

    it("a bad extension name fails the config with the rule's text", () => {
        const raw = { project: "llm-platform", stack: "dev", values: { environment: "development", services: { api: { image: { repository: "x", tag: "1" } } }, postgresql: { extensions: ["Vector!"] } }, secretKeys: new Set<string>() };
        const { problems } = validateConfig(raw);
        assert.deepEqual(problems.map((p) => [p.key, p.expected]), [["postgresql.extensions.0", 'an extension name such as "vector" or "pg_trgm" (a-z, 0-9, _, -)']]);
    });
});

describe("data tier: tuning", () => {
    it("PostgreSQL's typed settings and the raw rest become postgresql.conf lines on the primary and the read replicas", () => {
        const tuning = { maxConnections: 300, sharedBuffers: "1GB", workMem: "16MB", statementTimeoutMs: 30000, extra: { effective_cache_size: "3GB" } };
        const expected = "max_connections = '300'\nshared_buffers = '1GB'\nwork_mem = '16MB'\nstatement_timeout = '30000'\neffective_cache_size = '3GB'\n";
        assert.equal(postgresqlConfiguration(tuning), expected);
        const values = pgValues({ architecture: "replication", tuning });
        assert.equal(values.primary.extendedConfiguration, expected);
        assert.equal(values.readReplicas.extendedConfiguration, expected);
    });

    it("PostgreSQL without tuning leaves the chart's configuration", () => {
        assert.equal(postgresqlConfiguration({ extra: {} }), undefined);
        assert.ok(!("extendedConfiguration" in pgValues({}).primary));
    });

    it("Redis's AOF, fsync, maxmemory and eviction policy replace the chart's commonConfiguration, keeping AOF and no RDB unless told", () => {
        assert.equal(
            redisConfiguration({ appendfsync: "everysec", maxmemory: "1gb", maxmemoryPolicy: "allkeys-lru", extra: { timeout: "300" } }),
            'appendonly yes\nsave ""\nappendfsync everysec\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\ntimeout 300\n',
        );
        assert.equal(redisConfiguration({ appendonly: false, extra: {} }), 'appendonly no\nsave ""\n');
        assert.equal(redisVals({ tuning: { maxmemory: "1gb" } }).commonConfiguration, 'appendonly yes\nsave ""\nmaxmemory 1gb\n');
        assert.ok(!("commonConfiguration" in redisVals({})), "untuned, the chart's own");
    });

    it("production refuses shared_buffers or maxmemory at or above the container's memory limit", () => {
        const problems = dataTierProblems({
            environment: "production",
            postgresql: postgresqlSchema.parse({ primary: { resources }, tuning: { sharedBuffers: "2GB" } }),
            redis: redisSchema.parse({ architecture: "replication", master: { resources }, replica: { resources: { ...resources, limits: { memory: "1Gi" } } }, tuning: { maxmemory: "1536mb" } }),
        });
        assert.deepEqual(problems, [
            { key: "postgresql.tuning.sharedBuffers", given: "2GB", expected: "less than postgresql.primary.resources.limits.memory (2Gi), or PostgreSQL is killed for using more memory than its limit" },
            { key: "redis.tuning.maxmemory", given: "1536mb", expected: "less than redis.replica.resources.limits.memory (1Gi), or Redis is killed before it evicts" },
        ]);
    });

    it("settings below the limits, and any outside production, pass", () => {
        const postgresql = postgresqlSchema.parse({ primary: { resources }, tuning: { sharedBuffers: "512MB" } });
        const redis = redisSchema.parse({ master: { resources }, tuning: { maxmemory: "1gb" } });
        assert.deepEqual(dataTierProblems({ environment: "production", postgresql, redis }), []);
        assert.deepEqual(dataTierProblems({ environment: "staging", postgresql: postgresqlSchema.parse({ tuning: { sharedBuffers: "64GB" } }), redis }), []);
    });

    it("units Kubernetes would take but the servers would not are refused", () => {
        assert.ok(!postgresqlSchema.safeParse({ tuning: { sharedBuffers: "1Gi" } }).success);
        assert.ok(!redisSchema.safeParse({ tuning: { maxmemory: "1Gi" } }).success);
        assert.ok(!redisSchema.safeParse({ tuning: { maxmemoryPolicy: "lru" } }).success);
    });
});
