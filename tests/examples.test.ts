/**
 * The example stack files (examples/*.yaml) through the whole program under mocks: each validates
 * and evaluates, and the backend + frontend example (#12 item 9) gives what its comments promise:
 * a frontend whose pod passes Pod Security "restricted" and would start as nginx-unprivileged,
 * with no secret; a backend with its secrets from the three places the catalog allows; one host.
 * The e2e applies the same objects to a real API server (e2e/program.test.mjs).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { validateConfig } from "../config/validate";
import { podSecurityEnforceLabel, podSecurityViolations, PodSpecLike } from "../lib/pod-security";
import { schemaProblems, unknownFields } from "./k8s-schema";
import { ProgramRun, RecordedResource, fakeSecretValue, projectRoot, readStackFile, runStackFile, stackOfFile } from "./mocks";

const examples = fs.readdirSync(path.join(projectRoot, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`);

/** The secrets a user of each example sets with `pulumi config set --secret`, as its comments say. */
const exampleSecrets: Record<string, Record<string, string>> = {
    "examples/backend-frontend.yaml": { jwtSecret: fakeSecretValue("jwtSecret") },
};

const deploymentOf = (run: ProgramRun, service: string): RecordedResource => run.one("kubernetes:apps/v1:Deployment", `${service}-deployment`);
const podOf = (run: ProgramRun, service: string) => deploymentOf(run, service).inputs.spec.template.spec;

describe("example stack files", () => {
    it("there is at least the backend + frontend example, and every example names its secrets here", () => {
        assert.ok(examples.includes("examples/backend-frontend.yaml"), "examples/backend-frontend.yaml is missing");
        assert.deepEqual(examples.filter((e) => !(e in exampleSecrets)), []);
    });

    for (const file of examples) {
        it(`${file}: validates with its secrets, and every object passes the Kubernetes schema check`, async () => {
            const { values, secretKeys } = readStackFile(file);
            assert.deepEqual(secretKeys, [], "an example holds no secret");
            const plain = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.replace(/^llm-platform:/, ""), v]));
            const secrets = exampleSecrets[file];
            const result = validateConfig({ project: "llm-platform", stack: stackOfFile(file), values: { ...plain, ...Object.fromEntries(Object.keys(secrets).map((k) => [k, "[secret]"])) }, secretKeys: new Set(Object.keys(secrets)) });
            assert.deepEqual(result.problems, []);
            const run = await runStackFile(file, { secrets });
            const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));
            assert.ok(objects.length > 0);
            for (const { type, name, inputs } of objects) {
                assert.deepEqual(await schemaProblems(inputs), [], `${type} ${name}`);
                assert.deepEqual(await unknownFields(inputs), [], `${type} ${name}`);
            }
        });
    }
});

describe("examples/backend-frontend.yaml: a backend API and a stock nginx frontend behind one host", () => {
    const file = "examples/backend-frontend.yaml";
    let run: ProgramRun;
    before(async () => {
        run = await runStackFile(file, { secrets: exampleSecrets[file] });
    });

    it("without its one stack secret, it fails before any resource, naming it", async () => {
        await assert.rejects(runStackFile(file), (error: Error) => {
            assert.equal(error.message, 'Stack config of "backend-frontend" has 1 problem:\n  - jwtSecret: given nothing; expected a secret, because services.backend.secrets lists it: pulumi config set --secret jwtSecret <value>');
            return true;
        });
    });

    it("its namespace enforces Pod Security \"restricted\", and both services' pods pass it (init containers included)", () => {
        assert.equal(run.one("kubernetes:core/v1:Namespace").inputs.metadata.labels[podSecurityEnforceLabel], "restricted");
        const pods = run.ofType("kubernetes:apps/v1:Deployment").map((d) => [d.name, d.inputs.spec.template.spec] as const);
        assert.deepEqual(pods.map(([name]) => name).sort(), ["backend-deployment", "frontend-deployment"]);
        for (const [name, pod] of pods) assert.deepEqual(podSecurityViolations(pod as PodSpecLike, "restricted"), [], name);
    });

    it("the frontend would start as nginx-unprivileged: UID 101, read-only root with nginx's writable paths, an unprivileged port, probes on its index page", () => {
        const pod = podOf(run, "frontend");
        const [container] = pod.containers;
        assert.equal(container.image, "docker.io/nginxinc/nginx-unprivileged:1.27.4-alpine");
        assert.deepEqual([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup], [101, 101, 101]);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"] });
        // Where nginx writes: its pid and temp files (/tmp, /var/run) and its cache; each an emptyDir.
        const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m.name]));
        for (const writable of ["/tmp", "/var/cache/nginx", "/var/run"]) {
            assert.ok(mounts[writable], `${writable} is mounted`);
            assert.ok(pod.volumes.find((v: any) => v.name === mounts[writable])?.emptyDir, `${writable} is an emptyDir`);
        }
        const http = container.ports.find((p: any) => p.name === "http");
        assert.equal(http.containerPort, 8080);
        assert.ok(http.containerPort >= 1024, "a port an unprivileged process may bind");
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) assert.deepEqual(container[probe].httpGet, { path: "/", port: "http" }, probe);
        assert.equal(pod.initContainers, undefined, "nothing to wait for");
    });

    it("the frontend reads no secret: no Secret variable, no Secret in envFrom, no Secret volume", () => {
        const pod = podOf(run, "frontend");
        const [container] = pod.containers;
        assert.deepEqual((container.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef), []);
        assert.deepEqual((container.envFrom ?? []).filter((e: any) => e.secretRef), []);
        assert.deepEqual((pod.volumes ?? []).filter((v: any) => v.secret || v.projected), []);
    });

    it("the backend reads its secrets from their three places, and the data stores' passwords", () => {
        const [container] = podOf(run, "backend").containers;
        const refs = Object.fromEntries(container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]));
        assert.deepEqual(refs, {
            DATABASE_PASSWORD: { name: "llm-platform-backend-frontend-postgresql-auth", key: "password" },
            REDIS_PASSWORD: { name: "llm-platform-backend-frontend-redis-auth", key: "redis-password" },
            ANTHROPIC_API_KEY: { name: "anthropic-credentials", key: "api-key" },
            JWT_SECRET: { name: "app-secrets-mock1234", key: "jwt-secret" },
            SMTP_PASSWORD: { name: "smtp-credentials", key: "password" },
        });
        const owned = run.one("kubernetes:core/v1:Secret", "app-secrets");
        assert.deepEqual(owned.inputs.stringData, { "jwt-secret": fakeSecretValue("jwtSecret") }, "only the value from stack config is written; the provider key stays in its Secret");
        assert.deepEqual(owned.secretPaths, ["stringData"]);
    });

    it("one host: / to the frontend, /api to the backend, one certificate", () => {
        const routes = run.ofType("kubernetes:networking.k8s.io/v1:Ingress").flatMap((ingress) =>
            ingress.inputs.spec.rules.flatMap((rule: any) => rule.http.paths.map((p: any) => [rule.host, p.path, p.backend.service.name, ingress.inputs.spec.tls[0].secretName])),
        );
        assert.deepEqual(routes.sort(), [
            ["app.example.com", "/", "frontend", "app-example-com-tls"],
            ["app.example.com", "/api", "backend", "app-example-com-tls"],
        ]);
    });
});
