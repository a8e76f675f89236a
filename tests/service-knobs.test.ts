/**
 * The knobs the seed charts had (issue #12): each one's objects, and where it can be wrong, its
 * failing config with the exact message. The defaults' objects are the state-snapshot test's.
 */
import { strict as assert } from "assert";
import { namespaceLabels } from "../platform/platform.resolve";
import { namespaceSchema } from "../platform/namespace.schema";
import { serviceSchema, ServiceConfig } from "../application/service.schema";
import { checkTarget, configMapData, hpaSpec, podSpec, PlatformContext, probes, secretEnv, serviceSpec, serviceUrl } from "../application/application.specs";
import { serviceNetworkPolicySpec as networkPolicySpec } from "../network/network-policies";
import { vectorDbSchema } from "../application/settings.schema";
import { networkPolicySchema } from "../network/network.schema";
import { readStackConfig, runStack } from "./mocks";
import { checkCommand } from "../application/post-deploy-check";
import { podSecurityViolations, PodSpecLike } from "../lib/pod-security";
import { problemsOf, reportOf, stagingBase, Values } from "./config-harness";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, ...overrides });
const selector = { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "llm-platform-test" };
const podInputs = { name: "web", selector, configMapName: "web-config-x", serviceAccountName: "web", secretEnv: [] };
const context: PlatformContext = { environment: "staging", llmProviders: [], vectorDb: { type: "none", providerEnvNames: false } };
const base = stagingBase;
const message = (edit: (v: Values) => void): string => reportOf(base, edit);
const asPod = (spec: unknown) => spec as PodSpecLike;

describe("security context: overridable within the namespace's Pod Security level", () => {
    it("the web-server preset runs nginx-unprivileged: UID 101, writable nginx cache, run and tmp, and passes \"restricted\"", () => {
        const pod = podSpec(service({ securityContext: { preset: "web-server" }, connectsTo: { postgresql: false, redis: false } }), podInputs) as any;
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, fsGroup: 101, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
        assert.equal(pod.containers[0].securityContext.runAsUser, 101);
        assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(pod.volumes, [
            { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
            { name: "var-cache-nginx", emptyDir: { sizeLimit: "256Mi" } },
            { name: "var-run", emptyDir: { sizeLimit: "16Mi" } },
        ]);
        assert.deepEqual(pod.containers[0].volumeMounts.map((m: any) => m.mountPath), ["/tmp", "/var/cache/nginx", "/var/run"]);
        assert.deepEqual(podSecurityViolations(asPod(pod), "restricted"), []);
    });

    it("UID, GID, fsGroup, a writable root and the writable paths override the preset", () => {
        const pod = podSpec(service({ securityContext: { runAsUser: 2000, fsGroup: 3000, readOnlyRootFilesystem: false, writablePaths: [{ path: "/data" }] } }), podInputs) as any;
        assert.deepEqual([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup], [2000, 2000, 3000]);
        assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, false);
        assert.deepEqual(pod.volumes, [{ name: "data", emptyDir: { sizeLimit: "256Mi" } }]);
    });

    it("TMPDIR and XDG_CACHE_HOME are set only where /tmp and /cache are writable", () => {
        assert.deepEqual([configMapData(service(), context).TMPDIR, configMapData(service(), context).XDG_CACHE_HOME], ["/tmp", "/cache"]);
        const web = configMapData(service({ securityContext: { preset: "web-server" } }), context);
        assert.deepEqual([web.TMPDIR, web.XDG_CACHE_HOME], ["/tmp", undefined]);
    });

    it("the default pod, with its init container, passes \"restricted\"", () => {
        const pod = podSpec(service(), { ...podInputs, waitScript: "true" });
        assert.deepEqual(podSecurityViolations(asPod(pod), "restricted"), []);
    });

    it("a root pod with an added capability passes \"baseline\", not \"restricted\"", () => {
        const root = podSpec(service({ securityContext: { runAsUser: 0, addCapabilities: ["CHOWN"] } }), podInputs);
        assert.deepEqual(podSecurityViolations(asPod(root), "baseline"), []);
        assert.deepEqual(podSecurityViolations(asPod(root), "restricted"), [
            "the pod runs as UID 0",
            "container \"web\" does not set runAsNonRoot: true",
            "container \"web\" runs as UID 0",
            "container \"web\" adds CHOWN",
        ]);
    });

    it("the check sees what \"baseline\" refuses: host namespaces, hostPath, privileged, capabilities beyond the default set", () => {
        const pod: PodSpecLike = {
            hostNetwork: true,
            volumes: [{ name: "host", hostPath: { path: "/" } }],
            containers: [{ name: "c", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } }, ports: [{ hostPort: 80 }] }],
        };
        assert.deepEqual(podSecurityViolations(pod, "baseline"), [
            "hostNetwork: true",
            "volume \"host\" is a hostPath",
            "container \"c\" is privileged",
            "container \"c\" uses a hostPort",
            "container \"c\" adds SYS_ADMIN",
        ]);
        assert.deepEqual(podSecurityViolations(pod, "privileged"), []);
    });

    it("namespace.podSecurity sets the enforce label of a created namespace; unset, the labels are as written", () => {
        assert.deepEqual(namespaceLabels(namespaceSchema.parse({ podSecurity: "baseline" })), { "pod-security.kubernetes.io/enforce": "baseline" });
        assert.deepEqual(namespaceLabels(namespaceSchema.parse({ labels: { a: "b" } })), { a: "b" });
    });

    it("root, capabilities and low ports are refused under \"restricted\", naming the way out", () => {
        assert.equal(
            message((v) => { v.services.api.securityContext = { runAsUser: 0, addCapabilities: ["NET_ADMIN"] }; v.services.api.ports = { http: 80 }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.securityContext.addCapabilities.0: given \"NET_ADMIN\"; expected one of NET_BIND_SERVICE (what Pod Security \"restricted\" lets a container add), or namespace.podSecurity: baseline (privileged) for an image that needs more\n" +
            "  - services.api.securityContext.runAsUser: given 0; expected a non-zero UID: Pod Security \"restricted\" refuses root, or namespace.podSecurity: baseline (privileged) for an image that needs root",
        );
        assert.equal(
            message((v) => { v.services.api.ports = { http: 80 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.ports.http: given 80; expected a port of 1024 or above: a non-root process cannot bind below 1024 (or securityContext.addCapabilities: [NET_BIND_SERVICE], for a binary that carries that file capability)",
        );
    });

    it("a stock nginx (root, port 80) is accepted once the stack lowers its level to baseline", () => {
        assert.deepEqual(problemsOf(base, (v) => {
            v.namespace = { podSecurity: "baseline" };
            v.services.api.securityContext = { runAsUser: 0, addCapabilities: ["CHOWN", "SETUID", "SETGID"] };
            v.services.api.ports = { http: 80 };
        }), []);
    });

    it("a label contradicting namespace.podSecurity, and two writable paths of one volume name, are refused", () => {
        assert.equal(
            message((v) => {
                v.namespace = { podSecurity: "baseline", labels: { "pod-security.kubernetes.io/enforce": "restricted" } };
                v.services.api.securityContext = { writablePaths: [{ path: "/var/run" }, { path: "/var-run" }] };
            }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - namespace.labels.pod-security.kubernetes.io/enforce: given \"restricted\"; expected nothing, or \"baseline\" as namespace.podSecurity sets it\n" +
            "  - services.api.securityContext.writablePaths.1.path: given \"/var-run\"; expected a path whose volume name (\"var-run\") services.api.securityContext.writablePaths.0 does not already use",
        );
    });
});

describe("probes: off, HTTP (path, port, headers), TCP, exec or gRPC, with every timing", () => {
    it("each probe can be off; the others stay", () => {
        const p = probes(service({ probes: { liveness: { enabled: false }, startup: { enabled: false } } }));
        assert.deepEqual(Object.keys(p), ["readinessProbe"]);
    });

    it("HTTP with a port and headers, TCP, exec and gRPC (named ports become numbers for gRPC)", () => {
        const p = probes(service({
            probes: {
                liveness: { type: "tcp", port: 8081, periodSeconds: 20 },
                readiness: { path: "/ready", port: "metrics", headers: { "X-Probe": "1" }, successThreshold: 2 },
                startup: { type: "grpc", service: "app", failureThreshold: 60 },
            },
        }));
        assert.deepEqual(p.livenessProbe, { tcpSocket: { port: 8081 }, initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 });
        assert.deepEqual(p.readinessProbe, {
            httpGet: { path: "/ready", port: "metrics", httpHeaders: [{ name: "X-Probe", value: "1" }] },
            initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 2,
        });
        assert.deepEqual(p.startupProbe, { grpc: { port: 8080, service: "app" }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 });
        const exec = probes(service({ probes: { liveness: { type: "exec", command: ["cat", "/tmp/healthy"] } } }));
        assert.deepEqual(exec.livenessProbe?.valueOf(), { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    });

    it("the post-deploy check follows the readiness probe: curl with its headers for HTTP, a TCP connect for TCP and gRPC", () => {
        const http = checkTarget(service({ probes: { readiness: { headers: { Host: "web.local" } } } }), "web.ns.svc");
        assert.equal(http.kind, "http");
        assert.deepEqual(checkCommand({ kind: "http", url: "http://web.ns.svc:8080/health/ready", headers: { Host: "web.local" } }, 60).slice(-3), ["--header", "Host: web.local", "http://web.ns.svc:8080/health/ready"]);
        assert.deepEqual(checkTarget(service({ probes: { readiness: { type: "grpc" } } }), "web.ns.svc"), { kind: "tcp", host: "web.ns.svc", port: 8080 });
        assert.deepEqual(checkCommand({ kind: "tcp", host: "web.ns.svc", port: 8080 }, 60).slice(0, 2), ["sh", "-c"]);
    });

    it("an exec probe without a command, a port the container lacks, liveness asking two successes, and a check of an exec readiness probe are refused", () => {
        assert.equal(
            message((v) => {
                v.services.api.metrics = { enabled: false };
                v.services.api.postDeployCheck = { enabled: true };
                v.services.api.probes = { liveness: { type: "exec", successThreshold: 2 }, readiness: { type: "exec", command: ["true"] }, startup: { port: "metrics" } };
            }),
            "Stack config of \"test\" has 4 problems:\n" +
            "  - services.api.postDeployCheck.enabled: given true; expected false, because services.api.probes.readiness is an exec probe, which only the kubelet can run: the check calls what the readiness probe checks\n" +
            "  - services.api.probes.liveness.command: given nothing; expected the command to run, because services.api.probes.liveness.type is \"exec\"\n" +
            "  - services.api.probes.liveness.successThreshold: given 2; expected 1: Kubernetes requires it of liveness probes\n" +
            "  - services.api.probes.startup.port: given \"metrics\"; expected a port number or a port of the container (http)",
        );
    });
});

describe("Service: ClusterIP, NodePort or LoadBalancer, node ports, extra ports, annotations, externalTrafficPolicy; the NetworkPolicy follows", () => {
    const lb = service({
        service: {
            type: "LoadBalancer",
            nodePort: 30080,
            externalTrafficPolicy: "Local",
            loadBalancerSourceRanges: ["203.0.113.0/24"],
            annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
            extraPorts: [{ name: "grpc", port: 9000, targetPort: 9001, nodePort: 30090 }],
        },
    });

    it("the Service carries the node ports, the extra port by name, the traffic policy and the source ranges; the container the extra port", () => {
        assert.deepEqual(serviceSpec(lb, selector), {
            type: "LoadBalancer",
            selector,
            ports: [
                { name: "http", port: 8080, targetPort: "http", protocol: "TCP", nodePort: 30080 },
                { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
                { name: "grpc", port: 9000, targetPort: "grpc", protocol: "TCP", nodePort: 30090 },
            ],
            externalTrafficPolicy: "Local",
            loadBalancerSourceRanges: ["203.0.113.0/24"],
        });
        assert.deepEqual((podSpec(lb, podInputs) as any).containers[0].ports[2], { name: "grpc", containerPort: 9001, protocol: "TCP" });
    });

    it("the NetworkPolicy admits the source ranges on the http and extra ports (the pods' port numbers)", () => {
        const spec = networkPolicySpec(lb, networkPolicySchema.parse({}), { selector, vectorDb: { type: "none", providerEnvNames: false }, calls: [], calledBy: [], monitoringEnabled: false });
        assert.deepEqual(spec.ingress, [{ from: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 9001 }] }]);
    });

    it("a node port outside the API server's range is refused", () => {
        assert.equal(
            message((v) => { v.services.api.service = { type: "NodePort", nodePort: 29999 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.service.nodePort: given 29999; expected a node port from 30000 to 32767 (the API server's default --service-node-port-range)",
        );
    });

    it("node ports, a traffic policy and source ranges where the type has none, and a port used twice, are refused", () => {
        assert.equal(
            message((v) => { v.services.api.service = { nodePort: 30080, externalTrafficPolicy: "Local", loadBalancerSourceRanges: ["10.0.0.0/8"], extraPorts: [{ name: "metrics", port: 8080 }, { name: "x", port: 9000, nodePort: 30001 }] }; }),
            "Stack config of \"test\" has 6 problems:\n" +
            "  - services.api.service.externalTrafficPolicy: given \"Local\"; expected nothing, because services.api.service.type is \"ClusterIP\"\n" +
            "  - services.api.service.extraPorts.0.name: given \"metrics\"; expected a name that services.api.ports.metrics does not already use\n" +
            "  - services.api.service.extraPorts.0.port: given 8080; expected a port that services.api.ports.http does not already use\n" +
            "  - services.api.service.extraPorts.1.nodePort: given 30001; expected nothing, because services.api.service.type is \"ClusterIP\" (NodePort and LoadBalancer have node ports)\n" +
            "  - services.api.service.loadBalancerSourceRanges: given [\"10.0.0.0/8\"]; expected nothing, because services.api.service.type is \"ClusterIP\"\n" +
            "  - services.api.service.nodePort: given 30080; expected nothing, because services.api.service.type is \"ClusterIP\" (NodePort and LoadBalancer have node ports)",
        );
    });
});

describe("ServiceAccount: created (with workload-identity annotations) or an existing one by name", () => {
    const stagingServices = () => structuredClone(readStackConfig("staging").values["llm-platform:services"]) as Values;

    it("an existing ServiceAccount: none is created, the pods run as it, the token automount as configured", async () => {
        const services = stagingServices();
        services.orchestrator.serviceAccount = { create: false, name: "shared-runner" };
        const run = await runStack("staging", { set: { services } });
        assert.deepEqual(run.ofType("kubernetes:core/v1:ServiceAccount").filter((sa) => sa.name === "orchestrator-sa"), []);
        const pod = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec;
        assert.equal(pod.serviceAccountName, "shared-runner");
        assert.equal(pod.automountServiceAccountToken, false);
    });

    it("a created ServiceAccount may be named and annotated", async () => {
        const services = stagingServices();
        services.orchestrator.serviceAccount = { name: "orchestrator-runner", annotations: { "iam.gke.io/gcp-service-account": "app@p.iam.gserviceaccount.com" } };
        const run = await runStack("staging", { set: { services } });
        const sa = run.one("kubernetes:core/v1:ServiceAccount", "orchestrator-sa");
        assert.equal(sa.inputs.metadata.name, "orchestrator-runner");
        assert.deepEqual(sa.inputs.metadata.annotations, { "iam.gke.io/gcp-service-account": "app@p.iam.gserviceaccount.com" });
        assert.equal(run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec.serviceAccountName, "orchestrator-runner");
    });

    it("an existing ServiceAccount needs its name, and takes no annotations", () => {
        assert.equal(
            message((v) => { v.services.api.serviceAccount = { create: false, annotations: { a: "b" } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.serviceAccount.annotations: given {\"a\":\"b\"}; expected nothing, because services.api.serviceAccount.create is false: annotate the existing ServiceAccount where it is managed\n" +
            "  - services.api.serviceAccount.name: given nothing; expected the name of the existing ServiceAccount, because services.api.serviceAccount.create is false",
        );
    });
});

describe("application settings: log levels, feature flags, provider vector DB names, Vault, cluster domain", () => {
    it("log levels trace and warn are accepted, and warning as written", () => {
        for (const level of ["trace", "warn", "warning"]) assert.equal(configMapData(service({ settings: { logLevel: level } }), context).LOG_LEVEL, level);
    });

    it("rate limiting and tracing reach the ConfigMap only when on; the OTLP port is opened", () => {
        const traced = service({ settings: { rateLimiting: { enabled: true, requestsPerMinute: 120 }, tracing: { enabled: true, otlpEndpoint: "http://otel.observability:4317", sampleRatio: 0.1 } } });
        const data = configMapData(traced, context);
        assert.deepEqual(
            [data.RATE_LIMIT_ENABLED, data.RATE_LIMIT_REQUESTS_PER_MINUTE, data.TRACING_ENABLED, data.OTEL_EXPORTER_OTLP_ENDPOINT, data.OTEL_TRACES_SAMPLER_ARG],
            ["true", "120", "true", "http://otel.observability:4317", "0.1"],
        );
        assert.equal(configMapData(service(), context).TRACING_ENABLED, undefined);
        const spec = networkPolicySpec(traced, networkPolicySchema.parse({}), { selector, vectorDb: context.vectorDb, calls: [], calledBy: [], monitoringEnabled: false });
        assert.ok((spec.egress as any[]).some((rule: any) => rule.to === undefined && rule.ports?.[0]?.port === 4317));
    });

    it("the vector DB's provider names beside the generic ones, its key from the same Secret key", () => {
        const vectorDb = vectorDbSchema.parse({ type: "qdrant", url: "https://q.example.com:6333", index: "docs", providerEnvNames: true });
        const data = configMapData(service(), { ...context, vectorDb });
        assert.deepEqual([data.VECTOR_DB_URL, data.QDRANT_URL, data.QDRANT_COLLECTION], ["https://q.example.com:6333", "https://q.example.com:6333", "docs"]);
        const key = { name: "VECTOR_DB_API_KEY", secret: { name: "app", key: "vector-db-api-key" } };
        assert.deepEqual(secretEnv(service(), { ...context, vectorDb }, [{ ...key, entry: "vectorDbApiKey" }]), [key, { name: "QDRANT_API_KEY", secret: { name: "app", key: "vector-db-api-key" } }]);
        // The entry, not its variable, is what the provider's name repeats: renamed, it is still the vector DB key.
        const renamed = { name: "VDB_KEY", secret: key.secret };
        assert.deepEqual(secretEnv(service(), { ...context, vectorDb }, [{ ...renamed, entry: "vectorDbApiKey" }]).map((e) => e.name), ["VDB_KEY", "QDRANT_API_KEY"]);
    });

    it("Vault's address, role and path for services that read Vault; its port opened", () => {
        const reader = service({ settings: { vault: { enabled: true, role: "app", path: "secret/data/app" } } });
        const data = configMapData(reader, { ...context, vaultAddress: "https://vault.example.com:8200" });
        assert.deepEqual([data.VAULT_ADDR, data.VAULT_ROLE, data.VAULT_PATH], ["https://vault.example.com:8200", "app", "secret/data/app"]);
        assert.equal(data.VAULT_SECRET_PATH, "secret/data/app", "the seed application's name for the path, beside VAULT_PATH");
        const spec = networkPolicySpec(reader, networkPolicySchema.parse({}), { selector, vectorDb: context.vectorDb, calls: [], calledBy: [], monitoringEnabled: false, vaultAddress: "https://vault.example.com:8200" });
        assert.ok((spec.egress as any[]).some((rule: any) => rule.to === undefined && rule.ports?.[0]?.port === 8200));
    });

    it("the cluster domain is in the in-cluster URLs", () => {
        assert.equal(serviceUrl(service(), "web", "ns", "corp.internal"), "http://web.ns.svc.corp.internal:8080");
    });

    it("tracing without an endpoint, and Vault settings without a Vault store, are refused", () => {
        assert.equal(
            message((v) => { v.services.api.settings = { tracing: { enabled: true }, vault: { enabled: true } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.settings.tracing.otlpEndpoint: given nothing; expected the OTLP endpoint's URL, such as \"http://otel-collector.observability:4317\", because services.api.settings.tracing.enabled is true\n" +
            "  - services.api.settings.vault.enabled: given true; expected false, unless secrets.store.provider is \"vault\" (its server is VAULT_ADDR)",
        );
    });

    it("a stack's cluster domain reaches the data stores' host names", async () => {
        const run = await runStack("staging", { set: { clusterDomain: "corp.internal" } });
        const data = run.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.name === "orchestrator-config")!.inputs.data;
        assert.match(data.DATABASE_HOST, /\.svc\.corp\.internal$/);
        assert.match(data.REDIS_HOST, /\.svc\.corp\.internal$/);
    });
});

describe("HPA behaviour: Pods and Percent policies per direction, selectPolicy, stabilisation; custom metrics", () => {
    it("a Pods policy beside the Percent one, Min to take the smaller change, and an External metric as written", () => {
        const autoscaling = service({
            autoscaling: {
                enabled: true,
                behavior: { scaleUp: { pods: { value: 4, periodSeconds: 15 }, selectPolicy: "Min" }, scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: "Disabled" } },
                metrics: [{ type: "External", external: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "30" } } }],
            },
        }).autoscaling;
        const spec = hpaSpec(autoscaling, "web") as any;
        assert.deepEqual(spec.behavior.scaleUp, {
            stabilizationWindowSeconds: 0,
            selectPolicy: "Min",
            policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 4, periodSeconds: 15 }],
        });
        assert.deepEqual([spec.behavior.scaleDown.stabilizationWindowSeconds, spec.behavior.scaleDown.selectPolicy], [600, "Disabled"]);
        assert.deepEqual(spec.metrics.map((m: any) => m.type), ["Resource", "External"]);
    });

    it("a metric of an unknown type and a period beyond 30 minutes are refused", () => {
        assert.equal(
            message((v) => { v.services.api.autoscaling = { enabled: true, metrics: [{ type: "Custom" }], behavior: { scaleUp: { pods: { value: 1, periodSeconds: 3600 } } } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.autoscaling.behavior.scaleUp.pods.periodSeconds: given 3600; expected a number <= 1800\n" +
            "  - services.api.autoscaling.metrics.0.type: given \"Custom\"; expected one of \"Resource\", \"Pods\", \"Object\", \"External\", \"ContainerResource\"",
        );
    });
});

describe("images: a platform-wide registry for every image the stack runs; name and fullname overrides", () => {
    it("images.registry moves the services', the init containers', the check Job's and the data tier's images, Docker Hub's official ones under library/", async () => {
        const services = structuredClone(readStackConfig("staging").values["llm-platform:services"]) as Values;
        services.orchestrator.postDeployCheck = { enabled: true };
        const run = await runStack("staging", { set: { services, images: { registry: "mirror.example.com:5000" } } });
        const pod = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec;
        assert.match(pod.containers[0].image, /^mirror\.example\.com:5000\/example\/llm-orchestrator[:@]/);
        assert.equal(pod.initContainers[0].image, "mirror.example.com:5000/library/busybox:1.37.0");
        assert.equal(run.one("kubernetes:batch/v1:Job", "orchestrator-check").inputs.spec.template.spec.containers[0].image, "mirror.example.com:5000/curlimages/curl:8.17.0");
        const chart = run.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.name.startsWith("postgresql"))!;
        assert.equal(chart.inputs.values.image.registry, "mirror.example.com:5000");
        assert.equal(chart.inputs.values.global.security.allowInsecureImages, true);
    });

    it("nameOverride names the pods' app.kubernetes.io/name (selectors follow); fullnameOverride the objects", async () => {
        const services = structuredClone(readStackConfig("staging").values["llm-platform:services"]) as Values;
        services.orchestrator.nameOverride = "orchestrator-api";
        services.orchestrator.fullnameOverride = "llm-orchestrator";
        const run = await runStack("staging", { set: { services } });
        const deployment = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs;
        assert.equal(deployment.metadata.name, "llm-orchestrator");
        assert.equal(deployment.spec.selector.matchLabels["app.kubernetes.io/name"], "orchestrator-api");
        const svc = run.one("kubernetes:core/v1:Service", "orchestrator-service").inputs;
        assert.equal(svc.metadata.name, "llm-orchestrator");
        assert.equal(svc.spec.selector["app.kubernetes.io/name"], "orchestrator-api");
        assert.equal(run.one("kubernetes:core/v1:ServiceAccount", "orchestrator-sa").inputs.metadata.name, "llm-orchestrator");
    });

    it("two services of one object name, or one name label, are refused; a registry is a host", () => {
        assert.equal(
            message((v) => {
                v.services.web = { image: { repository: "nginx", tag: "1.27" }, fullnameOverride: "api", nameOverride: "api", connectsTo: { postgresql: false, redis: false } };
                v.images = { registry: "https://mirror" };
            }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - images.registry: given \"https://mirror\"; expected a registry host such as \"docker.io\" or \"registry.internal:5000\"\n" +
            "  - services.web.fullnameOverride: given \"api\"; expected a name no other service of the stack has: services.api already has it\n" +
            "  - services.web.nameOverride: given \"api\"; expected a name no other service of the stack has: services.api already has it",
        );
    });
});
