/**
 * The seed charts' knobs of issue #27: feature flags, profiles, optional data stores, the
 * stack-wide storage class and domain, the PDB that comes with autoscaling. Each one's objects,
 * and each mistake with its exact message.
 */
import { strict as assert } from "assert";
import { disruptionBudgetOf, serviceSchema, ServiceConfig } from "../application/service.schema";
import { configMapData, featureFlagSettings, PlatformContext } from "../application/application.specs";
import { featureEnvName, programEnvNames } from "../lib/builtin-secrets";
import { RecordedResource, readStackConfig, runStack } from "./mocks";
import { validateConfig } from "../config/validate";
import { problemsOf, raw } from "./config-harness";
import { reportOf, stagingBase, Values } from "./config-harness";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, ...overrides });
const context: PlatformContext = { environment: "staging", llmProviders: [], vectorDb: { type: "none", providerEnvNames: false } };
const message = (edit: (v: Values) => void): string => reportOf(stagingBase, edit);
const servicesOf = (stack: "dev" | "staging" | "prod"): Values => structuredClone(readStackConfig(stack).values["llm-platform:services"] as Values);
const stagingServices = (): Values => structuredClone(readStackConfig("staging").values["llm-platform:services"] as Values);

describe("feature flags (services.<name>.features, #27 item 4)", () => {
    it("camelCase, kebab-case and snake_case names become FEATURE_<UPPER_SNAKE>", () => {
        assert.deepEqual(
            ["compression", "rateLimiting", "rate-limiting", "rate_limiting", "HTTPCache", "v2Api", "a1"].map(featureEnvName),
            ["FEATURE_COMPRESSION", "FEATURE_RATE_LIMITING", "FEATURE_RATE_LIMITING", "FEATURE_RATE_LIMITING", "FEATURE_HTTP_CACHE", "FEATURE_V2_API", "FEATURE_A1"],
        );
    });

    it("the seed's four flags reach the ConfigMap as true|false, beside the other settings", () => {
        const flags = { compression: true, rateLimiting: false, metrics: true, tracing: false };
        assert.deepEqual(featureFlagSettings(flags), { FEATURE_COMPRESSION: "true", FEATURE_RATE_LIMITING: "false", FEATURE_METRICS: "true", FEATURE_TRACING: "false" });
        const data = configMapData(service({ features: flags, connectsTo: { postgresql: false, redis: false } }), context);
        assert.deepEqual([data.FEATURE_COMPRESSION, data.FEATURE_RATE_LIMITING, data.LOG_LEVEL], ["true", "false", "info"]);
    });

    it("no variable the program sets starts with FEATURE_, so no flag can hide one", () => {
        assert.deepEqual(programEnvNames.filter((name) => name.startsWith("FEATURE_")), []);
    });

    it("no flags: no FEATURE_ variable", () => {
        assert.deepEqual(Object.keys(configMapData(service(), context)).filter((k) => k.startsWith("FEATURE_")), []);
    });

    it("a flag change changes the ConfigMap's data, and the pods read the auto-named ConfigMap, so a change makes a new one and rolls them", async () => {
        const on = stagingServices();
        on.orchestrator.features = { compression: true };
        const off = stagingServices();
        off.orchestrator.features = { compression: false };
        const a = await runStack("staging", { set: { services: on } });
        const b = await runStack("staging", { set: { services: off } });
        const configMapOf = (run: typeof a) => run.one("kubernetes:core/v1:ConfigMap", "orchestrator-config");
        assert.equal(configMapOf(a).inputs.data.FEATURE_COMPRESSION, "true");
        assert.equal(configMapOf(b).inputs.data.FEATURE_COMPRESSION, "false");
        for (const run of [a, b]) {
            // No fixed name: the provider replaces the ConfigMap under a new name when its data changes.
            assert.equal(configMapOf(run).inputs.metadata.name, undefined);
            const pod = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec;
            assert.deepEqual(pod.containers[0].envFrom, [{ configMapRef: { name: "orchestrator-config-mock1234" } }]);
        }
    });

    it("a flag name is letters, digits, '-' and '_', starting with a letter", () => {
        assert.equal(
            message((v) => { v.services.api.features = { "1st": true, "rate limiting": true, ok: "yes" }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - services.api.features.1st: given \"1st\"; expected a flag name such as \"rateLimiting\": letters, digits, '-' and '_', starting with a letter, at most 100 characters\n" +
            "  - services.api.features.ok: given \"yes\"; expected a boolean\n" +
            "  - services.api.features.rate limiting: given \"rate limiting\"; expected a flag name such as \"rateLimiting\": letters, digits, '-' and '_', starting with a letter, at most 100 characters",
        );
    });

    it("two flags that fold to one variable are refused, naming the first", () => {
        assert.equal(
            message((v) => { v.services.api.features = { rateLimiting: true, "rate-limiting": false }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.features.rate-limiting: given \"rate-limiting\"; expected a flag whose variable no other flag has: services.api.features.rateLimiting is already FEATURE_RATE_LIMITING",
        );
    });

    it("a flag may not hide a variable of the service's env", () => {
        assert.equal(
            message((v) => { v.services.api.env = { FEATURE_COMPRESSION: "gzip" }; v.services.api.features = { compression: true }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.features.compression: given \"compression\"; expected a flag whose variable services.api.env doesn't set too: both write FEATURE_COMPRESSION",
        );
    });
});

describe("a PodDisruptionBudget that comes with autoscaling (#27 item 6)", () => {
    const autoscaled = (pdb: Record<string, unknown> = {}) => service({ autoscaling: { enabled: true, minReplicas: 2 }, podDisruptionBudget: pdb });

    it("autoscaling on and no budget configured: maxUnavailable 1", () => {
        assert.deepEqual(disruptionBudgetOf(autoscaled()), { maxUnavailable: 1 });
    });

    it("autoscaling on with a budget given but `enabled` unset: that budget", () => {
        assert.deepEqual(disruptionBudgetOf(autoscaled({ minAvailable: 1 })), { minAvailable: 1, maxUnavailable: undefined });
    });

    it("enabled: false turns it off, even with autoscaling", () => {
        assert.equal(disruptionBudgetOf(autoscaled({ enabled: false })), undefined);
    });

    it("without autoscaling, none unless enabled (as before)", () => {
        assert.equal(disruptionBudgetOf(service()), undefined);
        assert.equal(disruptionBudgetOf(service({ podDisruptionBudget: { minAvailable: 1 } })), undefined);
        assert.deepEqual(disruptionBudgetOf(service({ replicas: 3, podDisruptionBudget: { enabled: true, minAvailable: 1 } })), { minAvailable: 1, maxUnavailable: undefined });
    });

    it("the program: an autoscaled service without a budget gets a PDB of maxUnavailable 1; enabled: false, none", async () => {
        const on = servicesOf("dev");
        on.orchestrator.autoscaling = { enabled: true, minReplicas: 2, maxReplicas: 4 };
        const withBudget = await runStack("dev", { set: { services: on } });
        const pdb = withBudget.one("kubernetes:policy/v1:PodDisruptionBudget", "orchestrator-pdb").inputs;
        assert.deepEqual([pdb.spec.maxUnavailable, pdb.spec.minAvailable], [1, undefined]);
        on.orchestrator.podDisruptionBudget = { enabled: false };
        const without = await runStack("dev", { set: { services: on } });
        assert.deepEqual(without.ofType("kubernetes:policy/v1:PodDisruptionBudget"), []);
    });

    it("the rule that the budget stay below the HPA minimum holds for a budget given without `enabled`", () => {
        assert.equal(
            message((v) => { v.services.api.autoscaling = { enabled: true, minReplicas: 2 }; v.services.api.podDisruptionBudget = { minAvailable: 2 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.podDisruptionBudget.minAvailable: given 2; expected fewer pods than services.api.autoscaling.minReplicas (2), or the budget blocks every eviction and node drain",
        );
        assert.equal(
            message((v) => { v.services.api.autoscaling = { enabled: true }; v.services.api.podDisruptionBudget = { minAvailable: 1, maxUnavailable: 1 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.podDisruptionBudget: given {\"minAvailable\":1,\"maxUnavailable\":1}; expected exactly one of minAvailable or maxUnavailable",
        );
    });
});

describe("profiles (services.<name>.profile, postgresql.profile, redis.profile, #27 item 1)", () => {
    const validated = (edit: (v: Values) => void) => {
        const values = stagingBase();
        edit(values);
        const result = validateConfig(raw(values));
        assert.deepEqual(result.problems, []);
        return result.config!;
    };

    it("each service profile is the seed's numbers: requests, limits, replicas, autoscaling", () => {
        const sized = (profile: string) => {
            const s = validated((v) => { v.services.api.profile = profile; }).services.api;
            return [s.resources.requests.cpu, s.resources.requests.memory, s.resources.limits.cpu, s.resources.limits.memory, s.replicas, s.autoscaling.enabled, s.autoscaling.minReplicas, s.autoscaling.maxReplicas];
        };
        assert.deepEqual(sized("small"), ["250m", "512Mi", "500m", "1Gi", 1, false, 2, 5]);
        assert.deepEqual(sized("medium"), ["500m", "1Gi", "1", "2Gi", 3, true, 2, 10]);
        assert.deepEqual(sized("large"), ["1", "2Gi", "2", "4Gi", 5, true, 5, 20]);
    });

    it("profile: large with resources.limits.memory: 8Gi keeps 8Gi and every other large value", () => {
        const s = validated((v) => { v.services.api.profile = "large"; v.services.api.resources = { limits: { memory: "8Gi" } }; }).services.api;
        assert.deepEqual(s.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "8Gi" } });
        assert.deepEqual([s.replicas, s.autoscaling.enabled, s.autoscaling.minReplicas, s.autoscaling.maxReplicas], [5, true, 5, 20]);
    });

    it("what the stack sets wins key by key, even a value equal to the schema's default", () => {
        const s = validated((v) => { v.services.api.profile = "medium"; v.services.api.autoscaling = { enabled: false, maxReplicas: 5 }; v.services.api.replicas = 1; }).services.api;
        assert.deepEqual([s.replicas, s.autoscaling.enabled, s.autoscaling.maxReplicas, s.autoscaling.minReplicas], [1, false, 5, 2]);
    });

    it("the data stores' profiles size the primary (master) and the replicas; the section's own keys win", () => {
        const config = validated((v) => {
            v.postgresql = { profile: "large", architecture: "replication", primary: { resources: { limits: { memory: "6Gi" } } } };
            v.redis = { profile: "small" };
        });
        assert.deepEqual(config.postgresql.primary.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1500m", memory: "6Gi" } });
        assert.deepEqual(config.postgresql.readReplicas.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1500m", memory: "3Gi" } });
        assert.deepEqual(config.redis.master.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "375m", memory: "384Mi" } });
        assert.deepEqual(config.redis.replica.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "375m", memory: "384Mi" } });
    });

    it("the objects carry the resolved values and never the profile's name", async () => {
        const services = stagingServices();
        delete services.orchestrator.autoscaling;
        services.orchestrator.profile = "large";
        services.orchestrator.resources = { limits: { memory: "8Gi" } };
        const run = await runStack("staging", { set: { services, postgresql: { ...(readStackConfig("staging").values["llm-platform:postgresql"] as Values), profile: "medium" } } });
        const container = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec.containers[0];
        assert.deepEqual(container.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "8Gi" } });
        const hpa = run.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs.spec;
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [5, 20]);
        const chartValues = JSON.stringify(run.resources.filter((r) => r.type.startsWith("kubernetes:helm.sh")).map((r) => r.inputs.values));
        assert.ok(chartValues.includes('"limits":{"cpu":"750m","memory":"1536Mi"}'), "PostgreSQL's medium limits reach the chart's values");
        const mentions = (r: RecordedResource) => /"profile"|\b(small|medium|large)\b/.test(JSON.stringify(r.inputs));
        assert.deepEqual(run.resources.filter(mentions).map((r) => r.name), []);
    });

    it("an unknown profile is refused with the names there are", () => {
        assert.equal(
            message((v) => { v.services.api.profile = "xlarge"; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.profile: given \"xlarge\"; expected one of \"small\", \"medium\", \"large\"",
        );
    });

    it("a data store's profile with mode external is refused: there are no pods to size", () => {
        assert.equal(
            message((v) => { v.redis.profile = "small"; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - redis.profile: given \"small\"; expected nothing, because redis.mode is \"external\": a profile sizes the in-cluster pods, and there are none",
        );
    });
});

describe("optional data stores (postgresql.enabled, redis.enabled, #27 item 2)", () => {
    const without = async (stack: "staging" | "prod", store: "postgresql" | "redis") => {
        const services = servicesOf(stack);
        services.orchestrator.connectsTo = { [store]: false };
        return runStack(stack, { set: { services, [store]: { enabled: false } } });
    };
    const mentioning = (run: Awaited<ReturnType<typeof without>>, pattern: RegExp) =>
        run.resources.filter((r) => pattern.test(r.name) || pattern.test(JSON.stringify(r.inputs))).map((r) => `${r.type} ${r.name}`);

    it("redis.enabled false: no chart, Secret, password, env, wait, egress, alert, dashboard row or output of Redis", async () => {
        const run = await without("prod", "redis");
        assert.deepEqual(mentioning(run, /redis/i), []);
        assert.deepEqual(Object.keys(run.outputs.dataStores as object), ["postgresql"]);
        const data = run.one("kubernetes:core/v1:ConfigMap", "orchestrator-config").inputs.data;
        assert.ok(data.DATABASE_HOST !== undefined && data.REDIS_HOST === undefined);
        assert.ok(run.resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart" && /postgresql/.test(r.name)), "PostgreSQL is still there");
    });

    it("postgresql.enabled false: no chart, Secret, password, backup, env, wait, egress, alert, dashboard row or output of PostgreSQL", async () => {
        const run = await without("prod", "postgresql");
        assert.deepEqual(mentioning(run, /postgres|pg_dump|DATABASE_/i), []);
        assert.deepEqual(Object.keys(run.outputs.dataStores as object), ["redis"]);
        assert.deepEqual(run.ofType("kubernetes:batch/v1:CronJob"), [], "no backup");
    });

    it("in a shared namespace, the stack's default-deny selects no Redis release when there is none", async () => {
        const services = servicesOf("prod");
        services.orchestrator.connectsTo = { redis: false };
        const run = await runStack("prod", { set: { services, redis: { enabled: false }, namespace: { name: "shared-team", create: false } } });
        const deny = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny").inputs.spec.podSelector;
        assert.deepEqual(deny.matchExpressions[1].values, ["llm-platform-prod", "llm-platform-prod-postgresql"]);
        assert.deepEqual(mentioning(run, /redis/i), []);
    });

    it("a stack with both stores on is as before: both charts, both outputs", async () => {
        const run = await runStack("staging");
        assert.deepEqual(Object.keys(run.outputs.dataStores as object), ["postgresql", "redis"]);
    });

    it("a service that connects to a disabled store is refused, naming both keys", () => {
        assert.equal(
            message((v) => { v.redis = { enabled: false }; v.postgresql = { enabled: false }; v.services.web = { image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, connectsTo: { postgresql: false, redis: false } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.connectsTo.postgresql: given true; expected false, because postgresql.enabled is false: the stack has no PostgreSQL to connect to (connectsTo.postgresql is true unless set)\n" +
            "  - services.api.connectsTo.redis: given true; expected false, because redis.enabled is false: the stack has no Redis to connect to (connectsTo.redis is true unless set)",
        );
    });

    it("a disabled store's own rules don't run: production's rules are not asked of a store that isn't there", () => {
        const production = (stores: Values) => () => ({
            environment: "production",
            services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } }, connectsTo: { postgresql: false, redis: false } } },
            ...stores,
        });
        assert.ok(problemsOf(production({}), () => {}).some((p) => p.key.startsWith("postgresql.")), "in-cluster stores in production have rules of their own");
        assert.deepEqual(problemsOf(production({ postgresql: { enabled: false }, redis: { enabled: false } }), () => {}), []);
    });
});

describe("stack-wide defaults: storageClass and domain (#27 item 3)", () => {
    const claimsOf = (run: Awaited<ReturnType<typeof runStack>>) => {
        const charts = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        const chartClasses = charts.flatMap((c) => [c.inputs.values?.primary?.persistence?.storageClass, c.inputs.values?.readReplicas?.persistence?.storageClass, c.inputs.values?.master?.persistence?.storageClass, c.inputs.values?.replica?.persistence?.storageClass]).filter((v) => v !== undefined);
        const claims = run.ofType("kubernetes:core/v1:PersistentVolumeClaim").map((c) => c.inputs.spec.storageClassName);
        return { chartClasses, claims };
    };

    it("storageClass reaches every claim that sets none: the charts' data and the backup claim", async () => {
        const run = await runStack("prod", { set: { storageClass: "fast-ssd" } });
        const { chartClasses, claims } = claimsOf(run);
        assert.ok(chartClasses.length >= 3, "PostgreSQL primary and replicas, Redis master and replicas");
        assert.deepEqual([...new Set(chartClasses)], ["fast-ssd"]);
        assert.deepEqual(claims, ["fast-ssd"], "the backup claim");
    });

    it("a claim's own storageClass wins over the stack's", async () => {
        const prod = readStackConfig("prod").values as Values;
        const postgresql = structuredClone(prod["llm-platform:postgresql"]);
        postgresql.persistence = { ...postgresql.persistence, storageClass: "io2" };
        postgresql.backup = { ...postgresql.backup, storage: { ...postgresql.backup?.storage, storageClass: "cold" } };
        const run = await runStack("prod", { set: { storageClass: "fast-ssd", postgresql } });
        const values = (store: string) => run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name.includes(store))!.inputs.values;
        assert.equal(values("postgresql").primary.persistence.storageClass, "io2");
        assert.equal(values("redis").master.persistence.storageClass, "fast-ssd");
        assert.deepEqual(claimsOf(run).claims, ["cold"]);
    });

    it("a storageClass that is no StorageClass name is refused as the API server would", () => {
        assert.equal(
            message((v) => { v.storageClass = "Fast_SSD"; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - storageClass: given \"Fast_SSD\"; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"gp3\"",
        );
    });

    it("domain: an Ingress without hosts is served at <service>.<domain>; one with hosts keeps them", () => {
        const config = (() => {
            const values = stagingBase();
            values.domain = "llm.example.com";
            values.services.api.ingress = { enabled: true };
            values.services.web = { image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, ingress: { enabled: true, hosts: [{ host: "www.example.com" }] } };
            values.services.worker = { image: { repository: "ghcr.io/acme/worker", tag: "1.0.0" } };
            const result = validateConfig(raw(values));
            assert.deepEqual(result.problems, []);
            return result.config!;
        })();
        assert.deepEqual(config.services.api.ingress.hosts, [{ host: "api.llm.example.com", paths: [{ path: "/", pathType: "Prefix" }] }]);
        assert.deepEqual(config.services.web.ingress.hosts.map((h) => h.host), ["www.example.com"]);
        assert.deepEqual(config.services.worker.ingress.hosts, [], "no Ingress, no host");
    });

    it("domain reaches the Ingress, the route and the service's URL output", async () => {
        const services = servicesOf("staging");
        services.orchestrator.ingress.hosts = [];
        services.orchestrator.route.hostnames = [];
        const run = await runStack("staging", { set: { services, domain: "llm.staging.example.com" } });
        const spec = run.one("kubernetes:networking.k8s.io/v1:Ingress").inputs.spec;
        assert.deepEqual([spec.rules[0].host, spec.tls[0].hosts], ["orchestrator.llm.staging.example.com", ["orchestrator.llm.staging.example.com"]]);
        assert.deepEqual(run.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs.spec.hostnames, ["orchestrator.llm.staging.example.com"]);
        assert.equal((run.outputs.services as any).orchestrator.url, "https://orchestrator.llm.staging.example.com/");
    });

    it("a route's own hostnames win over the domain, as an Ingress's hosts do", async () => {
        const run = await runStack("staging", { set: { domain: "other.example.com" } });
        assert.deepEqual(run.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs.spec.hostnames, ["llm.staging.example.com"]);
    });

    it("a domain is a lowercase DNS subdomain without a wildcard, as the API server checks an Ingress host", () => {
        const expected = "expected a DNS domain such as \"llm.example.com\": a lowercase DNS subdomain (a-z, 0-9, '-', '.', labels of at most 63 characters starting and ending alphanumeric) of at most 253 characters, without a wildcard";
        for (const domain of ["*.example.com", "LLM.example.com", "example..com", `${"a".repeat(64)}.com`]) {
            assert.equal(message((v) => { v.domain = domain; }), `Stack config of "test" has 1 problem:\n  - domain: given ${JSON.stringify(domain)}; ${expected}`);
        }
    });

    it("an Ingress without hosts and no domain is refused, naming the domain", () => {
        assert.equal(
            message((v) => { v.services.api.ingress = { enabled: true }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.ingress.hosts: given []; expected at least one host when ingress.enabled is true (or the stack's domain, which makes it <service>.<domain>)",
        );
    });

    it("a derived host longer than 253 characters is refused", () => {
        const domain = Array.from({ length: 4 }, () => "d".repeat(62)).join(".");
        assert.deepEqual(problemsOf(stagingBase, (v) => { v.domain = domain; v.services.api.ingress = { enabled: true }; }), [
            { key: "services.api.ingress.hosts", given: `api.${domain}`, expected: "a host of at most 253 characters: a shorter domain, or a host of its own" },
        ]);
    });

    it("a derived host that another service's Ingress already claims is refused", () => {
        const problems = problemsOf(stagingBase, (v) => {
            v.domain = "example.com";
            v.services.api.ingress = { enabled: true };
            v.services.web = { image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, ingress: { enabled: true, hosts: [{ host: "api.example.com" }] } };
        });
        assert.deepEqual(problems.map((p) => [p.key, p.expected]), [["services.web.ingress.hosts.0.paths.0.path", "a host and path no other Ingress rule of the stack claims: services.api.ingress.hosts.0.paths.0.path already routes api.example.com/"]]);
    });
});
