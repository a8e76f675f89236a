/**
 * The policy pack, tested without the CLI: each policy's validate function is called directly on
 * resources the program produces (under mocks) and on hand-written objects, with one field broken
 * at a time. The PolicyPack itself is never constructed here: that starts the analyzer server.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    configMapEntropy,
    configMapSecrets,
    dropAllCapabilities,
    hpaReplicaRange,
    networkPolicyCoverage,
    noLoadBalancer,
    noPrivilegeEscalation,
    pdbForMultiReplicaWorkloads,
    pinnedImages,
    policies,
    readOnlyRootFilesystem,
    resourceLimits,
    runAsNonRoot,
    routeGateways,
    routeHostnames,
} from "../policy/policies";
import { parseImage, selectorMatches } from "../policy/kubernetes";
import { credentialIn, hasHighEntropyToken, isSecretLikeKey } from "../policy/secret-detection";
import { projectRoot, readStackConfig, runStack, stacks } from "./mocks";
import { PackServer, PolicyTarget, asPolicyTarget, readPolicyConfig, resolveConfig, runPack, startPackServer, validateResource, validateStack } from "./policy-harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const SERVICE = "kubernetes:core/v1:Service";

const programRuns = new Map<string, PolicyTarget[]>();

/** The program's resources for a stack, as the policies see them; one run per stack (tests clone before editing). */
async function programTargets(stack: string): Promise<PolicyTarget[]> {
    if (!programRuns.has(stack)) {
        const run = await runStack(stack as (typeof stacks)[number]);
        programRuns.set(stack, run.resources.map(asPolicyTarget));
    }
    return programRuns.get(stack)!;
}

function ofType(targets: readonly PolicyTarget[], type: string): PolicyTarget[] {
    return targets.filter((t) => t.type === type);
}

function clone<T>(value: T): T {
    return structuredClone(value);
}

/** A Deployment as the platform writes one: restricted pod, an init container, limits, a pinned image. */
function restrictedDeployment(): PolicyTarget {
    const securityContext = {
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
    const resources = { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };
    return {
        type: DEPLOYMENT,
        name: "orchestrator-deployment",
        props: {
            metadata: { name: "orchestrator", namespace: "llm-platform" },
            spec: {
                replicas: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": "orchestrator" } },
                template: {
                    metadata: { labels: { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "llm-platform-prod" } },
                    spec: {
                        securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
                        initContainers: [{ name: "wait-for-dependencies", image: "busybox:1.37.0", resources: clone(resources), securityContext: clone(securityContext) }],
                        containers: [{ name: "orchestrator", image: "ghcr.io/example/llm-orchestrator:1.4.2", resources: clone(resources), securityContext: clone(securityContext) }],
                    },
                },
            },
        },
    };
}

/** The restricted Deployment with one edit applied to its pod spec. */
function deploymentWith(edit: (pod: any) => void): PolicyTarget {
    const target = restrictedDeployment();
    edit(target.props.spec.template.spec);
    return target;
}

describe("policy pack: the program's resources satisfy its own baseline", () => {
    for (const stack of stacks) {
        it(`${stack}: no mandatory violation under policy/config/${stack}.json`, async () => {
            const violations = await runPack(await programTargets(stack), readPolicyConfig(stack));
            assert.deepEqual(violations.filter((v) => v.level === "mandatory"), []);
        });
    }
});

describe("policy pack: served as the CLI runs it (policy/index.ts in a child process)", function () {
    // The runner type-checks the pack with ts-node before it serves, which takes seconds: it starts
    // when mocha loads this file, so that the check runs while the tests before these do.
    this.timeout(120000);
    const starting = startPackServer();
    starting.catch(() => {}); // the before hook reports it
    let server: PackServer;
    before(async () => {
        server = await starting;
    });
    after(() => server?.stop());

    it("declares every policy of policy/policies.ts, at its enforcement level", async () => {
        assert.deepEqual(await server.policies(), policies.map((p) => ({ name: p.name, level: p.enforcementLevel })));
    });

    it("prod: the program's resources pass every mandatory policy, resource and stack alike", async () => {
        await server.configure(readPolicyConfig("prod"));
        const targets = await programTargets("prod");
        const diagnostics = [...(await Promise.all(targets.map((t) => server.analyze(t)))).flat(), ...(await server.analyzeStack(targets))];
        assert.deepEqual(diagnostics.filter((d) => d.includes("[mandatory]")), []);
    });

    it("applies each stack's policy config: a 3-replica Deployment without a PDB blocks prod, not dev", async () => {
        const deployment = restrictedDeployment();
        deployment.props.spec.replicas = 3;
        const netpol = { type: NETPOL, props: { metadata: { name: "deny", namespace: "llm-platform" }, spec: { podSelector: {} } } };
        await server.configure(readPolicyConfig("dev"));
        assert.deepEqual(await server.analyzeStack([deployment, netpol]), []);
        await server.configure(readPolicyConfig("prod"));
        assert.deepEqual(await server.analyzeStack([deployment, netpol]), [
            'pdb-for-multi-replica-workloads [mandatory]: Deployment "orchestrator" runs at least 3 replicas, but no PodDisruptionBudget in namespace "llm-platform" selects its pods.',
        ]);
    });

    it("passes a policy's config properties to its validate function", async () => {
        const loadBalancer = { type: SERVICE, props: { spec: { type: "LoadBalancer" } } };
        await server.configure({ "no-load-balancer-services": { enforcementLevel: "mandatory", allowLoadBalancer: true } });
        assert.deepEqual(await server.analyze(loadBalancer), []);
        await server.configure(readPolicyConfig("prod"));
        assert.equal((await server.analyze(loadBalancer)).length, 1);
    });
});

describe("policy pack: the policy config files", () => {
    const levels = ["advisory", "mandatory", "remediate", "disabled"];
    for (const stack of stacks) {
        it(`${stack}: policy/config/${stack}.json names only policies of the pack, valid levels and schema properties`, () => {
            const file = readPolicyConfig(stack);
            for (const [name, entry] of Object.entries(file)) {
                const policy = policies.find((p) => p.name === name);
                assert.ok(policy, `unknown policy "${name}"`);
                const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
                assert.ok(enforcementLevel === undefined || levels.includes(enforcementLevel), `${name}: level ${enforcementLevel}`);
                for (const key of Object.keys(properties)) {
                    assert.ok(policy.configSchema?.properties[key], `${name}: "${key}" is not in its config schema`);
                }
            }
        });
    }

    it("every policy/config file belongs to a stack of the project", () => {
        const files = fs.readdirSync(path.join(projectRoot, "policy", "config"));
        assert.deepEqual(files.sort(), stacks.map((s) => `${s}.json`).sort());
    });

    it("prod holds the full baseline: no policy is relaxed below its default", () => {
        const file = readPolicyConfig("prod");
        for (const policy of policies) {
            assert.equal(resolveConfig(policy, file).level, policy.enforcementLevel, policy.name);
        }
        assert.equal(resolveConfig(noLoadBalancer, file).properties.allowLoadBalancer, false);
    });

    it("dev relaxes exactly what dev turns off: PDBs (one replica) and NetworkPolicies (networkPolicy.enabled: false)", () => {
        const file = readPolicyConfig("dev");
        const relaxed = policies.filter((p) => resolveConfig(p, file).level !== p.enforcementLevel).map((p) => p.name);
        assert.deepEqual(relaxed, ["pdb-for-multi-replica-workloads", "network-policy-coverage"]);
        assert.equal((readStackConfig("dev").values["llm-platform:networkPolicy"] as any)?.enabled, false);
    });

    it("the policies have unique names, a description, and no 'enforcementLevel' config property (the server refuses one)", () => {
        const names = policies.map((p) => p.name);
        assert.deepEqual([...new Set(names)], names);
        for (const policy of policies) {
            assert.ok(policy.description.length > 0, policy.name);
            assert.ok(policy.enforcementLevel, policy.name);
            assert.equal(policy.configSchema?.properties.enforcementLevel, undefined, policy.name);
        }
    });
});

describe("policy: containers-run-as-non-root", () => {
    it("passes the program's prod Deployment and Job", async () => {
        const targets = await programTargets("prod");
        const workloads = [...ofType(targets, DEPLOYMENT), ...ofType(targets, "kubernetes:batch/v1:Job")];
        assert.ok(workloads.length >= 2);
        for (const workload of workloads) assert.deepEqual(await validateResource(runAsNonRoot, workload), [], workload.name);
    });

    it("fails the program's prod Deployment once neither its pod nor its container sets runAsNonRoot", async () => {
        const deployment = clone(ofType(await programTargets("prod"), DEPLOYMENT)[0]);
        const pod = deployment.props.spec.template.spec;
        delete pod.securityContext.runAsNonRoot;
        delete pod.containers[0].securityContext.runAsNonRoot;
        assert.deepEqual(await validateResource(runAsNonRoot, deployment), [
            `container "${pod.containers[0].name}" must set securityContext.runAsNonRoot: true (on the container or the pod).`,
        ]);
    });

    it("accepts runAsNonRoot set on the pod only: containers inherit it", async () => {
        const target = deploymentWith((pod) => pod.containers.concat(pod.initContainers).forEach((c: any) => delete c.securityContext.runAsNonRoot));
        assert.deepEqual(await validateResource(runAsNonRoot, target), []);
    });

    it("fails a container that overrides the pod with runAsNonRoot: false", async () => {
        const target = deploymentWith((pod) => (pod.containers[0].securityContext.runAsNonRoot = false));
        assert.deepEqual(await validateResource(runAsNonRoot, target), [
            'container "orchestrator" must set securityContext.runAsNonRoot: true (on the container or the pod).',
        ]);
    });

    it("fails runAsUser: 0, which contradicts runAsNonRoot", async () => {
        const target = deploymentWith((pod) => (pod.initContainers[0].securityContext.runAsUser = 0));
        assert.deepEqual(await validateResource(runAsNonRoot, target), [
            'init container "wait-for-dependencies" sets runAsUser: 0 (root), which contradicts runAsNonRoot: true.',
        ]);
    });

    it("checks the pod template of a CronJob, and ignores objects that run no pods", async () => {
        const pod = restrictedDeployment().props.spec.template;
        delete pod.spec.securityContext.runAsNonRoot;
        delete pod.spec.containers[0].securityContext.runAsNonRoot;
        const cronJob = { type: "kubernetes:batch/v1:CronJob", props: { spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: pod } } } } };
        assert.equal((await validateResource(runAsNonRoot, cronJob)).length, 1);
        assert.deepEqual(await validateResource(runAsNonRoot, { type: CONFIGMAP, props: { data: {} } }), []);
    });
});

describe("policy: containers-read-only-root-filesystem", () => {
    it("passes the restricted Deployment", async () => {
        assert.deepEqual(await validateResource(readOnlyRootFilesystem, restrictedDeployment()), []);
    });

    it("fails an init container with a writable root filesystem", async () => {
        const target = deploymentWith((pod) => delete pod.initContainers[0].securityContext.readOnlyRootFilesystem);
        assert.deepEqual(await validateResource(readOnlyRootFilesystem, target), [
            'init container "wait-for-dependencies" must set securityContext.readOnlyRootFilesystem: true.',
        ]);
    });
});

describe("policy: containers-no-privilege-escalation", () => {
    it("passes the restricted Deployment", async () => {
        assert.deepEqual(await validateResource(noPrivilegeEscalation, restrictedDeployment()), []);
    });

    it("fails allowPrivilegeEscalation left unset (Kubernetes defaults it to true)", async () => {
        const target = deploymentWith((pod) => delete pod.containers[0].securityContext.allowPrivilegeEscalation);
        assert.deepEqual(await validateResource(noPrivilegeEscalation, target), [
            'container "orchestrator" must set securityContext.allowPrivilegeEscalation: false.',
        ]);
    });

    it("fails a privileged container", async () => {
        const target = deploymentWith((pod) => (pod.containers[0].securityContext.privileged = true));
        assert.deepEqual(await validateResource(noPrivilegeEscalation, target), ['container "orchestrator" must not be privileged.']);
    });
});

describe("policy: containers-drop-all-capabilities", () => {
    it("passes drop ALL, and adding back NET_BIND_SERVICE only", async () => {
        const target = deploymentWith((pod) => (pod.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
        assert.deepEqual(await validateResource(dropAllCapabilities, target), []);
    });

    it("fails a container that drops only some capabilities", async () => {
        const target = deploymentWith((pod) => (pod.containers[0].securityContext.capabilities = { drop: ["NET_RAW"] }));
        assert.deepEqual(await validateResource(dropAllCapabilities, target), [
            'container "orchestrator" must drop all capabilities (securityContext.capabilities.drop: ["ALL"]).',
        ]);
    });

    it("fails a container that adds a capability back", async () => {
        const target = deploymentWith((pod) => (pod.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]));
        assert.deepEqual(await validateResource(dropAllCapabilities, target), [
            'container "orchestrator" adds capabilities SYS_ADMIN; only NET_BIND_SERVICE may be added back.',
        ]);
    });
});

describe("policy: containers-resource-limits", () => {
    it("passes the program's prod Deployment", async () => {
        for (const deployment of ofType(await programTargets("prod"), DEPLOYMENT)) {
            assert.deepEqual(await validateResource(resourceLimits, deployment), []);
        }
    });

    it("fails the program's prod Deployment once its memory limit is removed", async () => {
        const deployment = clone(ofType(await programTargets("prod"), DEPLOYMENT)[0]);
        const container = deployment.props.spec.template.spec.containers[0];
        delete container.resources.limits.memory;
        assert.deepEqual(await validateResource(resourceLimits, deployment), [`container "${container.name}" must set resources.limits.memory.`]);
    });

    it("names every missing limit, for init containers too", async () => {
        const target = deploymentWith((pod) => delete pod.initContainers[0].resources.limits);
        assert.deepEqual(await validateResource(resourceLimits, target), [
            'init container "wait-for-dependencies" must set resources.limits.cpu and resources.limits.memory.',
        ]);
    });

    it("requires only the limits the policy config lists", async () => {
        const target = deploymentWith((pod) => delete pod.containers[0].resources.limits.cpu);
        assert.deepEqual(await validateResource(resourceLimits, target, { requiredLimits: ["memory"] }), []);
    });
});

describe("policy: images-pinned", () => {
    const withImage = (image: string) => deploymentWith((pod) => (pod.containers[0].image = image));

    it("passes release tags and digests", async () => {
        for (const image of ["ghcr.io/example/llm-orchestrator:1.4.2", `ghcr.io/example/llm-orchestrator@sha256:${"a".repeat(64)}`, "registry.local:5000/app:2.0.1"]) {
            assert.deepEqual(await validateResource(pinnedImages, withImage(image)), [], image);
        }
    });

    it("fails the latest tag", async () => {
        assert.deepEqual(await validateResource(pinnedImages, withImage("ghcr.io/example/llm-orchestrator:latest")), [
            'container "orchestrator" image "ghcr.io/example/llm-orchestrator:latest" uses the moving tag "latest"; pin a release tag or a digest.',
        ]);
    });

    it("fails an untagged image, and does not take a registry port for a tag", async () => {
        assert.deepEqual(await validateResource(pinnedImages, withImage("registry.local:5000/app")), [
            'container "orchestrator" image "registry.local:5000/app" has no tag; pin a release tag or a digest.',
        ]);
    });

    it("forbids the tags the policy config lists", async () => {
        assert.equal((await validateResource(pinnedImages, withImage("app:main"), { forbiddenTags: ["latest", "main"] })).length, 1);
    });

    it("parseImage splits repository, tag and digest", () => {
        assert.deepEqual(parseImage("docker.io/bitnami/redis:8.2.1-debian-12-r0"), { repository: "docker.io/bitnami/redis", tag: "8.2.1-debian-12-r0", digest: undefined });
        assert.deepEqual(parseImage("app:1.0@sha256:abc"), { repository: "app", tag: "1.0", digest: "sha256:abc" });
        assert.deepEqual(parseImage("localhost:5000/app"), { repository: "localhost:5000/app", tag: undefined, digest: undefined });
    });
});

describe("policy: hpa-replica-range", () => {
    it("passes the program's prod HPA", async () => {
        const hpas = ofType(await programTargets("prod"), HPA);
        assert.equal(hpas.length, 1);
        assert.deepEqual(await validateResource(hpaReplicaRange, hpas[0]), []);
    });

    it("fails the program's prod HPA once minReplicas exceeds maxReplicas", async () => {
        const hpa = clone(ofType(await programTargets("prod"), HPA)[0]);
        hpa.props.spec.minReplicas = hpa.props.spec.maxReplicas + 1;
        assert.deepEqual(await validateResource(hpaReplicaRange, hpa), [
            `'minReplicas' (${hpa.props.spec.minReplicas}) must be less than or equal to 'maxReplicas' (${hpa.props.spec.maxReplicas}).`,
        ]);
    });

    it("takes an unset minReplicas as 1, as Kubernetes does", async () => {
        assert.deepEqual(await validateResource(hpaReplicaRange, { type: HPA, props: { spec: { maxReplicas: 1 } } }), []);
    });
});

describe("policy: pdb-for-multi-replica-workloads", () => {
    it("passes prod: its HPA keeps at least 2 replicas and its PDB selects the pods", async () => {
        const targets = await programTargets("prod");
        assert.ok(ofType(targets, PDB).length >= 1);
        assert.deepEqual(await validateStack(pdbForMultiReplicaWorkloads, targets), []);
    });

    it("fails prod without its PDB, naming the Deployment the HPA scales", async () => {
        const targets = (await programTargets("prod")).filter((t) => t.type !== PDB);
        const deployment = ofType(targets, DEPLOYMENT)[0];
        const hpa = ofType(targets, HPA)[0];
        assert.deepEqual(await validateStack(pdbForMultiReplicaWorkloads, targets), [
            {
                message: `Deployment "${deployment.props.metadata.name}" runs at least ${hpa.props.spec.minReplicas} replicas, but no PodDisruptionBudget in namespace "${deployment.props.metadata.namespace}" selects its pods.`,
                urn: deployment.urn,
            },
        ]);
    });

    it("counts spec.replicas when no HPA scales the workload, and leaves single-replica workloads alone", async () => {
        const three = restrictedDeployment();
        three.props.spec.replicas = 3;
        assert.equal((await validateStack(pdbForMultiReplicaWorkloads, [three])).length, 1);
        assert.deepEqual(await validateStack(pdbForMultiReplicaWorkloads, [restrictedDeployment()]), []);
    });

    it("does not count a PDB of another namespace, or one whose selector misses the pods", async () => {
        const three = restrictedDeployment();
        three.props.spec.replicas = 3;
        const pdb = (namespace: string, matchLabels: Record<string, string>) => ({ type: PDB, props: { metadata: { name: "pdb", namespace }, spec: { minAvailable: 1, selector: { matchLabels } } } });
        assert.equal((await validateStack(pdbForMultiReplicaWorkloads, [three, pdb("other", { "app.kubernetes.io/name": "orchestrator" })])).length, 1);
        assert.equal((await validateStack(pdbForMultiReplicaWorkloads, [three, pdb("llm-platform", { "app.kubernetes.io/name": "frontend" })])).length, 1);
        assert.deepEqual(await validateStack(pdbForMultiReplicaWorkloads, [three, pdb("llm-platform", { "app.kubernetes.io/name": "orchestrator" })]), []);
    });
});

describe("policy: network-policy-coverage", () => {
    it("passes prod: the namespace's default-deny policy selects every pod", async () => {
        assert.deepEqual(await validateStack(networkPolicyCoverage, await programTargets("prod")), []);
    });

    it("fails prod without NetworkPolicies, once per workload", async () => {
        const targets = (await programTargets("prod")).filter((t) => t.type !== NETPOL);
        const violations = await validateStack(networkPolicyCoverage, targets);
        const deployment = ofType(targets, DEPLOYMENT)[0];
        assert.ok(violations.length >= 1);
        assert.ok(violations.some((v) => v.urn === deployment.urn && v.message === `Deployment "${deployment.props.metadata.name}": no NetworkPolicy in namespace "${deployment.props.metadata.namespace}" selects its pods.`));
    });

    it("counts only policies of the workload's namespace", async () => {
        const netpol = (namespace: string) => ({ type: NETPOL, props: { metadata: { name: "deny", namespace }, spec: { podSelector: {} } } });
        assert.equal((await validateStack(networkPolicyCoverage, [restrictedDeployment(), netpol("other")])).length, 1);
        assert.deepEqual(await validateStack(networkPolicyCoverage, [restrictedDeployment(), netpol("llm-platform")]), []);
    });

    it("selectorMatches follows the Kubernetes label selector rules", () => {
        const labels = { app: "api", tier: "backend" };
        assert.equal(selectorMatches({}, labels), true);
        assert.equal(selectorMatches(undefined, labels), false);
        assert.equal(selectorMatches({ matchLabels: { app: "api" } }, labels), true);
        assert.equal(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["backend", "db"] }] }, labels), true);
        assert.equal(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] }, labels), false);
        assert.equal(selectorMatches({ matchExpressions: [{ key: "canary", operator: "DoesNotExist" }] }, labels), true);
        assert.equal(selectorMatches({ matchExpressions: [{ key: "canary", operator: "Exists" }] }, labels), false);
    });
});

describe("policy: no-load-balancer-services", () => {
    it("passes the program's prod Service (ClusterIP behind the Ingress)", async () => {
        for (const service of ofType(await programTargets("prod"), SERVICE)) {
            assert.deepEqual(await validateResource(noLoadBalancer, service), []);
        }
    });

    it("fails the program's prod Service once it is a LoadBalancer", async () => {
        const service = clone(ofType(await programTargets("prod"), SERVICE)[0]);
        service.props.spec.type = "LoadBalancer";
        assert.deepEqual(await validateResource(noLoadBalancer, service), [
            "Service type LoadBalancer exposes the service outside the cluster; use an Ingress, or set allowLoadBalancer: true for this stack in the policy config.",
        ]);
        assert.deepEqual(await validateResource(noLoadBalancer, service, { allowLoadBalancer: true }), []);
    });
});

describe("policy pack: one secret detection for the pack and the config", () => {
    it("lib/credentials.ts re-exports the pack's functions, so the config and the policies judge alike", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const lib = require("../lib/credentials") as typeof import("../lib/credentials");
        assert.equal(lib.isSecretLikeKey, isSecretLikeKey);
        assert.equal(lib.credentialIn, credentialIn);
        assert.equal(lib.hasHighEntropyToken, hasHighEntropyToken);
    });
});

describe("policy: configmaps-no-secrets", () => {
    const configMap = (data: Record<string, string>) => ({ type: CONFIGMAP, props: { metadata: { name: "settings" }, data } });

    it("passes the program's ConfigMaps in every stack", async () => {
        for (const stack of stacks) {
            for (const cm of ofType(await programTargets(stack), CONFIGMAP)) {
                assert.deepEqual(await validateResource(configMapSecrets, cm), [], `${stack} ${cm.name}`);
            }
        }
    });

    it("fails the program's prod ConfigMap once an API key is copied into it, without echoing the key", async () => {
        const cm = clone(ofType(await programTargets("prod"), CONFIGMAP)[0]);
        const key = `sk-ant-api03-${"Zx9".repeat(12)}`;
        cm.props.data.LLM_KEY = key;
        const messages = await validateResource(configMapSecrets, cm);
        assert.deepEqual(messages, ['ConfigMap key "LLM_KEY" holds what looks like an OpenAI or Anthropic API key (sk-…); put it in a Secret and reference it with secretKeyRef.']);
        assert.ok(!messages.join("").includes(key));
    });

    it("fails keys that name a secret", async () => {
        assert.deepEqual(await validateResource(configMapSecrets, configMap({ OPENAI_API_KEY: "x", LOG_LEVEL: "info" })), [
            'ConfigMap key "OPENAI_API_KEY" names a secret; put it in a Secret and reference it with secretKeyRef.',
        ]);
    });

    it("fails PEM private keys and URLs with a password, but not certificates", async () => {
        const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        const cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n";
        assert.deepEqual(await validateResource(configMapSecrets, configMap({ "tls.pem": pem, "ca.crt": cert, DATABASE_URL: "postgres://app:hunter2@postgresql:5432/app" })), [
            'ConfigMap key "tls.pem" holds what looks like a PEM private key; put it in a Secret and reference it with secretKeyRef.',
            'ConfigMap key "DATABASE_URL" holds what looks like a URL with an embedded password; put it in a Secret and reference it with secretKeyRef.',
        ]);
    });

    it("lets the policy config allow a key by pattern", async () => {
        assert.deepEqual(await validateResource(configMapSecrets, configMap({ TOKEN_BUDGET: "4096" }), { allowedKeys: ["^TOKEN_BUDGET$"] }), []);
    });

    it("isSecretLikeKey reads whole words, so LLM settings such as MAX_TOKENS pass", () => {
        for (const key of ["DB_PASSWORD", "apiKey", "OPENAI_API_KEY", "private_key", "client-secret", "ACCESS_TOKEN", "aws_access_key_id", "credentials.json"]) {
            assert.equal(isSecretLikeKey(key), true, key);
        }
        for (const key of ["MAX_TOKENS", "tokenizer", "LOG_LEVEL", "PASSWORD_FILE", "passwordSecretName", "TOKEN_PATH", "redis.conf", "monkey"]) {
            assert.equal(isSecretLikeKey(key), false, key);
        }
    });

    it("credentialIn recognises the shapes of credentials", () => {
        assert.equal(credentialIn("AKIAIOSFODNN7EXAMPLE"), "an AWS access key ID");
        assert.equal(credentialIn(`token: ghp_${"a1B2".repeat(9)}`), "a GitHub token");
        assert.equal(credentialIn("https://qdrant.staging.example.com:6333"), undefined);
        assert.equal(credentialIn("claude-sonnet-4-5"), undefined);
    });
});

describe("policy: configmaps-no-random-strings (advisory)", () => {
    const thresholds = { minLength: 32, minEntropy: 4.3 };

    it("is advisory: a heuristic must not block a deployment", () => {
        assert.equal(configMapEntropy.enforcementLevel, "advisory");
    });

    it("flags a generated key, without echoing it", async () => {
        const secret = "q7Vx2LmP9sKd4TfW8nBz1RcY6hJg3XaE5uNo0iQe";
        const messages = await validateResource(configMapEntropy, { type: CONFIGMAP, props: { data: { SESSION_SEED: secret } } });
        assert.deepEqual(messages, ['ConfigMap key "SESSION_SEED" holds a long random-looking string; if it is a key or a password, put it in a Secret.']);
    });

    it("leaves digests, UUIDs, paths and URLs alone", () => {
        for (const value of [
            `sha256:${"0123456789abcdef".repeat(4)}`,
            "550e8400-e29b-41d4-a716-446655440000",
            "/opt/bitnami/scripts/libpostgresql.sh",
            "https://documents-abc1234.svc.us-east-1-aws.pinecone.io",
        ]) {
            assert.equal(hasHighEntropyToken(value, thresholds), false, value);
        }
    });
});

describe("policy: Gateway API routes", () => {
    const route = (spec: Record<string, unknown>, kind = "HTTPRoute"): PolicyTarget => ({ type: `kubernetes:gateway.networking.k8s.io/v1:${kind}`, props: { metadata: { name: "api", namespace: "llm-platform-prod" }, spec } });

    it("route-hostnames-no-wildcard refuses a wildcard hostname and passes named hosts", async () => {
        assert.deepEqual(await validateResource(routeHostnames, route({ hostnames: ["llm.example.com", "*.example.com"] }, "GRPCRoute")), [
            "GRPCRoute hostname \"*.example.com\" is a wildcard: it takes every host of that domain from the Gateway's listener, including ones other teams route; name each host.",
        ]);
        assert.deepEqual(await validateResource(routeHostnames, route({ hostnames: ["llm.example.com"] })), []);
    });

    it("routes-allowed-gateways refuses a parent outside allowedGateways (an unset namespace is the route's own), and allows any with an empty list", async () => {
        const allowed = { allowedGateways: ["gateway-system/platform-gateway"] };
        const spec = { parentRefs: [{ name: "platform-gateway", namespace: "gateway-system" }, { name: "team-gateway" }, { name: "svc", kind: "Service", group: "" }] };
        assert.deepEqual(await validateResource(routeGateways, route(spec), allowed), [
            "HTTPRoute attaches to the Gateway llm-platform-prod/team-gateway, which is not one of allowedGateways (gateway-system/platform-gateway) in the policy config.",
        ]);
        assert.deepEqual(await validateResource(routeGateways, route(spec)), []);
    });

    it("prod's and staging's policy configs allow the platform Gateway and pass their stacks' routes", async () => {
        for (const stack of ["staging", "prod"]) {
            const targets = (await programTargets(stack)).filter((t) => t.type.startsWith("kubernetes:gateway.networking.k8s.io/v1:"));
            assert.deepEqual(targets.map((t) => t.type), ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"], stack);
            assert.deepEqual(await runPack(targets, readPolicyConfig(stack)), [], stack);
            const wildcard = clone(targets[0]);
            wildcard.props.spec.hostnames = ["*.example.com"];
            wildcard.props.spec.parentRefs = [{ name: "team-gateway", namespace: "team" }];
            assert.deepEqual((await runPack([wildcard], readPolicyConfig(stack))).map((v) => [v.policy, v.level]), [
                ["route-hostnames-no-wildcard", stack === "prod" ? "mandatory" : "advisory"],
                ["routes-allowed-gateways", "mandatory"],
            ], stack);
        }
    });
});
