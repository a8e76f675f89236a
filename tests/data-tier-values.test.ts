/**
 * The data tier's decisions on plain data, without Pulumi mocks: config schema and rules, chart
 * location, Helm values, release names and data-safety options.
 */
import { strict as assert } from "assert";
import { PostgresqlValuesInput, postgresqlValues } from "../data-tier/postgres-database.values";
import { RedisValuesInput, redisValues } from "../data-tier/redis-cache.values";
import { chartLocation, imagesOverridden } from "../data-tier/chart-values";
import { dataSafetyOptions, dataSafetyTransform, holdsData } from "../data-tier/data-store";
import { dataSafety } from "../data-tier/data-tier.resolve";
import { validateConfig } from "../config/validate";
import { PostgresqlConfig, RedisConfig, postgresqlSchema, redisSchema } from "../data-tier/data-tier.schema";
import { dataTierProblems } from "../data-tier/data-tier.rules";
import { legacyImage, postgresqlChart, postgresqlPrimaryService, postgresqlReadService, redisChart, redisMasterService, releaseNames } from "../lib/bitnami-charts";

type Values = Record<string, any>;

const pg = (raw: Values = {}): PostgresqlConfig => postgresqlSchema.parse(raw);
const redis = (raw: Values = {}): RedisConfig => redisSchema.parse(raw);

const resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
const monitoring = { labels: { release: "kube-prometheus-stack" }, interval: "15s", scrapeTimeout: "10s" };

function pgValues(raw: Values = {}, extra: Partial<PostgresqlValuesInput> = {}): Values {
    return postgresqlValues({ config: pg(raw), names: releaseNames("llm-platform-prod", "postgresql"), partOf: "llm-platform", protect: false, ...extra });
}

function redisVals(raw: Values = {}, extra: Partial<RedisValuesInput> = {}): Values {
    return redisValues({ config: redis(raw), names: releaseNames("llm-platform-prod", "redis"), partOf: "llm-platform", protect: false, ...extra });
}

/** Every key path in a value, e.g. "auth.existingSecret". */
function keyPaths(value: unknown, prefix = ""): string[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

describe("data tier: config schema", () => {
    it("an empty section is valid: in-cluster, standalone, pinned chart, bitnamilegacy images", () => {
        const config = pg();
        assert.equal(config.mode, "in-cluster");
        assert.equal(config.architecture, "standalone");
        assert.equal(config.protect, undefined);
        assert.deepEqual(config.chart, { repository: "oci://registry-1.docker.io/bitnamicharts", name: "postgresql", version: "17.1.0" });
        assert.deepEqual(config.images.postgresql, { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" });
        assert.deepEqual(config.images.metrics, { registry: "docker.io", repository: "bitnamilegacy/postgres-exporter", tag: "0.17.1-debian-12-r16" });
        assert.deepEqual(config.external.cidrs, ["0.0.0.0/0"]);
        assert.deepEqual(redis().chart, { repository: "oci://registry-1.docker.io/bitnamicharts", name: "redis", version: "23.1.1" });
        assert.deepEqual(Object.keys(redis().images).sort(), ["kubectl", "metrics", "redis", "sentinel", "sysctl", "volumePermissions"]);
    });

    it("every default image is the chart's own tag from docker.io/bitnamilegacy", () => {
        for (const [key, image] of Object.entries(postgresqlChart.images)) {
            assert.deepEqual((pg().images as Values)[key], legacyImage(image), key);
        }
        for (const [key, image] of Object.entries(redisChart.images)) {
            assert.deepEqual((redis().images as Values)[key], legacyImage(image), key);
            assert.match((redis().images as Values)[key].repository, /^bitnamilegacy\//);
        }
    });

    it("a misspelt key is an error, at every level", () => {
        assert.equal(postgresqlSchema.safeParse({ architecure: "replication" }).success, false);
        assert.equal(postgresqlSchema.safeParse({ persistence: { sise: "1Gi" } }).success, false);
        assert.equal(redisSchema.safeParse({ images: { redis: { tags: "8" } } }).success, false);
        assert.equal(redisSchema.safeParse({ sentinel: { enable: true } }).success, false);
    });

    it("no password can be written in the config", () => {
        assert.equal(postgresqlSchema.safeParse({ auth: { password: "hunter2" } }).success, false);
        assert.equal(redisSchema.safeParse({ external: { password: "hunter2" } }).success, false);
    });

    it("data safety follows the environment unless set", () => {
        assert.equal(dataSafety("production", pg()), true);
        assert.equal(dataSafety("staging", pg()), false);
        assert.equal(dataSafety("production", pg({ protect: false })), false);
        assert.equal(dataSafety("development", redis({ protect: true })), true);
    });
});

describe("data tier: cross-field rules", () => {
    const problems = (environment: "development" | "staging" | "production", postgresql: Values = {}, redisRaw: Values = {}) =>
        dataTierProblems({ environment, postgresql: pg(postgresql), redis: redis(redisRaw) });

    it("the defaults have no problems outside production", () => {
        assert.deepEqual(problems("development"), []);
        assert.deepEqual(problems("staging", { architecture: "replication" }, { architecture: "replication", sentinel: { enabled: true } }), []);
    });

    it("external mode needs a host and an existing Secret", () => {
        assert.deepEqual(problems("staging", { mode: "external" }, { mode: "external", external: { host: "cache.example.com", existingSecret: "cache" } }), [
            { key: "postgresql.external.host", given: undefined, expected: 'a host name, because postgresql.mode is "external"' },
            {
                key: "postgresql.external.existingSecret",
                given: undefined,
                expected: 'the name of an existing Secret holding the password under "password", because postgresql.mode is "external"',
            },
        ]);
    });

    it("external settings in in-cluster mode are a mistake, not ignored", () => {
        assert.deepEqual(problems("staging", {}, { external: { host: "cache.example.com" } }), [
            {
                key: "redis.external.host",
                given: "cache.example.com",
                expected: 'nothing, because redis.mode is "in-cluster" (set redis.mode: external to use it)',
            },
        ]);
    });

    it("production needs explicit resources for every in-cluster workload", () => {
        const expected = "explicit requests and limits in production, not the chart's resourcesPreset";
        assert.deepEqual(problems("production", { architecture: "replication" }, { architecture: "replication" }), [
            { key: "postgresql.primary.resources", given: undefined, expected },
            { key: "postgresql.readReplicas.resources", given: undefined, expected },
            { key: "redis.master.resources", given: undefined, expected },
            { key: "redis.replica.resources", given: undefined, expected },
        ]);
        assert.deepEqual(problems("production", { mode: "external", external: { host: "db", existingSecret: "db" } }, { mode: "external", external: { host: "c", existingSecret: "c" } }), []);
    });

    it("a request above its limit, and production without a memory limit, are problems", () => {
        assert.deepEqual(
            problems("staging", { primary: { resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1" } } } }),
            [{ key: "postgresql.primary.resources.requests.cpu", given: "2", expected: "at most postgresql.primary.resources.limits.cpu (1)" }],
        );
        assert.deepEqual(
            problems("production", { primary: { resources: { requests: { cpu: "1", memory: "1Gi" } } } }, { master: { resources } }),
            [{ key: "postgresql.primary.resources.limits.memory", given: undefined, expected: "a memory limit in production" }],
        );
    });

    it("production keeps PostgreSQL on a volume", () => {
        assert.deepEqual(problems("production", { primary: { resources }, persistence: { enabled: false } }, { master: { resources } }), [
            { key: "postgresql.persistence.enabled", given: false, expected: "true in production, or a pod restart loses the database" },
        ]);
    });

    it("the application may not log in as the superuser", () => {
        assert.deepEqual(problems("staging", { auth: { username: "postgres" } }), [
            { key: "postgresql.auth.username", given: "postgres", expected: 'a user other than the superuser "postgres", which the chart gives the admin password' },
        ]);
    });

    it("Sentinel needs replication and no more quorum than Sentinels", () => {
        assert.deepEqual(problems("staging", {}, { sentinel: { enabled: true } }), [
            { key: "redis.sentinel.enabled", given: true, expected: 'false, because redis.architecture is "standalone" (Sentinel needs "replication")' },
        ]);
        assert.deepEqual(problems("staging", {}, { architecture: "replication", replica: { replicaCount: 1 }, sentinel: { enabled: true } }), [
            { key: "redis.sentinel.quorum", given: 2, expected: "at most redis.replica.replicaCount (1), the number of Sentinels" },
        ]);
    });

    it("with Sentinel, production needs resources for the nodes and the sentinels, not the unused master", () => {
        const expected = "explicit requests and limits in production, not the chart's resourcesPreset";
        assert.deepEqual(problems("production", { primary: { resources } }, { architecture: "replication", sentinel: { enabled: true } }), [
            { key: "redis.replica.resources", given: undefined, expected },
            { key: "redis.sentinel.resources", given: undefined, expected },
        ]);
    });
});

describe("data tier: chart source", () => {
    it("by default, the pinned chart from the Bitnami OCI registry", () => {
        assert.deepEqual(chartLocation(pg().chart), { chart: "oci://registry-1.docker.io/bitnamicharts/postgresql", version: "17.1.0" });
        assert.deepEqual(chartLocation(redis().chart), { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "23.1.1" });
    });

    it("an internal OCI mirror or Helm repository, with the version", () => {
        assert.deepEqual(chartLocation(pg({ chart: { repository: "oci://harbor.internal/bitnamicharts/", version: "17.1.1" } }).chart), {
            chart: "oci://harbor.internal/bitnamicharts/postgresql",
            version: "17.1.1",
        });
        assert.deepEqual(chartLocation(redis({ chart: { repository: "https://charts.internal/bitnami" } }).chart), {
            chart: "redis",
            version: "23.1.1",
            repositoryOpts: { repo: "https://charts.internal/bitnami" },
        });
    });

    it("a local chart directory, without a version (Helm ignores it there)", () => {
        assert.deepEqual(chartLocation(pg({ chart: { path: "./charts/postgresql" } }).chart), { chart: "./charts/postgresql" });
    });
});

describe("data tier: release names", () => {
    it("release, fullname, Secret and pod selector are fixed strings", () => {
        assert.deepEqual(releaseNames("llm-platform-prod", "postgresql"), {
            release: "llm-platform-prod-postgresql",
            name: "postgresql",
            secret: "llm-platform-prod-postgresql-auth",
            podSelector: { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "llm-platform-prod-postgresql" },
        });
    });

    it("the primary Service follows the chart's naming per architecture", () => {
        const names = releaseNames("llm-platform-prod", "postgresql");
        assert.equal(postgresqlPrimaryService(names, "standalone"), "llm-platform-prod-postgresql");
        assert.equal(postgresqlPrimaryService(names, "replication"), "llm-platform-prod-postgresql-primary");
        assert.equal(postgresqlReadService(names), "llm-platform-prod-postgresql-read");
        assert.equal(redisMasterService(releaseNames("llm-platform-prod", "redis")), "llm-platform-prod-redis-master");
    });

    it("a stack name that makes a release name too long for the chart's object names is a config problem", () => {
        const values = { environment: "development", services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" } } } };
        const validate = (stack: string, extra: Values = {}) => validateConfig({ project: "llm-platform", stack, values: { ...values, ...extra }, secretKeys: new Set() }).problems;
        assert.deepEqual(validate("a-very-long-stack-name"), [
            {
                key: "postgresql.mode",
                given: "in-cluster",
                expected: 'a stack name of at most 16 characters, because the release name "llm-platform-a-very-long-stack-name-postgresql" must fit in 40 (the chart\'s object names); or mode "external"',
            },
            {
                key: "redis.mode",
                given: "in-cluster",
                expected: 'a stack name of at most 21 characters, because the release name "llm-platform-a-very-long-stack-name-redis" must fit in 40 (the chart\'s object names); or mode "external"',
            },
        ]);
        assert.deepEqual(validate("sixteen-chars-ok"), []);
        assert.deepEqual(validate("a-very-long-stack-name", { postgresql: { mode: "external", external: { host: "db", existingSecret: "db" } }, redis: { mode: "external", external: { host: "r", existingSecret: "r" } } }), []);
    });
});

describe("data tier: images", () => {
    it("the chart's own images are not an override; the bitnamilegacy defaults are", () => {
        assert.equal(imagesOverridden(postgresqlChart.images, postgresqlChart), false);
        assert.equal(imagesOverridden(pg().images, postgresqlChart), true);
        assert.equal(imagesOverridden(redisChart.images, redisChart), false);
        assert.equal(imagesOverridden({ ...redisChart.images, kubectl: { ...redisChart.images.kubectl, digest: `sha256:${"a".repeat(64)}` } }, redisChart), true);
    });

    it("every image of each chart is set, and overridden images allow the chart's verification", () => {
        const values = pgValues({ images: { postgresql: { registry: "registry.internal", repository: "mirror/postgresql", tag: "17.6.0" } } });
        assert.deepEqual(values.image, { registry: "registry.internal", repository: "mirror/postgresql", tag: "17.6.0", digest: "" });
        assert.deepEqual(values.metrics.image, { registry: "docker.io", repository: "bitnamilegacy/postgres-exporter", tag: "0.17.1-debian-12-r16", digest: "" });
        assert.equal(values.volumePermissions.image.repository, "bitnamilegacy/os-shell");
        assert.equal(values.global.security.allowInsecureImages, true);

        const r = redisVals({ images: { sentinel: { digest: `sha256:${"b".repeat(64)}` } } });
        for (const path of ["image", "sentinel.image", "metrics.image", "volumePermissions.image", "kubectl.image", "sysctl.image"]) {
            const image = path.split(".").reduce((v: Values, k) => v[k], r);
            assert.equal(image.registry, "docker.io", path);
            assert.match(image.repository, /^bitnamilegacy\//, path);
        }
        assert.equal(r.sentinel.image.digest, `sha256:${"b".repeat(64)}`);
        assert.equal(r.global.security.allowInsecureImages, true);
    });

    it("image pull Secrets go to global.imagePullSecrets", () => {
        assert.deepEqual(pgValues({ imagePullSecrets: ["mirror-pull"] }).global.imagePullSecrets, ["mirror-pull"]);
        assert.deepEqual(redisVals().global.imagePullSecrets, []);
    });
});

describe("data tier: PostgreSQL values", () => {
    it("credentials come from the program's Secret by name, with the chart's key names", () => {
        const values = pgValues();
        assert.deepEqual(values.auth, {
            enablePostgresUser: true,
            username: "llm_platform",
            database: "llm_platform",
            existingSecret: "llm-platform-prod-postgresql-auth",
            secretKeys: { adminPasswordKey: "postgres-password", userPasswordKey: "password", replicationPasswordKey: "replication-password" },
            usePasswordFiles: true,
        });
        assert.deepEqual(values.passwordUpdateJob, { enabled: false });
    });

    it("no value is named like a password", () => {
        const values = pgValues({ architecture: "replication" }, { monitoring, protect: true });
        // The chart's password values: auth.postgresPassword, .password, .replicationPassword, .metricsPassword.
        assert.deepEqual(keyPaths(values).filter((p) => /^(postgres|replication|metrics)?password$/i.test(p.split(".").pop()!)), []);
    });

    it("the release's names and labels are fixed, so hosts and selectors are known before rendering", () => {
        const values = pgValues();
        assert.equal(values.fullnameOverride, "llm-platform-prod-postgresql");
        assert.equal(values.nameOverride, "postgresql");
        assert.deepEqual(values.commonLabels, { "app.kubernetes.io/part-of": "llm-platform" });
    });

    it("standalone: a primary only", () => {
        const values = pgValues();
        assert.equal(values.architecture, "standalone");
        assert.equal(values.readReplicas, undefined);
    });

    it("replication: read replicas with their own resources and the same persistence", () => {
        const values = pgValues({ architecture: "replication", readReplicas: { replicaCount: 2, resources }, persistence: { size: "50Gi", storageClass: "fast" } });
        assert.equal(values.architecture, "replication");
        assert.equal(values.readReplicas.replicaCount, 2);
        assert.deepEqual(values.readReplicas.persistence, { enabled: true, size: "50Gi", storageClass: "fast" });
        assert.deepEqual(values.primary.persistence, { enabled: true, size: "50Gi", storageClass: "fast" });
        assert.equal(values.readReplicas.resourcesPreset, "none");
        assert.deepEqual(values.readReplicas.resources, resources);
        assert.equal(values.primary.resources, undefined, "the primary keeps the chart's preset when it has no resources");
    });

    it("every StatefulSet's update strategy is what the API server stores (partition 0), so no update leaves a perpetual diff", () => {
        // The chart's default `rollingUpdate: {}` is dropped by the provider on update and filled
        // in with `partition: 0` by the server: the next preview showed `+ rollingUpdate: {}`.
        const stored = { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
        const values = pgValues({ architecture: "replication" });
        assert.deepEqual(values.primary.updateStrategy, stored);
        assert.deepEqual(values.readReplicas.updateStrategy, stored);
        assert.deepEqual(pgValues().primary.updateStrategy, stored);
        // The redis chart renders `type: RollingUpdate` with no rollingUpdate map: nothing to pin.
        const redisReplication = redisVals({ architecture: "replication", sentinel: { enabled: true } });
        assert.equal(redisReplication.master.updateStrategy, undefined);
        assert.equal(redisReplication.replica.updateStrategy, undefined);
    });

    it("persistence off is an emptyDir", () => {
        assert.deepEqual(pgValues({ persistence: { enabled: false } }).primary.persistence, { enabled: false, size: "8Gi", storageClass: "" });
    });

    it("data safety keeps the PVCs when a StatefulSet is deleted or scaled down", () => {
        const kept = { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" };
        const values = pgValues({ architecture: "replication" }, { protect: true });
        assert.deepEqual(values.primary.persistentVolumeClaimRetentionPolicy, kept);
        assert.deepEqual(values.readReplicas.persistentVolumeClaimRetentionPolicy, kept);
        assert.equal(pgValues().primary.persistentVolumeClaimRetentionPolicy, undefined);
    });

    it("monitoring on: the exporter and a ServiceMonitor Prometheus selects", () => {
        assert.deepEqual(pgValues({}, { monitoring }).metrics.serviceMonitor, { enabled: true, labels: { release: "kube-prometheus-stack" }, interval: "15s", scrapeTimeout: "10s" });
        assert.equal(pgValues({}, { monitoring }).metrics.enabled, true);
        assert.equal(pgValues().metrics.enabled, false);
        assert.deepEqual(pgValues().metrics.serviceMonitor, { enabled: false });
    });

    it("the chart's NetworkPolicies are off in every topology: the program's own selects the release's pods (network-policies.ts)", () => {
        for (const values of [pgValues({ architecture: "replication" }, { monitoring, protect: true }), pgValues({ architecture: "replication" })]) {
            assert.deepEqual(values.primary.networkPolicy, { enabled: false });
            assert.deepEqual(values.readReplicas.networkPolicy, { enabled: false });
        }
        assert.deepEqual(pgValues().primary.networkPolicy, { enabled: false });
    });
});

describe("data tier: Redis values", () => {
    it("the password comes from the program's Secret by name and key", () => {
        assert.deepEqual(redisVals().auth, {
            enabled: true,
            sentinel: true,
            existingSecret: "llm-platform-prod-redis-auth",
            existingSecretPasswordKey: "redis-password",
            usePasswordFiles: true,
        });
    });

    it("standalone: a master only, no Sentinel", () => {
        const values = redisVals();
        assert.equal(values.architecture, "standalone");
        assert.equal(values.replica, undefined);
        assert.deepEqual(values.sentinel, { enabled: false, image: values.sentinel.image });
        assert.deepEqual(values.rbac, { create: false });
    });

    it("replication: replicas with explicit resources", () => {
        const values = redisVals({ architecture: "replication", master: { resources }, replica: { replicaCount: 3, resources } });
        assert.equal(values.replica.replicaCount, 3);
        assert.deepEqual(values.master.resources, resources);
        assert.equal(values.master.resourcesPreset, "none");
        assert.deepEqual(values.replica.resources, resources);
    });

    it("Sentinel: a master Service that follows failovers, which needs the chart's RBAC", () => {
        const values = redisVals({ architecture: "replication", sentinel: { enabled: true, quorum: 2, resources } });
        assert.equal(values.sentinel.enabled, true);
        assert.equal(values.sentinel.quorum, 2);
        assert.deepEqual(values.sentinel.masterService, { enabled: true });
        assert.deepEqual(values.sentinel.resources, resources);
        // The chart's own validation of the master Service (redis.validateValues.createMaster).
        assert.deepEqual(values.rbac, { create: true });
        assert.deepEqual(values.serviceAccount, { create: true });
        assert.equal(values.replica.automountServiceAccountToken, true);
    });

    it("without Sentinel, the replicas get no API token", () => {
        const values = redisVals({ architecture: "replication" });
        assert.equal(values.replica.automountServiceAccountToken, undefined);
        assert.equal(values.serviceAccount, undefined);
    });

    it("data safety keeps the PVCs of master and replicas", () => {
        const values = redisVals({ architecture: "replication" }, { protect: true });
        assert.equal(values.master.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
        assert.equal(values.replica.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
    });

    it("monitoring on: the exporter and a ServiceMonitor Prometheus selects", () => {
        const values = redisVals({}, { monitoring });
        assert.equal(values.metrics.enabled, true);
        assert.deepEqual(values.metrics.serviceMonitor, { enabled: true, additionalLabels: { release: "kube-prometheus-stack" }, interval: "15s", scrapeTimeout: "10s" });
    });

    it("the chart's NetworkPolicy is off in every topology, Sentinel too: the program's own selects the release's pods (network-policies.ts)", () => {
        for (const values of [redisVals(), redisVals({ architecture: "replication" }, { monitoring }), redisVals({ architecture: "replication", sentinel: { enabled: true } }, { monitoring, protect: true })]) {
            assert.deepEqual(values.networkPolicy, { enabled: false });
        }
    });

    it("no value is named like a password", () => {
        const values = redisVals({ architecture: "replication", sentinel: { enabled: true } }, { monitoring, protect: true });
        // The chart's password values: auth.password, global.redis.password.
        assert.deepEqual(keyPaths(values).filter((p) => /^password$/i.test(p.split(".").pop()!)), []);
    });
});

/** The kinds of objects the charts render, as Pulumi types. */
const renderedTypes = {
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
};

/** What the chart's transform does to a rendered object of `type`. */
async function transformed(store: "postgresql" | "redis", type: string) {
    const opts = { ignoreChanges: ["x"] };
    const result = await dataSafetyTransform(store)({ custom: true, type, name: "obj", props: { a: 1 }, opts });
    return result === undefined ? undefined : { props: result.props, protect: result.opts.protect, retainOnDelete: result.opts.retainOnDelete, ignoreChanges: result.opts.ignoreChanges };
}

describe("data tier: data safety options", () => {
    it("off: no options, so the caller's (and parent's) apply", () => {
        assert.deepEqual(dataSafetyOptions(false, "postgresql"), { state: {}, objects: {}, chart: {} });
    });

    it("on: passwords protected; the Secret protected and retained; the chart itself neither, only a transform", () => {
        for (const store of ["postgresql", "redis"] as const) {
            const options = dataSafetyOptions(true, store);
            assert.deepEqual(options.state, { protect: true });
            assert.deepEqual(options.objects, { protect: true, retainOnDelete: true });
            assert.equal(options.chart.protect, undefined, "a protected Chart would protect every object it renders");
            assert.equal(options.chart.retainOnDelete, undefined);
            assert.equal(options.chart.transforms?.length, 1);
        }
    });

    it("PostgreSQL: the transform protects and retains StatefulSets, claims and Secrets, keeping their other options", async () => {
        for (const type of [renderedTypes.statefulSet, renderedTypes.claim, renderedTypes.secret]) {
            assert.deepEqual(await transformed("postgresql", type), { props: { a: 1 }, protect: true, retainOnDelete: true, ignoreChanges: ["x"] }, type);
        }
    });

    it("Redis: claims and Secrets are protected, the StatefulSets are not (a switch to Sentinel renames them; their claims are retained)", async () => {
        assert.equal(await transformed("redis", renderedTypes.statefulSet), undefined);
        assert.equal(holdsData("redis", renderedTypes.statefulSet), false);
        for (const type of [renderedTypes.claim, renderedTypes.secret]) assert.equal((await transformed("redis", type))?.protect, true, type);
    });

    it("what turning metrics off, switching Redis's architecture or bumping the chart removes or replaces is left free to change", async () => {
        const free = [renderedTypes.service, renderedTypes.configMap, renderedTypes.networkPolicy, renderedTypes.serviceMonitor, renderedTypes.serviceAccount, renderedTypes.role, renderedTypes.pdb];
        for (const store of ["postgresql", "redis"] as const) {
            for (const type of free) {
                assert.equal(await transformed(store, type), undefined, `${store} ${type}`);
                assert.equal(holdsData(store, type), false);
            }
        }
    });
});
