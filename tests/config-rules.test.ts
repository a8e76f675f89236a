/**
 * The Kubernetes field rules, the cross-field rules a user would otherwise meet in production, and
 * the error's promise never to repeat a value that could be secret: each class of mistake with
 * its exact message.
 */
import { strict as assert } from "assert";
import { ConfigError, described } from "../validation/problem";
import { validateConfig } from "../config/validate";
import { describeGiven } from "../validation/problem";
import { problemsOf, raw, reportOf, stagingBase, Values } from "./config-harness";

const base = stagingBase;
const message = (edit: (v: Values) => void): string => reportOf(base, edit);

describe("config: every value that reaches a Kubernetes object is checked by the API server's rule", () => {
    it("label keys and values and annotation keys follow the API server's syntax and lengths", () => {
        assert.equal(
            message((v) => { v.namespace = { labels: { "Bad Key": "x", "example.com/ok": "a".repeat(64), "-x": "ok" }, annotations: { "UPPER.example.com/a": "any text at all" } }; }),
            "Stack config of \"test\" has 4 problems:\n" +
            "  - namespace.annotations.UPPER.example.com/a: given \"UPPER.example.com/a\"; expected a label or annotation key: an optional DNS prefix and \"/\", then at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric (e.g. \"app.kubernetes.io/name\")\n" +
            "  - namespace.labels.-x: given \"-x\"; expected a label or annotation key: an optional DNS prefix and \"/\", then at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric (e.g. \"app.kubernetes.io/name\")\n" +
            "  - namespace.labels.Bad Key: given \"Bad Key\"; expected a label or annotation key: an optional DNS prefix and \"/\", then at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric (e.g. \"app.kubernetes.io/name\")\n" +
            "  - namespace.labels.example.com/ok: given \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; expected a label value: at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric",
        );
    });

    it("memory and storage need a byte unit (256m is 0.256 bytes, a bare 8 is 8 bytes); CPU takes cores or millicores", () => {
        assert.equal(
            message((v) => { v.services.api.resources = { requests: { memory: "256m", cpu: "1Gi" } }; v.postgresql = { persistence: { size: 8 } }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - postgresql.persistence.size: given \"8\"; expected a quantity of bytes with a unit such as \"512Mi\", \"4Gi\" or \"1G\" (Ki, Mi, Gi, Ti: powers of 1024; k, M, G, T: of 1000)\n" +
            "  - services.api.resources.requests.cpu: given \"1Gi\"; expected a CPU quantity such as \"500m\", \"2\" or \"0.5\"\n" +
            "  - services.api.resources.requests.memory: given \"256m\"; expected a quantity of bytes with a unit such as \"512Mi\", \"4Gi\" or \"1G\" (Ki, Mi, Gi, Ti: powers of 1024; k, M, G, T: of 1000)",
        );
    });

    it("int-or-percent fields take 0% to 100%", () => {
        assert.equal(
            message((v) => { v.services.api.strategy = { maxSurge: "150%" }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.strategy.maxSurge: given \"150%\"; expected an integer or a percentage from \"0%\" to \"100%\"",
        );
    });

    it("CIDRs need a prefix length within their address family", () => {
        assert.equal(
            message((v) => { v.networkPolicy = { httpsEgressCidrs: ["10.0.0.0/33", "fd00::/129", "300.1.1.1/8"] }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - networkPolicy.httpsEgressCidrs.0: given \"10.0.0.0/33\"; expected a CIDR such as \"0.0.0.0/0\" (an IPv4 address with a prefix of 0-32, or IPv6 with 0-128)\n" +
            "  - networkPolicy.httpsEgressCidrs.1: given \"fd00::/129\"; expected a CIDR such as \"0.0.0.0/0\" (an IPv4 address with a prefix of 0-32, or IPv6 with 0-128)\n" +
            "  - networkPolicy.httpsEgressCidrs.2: given \"300.1.1.1/8\"; expected a CIDR such as \"0.0.0.0/0\" (an IPv4 address with a prefix of 0-32, or IPv6 with 0-128)",
        );
    });

    it("names are DNS labels and subdomains with their real lengths; object references (IngressClass, PriorityClass) are object names", () => {
        assert.equal(
            message((v) => { v.services["a".repeat(64)] = v.services.api; v.services.api.scheduling = { priorityClassName: "Critical_Pods" }; v.services.api.ingress = { enabled: true, className: "NGINX", hosts: [{ host: "API.example.com" }] }; }),
            "Stack config of \"test\" has 7 problems:\n" +
            "  - services.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: given \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; expected a lowercase DNS label starting with a letter of at most 63 characters (a-z, 0-9, '-') such as \"orchestrator\"\n" +
            "  - services.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ingress.className: given \"NGINX\"; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"nginx\"\n" +
            "  - services.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ingress.hosts.0.host: given \"API.example.com\"; expected a lowercase host name such as \"api.example.com\" (or \"*.example.com\"), at most 253 characters\n" +
            "  - services.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scheduling.priorityClassName: given \"Critical_Pods\"; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"llm-platform-critical\"\n" +
            "  - services.api.ingress.className: given \"NGINX\"; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"nginx\"\n" +
            "  - services.api.ingress.hosts.0.host: given \"API.example.com\"; expected a lowercase host name such as \"api.example.com\" (or \"*.example.com\"), at most 253 characters\n" +
            "  - services.api.scheduling.priorityClassName: given \"Critical_Pods\"; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"llm-platform-critical\"",
        );
    });

    it("a derived name: the post-deploy check's Job <service>-check-<random> must fit in 63 characters", () => {
        assert.equal(
            message((v) => { v.services["a".repeat(50)] = { ...v.services.api, postDeployCheck: { enabled: true } }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.postDeployCheck.enabled: given true; expected false, or a service name of at most 49 characters: the check's Job is named \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-check-\" and 7 random characters, and a Job's name must fit in 63",
        );
    });

    it("no two ports of a service's container and Service share a number", () => {
        assert.equal(
            message((v) => { v.services.api.ports = { http: 8080, metrics: 8080 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.ports.metrics: given 8080; expected a port other than services.api.ports.http (8080): a container and a Service cannot have two ports of one number",
        );
    });

    it("durations in Prometheus' format: 1m30s is valid, a bare 90 is not", () => {
        assert.equal(
            message((v) => { v.monitoring = { interval: "1m30s", scrapeTimeout: "90" }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - monitoring.scrapeTimeout: given \"90\"; expected a duration above zero such as \"15s\", \"1m30s\" or \"1h\" (units ms, s, m, h, d, w, y, largest first)",
        );
    });

    it("a URL needs a scheme and a host: its port drives the NetworkPolicy", () => {
        assert.equal(
            message((v) => { v.vectorDb = { type: "qdrant", url: "qdrant:6333" }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - vectorDb.url: given \"qdrant:6333\"; expected an http:// or https:// URL with a host, such as \"https://qdrant.example.com:6333\"",
        );
    });

    it("image references by the OCI grammar: a repository carries no tag, a reference is lowercase", () => {
        assert.equal(
            message((v) => { v.services.api.image = { repository: "ghcr.io/acme/api:1.0", tag: "1.0" }; v.services.api.waitForDependencies = { image: "BusyBox:1" }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.image.repository: given \"ghcr.io/acme/api:1.0\"; expected an image repository without a tag, such as \"ghcr.io/acme/llm-orchestrator\" (lowercase path; the tag and digest are keys of their own)\n" +
            "  - services.api.waitForDependencies.image: given \"BusyBox:1\"; expected an image reference such as \"busybox:1.37.0\"",
        );
    });

    it("two Ingresses of one stack may not claim the same host and path", () => {
        assert.equal(
            message((v) => { v.services.web = { image: { repository: "ghcr.io/acme/web", tag: "1" }, ingress: { enabled: true, hosts: [{ host: "a.example.com" }], tls: { enabled: true, secretName: "a-tls" } } }; v.services.api.ingress = { enabled: true, hosts: [{ host: "a.example.com" }], tls: { enabled: true, secretName: "a-tls" } }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.web.ingress.hosts.0.paths.0.path: given \"/\"; expected a host and path no other Ingress rule of the stack claims: services.api.ingress.hosts.0.paths.0.path already routes a.example.com/",
        );
    });

    it("a cert-manager issuer with TLS off would never request a certificate", () => {
        assert.equal(
            message((v) => { v.services.api.ingress = { enabled: true, hosts: [{ host: "a.example.com" }], certManagerClusterIssuer: "letsencrypt" }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.ingress.certManagerClusterIssuer: given \"letsencrypt\"; expected nothing, because services.api.ingress.tls.enabled is false: no certificate would ever be requested (or set tls.enabled: true)",
        );
    });

    it("TLS on needs an issuer or an existing Secret, and says which", () => {
        assert.equal(
            message((v) => { v.services.api.ingress = { enabled: true, hosts: [{ host: "a.example.com" }], tls: { enabled: true } }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.ingress.tls: given {\"enabled\":true}; expected certManagerClusterIssuer (cert-manager writes the certificate's Secret) or tls.secretName naming an existing Secret with the certificate, because services.api.ingress.tls.enabled is true",
        );
    });

    it("the preStop sleep must fit in the termination grace period", () => {
        assert.equal(
            message((v) => { v.services.api.terminationGracePeriodSeconds = 10; v.services.api.preStopSleepSeconds = 10; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.preStopSleepSeconds: given 10; expected less than services.api.terminationGracePeriodSeconds (10): the sleep runs inside the grace period, and the process needs time to stop after it",
        );
    });

    it("production Sentinel needs a majority left after losing a node", () => {
        assert.equal(
            message((v) => { v.environment = "production"; v.redis = { architecture: "replication", sentinel: { enabled: true, quorum: 2, resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } } }, replica: { replicaCount: 2, resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } } } }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - redis.replica.replicaCount: given 2; expected at least 3 with Sentinel in production: with fewer, losing one node leaves no majority of Sentinels to elect a new master, so there is nothing to fail over to",
        );
    });

    it("production refuses mutable tags on every image: helpers and the data tier too; no tag means latest", () => {
        assert.equal(
            message((v) => { v.environment = "production"; v.services.api.waitForDependencies = { image: "busybox" }; v.services.api.postDeployCheck = { enabled: true, image: "curlimages/curl:latest" }; v.postgresql = { images: { postgresql: { tag: "latest" } }, primary: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } } }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - postgresql.images.postgresql.tag: given \"latest\"; expected an immutable release tag or a digest in production (mutable tags: latest, main, master, develop, dev, edge, nightly, stable, head)\n" +
            "  - services.api.postDeployCheck.image: given \"curlimages/curl:latest\"; expected an immutable release tag or a digest in production (mutable tags: latest, main, master, develop, dev, edge, nightly, stable, head)\n" +
            "  - services.api.waitForDependencies.image: given \"busybox\"; expected an immutable release tag or a digest in production (mutable tags: latest, main, master, develop, dev, edge, nightly, stable, head)",
        );
    });

    it("an API key pasted into env is refused with a pointer to the secret keys, without echoing it", () => {
        assert.equal(
            message((v) => { v.services.api.env = { OPENAI_API_KEY: "sk-proj-abcdefghijklmnopqrstuvwxyz012345", FEATURE: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123" }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.env.FEATURE: given a string of 43 characters shaped like an OpenAI or Anthropic API key (sk-…); expected no secret: plain values land in a ConfigMap and the stack file in plaintext. Make it an entry of the secret catalog (secrets.entries: from pulumi config set --secret, a secret manager or an existing Secret) and list it in the service's secrets\n" +
            "  - services.api.env.OPENAI_API_KEY: given a string of 40 characters shaped like an OpenAI or Anthropic API key (sk-…); expected no secret: plain values land in a ConfigMap and the stack file in plaintext. Make it an entry of the secret catalog (secrets.entries: from pulumi config set --secret, a secret manager or an existing Secret) and list it in the service's secrets",
        );
    });

    it("a password or API key under a key the program doesn't know is described, never printed", () => {
        assert.equal(
            message((v) => { v.postgresql = { auth: { password: "hunter2hunter2" } }; v.llm = { providers: { openai: { apiKey: "sk-abcdefghijklmnopqrstuvwxyz0123456789" } } }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - llm.providers.openai.apiKey: given a string of 39 characters; expected no such key; known keys here: enabled, defaultModel\n" +
            "  - postgresql.auth.password: given a string of 14 characters; expected no such key; known keys here: database, username, passwordSource, existingSecret, rotation, remoteRefs",
        );
    });

    it("one report: a misspelt key does not hide the rule violations beside it", () => {
        assert.equal(
            message((v) => { v.services.api.autoscalling = { enabled: true }; v.services.api.podDisruptionBudget = { enabled: true, minAvailable: 1 }; }),
            "Stack config of \"test\" has 2 problems:\n" +
            "  - services.api.autoscalling: given an object with 1 key (enabled); expected no such key; known keys here: nameOverride, fullnameOverride, component, profile, image, imagePullSecrets, securityContext, replicas, ports, metrics, probes, resources, strategy, autoscaling, podDisruptionBudget, service, ingress, networkPolicy, serviceAccount, settings, env, secrets, features, connectsTo, waitForDependencies, terminationGracePeriodSeconds, preStopSleepSeconds, scheduling, extraEnv, extraVolumes, extraVolumeMounts, extraInitContainers, postDeployCheck, migration\n" +
            "  - services.api.podDisruptionBudget.minAvailable: given 1; expected fewer pods than services.api.replicas (1), or the budget blocks every eviction and node drain",
        );
    });
});

describe("config: values that pass, as the README documents them", () => {
    it("Prometheus durations such as 1m30s, fractional CPU, IPv6 CIDRs, wildcard hosts, registries with ports", () => {
        assert.deepEqual(problemsOf(base, (v) => {
            v.monitoring = { interval: "1m30s", scrapeTimeout: "45s" };
            v.networkPolicy = { httpsEgressCidrs: ["10.0.0.0/8", "2001:db8::/32"] };
            v.services.api.resources = { requests: { cpu: "0.5", memory: "1.5Gi" }, limits: { cpu: 2, memory: "2G" } };
            v.services.api.image = { repository: "registry.internal:5000/acme/api", tag: "v1.2.3_rc-1" };
            v.services.api.ingress = { enabled: true, hosts: [{ host: "*.example.com" }], tls: { enabled: true, secretName: "wildcard.example.com" } };
            v.services.api.scheduling = { priorityClassName: "system-cluster-critical" };
        }), []);
    });
});

describe("config: no error repeats a value that could be secret", () => {
    it("a credential anywhere in a given object is described, the rest printed", () => {
        assert.equal(describeGiven("secrets.store", { name: "x", token: "abc" }), '{"name":"x","token":"[redacted: a string of 3 characters]"}');
        assert.equal(describeGiven("secrets.store", { nested: { value: "AKIAABCDEFGHIJKLMNOP" } }), '{"nested":{"value":"[redacted: a string of 20 characters]"}}');
    });

    it("under a key whose name looks secret, any value is described by its type and length", () => {
        assert.equal(describeGiven("services.api.env.DB_PASSWORD", "hunter2"), "a string of 7 characters");
        assert.equal(describeGiven("llm.providers.openai.apiKey", 1234), "a number");
    });

    it("a long random string is described even under a harmless key", () => {
        assert.equal(describeGiven("vectorDb.index", "Zx8Qp2Lm9Rt4Vw7Ks1Nb6Hd3Fg5Jc0Ty"), "a string of 32 characters");
        assert.equal(describeGiven("vectorDb.index", "documents"), '"documents"');
    });

    it("a pasted key used as a map key is hidden in the key path too", () => {
        const secret = "sk-abcdefghijklmnopqrstuvwxyz0123456789";
        const text = reportOf(base, (v) => (v.services.api.env = { [secret]: "x" }));
        assert.ok(!text.includes(secret), text);
        assert.match(text, /^ {2}- services\.api\.env\.\[redacted\]: given a string of 39 characters; expected an environment variable name in UPPER_SNAKE_CASE$/m);
    });

    it("a ConfigError keeps only the safe problems, so dumping its fields prints no secret", () => {
        const secret = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
        const values = base();
        values.postgresql.auth = { password: secret };
        const error = new ConfigError("test", validateConfig(raw(values)).problems);
        assert.ok(!JSON.stringify(error.problems).includes(secret));
        assert.deepEqual(error.problems, [
            { key: "postgresql.auth.password", given: described("a string of 43 characters"), expected: "no such key; known keys here: database, username, passwordSource, existingSecret, rotation, remoteRefs" },
        ]);
    });
});
