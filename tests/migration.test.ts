/**
 * Schema migrations before rollout (#13): the migration Job's pod, name, NetworkPolicy and place
 * in the service graph as pure functions, and under mocks the Job the Deployment waits for.
 */
import { strict as assert } from "assert";
import { isDeepStrictEqual } from "util";
import { migrationJobName, migrationJobSpec, migrationPodSpec } from "../application/migration-job.specs";
import { migrationNetworkPolicySpec } from "../network/network-policies";
import { podSpec } from "../application/application.specs";
import { serviceGraph } from "../network/service-graph";
import { validateConfig } from "../config/validate";
import { ServiceConfig, serviceSchema } from "../application/service.schema";
import { selectorLabels } from "../lib/labels";
import { schemaProblems, unknownFields } from "./k8s-schema";
import { ProgramRun, readStackConfig, runStack } from "./mocks";

type Values = Record<string, any>;

const migration = { enabled: true, command: ["alembic", "upgrade", "head"], args: ["--verbose"] };
const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, migration, ...overrides });
const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "llm-platform-test" };
const secretEnv = [{ name: "DATABASE_PASSWORD", secret: { name: "pg-auth", key: "password" } }];
const podInputs = { name: "api", selector, configMapName: "api-config-x", serviceAccountName: "api", secretEnv, waitScript: "true" };
const stack = { instance: "llm-platform-test", partOf: "llm-platform" };

describe("migration: the Job's pod", () => {
    const svc = service({ extraEnv: [{ name: "EXTRA", value: "1" }] });
    const pod: Values = migrationPodSpec(svc, svc.migration, podInputs);
    const server: Values = podSpec(svc, podInputs);

    it("runs the service's image with the migration command and args, once", () => {
        assert.equal(pod.containers.length, 1);
        assert.equal(pod.containers[0].name, "migrate");
        assert.equal(pod.containers[0].image, "ghcr.io/acme/api:1.0.0");
        assert.deepEqual(pod.containers[0].command, ["alembic", "upgrade", "head"]);
        assert.deepEqual(pod.containers[0].args, ["--verbose"]);
        assert.equal(pod.restartPolicy, "Never");
    });

    it("has the service's env, secrets, security contexts, ServiceAccount, writable volumes and dependency wait", () => {
        const [container] = pod.containers;
        for (const field of ["envFrom", "env", "securityContext", "resources", "volumeMounts", "imagePullPolicy"]) {
            assert.deepEqual(container[field], server.containers[0][field], field);
        }
        for (const field of ["securityContext", "serviceAccountName", "automountServiceAccountToken", "volumes", "initContainers"]) {
            assert.deepEqual(pod[field], server[field], field);
        }
        assert.equal(pod.initContainers[0].name, "wait-for-dependencies");
    });

    it("reports its last log lines when it fails, and serves nothing: no ports, probes, preStop or anti-affinity", () => {
        const [container] = pod.containers;
        assert.equal(container.terminationMessagePolicy, "FallbackToLogsOnError");
        for (const field of ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"]) assert.ok(!(field in container), field);
        assert.ok(!("affinity" in pod) && !("topologySpreadConstraints" in pod));
    });

    it("a migration without args leaves args unset (the image's defaults do not apply to a set command anyway)", () => {
        const plain = service({ migration: { enabled: true, command: ["./migrate"] } });
        assert.ok(!("args" in (migrationPodSpec(plain, plain.migration, podInputs).containers as Values[])[0]));
    });

    it("the Job retries backoffLimit times within timeoutSeconds, and keeps no TTL so an unchanged Job stays", () => {
        const svc2 = service({ migration: { ...migration, timeoutSeconds: 900, backoffLimit: 2 } });
        const spec: Values = migrationJobSpec(svc2.migration, { a: "b" }, { containers: [] });
        assert.equal(spec.backoffLimit, 2);
        assert.equal(spec.activeDeadlineSeconds, 900);
        assert.ok(!("ttlSecondsAfterFinished" in spec));
        assert.deepEqual(spec.template.metadata.labels, { a: "b" });
    });
});

describe("migration: the Job's name is derived from what it runs", () => {
    const specOf = (svc: ServiceConfig, inputs = podInputs) => migrationJobSpec(svc.migration, {}, migrationPodSpec(svc, svc.migration, inputs));

    it("is <service>-migrate-<10 hex digits>, the same for the same spec", () => {
        const name = migrationJobName("api", specOf(service()));
        assert.match(name, /^api-migrate-[0-9a-f]{10}$/);
        assert.equal(migrationJobName("api", specOf(service())), name);
    });

    it("changes with the image, the command, the args, the backoff, the timeout, and the ConfigMap or Secret it reads", () => {
        const base = migrationJobName("api", specOf(service()));
        const variants = [
            specOf(service({ image: { repository: "ghcr.io/acme/api", tag: "1.0.1" } })),
            specOf(service({ migration: { ...migration, command: ["./migrate"] } })),
            specOf(service({ migration: { ...migration, args: [] } })),
            specOf(service({ migration: { ...migration, backoffLimit: 1 } })),
            specOf(service({ migration: { ...migration, timeoutSeconds: 60 } })),
            specOf(service(), { ...podInputs, configMapName: "api-config-y" }),
            specOf(service(), { ...podInputs, secretEnv: [{ name: "DATABASE_PASSWORD", secret: { name: "pg-auth-2", key: "password" } }] }),
        ];
        const names = variants.map((spec) => migrationJobName("api", spec));
        assert.equal(new Set([base, ...names]).size, names.length + 1);
    });

    it("fits a Job name's 63 characters for the longest service name", () => {
        assert.ok(migrationJobName("a".repeat(40), specOf(service())).length <= 63);
    });
});

describe("migration: network isolation", () => {
    const pgPods = { "app.kubernetes.io/name": "postgresql" };
    const stores = {
        database: { host: "pg", port: 5432, database: "d", user: "u", passwordSecret: { name: "s", key: "k" }, networkPeer: { kind: "pods" as const, podSelector: pgPods } },
        redis: { host: "r", port: 6379, passwordSecret: { name: "s", key: "k" }, networkPeer: { kind: "external" as const, cidrs: ["10.0.0.0/8"] } },
    };

    it("its NetworkPolicy admits nothing and lets it reach only the cluster DNS and the data stores the service connects to", () => {
        const dns = { namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" } };
        const spec: Values = migrationNetworkPolicySpec(service({ connectsTo: { redis: false } }), { m: "1" }, stores, dns);
        assert.deepEqual(spec.podSelector, { matchLabels: { m: "1" } });
        assert.deepEqual(spec.policyTypes, ["Ingress", "Egress"]);
        assert.ok(!("ingress" in spec));
        assert.deepEqual(spec.egress, [
            { to: [{ namespaceSelector: { matchLabels: dns.namespaceSelector }, podSelector: { matchLabels: dns.podSelector } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
            { to: [{ podSelector: { matchLabels: pgPods } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
    });

    it("the data stores' chart NetworkPolicies admit the migration's pods, which are not the service's", () => {
        const graph = serviceGraph({ api: service(), web: service({ migration: { enabled: false }, connectsTo: { postgresql: false } }) }, stack);
        const migrate = { "app.kubernetes.io/name": "api-migrate", "app.kubernetes.io/instance": "llm-platform-test" };
        assert.deepEqual(graph.clientsOf("postgresql"), [selector, migrate]);
        assert.deepEqual(graph.clientsOf("redis"), [selector, migrate, selectorLabels({ name: "web", instance: stack.instance, component: "api", partOf: "x" })]);
    });
});

describe("migration: config", () => {
    const raw = (services: Values) => ({ project: "llm-platform", stack: "dev", values: { environment: "development", services }, secretKeys: new Set<string>() });

    it("enabled without a command is a problem that says what to set", () => {
        const { problems } = validateConfig(raw({ api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" }, migration: { enabled: true } } }));
        assert.deepEqual(problems, [
            { key: "services.api.migration.command", given: undefined, expected: 'the command to run, such as ["alembic", "upgrade", "head"], because services.api.migration.enabled is true' },
        ]);
    });

    it("off by default, 600 s and no retries when on", () => {
        assert.deepEqual(serviceSchema.parse({ image: { repository: "x" } }).migration, { enabled: false, args: [], timeoutSeconds: 600, backoffLimit: 0 });
    });

    it("an empty command, a negative backoff or an unknown key are refused", () => {
        const { problems } = validateConfig(raw({ api: { image: { repository: "x", tag: "1" }, migration: { command: [], backoffLimit: -1, retries: 2 } } }));
        assert.deepEqual(problems.map((p) => p.key).sort(), ["services.api.migration.backoffLimit", "services.api.migration.command", "services.api.migration.retries"]);
    });
});

describe("migration under mocks: staging with a migration", () => {
    const services = (tag: string) => {
        const s = structuredClone(readStackConfig("staging").values["llm-platform:services"] as Values);
        s.orchestrator.image.tag = tag;
        s.orchestrator.migration = { enabled: true, command: ["llm-orchestrator", "migrate"], timeoutSeconds: 300 };
        return s;
    };
    const jobOf = (run: ProgramRun) => run.one("kubernetes:batch/v1:Job", "orchestrator-migration");
    let run: ProgramRun;
    before(async () => {
        run = await runStack("staging", { set: { services: services("1.4.2") } });
    });

    it("the Deployment depends on the migration Job, so a failed migration leaves it untouched", () => {
        const deployment = run.one("kubernetes:apps/v1:Deployment");
        assert.ok(deployment.options.dependsOn.includes(jobOf(run).urn));
    });

    it("the Job runs the service's image and reads the service's ConfigMap, with its own pod labels", () => {
        const job = jobOf(run).inputs;
        assert.match(job.metadata.name, /^orchestrator-migrate-[0-9a-f]{10}$/);
        const pod = job.spec.template.spec;
        assert.equal(pod.containers[0].image, "ghcr.io/example/llm-orchestrator:1.4.2");
        const configMap = run.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.data?.ENVIRONMENT);
        assert.deepEqual(pod.containers[0].envFrom, [{ configMapRef: { name: configMap!.inputs.metadata.name ?? `${configMap!.name}-mock1234` } }]);
        const serviceSelector = run.one("kubernetes:core/v1:Service").inputs.spec.selector;
        assert.ok(!isDeepStrictEqual(job.spec.template.metadata.labels, { ...job.spec.template.metadata.labels, ...serviceSelector }), "the Service must not select the migration pods");
        assert.equal(job.spec.template.metadata.labels["app.kubernetes.io/component"], "migration");
        assert.deepEqual(job.metadata.annotations, { "pulumi.com/replaceUnready": "true" }, "a failed Job is run again by the next up");
    });

    it("with network policy on: the migration's own NetworkPolicy, and PostgreSQL's admits its pods", () => {
        const policy = run.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.name === "orchestrator-migrate");
        assert.ok(policy, "the migration's NetworkPolicy");
        const migrate = { "app.kubernetes.io/name": "orchestrator-migrate", "app.kubernetes.io/instance": "llm-platform-staging" };
        const pg = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgresql-netpol").inputs.spec;
        assert.deepEqual(pg.ingress[0].from.map((f: Values) => f.podSelector.matchLabels), [
            { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "llm-platform-staging" },
            migrate,
        ]);
    });

    it("the Job and its NetworkPolicy match the upstream schema, with no unknown field", async () => {
        const objects = run.resources.filter((r) => r.urn.includes("MigrationJob$kubernetes:"));
        assert.equal(objects.length, 2);
        for (const { name, inputs } of objects) {
            assert.deepEqual(await schemaProblems(inputs), [], name);
            assert.deepEqual(await unknownFields(inputs), [], name);
        }
    });

    it("an unchanged service is the same Job on the next run (no diff); a new image is a new Job", async () => {
        const again = await runStack("staging", { set: { services: services("1.4.2") } }, { fresh: true });
        assert.equal(jobOf(again).inputs.metadata.name, jobOf(run).inputs.metadata.name);
        const upgraded = await runStack("staging", { set: { services: services("1.5.0") } });
        assert.notEqual(jobOf(upgraded).inputs.metadata.name, jobOf(run).inputs.metadata.name);
    });
});
