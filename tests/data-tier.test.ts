/**
 * The data tier as `pulumi up` would send it, per stack, under mocks: the charts (source, version,
 * values), the password Secrets they are handed by name, images, data safety, external mode and
 * the config problems of the data tier.
 */
import { strict as assert } from "assert";
import { isDeepStrictEqual } from "util";
import { postgresqlChart, redisChart } from "../lib/bitnami-charts";
import { ProgramRun, RecordedResource, applyTransforms, readStackConfig, runProgramExpectingError, runStack, stacks, userSecrets } from "./mocks";

type Values = Record<string, any>;

const chartType = "kubernetes:helm.sh/v4:Chart";
const secretType = "kubernetes:core/v1:Secret";
const passwordType = "random:index/randomPassword:RandomPassword";
const namespaces = { dev: "llm-platform-dev", staging: "llm-platform-staging", prod: "llm-platform" } as const;

/** The release of a data store ("postgresql", "redis") in a run. */
function chartOf(run: ProgramRun, store: "postgresql" | "redis"): RecordedResource {
    const charts = run.ofType(chartType).filter((r) => r.inputs.values?.nameOverride === store);
    assert.equal(charts.length, 1, `one ${store} chart`);
    return charts[0];
}

function secretNamed(run: ProgramRun, name: string): RecordedResource {
    const secrets = run.ofType(secretType).filter((r) => r.inputs.metadata?.name === name);
    assert.equal(secrets.length, 1, `one Secret named ${name}`);
    return secrets[0];
}

/** The plaintext every generated password has under mocks (tests/mocks.ts). */
function generatedPasswords(run: ProgramRun): string[] {
    return run.ofType(passwordType).map((r) => `generated-${r.name}-0123456789`);
}

/** Every image block of a chart's values, by values path. */
function imageBlocks(values: Values, paths: readonly (readonly string[])[]): Values[] {
    return paths.map((p) => p.reduce((v: Values, k) => v[k], values));
}

/**
 * A stack with the data stores' passwords generated (prod syncs them from its secret manager), so
 * the generated-password path is tested on every stack's topology.
 */
function withGeneratedPasswords(stack: (typeof stacks)[number]): { set: Values } {
    const set: Values = {};
    for (const store of ["postgresql", "redis"] as const) {
        const section = readStackConfig(stack).values[`llm-platform:${store}`] as Values | undefined;
        if (section?.auth?.passwordSource === "external-secrets") {
            const auth: Values = { ...section.auth };
            for (const key of ["passwordSource", "remoteRefs", "remoteRef"]) delete auth[key];
            set[store] = { ...section, auth };
        }
    }
    return { set };
}

/** The app's ConfigMap data (the only ConfigMap with DATABASE_HOST). */
function appSettings(run: ProgramRun): Values {
    const maps = run.ofType("kubernetes:core/v1:ConfigMap").filter((r) => r.inputs.data?.ENVIRONMENT !== undefined);
    assert.ok(maps.length > 0, "the application's ConfigMap");
    return maps[0].inputs.data;
}

for (const stack of stacks) {
    describe(`data tier under mocks: ${stack} (passwords generated)`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runStack(stack, withGeneratedPasswords(stack));
        });

        it("installs the pinned charts from the Bitnami OCI registry, as releases named for the stack", () => {
            for (const [store, chart] of [["postgresql", postgresqlChart], ["redis", redisChart]] as const) {
                const release = chartOf(run, store);
                assert.equal(release.inputs.chart, `oci://registry-1.docker.io/bitnamicharts/${store}`);
                assert.equal(release.inputs.version, chart.version);
                assert.equal(release.inputs.name, `llm-platform-${stack}-${store}`);
                assert.equal(release.inputs.namespace, namespaces[stack]);
                assert.equal(release.inputs.values.fullnameOverride, `llm-platform-${stack}-${store}`);
            }
        });

        it("hands PostgreSQL the program's Secret by name, with a generated password under each key the chart reads", () => {
            const values = chartOf(run, "postgresql").inputs.values;
            const secret = secretNamed(run, `llm-platform-${stack}-postgresql-auth`);
            assert.equal(values.auth.existingSecret, secret.inputs.metadata.name);
            assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), Object.values(values.auth.secretKeys).sort());
            for (const value of Object.values<string>(secret.inputs.stringData)) {
                assert.ok(generatedPasswords(run).includes(value), "each key holds a generated password");
            }
            assert.deepEqual(values.passwordUpdateJob, { enabled: false });
            assert.ok(chartOf(run, "postgresql").options.dependsOn.includes(secret.urn), "the chart waits for the Secret");
        });

        it("hands Redis the program's Secret by name and key", () => {
            const values = chartOf(run, "redis").inputs.values;
            const secret = secretNamed(run, `llm-platform-${stack}-redis-auth`);
            assert.equal(values.auth.existingSecret, secret.inputs.metadata.name);
            assert.deepEqual(Object.keys(secret.inputs.stringData), [values.auth.existingSecretPasswordKey]);
            assert.ok(generatedPasswords(run).includes(secret.inputs.stringData[values.auth.existingSecretPasswordKey]));
        });

        it("passwords are 32 letters and digits, safe in connection strings", () => {
            const passwords = run.ofType(passwordType);
            assert.equal(passwords.length, 4);
            for (const password of passwords) {
                assert.equal(password.inputs.length, 32);
                assert.equal(password.inputs.special, false);
            }
        });

        it("generated passwords are secret Outputs of their resource", () => {
            for (const password of run.ofType(passwordType)) {
                assert.ok(password.options.additionalSecretOutputs.includes("result"), password.name);
            }
        });

        it("no chart value and no stack output holds a password", () => {
            const charts = JSON.stringify(run.ofType(chartType).map((r) => r.inputs));
            const outputs = JSON.stringify(run.outputs);
            for (const password of generatedPasswords(run)) {
                assert.ok(!charts.includes(password), `${password} in chart values`);
                assert.ok(!outputs.includes(password), `${password} in stack outputs`);
            }
        });

        it("every image comes from docker.io/bitnamilegacy at the chart's tag, with the charts' image check allowed", () => {
            for (const [store, chart] of [["postgresql", postgresqlChart], ["redis", redisChart]] as const) {
                const values = chartOf(run, store).inputs.values;
                const blocks = imageBlocks(values, Object.values(chart.images).map((i) => i.valuesPath));
                assert.deepEqual(
                    blocks,
                    Object.values(chart.images).map((i) => ({ registry: "docker.io", repository: i.repository.replace("bitnami/", "bitnamilegacy/"), tag: i.tag, digest: "" })),
                );
                assert.equal(values.global.security.allowInsecureImages, true);
            }
        });

        it("the application connects to the primaries' Services with the Secrets' keys", () => {
            const settings = appSettings(run);
            const primary = stack === "dev" ? "llm-platform-dev-postgresql" : `llm-platform-${stack}-postgresql-primary`;
            assert.equal(settings.DATABASE_HOST, `${primary}.${namespaces[stack]}.svc.cluster.local`);
            assert.equal(settings.DATABASE_PORT, "5432");
            assert.equal(settings.DATABASE_NAME, "llm_platform");
            assert.equal(settings.DATABASE_USER, "llm_platform");
            assert.equal(settings.DATABASE_READ_HOST, stack === "dev" ? undefined : `llm-platform-${stack}-postgresql-read.${namespaces[stack]}.svc.cluster.local`, "the read replicas' host");
            assert.equal(settings.REDIS_HOST, `llm-platform-${stack}-redis-master.${namespaces[stack]}.svc.cluster.local`);
            assert.equal(settings.REDIS_PORT, "6379");
            const deployment = run.ofType("kubernetes:apps/v1:Deployment")[0];
            const env = deployment.inputs.spec.template.spec.containers[0].env;
            const refs = Object.fromEntries(env.filter((e: Values) => e.valueFrom?.secretKeyRef).map((e: Values) => [e.name, e.valueFrom.secretKeyRef]));
            assert.deepEqual(refs.DATABASE_PASSWORD, { name: `llm-platform-${stack}-postgresql-auth`, key: "password" });
            assert.deepEqual(refs.REDIS_PASSWORD, { name: `llm-platform-${stack}-redis-auth`, key: "redis-password" });
        });
    });
}

describe("data tier under mocks: topology per environment", () => {
    it("dev: standalone PostgreSQL and Redis without volumes, metrics or chart NetworkPolicies", async () => {
        const run = await runStack("dev");
        const pg = chartOf(run, "postgresql").inputs.values;
        const redis = chartOf(run, "redis").inputs.values;
        assert.equal(pg.architecture, "standalone");
        assert.equal(pg.readReplicas, undefined);
        assert.equal(pg.primary.persistence.enabled, false);
        assert.equal(pg.metrics.enabled, false);
        assert.deepEqual(pg.primary.networkPolicy, { enabled: false });
        assert.equal(redis.architecture, "standalone");
        assert.equal(redis.master.persistence.enabled, false);
        assert.deepEqual(redis.networkPolicy, { enabled: false });
    });

    it("staging: PostgreSQL replication with a read replica, Redis replication, metrics and ServiceMonitors on", async () => {
        const run = await runStack("staging");
        const pg = chartOf(run, "postgresql").inputs.values;
        const redis = chartOf(run, "redis").inputs.values;
        assert.equal(pg.architecture, "replication");
        assert.equal(pg.readReplicas.replicaCount, 1);
        assert.deepEqual(pg.metrics.serviceMonitor, { enabled: true, labels: { release: "kube-prometheus-stack" }, interval: "30s", scrapeTimeout: "10s" });
        assert.equal(redis.architecture, "replication");
        assert.equal(redis.replica.replicaCount, 2);
        assert.equal(redis.metrics.serviceMonitor.enabled, true);
    });

    it("prod: two read replicas on 50Gi, three Redis replicas, explicit resources instead of presets", async () => {
        const run = await runStack("prod");
        const pg = chartOf(run, "postgresql").inputs.values;
        const redis = chartOf(run, "redis").inputs.values;
        assert.equal(pg.architecture, "replication");
        assert.equal(pg.readReplicas.replicaCount, 2);
        assert.equal(pg.primary.persistence.size, "50Gi");
        assert.equal(pg.readReplicas.persistence.size, "50Gi");
        for (const workload of [pg.primary, pg.readReplicas, redis.master, redis.replica]) {
            assert.equal(workload.resourcesPreset, "none");
            assert.ok(workload.resources.requests.cpu && workload.resources.limits.memory);
        }
        assert.equal(redis.replica.replicaCount, 3);
    });

    it("prod with Sentinel: failover by Sentinel, and the application still writes through the master Service", async () => {
        const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
        const redis = readStackConfig("prod").values["llm-platform:redis"] as Values;
        const run = await runStack("prod", { set: { redis: { ...redis, sentinel: { enabled: true, quorum: 2, resources } } } });
        const values = chartOf(run, "redis").inputs.values;
        assert.equal(values.sentinel.enabled, true);
        assert.deepEqual(values.sentinel.masterService, { enabled: true });
        assert.equal(appSettings(run).REDIS_HOST, "llm-platform-prod-redis-master.llm-platform.svc.cluster.local");
        const policy = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-netpol").inputs.spec;
        assert.deepEqual(policy.ingress[0].ports, [{ protocol: "TCP", port: 6379 }], "clients use the master Service, never Sentinel's port");
        assert.deepEqual(policy.ingress[1].ports, [{ protocol: "TCP", port: 6379 }, { protocol: "TCP", port: 26379 }], "Sentinel's port only between the release's pods");
    });

    it("with network policy on, the program's policies admit exactly the application's pods (and PostgreSQL the backup pods), the app's egress selects the charts' pods, and the charts make none", async () => {
        const run = await runStack("prod");
        const app = run.ofType("kubernetes:apps/v1:Deployment")[0];
        const appSelector = app.inputs.spec.selector.matchLabels;
        const backupSelector = { "app.kubernetes.io/name": "postgresql-backup", "app.kubernetes.io/instance": "llm-platform-prod" };
        const postgresPods = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "llm-platform-prod-postgresql" };
        const pg = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-netpol").inputs;
        assert.equal(pg.metadata.name, "llm-platform-prod-postgresql-netpol");
        assert.deepEqual(pg.spec.podSelector.matchLabels, postgresPods);
        assert.deepEqual(pg.spec.ingress[0], { from: [{ podSelector: { matchLabels: appSelector } }, { podSelector: { matchLabels: backupSelector } }], ports: [{ protocol: "TCP", port: 5432 }] });
        assert.deepEqual(run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-netpol").inputs.spec.ingress[0].from, [{ podSelector: { matchLabels: appSelector } }]);
        assert.deepEqual(chartOf(run, "postgresql").inputs.values.primary.networkPolicy, { enabled: false });
        assert.deepEqual(chartOf(run, "redis").inputs.values.networkPolicy, { enabled: false });

        const egress = run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").flatMap((p) => p.inputs.spec.egress ?? []);
        assert.ok(
            egress.some((rule: Values) => isDeepStrictEqual(rule, { to: [{ podSelector: { matchLabels: postgresPods } }], ports: [{ protocol: "TCP", port: 5432 }] })),
            "the app may reach the PostgreSQL pods on 5432",
        );
    });

    it("with network policy on, each chart waits for its pods' NetworkPolicy, so they never start behind the namespace's deny alone", async () => {
        const run = await runStack("prod");
        for (const store of ["postgresql", "redis"] as const) {
            const policy = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${store}-netpol`);
            assert.ok(chartOf(run, store).options.dependsOn.includes(policy.urn), `${store}: the chart depends on ${policy.urn}`);
        }
    });

    it("dev (network policy off): no data-store NetworkPolicy", async () => {
        const run = await runStack("dev");
        assert.deepEqual(run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.name), []);
    });
});

describe("data tier under mocks: stable credentials", () => {
    it("a second run sends the same passwords, Secrets and chart inputs, so an up after the first changes nothing", async () => {
        const stable = (run: ProgramRun) =>
            [...run.ofType(passwordType), ...run.ofType(secretType), ...run.ofType(chartType)].map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        const first = stable(await runStack("prod"));
        const second = stable(await runStack("prod", {}, { fresh: true }));
        assert.deepEqual(second, first);
        assert.ok(first.some((r) => r.type === chartType));
    });
});

/**
 * What a chart's transform (one: data safety's, when on, composed with the destroy guard's record
 * of its objects, platform/chart-objects.ts) makes of a rendered object of `type`.
 */
async function safetyOf(chart: RecordedResource, type: string): Promise<{ protect: boolean; retainOnDelete: boolean }> {
    const { opts } = await applyTransforms(chart, { type, name: `${chart.name}:llm-platform/object`, custom: true, props: { metadata: { name: "object" } } });
    return { protect: opts.protect === true, retainOnDelete: opts.retainOnDelete === true };
}
const claimType = "kubernetes:core/v1:PersistentVolumeClaim";

describe("data tier under mocks: data safety", () => {
    it("prod: Secrets and passwords are protected, Secrets retained; the charts are not protected, each carries the transform that guards what holds data", async () => {
        const run = await runStack("prod", withGeneratedPasswords("prod"));
        for (const store of ["postgresql", "redis"] as const) {
            const chart = chartOf(run, store);
            assert.equal(chart.options.protect, false, `${store} chart: protecting it would protect every rendered object`);
            assert.equal(chart.options.retainOnDelete, false, `${store} chart retainOnDelete`);
            assert.equal(chart.options.transforms, 1, `${store} chart: one transform, one callback per object`);
            assert.deepEqual(await safetyOf(chart, claimType), { protect: true, retainOnDelete: true }, `${store} chart: its volume claims`);
            assert.deepEqual(await safetyOf(chart, "kubernetes:core/v1:Service"), { protect: false, retainOnDelete: false }, `${store} chart: its Services`);
            const secret = secretNamed(run, `llm-platform-prod-${store}-auth`);
            assert.equal(secret.options.protect, true);
            assert.equal(secret.options.retainOnDelete, true);
            assert.equal(chart.inputs.values.primary?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? chart.inputs.values.master.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
        }
        for (const password of run.ofType(passwordType)) assert.equal(password.options.protect, true, password.name);
    });

    it("prod: renaming or removing the database component still fails, since its Secret and passwords are protected under it", async () => {
        const run = await runStack("prod", withGeneratedPasswords("prod"));
        const component = run.one("llm-platform:data:PostgresDatabase");
        const guarded = run.resources.filter((r) => r.options.parent === component.urn && r.options.protect);
        assert.deepEqual(guarded.map((r) => r.type).sort(), [secretType, passwordType, passwordType, passwordType].sort());
    });

    it("prod: metrics off, Redis switched to Sentinel and a chart bump change no protected resource's inputs", async () => {
        const base = await runStack("prod", withGeneratedPasswords("prod"));
        const redis = { ...(readStackConfig("prod").values["llm-platform:redis"] as Values), auth: {}, sentinel: { enabled: true, quorum: 2, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } } };
        const postgresql = { ...withGeneratedPasswords("prod").set.postgresql, chart: { version: "17.1.1" } };
        // Without monitoring there are no alerts, so the orchestrator's SLO goes too (observability/alerting.rules.ts).
        const services = structuredClone(readStackConfig("prod").values["llm-platform:services"]) as Values;
        delete services.orchestrator.slo;
        const changed = await runStack("prod", { set: { monitoring: { enabled: false }, redis, postgresql, services } });
        const protectedInputs = (run: ProgramRun) => run.resources.filter((r) => r.options.protect).map((r) => ({ urn: r.urn, inputs: r.inputs }));
        assert.deepEqual(protectedInputs(changed), protectedInputs(base));
        assert.ok(changed.ofType(chartType).every((c) => !c.options.protect));
    });

    it("prod with passwords from the secret manager: the ExternalSecrets are protected and retained, and no password is generated", async () => {
        const run = await runStack("prod");
        assert.deepEqual(run.ofType(passwordType), []);
        for (const store of ["postgresql", "redis"] as const) {
            const [sync] = run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").filter((r) => r.inputs.metadata.name === `llm-platform-prod-${store}-auth`);
            assert.equal(sync.options.protect, true, store);
            assert.equal(sync.options.retainOnDelete, true, store);
            assert.ok(chartOf(run, store).options.dependsOn.includes(sync.urn), `the ${store} chart waits for the ExternalSecret`);
        }
    });

    it("dev and staging: nothing protected, so a stack can be torn down", async () => {
        for (const stack of ["dev", "staging"] as const) {
            const run = await runStack(stack);
            const guarded = [...run.ofType(chartType), ...run.ofType(passwordType), ...run.ofType(secretType)].filter((r) => r.options.protect || r.options.retainOnDelete);
            assert.deepEqual(guarded.map((r) => r.name), [], stack);
            for (const chart of run.ofType(chartType)) assert.deepEqual(await safetyOf(chart, claimType), { protect: false, retainOnDelete: false }, `${stack} ${chart.name}`);
        }
    });

    it("protect: false in prod turns data safety off (to tear a stack down on purpose)", async () => {
        const run = await runStack("prod", { set: { postgresql: { ...prodPostgresql(), protect: false } } });
        assert.deepEqual(await safetyOf(chartOf(run, "postgresql"), claimType), { protect: false, retainOnDelete: false });
        assert.deepEqual(await safetyOf(chartOf(run, "redis"), claimType), { protect: true, retainOnDelete: true });
    });
});

/** The prod stack's postgresql section, to edit. */
function prodPostgresql(): Values {
    return readStackConfig("prod").values["llm-platform:postgresql"] as Values;
}

describe("data tier under mocks: overrides", () => {
    it("a stack points the charts at a mirror or a local directory", async () => {
        const run = await runStack("staging", {
            set: {
                postgresql: { architecture: "replication", chart: { repository: "oci://harbor.internal/bitnamicharts", version: "17.1.0" } },
                redis: { chart: { path: "./vendor/charts/redis" } },
            },
        });
        const pg = chartOf(run, "postgresql").inputs;
        assert.equal(pg.chart, "oci://harbor.internal/bitnamicharts/postgresql");
        assert.equal(pg.version, "17.1.0");
        const redis = chartOf(run, "redis").inputs;
        assert.equal(redis.chart, "./vendor/charts/redis");
        assert.equal(redis.version, undefined);
    });

    it("a stack overrides any image's registry, repository, tag or digest", async () => {
        const digest = `sha256:${"d".repeat(64)}`;
        const run = await runStack("dev", {
            set: {
                postgresql: { persistence: { enabled: false }, images: { postgresql: { registry: "registry.internal", repository: "db/postgresql", tag: "17.6.0-r9" }, metrics: { digest } } },
                redis: { images: { kubectl: { registry: "registry.internal", repository: "tools/kubectl", tag: "1.33.4" } } },
            },
        });
        const pg = chartOf(run, "postgresql").inputs.values;
        assert.deepEqual(pg.image, { registry: "registry.internal", repository: "db/postgresql", tag: "17.6.0-r9", digest: "" });
        assert.equal(pg.metrics.image.digest, digest);
        assert.equal(pg.global.security.allowInsecureImages, true);
        assert.deepEqual(chartOf(run, "redis").inputs.values.kubectl.image, { registry: "registry.internal", repository: "tools/kubectl", tag: "1.33.4", digest: "" });
    });
});

describe("data tier under mocks: external mode", () => {
    const external = {
        postgresql: { mode: "external", auth: { database: "llm", username: "llm_app" }, external: { host: "db.example.com", port: 6432, existingSecret: "managed-db", cidrs: ["10.20.0.0/16"] } },
        redis: { mode: "external", external: { host: "cache.example.com", existingSecret: "managed-cache", passwordKey: "auth-token" } },
    };

    it("installs no chart, generates no password and creates no Secret for the data stores", async () => {
        const run = await runStack("prod", { set: external });
        assert.deepEqual(run.ofType(chartType), []);
        assert.deepEqual(run.ofType(passwordType), []);
        assert.deepEqual(run.ofType(secretType).filter((s) => /-(postgresql|redis)-auth$/.test(s.inputs.metadata?.name ?? "")), []);
    });

    it("the application uses the external hosts and the existing Secrets", async () => {
        const run = await runStack("prod", { set: external });
        const settings = appSettings(run);
        assert.equal(settings.DATABASE_HOST, "db.example.com");
        assert.equal(settings.DATABASE_PORT, "6432");
        assert.equal(settings.DATABASE_NAME, "llm");
        assert.equal(settings.DATABASE_USER, "llm_app");
        assert.equal(settings.REDIS_HOST, "cache.example.com");
        const env = run.ofType("kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec.containers[0].env;
        const refs = Object.fromEntries(env.filter((e: Values) => e.valueFrom?.secretKeyRef).map((e: Values) => [e.name, e.valueFrom.secretKeyRef]));
        assert.deepEqual(refs.DATABASE_PASSWORD, { name: "managed-db", key: "password" });
        assert.deepEqual(refs.REDIS_PASSWORD, { name: "managed-cache", key: "auth-token" });
    });

    it("the application's NetworkPolicy lets it reach the external addresses on the data stores' ports only", async () => {
        const run = await runStack("prod", { set: external });
        const egress = run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").flatMap((p) => p.inputs.spec.egress ?? []);
        assert.ok(egress.some((r: Values) => isDeepStrictEqual(r, { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 6432 }] })));
        assert.ok(egress.some((r: Values) => isDeepStrictEqual(r, { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 6379 }] })));
    });
});

describe("data tier under mocks: config problems", () => {
    it("external mode without a host or Secret fails before any resource exists, naming every missing key", async () => {
        const { error, resources } = await runProgramExpectingError("staging", { set: { postgresql: { mode: "external" } }, secrets: userSecrets.staging });
        assert.equal(
            error.message,
            [
                'Stack config of "staging" has 2 problems:',
                '  - postgresql.external.existingSecret: given nothing; expected the name of an existing Secret holding the password under "password", because postgresql.mode is "external"',
                '  - postgresql.external.host: given nothing; expected a host name, because postgresql.mode is "external"',
            ].join("\n"),
        );
        assert.deepEqual(resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
    });

    it("prod without explicit resources, and Sentinel without replication, are reported together", async () => {
        const { error } = await runProgramExpectingError("prod", {
            set: { postgresql: { architecture: "replication", persistence: { size: "50Gi" } }, redis: { sentinel: { enabled: true } } },
            secrets: userSecrets.prod,
        });
        assert.equal(
            error.message,
            [
                'Stack config of "prod" has 4 problems:',
                "  - postgresql.primary.resources: given nothing; expected explicit requests and limits in production, not the chart's resourcesPreset",
                "  - postgresql.readReplicas.resources: given nothing; expected explicit requests and limits in production, not the chart's resourcesPreset",
                '  - redis.sentinel.enabled: given true; expected false, because redis.architecture is "standalone" (Sentinel needs "replication")',
                "  - redis.sentinel.resources: given nothing; expected explicit requests and limits in production, not the chart's resourcesPreset",
            ].join("\n"),
        );
    });

    it("a misspelt data-tier key is an error, not ignored", async () => {
        const { error } = await runProgramExpectingError("dev", { set: { redis: { architecure: "replication" } }, secrets: userSecrets.dev });
        assert.match(error.message, /^ {2}- redis\.architecure: given a string of 11 characters; expected no such key; did you mean "architecture"\?$/m);
    });
});
