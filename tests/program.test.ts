import { strict as assert } from "assert";
import { fakeSecretValue, ProgramRun, readStackConfig, RecordedResource, runProgram, runStack, stacks, userSecrets } from "./mocks";

const T = {
    namespace: "kubernetes:core/v1:Namespace",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    job: "kubernetes:batch/v1:Job",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
};

const runs = new Map<string, ProgramRun>();
async function run(stack: (typeof stacks)[number]): Promise<ProgramRun> {
    if (!runs.has(stack)) runs.set(stack, await runStack(stack));
    return runs.get(stack)!;
}

const selectorKeys = ["app.kubernetes.io/name", "app.kubernetes.io/instance"];
const secretValues = (stack: (typeof stacks)[number]) => [...Object.values(userSecrets[stack]), "generated-"];
const containersOf = (podSpec: any): any[] => [...(podSpec.initContainers ?? []), ...podSpec.containers];

describe("program: what every stack produces", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            it("one orchestrator Deployment, ServiceAccount, ConfigMap and ClusterIP Service on 8080 and 9090", async () => {
                const r = await run(stack);
                r.one(T.deployment, "orchestrator-deployment");
                assert.equal(r.one(T.serviceAccount, "orchestrator-sa").inputs.automountServiceAccountToken, false);
                const svc = r.one(T.service, "orchestrator-service").inputs;
                assert.equal(svc.spec.type, "ClusterIP");
                assert.deepEqual(svc.spec.ports, [
                    { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
                    { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
                ]);
            });

            it("every Kubernetes object carries the recommended labels, managed by pulumi", async () => {
                const r = await run(stack);
                const objects = r.resources.filter((x) => x.type.startsWith("kubernetes:") && !x.type.startsWith("kubernetes:helm.sh/"));
                for (const o of objects) {
                    const labels = o.inputs.metadata?.labels ?? {};
                    assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi", `${o.type} ${o.name}`);
                    assert.equal(labels["app.kubernetes.io/part-of"], "llm-platform", `${o.type} ${o.name}`);
                }
                const deployment = r.one(T.deployment).inputs;
                for (const key of ["name", "instance", "version", "component", "part-of", "managed-by"]) {
                    assert.ok(deployment.metadata.labels[`app.kubernetes.io/${key}`], key);
                    assert.ok(deployment.spec.template.metadata.labels[`app.kubernetes.io/${key}`], key);
                }
                assert.equal(deployment.metadata.labels["app.kubernetes.io/version"], "1.4.2");
            });

            it("a release that changes the image changes only what runs it: the Deployment and its Jobs, not the Service, ConfigMap, PDB, HPA, policies or routes", async () => {
                const services = readStackConfig(stack).values["llm-platform:services"] as Record<string, any>;
                const tagged = (tag: string) => ({ ...services, orchestrator: { ...services.orchestrator, image: { ...services.orchestrator.image, tag } } });
                const inputs = async (tag: string) => new Map((await runStack(stack, { set: { services: tagged(tag) } })).resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));
                const [before, after] = [await inputs("1.4.2"), await inputs("1.4.3")];
                assert.deepEqual([...before.keys()].sort(), [...after.keys()].sort(), "the same resources");
                const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k.split("::")[0]);
                const jobs = changed.filter((t) => t === "kubernetes:batch/v1:Job");
                assert.deepEqual(changed.filter((t) => t !== "kubernetes:batch/v1:Job"), ["kubernetes:apps/v1:Deployment"]);
                assert.ok(jobs.length <= 2, `at most the migration and the check: ${jobs.length}`);
            });

            it("every selector is the Deployment's, and selects its pod labels", async () => {
                const r = await run(stack);
                const deployment = r.one(T.deployment).inputs;
                const selector = deployment.spec.selector.matchLabels;
                assert.deepEqual(Object.keys(selector).sort(), [...selectorKeys].sort());
                for (const [k, v] of Object.entries(selector)) assert.equal(deployment.spec.template.metadata.labels[k], v);
                assert.deepEqual(r.one(T.service).inputs.spec.selector, selector);
                for (const pdb of r.ofType(T.pdb)) assert.deepEqual(pdb.inputs.spec.selector.matchLabels, selector);
                for (const sm of r.ofType(T.serviceMonitor)) assert.deepEqual(sm.inputs.spec.selector.matchLabels, selector);
                const appPolicies = r.ofType(T.networkPolicy).filter((p) => p.name === "orchestrator-netpol");
                for (const np of appPolicies) assert.deepEqual(np.inputs.spec.podSelector.matchLabels, selector);
            });

            it("pods run restricted: non-root 1000, RuntimeDefault seccomp, read-only root, no escalation, ALL dropped", async () => {
                const r = await run(stack);
                const podSpecs = [...r.ofType(T.deployment), ...r.ofType(T.job)].map((x) => x.inputs.spec.template.spec);
                for (const spec of podSpecs) {
                    assert.equal(spec.securityContext.runAsNonRoot, true);
                    assert.equal(spec.securityContext.runAsUser, 1000);
                    assert.deepEqual(spec.securityContext.seccompProfile, { type: "RuntimeDefault" });
                    for (const c of containersOf(spec)) {
                        assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name);
                        assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
                        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], c.name);
                        assert.ok(c.resources.limits.cpu && c.resources.limits.memory, c.name);
                    }
                }
            });

            it("rolling update: maxSurge 1, maxUnavailable 0", async () => {
                const r = await run(stack);
                assert.deepEqual(r.one(T.deployment).inputs.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
            });

            it("settings reach the pods from an auto-named ConfigMap, so changed settings roll the pods", async () => {
                const r = await run(stack);
                const configMap = r.one(T.configMap, "orchestrator-config");
                assert.equal(configMap.inputs.metadata.name, undefined, "auto-named: Pulumi replaces it when its data changes");
                const container = r.one(T.deployment).inputs.spec.template.spec.containers[0];
                assert.deepEqual(container.envFrom, [{ configMapRef: { name: "orchestrator-config-mock1234" } }]);
            });

            it("API keys reach the pods from a Secret, by name and key, and are sent as secrets", async () => {
                const r = await run(stack);
                const env = r.one(T.deployment).inputs.spec.template.spec.containers[0].env;
                const anthropic = env.find((e: any) => e.name === "ANTHROPIC_API_KEY");
                if (stack === "dev") {
                    const secret = r.one(T.secret, "app-secrets");
                    assert.equal(secret.inputs.metadata.name, undefined, "auto-named: a changed key rolls the pods");
                    for (const key of Object.keys(secret.inputs.stringData)) {
                        assert.ok(secret.secretPaths.includes(`stringData.${key}`) || secret.secretPaths.includes("stringData"), key);
                    }
                    assert.deepEqual(anthropic, { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: "app-secrets-mock1234", key: "anthropic-api-key" } } });
                } else {
                    // Synced from the secret manager: ESO writes the Secret, the program never holds a value.
                    const sync = r.one(T.externalSecret, "app-secrets");
                    assert.equal(sync.inputs.spec.target.name, `llm-platform-${stack}-app-secrets`);
                    assert.ok(sync.inputs.spec.data.some((d: any) => d.secretKey === "anthropic-api-key"));
                    assert.deepEqual(r.ofType(T.secret).filter((s) => s.name === "app-secrets"), []);
                    assert.deepEqual(anthropic, { name: "ANTHROPIC_API_KEY", valueFrom: { secretKeyRef: { name: `llm-platform-${stack}-app-secrets`, key: "anthropic-api-key" } } });
                }
            });

            it("no secret value appears outside a Secret's data", async () => {
                const r = await run(stack);
                for (const resource of r.resources) {
                    const text = JSON.stringify(resource.type === T.secret ? { ...resource.inputs, stringData: undefined, data: undefined } : resource.inputs);
                    for (const value of secretValues(stack)) assert.ok(!text.includes(value), `${resource.type} ${resource.name} holds ${value}`);
                }
                for (const value of secretValues(stack)) assert.ok(!JSON.stringify(r.outputs).includes(value), `outputs hold ${value}`);
            });

            it("stack outputs replace NOTES.txt: namespace, URLs, kubectl commands", async () => {
                const r = await run(stack);
                const services = r.outputs.services as Record<string, any>;
                const ns = r.outputs.namespaceName as string;
                assert.equal(services.orchestrator.serviceName, "orchestrator");
                assert.equal(services.orchestrator.portForward, `kubectl -n ${ns} port-forward svc/orchestrator 8080`);
                assert.equal(services.orchestrator.logs, `kubectl -n ${ns} logs -f -l app.kubernetes.io/name=orchestrator,app.kubernetes.io/instance=llm-platform-${stack}`);
            });

            it("every child has a parent component, and no two resources share a name", async () => {
                const r = await run(stack);
                const names = r.resources.map((x) => `${x.type}::${x.name}`);
                assert.equal(new Set(names).size, names.length);
                const orphans = r.resources.filter((x) => !x.type.startsWith("llm-platform:") && !x.options.parent);
                assert.deepEqual(orphans.map((x) => x.name), []);
            });
        });
    }
});

describe("program: environment differences", () => {
    it("dev: 1 replica, no HPA, PDB, NetworkPolicy or ServiceMonitor; debug logs; 10 s grace period", async () => {
        const r = await run("dev");
        const deployment = r.one(T.deployment).inputs;
        assert.equal(deployment.spec.replicas, 1);
        assert.equal(deployment.spec.template.spec.terminationGracePeriodSeconds, 10);
        for (const type of [T.hpa, T.pdb, T.networkPolicy, T.serviceMonitor, T.ingress, T.job]) assert.deepEqual(r.ofType(type), [], type);
        assert.equal(r.one(T.configMap).inputs.data.LOG_LEVEL, "debug");
        assert.equal(r.one(T.configMap).inputs.data.ENVIRONMENT, "development");
    });

    it("staging: the HPA scales 2 to 5 and owns the replica count", async () => {
        const r = await run("staging");
        assert.equal(r.one(T.deployment).inputs.spec.replicas, undefined);
        const hpa = r.one(T.hpa).inputs.spec;
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [2, 5]);
        assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "orchestrator" });
    });

    it("prod: the HPA (5 to 20) owns replicas, so the Deployment sets none", async () => {
        const r = await run("prod");
        const deployment = r.one(T.deployment).inputs;
        assert.ok(!("replicas" in deployment.spec) || deployment.spec.replicas === undefined);
        const hpa = r.one(T.hpa).inputs.spec;
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [5, 20]);
        assert.deepEqual(hpa.behavior.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 30 }] });
        assert.deepEqual(hpa.behavior.scaleDown, { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] });
    });

    it("prod: 2 CPU / 4Gi limits, PDB minAvailable 3, 60 s grace, priority class, zones and nodes spread", async () => {
        const r = await run("prod");
        const pod = r.one(T.deployment).inputs.spec.template.spec;
        assert.deepEqual(pod.containers[0].resources.limits, { cpu: "2", memory: "4Gi" });
        assert.equal(r.one(T.pdb).inputs.spec.minAvailable, 3);
        assert.equal(pod.terminationGracePeriodSeconds, 60);
        assert.equal(pod.priorityClassName, "llm-platform-critical");
        assert.equal(pod.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        assert.equal(pod.topologySpreadConstraints[0].whenUnsatisfiable, "DoNotSchedule");
        assert.deepEqual(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
    });

    it("prod: Prometheus scrapes every 15 s through a ServiceMonitor its selector matches", async () => {
        const r = await run("prod");
        const monitor = r.one(T.serviceMonitor, "orchestrator-servicemonitor").inputs;
        assert.equal(monitor.metadata.labels.release, "kube-prometheus-stack");
        assert.equal(monitor.spec.endpoints[0].interval, "15s");
        assert.equal(monitor.spec.endpoints[0].path, "/metrics");
        assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ["llm-platform"] });
    });

    it("prod: the Ingress has TLS from cert-manager and the extra annotations", async () => {
        const r = await run("prod");
        const ingress = r.one(T.ingress).inputs;
        assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"], "300");
        assert.deepEqual(ingress.spec.tls, [{ hosts: ["llm.example.com"], secretName: "llm-example-com-tls" }]);
        assert.equal((r.outputs.services as any).orchestrator.url, "https://llm.example.com/");
    });

    for (const stack of ["staging", "prod"] as const) {
        it(`${stack}: default-deny for the namespace; the app's policy admits only the ingress controller, the Gateway's proxies, Prometheus and its check`, async () => {
            const r = await run(stack);
            assert.deepEqual(r.one(T.networkPolicy, "namespace-default-deny").inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const spec = r.one(T.networkPolicy, "orchestrator-netpol").inputs.spec;
            const sources = spec.ingress.map((rule: any) => [rule.from.map((f: any) => f.namespaceSelector?.matchLabels ?? f.podSelector?.matchLabels), rule.ports.map((p: any) => p.port)]);
            assert.deepEqual(sources, [
                [[{ "kubernetes.io/metadata.name": "ingress-nginx" }], [8080]],
                [[{ "kubernetes.io/metadata.name": "envoy-gateway-system" }], [8080]],
                [[{ "app.kubernetes.io/name": "orchestrator-check", "app.kubernetes.io/instance": `llm-platform-${stack}` }], [8080]],
                [[{ "kubernetes.io/metadata.name": "monitoring" }], [9090]],
            ]);
            assert.deepEqual(spec.egress[0], {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            });
            assert.deepEqual(spec.egress.at(-1).to, [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }]);
            assert.deepEqual(spec.egress.at(-1).ports, [{ protocol: "TCP", port: 443 }, ...(stack === "staging" ? [{ protocol: "TCP", port: 6333 }] : [])]);
        });

        it(`${stack}: the post-deploy check Job calls the readiness endpoint after the rollout`, async () => {
            const r = await run(stack);
            const job: RecordedResource = r.one(T.job, "orchestrator-check");
            const container = job.inputs.spec.template.spec.containers[0];
            assert.equal(container.command.at(-1), `http://orchestrator.${r.outputs.namespaceName}.svc:8080/health/ready`);
            const deployment = r.one(T.deployment);
            assert.ok(job.options.dependsOn.includes(deployment.urn), "runs after the Deployment is ready");
            assert.deepEqual(container.env, [
                { name: "CHECKED_IMAGE", value: "ghcr.io/example/llm-orchestrator:1.4.2" },
                { name: "CHECKED_CONFIG", value: "orchestrator-config-mock1234" },
            ]);
        });
    }
});

describe("program: network isolation on real clusters (#15)", () => {
    const solverOf = (r: ProgramRun) => r.resources.filter((x) => x.type === T.networkPolicy && x.name === "namespace-acme-solver");

    for (const stack of ["staging", "prod"] as const) {
        it(`${stack}: the ACME issuer's HTTP-01 solver pods admit the ingress controller on 8089 (the namespace-wide deny blocked them)`, async () => {
            const [solver] = solverOf(await run(stack));
            assert.ok(solver, "no NetworkPolicy for cert-manager's solver pods");
            assert.deepEqual(solver.inputs.spec, {
                podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ protocol: "TCP", port: 8089 }] }],
            });
        });
    }

    it("prod with DNS-01 challenges: no solver policy", async () => {
        assert.deepEqual(solverOf(await runStack("prod", { set: { networkPolicy: { ...(readStackConfig("prod").values["llm-platform:networkPolicy"] as object), acmeChallenge: "dns01" } } })), []);
    });

    it("a namespace the program did not create: the default-deny selects only the stack's pods and is named after the stack", async () => {
        const r = await runStack("prod", { set: { namespace: { name: "shared-team", create: false } } });
        const deny = r.one(T.networkPolicy, "namespace-default-deny").inputs;
        assert.equal(deny.metadata.name, "llm-platform-prod-default-deny");
        assert.deepEqual(deny.spec.podSelector.matchExpressions.map((e: any) => [e.key, e.values[0]]), [
            ["app.kubernetes.io/part-of", "llm-platform"],
            ["app.kubernetes.io/instance", "llm-platform-prod"],
        ]);
        assert.deepEqual(solverOf(r), []);
    });

    it("extra egress and ingress from config, per stack and per service, reach the service's policy", async () => {
        const services = structuredClone(readStackConfig("prod").values["llm-platform:services"]) as any;
        services.orchestrator.networkPolicy = { extraEgress: [{ to: [{ cidr: "10.40.0.0/16" }], ports: [{ port: 25 }] }] };
        const r = await runStack("prod", {
            set: {
                services,
                networkPolicy: {
                    ...(readStackConfig("prod").values["llm-platform:networkPolicy"] as object),
                    extraEgress: [{ to: [{ namespaceSelector: { "kubernetes.io/metadata.name": "search" }, podSelector: { app: "opensearch" } }], ports: [{ port: 9200 }] }],
                    extraIngress: [{ from: [{ namespaceSelector: { team: "batch" } }] }],
                },
            },
        });
        const spec = r.one(T.networkPolicy, "orchestrator-netpol").inputs.spec;
        assert.deepEqual(spec.egress.slice(-2).map((rule: any) => [rule.to[0].ipBlock?.cidr ?? rule.to[0].podSelector.matchLabels.app, rule.ports[0].port]), [
            ["opensearch", 9200],
            ["10.40.0.0/16", 25],
        ]);
        assert.deepEqual(spec.ingress.at(-1), { from: [{ namespaceSelector: { matchLabels: { team: "batch" } } }], ports: [{ protocol: "TCP", port: 8080 }] });
    });
});

describe("program: several services in one stack", () => {
    it("a backend API and a frontend, each with its own image, ports, probes and scaling", async () => {
        const r = await runStack("staging", {
            set: {
                services: {
                    api: {
                        image: { repository: "ghcr.io/acme/api", tag: "2.0.0" },
                        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
                    },
                    web: {
                        component: "frontend",
                        image: { repository: "ghcr.io/acme/web", tag: "3.1.0" },
                        replicas: 2,
                        ports: { http: 3000 },
                        metrics: { enabled: false },
                        probes: { liveness: { path: "/" }, readiness: { path: "/" }, startup: { path: "/" } },
                        connectsTo: { postgresql: false, redis: false, llmProviders: false, vectorDb: false, services: ["api"] },
                        ingress: { enabled: true, hosts: [{ host: "web.example.com" }] },
                    },
                },
            },
        });
        const api = r.one(T.deployment, "api-deployment").inputs;
        const web = r.one(T.deployment, "web-deployment").inputs;
        assert.equal(api.spec.replicas, undefined);
        assert.equal(web.spec.replicas, 2);
        assert.equal(web.spec.template.spec.containers[0].image, "ghcr.io/acme/web:3.1.0");
        assert.equal(web.spec.template.spec.containers[0].readinessProbe.httpGet.path, "/");
        assert.equal(web.spec.template.metadata.labels["app.kubernetes.io/component"], "frontend");
        assert.equal(web.spec.template.spec.initContainers, undefined, "the frontend waits for no data store");
        assert.ok(!web.spec.template.spec.containers[0].env.some((e: any) => e.name.endsWith("_API_KEY") || e.name.endsWith("_PASSWORD")));
        assert.deepEqual(r.ofType(T.hpa).map((h) => h.name), ["api-hpa"]);
        assert.deepEqual(r.ofType(T.serviceMonitor).map((h) => h.name).filter((n) => !n.includes("postgres") && !n.includes("redis")), ["api-servicemonitor"]);
        const webPolicy = r.one(T.networkPolicy, "web-netpol").inputs.spec;
        assert.deepEqual(webPolicy.egress[1], {
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "llm-platform-staging" } } }],
            ports: [{ protocol: "TCP", port: 8080 }],
        });
        const apiPolicy = r.one(T.networkPolicy, "api-netpol").inputs.spec;
        assert.ok(apiPolicy.ingress.some((rule: any) => rule.from[0].podSelector?.matchLabels?.["app.kubernetes.io/name"] === "web"));
        assert.deepEqual(Object.keys(r.outputs.services as object), ["api", "web"]);
    });
});

describe("program: secrets", () => {
    it("the fake secrets used here are recognisable", () => {
        assert.equal(fakeSecretValue("x"), "plaintext-x-0123456789");
    });

    for (const stack of stacks) {
        it(`${stack}: outputs hold no secret, and none is marked secret because none carries one`, async () => {
            const r = await run(stack);
            const text = JSON.stringify(r.outputs);
            for (const value of secretValues(stack)) assert.ok(!text.includes(value));
        });
    }
});

describe("program: review stacks", () => {
    it("the pr template leaves the namespace unset, so each review stack gets its own", async () => {
        const r = await runProgram("pr", { secrets: { anthropicApiKey: fakeSecretValue("anthropicApiKey") } });
        assert.equal(r.one(T.namespace).inputs.metadata.name, "llm-platform-pr");
        assert.equal(r.outputs.namespaceName, "llm-platform-pr");
        assert.equal(r.one(T.deployment).inputs.metadata.namespace, "llm-platform-pr");
    });
});
