import { strict as assert } from "assert";
import { alloyConfig, alloyValues } from "../observability/logs/alloy.values";
import { lokiValues, withUpdateStrategyType } from "../observability/logs/loki.values";
import type { CollectorSpec, LokiSpec } from "../observability/logs/logs.args";
import { serviceDashboard, serviceLogSelector } from "../observability/dashboards.specs";
import { logFormatOf } from "../application/application.specs";
import { alloyChart, lokiChart } from "../lib/monitoring-chart";
import { base } from "./alert-fixtures";
import { problemsOf, Values } from "./config-harness";
import { fakeSecretValue, runStack } from "./mocks";

const collector = (destination: CollectorSpec["destination"]): CollectorSpec => ({
    chart: { ...alloyChart },
    release: "alloy",
    namespaces: ["llm-platform-dev"],
    images: { alloy: alloyChart.images.alloy, configReloader: alloyChart.images.configReloader },
    destination,
});

const loki = (extra: Partial<LokiSpec> = {}): LokiSpec => ({
    chart: { ...lokiChart },
    release: "loki",
    deploymentMode: "SingleBinary",
    retention: "744h",
    storage: { size: "10Gi" },
    image: lokiChart.images.loki,
    ...extra,
});

describe("logs: the collector's configuration (Alloy), a pure function", () => {
    it("reads the node's pods of the named namespaces from /var/log/pods, parses CRI lines and pushes to Loki with the cluster label", () => {
        assert.equal(
            alloyConfig(collector({ type: "loki", url: "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push" }), "llm-platform-dev"),
            [
                'discovery.kubernetes "pods" {',
                '  role = "pod"',
                "  namespaces {",
                '    names = ["llm-platform-dev"]',
                "  }",
                "  selectors {",
                '    role  = "pod"',
                '    field = "spec.nodeName=" + sys.env("NODE_NAME")',
                "  }",
                "}",
                "",
                'discovery.relabel "pods" {',
                "  targets = discovery.kubernetes.pods.targets",
                ...[
                    ["__meta_kubernetes_namespace", "namespace"],
                    ["__meta_kubernetes_pod_name", "pod"],
                    ["__meta_kubernetes_pod_container_name", "container"],
                    ["__meta_kubernetes_pod_label_app_kubernetes_io_name", "app_kubernetes_io_name"],
                    ["__meta_kubernetes_pod_label_app_kubernetes_io_instance", "app_kubernetes_io_instance"],
                    ["__meta_kubernetes_pod_label_app_kubernetes_io_component", "app_kubernetes_io_component"],
                ].flatMap(([source, target]) => ["  rule {", `    source_labels = ["${source}"]`, `    target_label  = "${target}"`, "  }"]),
                "  rule {",
                '    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]',
                '    separator     = "/"',
                '    target_label  = "__path__"',
                '    replacement   = "/var/log/pods/*$1/*.log"',
                "  }",
                "}",
                "",
                'local.file_match "pods" {',
                "  path_targets = discovery.relabel.pods.output",
                "}",
                "",
                'loki.source.file "pods" {',
                "  targets    = local.file_match.pods.targets",
                "  forward_to = [loki.process.pods.receiver]",
                "}",
                "",
                'loki.process "pods" {',
                "  stage.cri {}",
                "  forward_to = [loki.write.default.receiver]",
                "}",
                "",
                'loki.write "default" {',
                "  endpoint {",
                '    url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"',
                "  }",
                '  external_labels = { cluster = "llm-platform-dev" }',
                "}",
                "",
            ].join("\n"),
        );
    });

    it("an existing Loki: the tenant and basic auth, the password read from the pod's environment, never written into the configuration", () => {
        const config = alloyConfig(collector({ type: "loki", url: "https://logs.example.com/loki/api/v1/push", tenantId: "acme", basicAuth: { username: "12345", passwordEnv: "LOKI_PASSWORD" } }), "x");
        assert.ok(config.includes('    tenant_id = "acme"\n    basic_auth {\n      username = "12345"\n      password = sys.env("LOKI_PASSWORD")\n    }\n'), config);
    });

    it("OTLP: the lines go through otelcol.receiver.loki to the OTLP/HTTP exporter, with a bearer token from the environment", () => {
        const config = alloyConfig(collector({ type: "otlp", url: "https://otlp.example.com", bearerTokenEnv: "OTLP_TOKEN" }), "x");
        assert.ok(config.includes("  forward_to = [otelcol.receiver.loki.default.receiver]"), config);
        assert.ok(config.includes('otelcol.exporter.otlphttp "default" {\n  client {\n    endpoint = "https://otlp.example.com"\n    auth     = otelcol.auth.bearer.default.handler\n  }\n}'), config);
        assert.ok(config.includes('otelcol.auth.bearer "default" {\n  token = sys.env("OTLP_TOKEN")\n}'), config);
        assert.ok(!config.includes("loki.write"), "no Loki writer for an OTLP destination");
    });

    it("the chart's values: a DaemonSet mounting /var/log, the node's name and the credentials as variables, every image set, no CRDs", () => {
        const env = [{ name: "LOKI_PASSWORD", valueFrom: { secretKeyRef: { name: "llm-platform-dev-logs", key: "loki-password" } } }];
        const values = alloyValues(collector({ type: "loki", url: "https://logs.example.com/loki/api/v1/push" }), "llm-platform-dev", env) as any;
        assert.equal(values.controller.type, "daemonset");
        assert.deepEqual(values.alloy.mounts, { varlog: true });
        assert.deepEqual(values.alloy.extraEnv, [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }, ...env]);
        assert.deepEqual(values.image, { registry: "docker.io", repository: "grafana/alloy", tag: "v1.18.1" });
        assert.deepEqual(values.configReloader.image, { registry: "quay.io", repository: "prometheus-operator/prometheus-config-reloader", tag: "v0.91.0" });
        assert.deepEqual(values.crds, { create: false });
        assert.equal(values.alloy.configMap.content, alloyConfig(collector({ type: "loki", url: "https://logs.example.com/loki/api/v1/push" }), "llm-platform-dev"));
    });
});

describe("logs: Loki's chart values, a pure function", () => {
    it("SingleBinary: one pod on its own volume (filesystem), one replica of the data, the retention kept by the compactor, the chart's extra images off", () => {
        const values = lokiValues(loki({ storage: { size: "20Gi", storageClass: "fast" } }), []) as any;
        assert.equal(values.deploymentMode, "SingleBinary");
        assert.deepEqual([values.singleBinary.replicas, values.write.replicas, values.read.replicas, values.backend.replicas], [1, 0, 0, 0]);
        assert.deepEqual(values.singleBinary.persistence, { size: "20Gi", storageClass: "fast" });
        assert.deepEqual(values.loki.storage, { type: "filesystem" });
        assert.equal(values.loki.commonConfig.replication_factor, 1);
        assert.equal(values.loki.auth_enabled, false);
        assert.deepEqual(values.loki.limits_config, { retention_period: "744h" });
        assert.deepEqual(values.loki.compactor, { retention_enabled: true, delete_request_store: "filesystem" });
        assert.equal(values.loki.schemaConfig.configs[0].object_store, "filesystem");
        assert.deepEqual(values.loki.image, { registry: "docker.io", repository: "grafana/loki", tag: "3.6.7" });
        for (const off of ["gateway", "chunksCache", "resultsCache", "lokiCanary", "test", "minio"]) assert.deepEqual(values[off], { enabled: false }, off);
        assert.deepEqual(values.sidecar, { rules: { enabled: false } });
        assert.equal(values.singleBinary.extraArgs, undefined, "no -config.expand-env without credentials");
    });

    it("SimpleScalable on S3: read, write and backend, three copies, the keys as ${VAR} that the pods expand from their Secret", () => {
        const env = [{ name: "S3_KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }, { name: "S3_SECRET", valueFrom: { secretKeyRef: { name: "s", key: "s" } } }];
        const objectStorage = { type: "s3" as const, buckets: { chunks: "c", ruler: "r" }, region: "eu-west-1", s3ForcePathStyle: false, accessKeyIdEnv: "S3_KEY", secretAccessKeyEnv: "S3_SECRET" };
        const values = lokiValues(loki({ deploymentMode: "SimpleScalable", objectStorage }), env) as any;
        assert.deepEqual([values.singleBinary.replicas, values.write.replicas, values.read.replicas, values.backend.replicas], [0, 3, 3, 3]);
        assert.equal(values.loki.commonConfig.replication_factor, 3);
        assert.deepEqual(values.loki.storage, {
            type: "s3",
            bucketNames: { chunks: "c", ruler: "r", admin: "r" },
            s3: { region: "eu-west-1", s3ForcePathStyle: false, accessKeyId: "${S3_KEY}", secretAccessKey: "${S3_SECRET}" },
        });
        for (const target of ["write", "read", "backend"]) {
            assert.deepEqual(values[target].extraArgs, ["-config.expand-env=true"], target);
            assert.deepEqual(values[target].extraEnv, env, target);
        }
        assert.equal(values.read.persistence, undefined, "the read pods keep no volume");
        assert.deepEqual(values.loki.compactor.delete_request_store, "s3");
    });
});

describe("logs: Loki's StatefulSets as the API server stores them", () => {
    it("the chart's updateStrategy without a type gets RollingUpdate written out; one with a type and other objects are left alone", () => {
        const sts = { metadata: { name: "loki" }, spec: { replicas: 1, updateStrategy: { rollingUpdate: { partition: 0 } } } };
        assert.deepEqual(withUpdateStrategyType("kubernetes:apps/v1:StatefulSet", sts), { metadata: { name: "loki" }, spec: { replicas: 1, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } } });
        assert.equal(withUpdateStrategyType("kubernetes:apps/v1:StatefulSet", { spec: { updateStrategy: { type: "OnDelete" } } }), undefined);
        assert.equal(withUpdateStrategyType("kubernetes:apps/v1:Deployment", sts), undefined);
        assert.equal(withUpdateStrategyType("kubernetes:apps/v1:StatefulSet", { spec: {} }), undefined);
    });
});

describe("logs: the dashboards' log panel and LOG_FORMAT", () => {
    const target = { namespace: "llm-platform-dev", name: "orchestrator", http: { requests: "r", statusLabel: "s", durationBucket: "d" }, has: { metrics: true, autoscaling: false, disruptionBudget: false, postDeployCheck: false } };

    it("LogQL selects the service's pods by namespace and lib/labels.ts's selector labels, as stream labels", () => {
        assert.equal(serviceLogSelector(target, "llm-platform-dev"), '{namespace="llm-platform-dev", app_kubernetes_io_name="orchestrator", app_kubernetes_io_instance="llm-platform-dev"}');
    });

    it("a Logs row only with logs: the dashboard without is unchanged", () => {
        assert.deepEqual(serviceDashboard(target, "p", { instance: "i" }).rows.slice(0, -1), serviceDashboard(target, "p").rows);
        const row = serviceDashboard(target, "p", { instance: "i" }).rows.at(-1)!;
        assert.deepEqual([row.title, row.panels[0].kind, row.panels[0].queries[0].expr], ["Logs", "logs", serviceLogSelector(target, "i")]);
    });

    it("LOG_FORMAT: as set; unset, text in development and json elsewhere", () => {
        assert.deepEqual(
            [logFormatOf(undefined, "development"), logFormatOf(undefined, "staging"), logFormatOf(undefined, "production"), logFormatOf("json", "development"), logFormatOf("text", "production")],
            ["text", "json", "json", "json", "text"],
        );
    });
});

const withLogs = (logs: Values, stack = true) => (v: Values) => {
    v.monitoring = { enabled: true, stack: { enabled: stack }, logs: { enabled: true, ...logs } };
};

describe("logs: config validation, exact messages", () => {
    it("logs without the monitoring stack and without a destination", () => {
        assert.deepEqual(problemsOf(base, withLogs({}, false)), [
            {
                key: "monitoring.logs.destination",
                given: undefined,
                expected: "an existing Loki or OTLP endpoint ({type, url}), because monitoring.logs.enabled is true and monitoring.stack.enabled is false: without the monitoring stack the stack has no Loki of its own to ship to",
            },
        ]);
    });

    it("SimpleScalable (the default outside development) without object storage", () => {
        assert.deepEqual(problemsOf(base, withLogs({})), [
            {
                key: "monitoring.logs.loki.objectStorage",
                given: undefined,
                expected: 'the object storage Loki keeps its chunks in ({type, buckets: {chunks, ruler}}), because monitoring.logs.loki.deploymentMode is unset, so "SimpleScalable" outside development: its read, write and backend pods share no volume',
            },
        ]);
        assert.deepEqual(problemsOf(base, withLogs({ loki: { deploymentMode: "SingleBinary" } })), [], "SingleBinary needs none");
    });

    it("a retention that isn't a duration, or is under a day", () => {
        const problems = problemsOf(base, withLogs({ retention: "30 days", loki: { deploymentMode: "SingleBinary" } }));
        assert.deepEqual(problems.map((p) => [p.key, p.expected]), [["monitoring.logs.retention", 'a duration such as "744h", "30d" or "4w" (units ms, s, m, h, d, w, y, largest first)']]);
        assert.deepEqual(problemsOf(base, withLogs({ retention: "12h", loki: { deploymentMode: "SingleBinary" } })), [
            { key: "monitoring.logs.retention", given: "12h", expected: 'at least "24h": Loki\'s compactor deletes logs by the day' },
        ]);
    });

    it("object storage: the keys of its type only, both S3 keys or neither, Azure's account", () => {
        const storage = (objectStorage: Values) => problemsOf(base, withLogs({ loki: { objectStorage } })).map((p) => [p.key, p.expected]);
        assert.deepEqual(storage({ type: "gcs", buckets: { chunks: "c", ruler: "r" }, region: "eu" }), [["monitoring.logs.loki.objectStorage.region", 'nothing, because monitoring.logs.loki.objectStorage.type is "gcs"']]);
        assert.deepEqual(storage({ type: "azure", buckets: { chunks: "c", ruler: "r" } }), [["monitoring.logs.loki.objectStorage.accountName", 'the storage account, because monitoring.logs.loki.objectStorage.type is "azure"']]);
        assert.deepEqual(
            problemsOf(base, (v) => {
                withLogs({ loki: { objectStorage: { type: "s3", buckets: { chunks: "c", ruler: "r" }, accessKeyIdEntry: "s3Key" } } })(v);
                v.secrets = { entries: { s3Key: {} } };
            }, ["s3Key"]).map((p) => [p.key, p.expected]),
            [["monitoring.logs.loki.objectStorage.secretAccessKeyEntry", "an entry too: both accessKeyIdEntry and secretAccessKeyEntry, or neither (the pods' own identity, e.g. IRSA)"]],
        );
    });

    it("a destination's credential is an entry of the secret catalog, with its value set, and not one the secret manager syncs", () => {
        const destination = { type: "loki", url: "https://logs.example.com/loki/api/v1/push", basicAuth: { username: "u", passwordEntry: "lokiPassword" } };
        assert.deepEqual(problemsOf(base, withLogs({ destination }, false)).map((p) => [p.key, p.expected]), [
            ["monitoring.logs.destination.basicAuth.passwordEntry", "an entry of the secret catalog (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey), or one declared in secrets.entries"],
        ]);
        const declared = (v: Values) => {
            withLogs({ destination }, false)(v);
            v.secrets = { entries: { lokiPassword: {} } };
        };
        assert.deepEqual(problemsOf(base, declared).map((p) => [p.key, p.expected]), [
            ["lokiPassword", "a secret, because monitoring.logs.destination.basicAuth.passwordEntry names it: pulumi config set --secret lokiPassword <value>"],
        ]);
        assert.deepEqual(problemsOf(base, declared, ["lokiPassword"]), [], "declared and set: nothing wrong, though no service receives it");
        const synced = (v: Values) => {
            withLogs({ destination }, false)(v);
            v.secrets = { entries: { lokiPassword: { remoteRef: { key: "logs" } } }, store: { kind: "ClusterSecretStore", create: false, name: "org" } };
        };
        assert.deepEqual(problemsOf(base, synced).map((p) => [p.key, p.expected]), [
            [
                "monitoring.logs.destination.basicAuth.passwordEntry",
                "an entry from stack config or an existing Secret: lokiPassword comes from the secret manager (secrets.entries.lokiPassword.remoteRef), which the program syncs into the stack's namespace only, not the monitoring namespace",
            ],
        ]);
    });

    it("a credential from the stack's shared existing Secret (the stack namespace's) is refused; one with an existingSecret of its own is the monitoring namespace's", () => {
        const destination = { type: "loki", url: "https://logs.example.com/loki/api/v1/push", bearerTokenEntry: "lokiToken" };
        const shared = (v: Values) => {
            withLogs({ destination }, false)(v);
            v.secrets = { source: "existing", existingSecret: { name: "llm-keys", keys: { lokiToken: "loki" } }, entries: { lokiToken: {} } };
        };
        assert.deepEqual(problemsOf(base, shared).map((p) => [p.key, p.expected]), [
            [
                "monitoring.logs.destination.bearerTokenEntry",
                "an entry with a place of its own (secrets.entries.lokiToken.configKey, or .existingSecret naming a Secret in the monitoring namespace): secrets.existingSecret.keys.lokiToken is a key of the stack namespace's Secret, which the collector can't read",
            ],
        ]);
        const own = (v: Values) => {
            withLogs({ destination }, false)(v);
            v.secrets = { entries: { lokiToken: { existingSecret: { name: "loki-token", key: "token" } } } };
        };
        assert.deepEqual(problemsOf(base, own), []);
    });

    it("a destination: Loki's push URL, a tenant only for Loki, one kind of auth", () => {
        const d = (destination: Values, token = false) => problemsOf(base, (v) => {
            withLogs({ destination }, false)(v);
            if (token) v.secrets = { entries: { token: {} } };
        }, token ? ["token"] : []).map((p) => [p.key, p.expected]);
        assert.deepEqual(d({ type: "loki", url: "https://logs.example.com/" }), [["monitoring.logs.destination.url", 'Loki\'s push URL, ending in "/loki/api/v1/push"']]);
        assert.deepEqual(d({ type: "otlp", url: "https://otlp.example.com", tenantId: "t", bearerTokenEntry: "token" }, true), [
            ["monitoring.logs.destination.tenantId", 'nothing, because monitoring.logs.destination.type is "otlp": a tenant is a Loki header (X-Scope-OrgID)'],
        ]);
        assert.deepEqual(d({ type: "otlp", url: "https://otlp.example.com", basicAuth: { username: "u", passwordEntry: "token" }, bearerTokenEntry: "token" }, true), [
            ["monitoring.logs.destination.bearerTokenEntry", "nothing, because monitoring.logs.destination.basicAuth is set: one of basicAuth or bearerTokenEntry"],
        ]);
    });

    it("the monitoring namespace can't be the stack's own: the collector's hostPath needs Pod Security privileged", () => {
        const problems = problemsOf(base, (v) => {
            withLogs({ loki: { deploymentMode: "SingleBinary" } })(v);
            v.monitoring.stack.namespace = "apps";
            v.namespace = { name: "apps" };
        });
        assert.deepEqual(problems, [
            {
                key: "monitoring.stack.namespace",
                given: "apps",
                expected: 'a namespace other than the stack\'s own ("apps"), because monitoring.logs.enabled is true: the collector reads /var/log/pods through a hostPath, which only Pod Security level "privileged" admits',
            },
        ]);
    });
});

describe("logs: the program (under mocks)", () => {
    const devLogs = { monitoring: { enabled: true, stack: { enabled: true }, logs: { enabled: true } } };

    it("dev with the monitoring stack and logs: Loki SingleBinary and Alloy from their pinned charts in the monitoring namespace, labelled privileged; Grafana's Loki datasource", async () => {
        const run = await runStack("dev", { set: devLogs });
        const loki = run.one("kubernetes:helm.sh/v4:Chart", "logs-loki");
        assert.deepEqual(
            { chart: loki.inputs.chart, version: loki.inputs.version, repo: loki.inputs.repositoryOpts.repo, name: loki.inputs.name, namespace: loki.inputs.namespace, mode: loki.inputs.values.deploymentMode },
            { chart: "loki", version: "6.55.0", repo: "https://grafana.github.io/helm-charts", name: "loki", namespace: "monitoring", mode: "SingleBinary" },
        );
        const alloy = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector");
        assert.deepEqual({ chart: alloy.inputs.chart, version: alloy.inputs.version, name: alloy.inputs.name, namespace: alloy.inputs.namespace }, { chart: "alloy", version: "1.11.1", name: "alloy", namespace: "monitoring" });
        assert.ok(alloy.inputs.values.alloy.configMap.content.includes('url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"'));
        assert.ok(alloy.inputs.values.alloy.configMap.content.includes('names = ["llm-platform-dev"]'));
        const namespace = run.one("kubernetes:core/v1:Namespace", "monitoring-stack-namespace");
        assert.equal(namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.equal(run.ofType("kubernetes:core/v1:Namespace").filter((n) => n.inputs.metadata.name === "monitoring").length, 1, "the MonitoringStack's namespace, not a second");
        const stack = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        assert.deepEqual(stack.inputs.values.grafana.additionalDataSources, [{ name: "Loki", type: "loki", uid: "loki", url: "http://loki.monitoring.svc.cluster.local:3100", access: "proxy", editable: false, isDefault: false }]);
        const logs = run.one("llm-platform:observability:Logs", "logs");
        assert.deepEqual([loki.options.parent, alloy.options.parent], [logs.urn, logs.urn], "the charts are the Logs component's");
        assert.ok(loki.options.dependsOn.includes(namespace.urn), "Loki waits for the MonitoringStack's namespace, which it goes into");
    });

    it("dev with logs: each service's dashboard has a logs panel on the Loki datasource", async () => {
        const run = await runStack("dev", { set: devLogs });
        const configMap = run.one("kubernetes:core/v1:ConfigMap", "dashboards-service-orchestrator");
        const dashboard = JSON.parse(Object.values(configMap.inputs.data as Record<string, string>)[0]);
        const panel = dashboard.panels.find((p: { type: string }) => p.type === "logs");
        assert.deepEqual(panel.datasource, { type: "loki", uid: "loki" });
        assert.equal(panel.targets[0].expr, '{namespace="llm-platform-dev", app_kubernetes_io_name="orchestrator", app_kubernetes_io_instance="llm-platform-dev"}');
    });

    it("without the stack: the collector ships to an existing Loki with the password from stack config, in a Secret of the monitoring namespace the program creates; the app's Secret doesn't hold it", async () => {
        const password = fakeSecretValue("lokiPassword");
        const run = await runStack("dev", {
            set: {
                monitoring: { enabled: true, logs: { enabled: true, destination: { type: "loki", url: "https://logs.example.com/loki/api/v1/push", basicAuth: { username: "1234", passwordEntry: "lokiPassword" } } } },
                secrets: { source: "pulumi", entries: { lokiPassword: {} } },
            },
            secrets: { lokiPassword: password },
        });
        assert.equal(run.ofType("kubernetes:helm.sh/v4:Chart").filter((c) => c.name.endsWith("logs-loki")).length, 0, "no Loki of its own");
        const namespace = run.one("kubernetes:core/v1:Namespace", "logs-namespace");
        assert.deepEqual([namespace.inputs.metadata.name, namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]], ["monitoring", "privileged"]);
        const secret = run.one("kubernetes:core/v1:Secret", "logs-credentials");
        assert.deepEqual([secret.inputs.metadata.name, secret.inputs.metadata.namespace, Object.keys(secret.inputs.stringData)], ["llm-platform-dev-logs", "monitoring", ["loki-password"]]);
        assert.equal(secret.inputs.stringData["loki-password"], password);
        const alloy = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector");
        assert.deepEqual(alloy.inputs.values.alloy.extraEnv[1], { name: "LOKI_PASSWORD", valueFrom: { secretKeyRef: { name: "llm-platform-dev-logs", key: "loki-password" } } });
        assert.ok(!JSON.stringify(alloy.inputs.values).includes(password), "the password is no value of the chart");
        const appSecret = run.one("kubernetes:core/v1:Secret", "app-secrets");
        assert.ok(!("loki-password" in appSecret.inputs.stringData), "the app's Secret doesn't carry the collector's password");
    });

    it("an OTLP destination's token: sent as a secret in the Secret of the monitoring namespace, read by the collector as a variable", async () => {
        const run = await runStack("dev", {
            set: {
                monitoring: { enabled: true, logs: { enabled: true, destination: { type: "otlp", url: "https://otlp.example.com", bearerTokenEntry: "otlpToken" } } },
                secrets: { source: "pulumi", entries: { otlpToken: {} } },
            },
            secrets: { otlpToken: fakeSecretValue("otlpToken") },
        });
        const secret = run.one("kubernetes:core/v1:Secret", "logs-credentials");
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        assert.equal(secret.inputs.stringData["otlp-token"], fakeSecretValue("otlpToken"));
        const content = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector").inputs.values.alloy.configMap.content as string;
        assert.ok(content.includes('token = sys.env("OTLP_TOKEN")'), content);
    });

    it("a credential from an existing Secret: the collector reads that Secret's key in the monitoring namespace, and the program writes none", async () => {
        const run = await runStack("dev", {
            set: {
                monitoring: { enabled: true, logs: { enabled: true, destination: { type: "otlp", url: "https://otlp.example.com", basicAuth: { username: "u", passwordEntry: "otlpPassword" } } } },
                secrets: { source: "pulumi", entries: { otlpPassword: { existingSecret: { name: "otlp-credentials", key: "password" } } } },
            },
        });
        assert.equal(run.ofType("kubernetes:core/v1:Secret").filter((s) => s.name.endsWith("logs-credentials")).length, 0);
        const alloy = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector");
        assert.deepEqual(alloy.inputs.values.alloy.extraEnv[1], { name: "OTLP_PASSWORD", valueFrom: { secretKeyRef: { name: "otlp-credentials", key: "password" } } });
        assert.ok((alloy.inputs.values.alloy.configMap.content as string).includes('otelcol.auth.basic "default" {\n  username = "u"\n  password = sys.env("OTLP_PASSWORD")\n}'));
    });

    it("staging with the stack and logs on S3: SimpleScalable, and a NetworkPolicy admits only the collector, Grafana and Loki's own pods to Loki", async () => {
        const run = await runStack("staging", {
            set: {
                monitoring: { enabled: true, stack: { enabled: true }, logs: { enabled: true, loki: { objectStorage: { type: "s3", buckets: { chunks: "logs", ruler: "logs" }, region: "eu-west-1" } } } },
            },
        });
        const loki = run.one("kubernetes:helm.sh/v4:Chart", "logs-loki");
        assert.equal(loki.inputs.values.deploymentMode, "SimpleScalable");
        const alloy = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector");
        assert.ok(alloy.inputs.values.alloy.configMap.content.includes("http://loki-write.monitoring.svc.cluster.local:3100/loki/api/v1/push"));
        const policy = run.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "logs-loki");
        assert.deepEqual(policy.inputs.spec, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: { matchLabels: { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" } } },
                        { podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" } } },
                    ],
                    ports: [{ protocol: "TCP", port: 3100 }],
                },
                { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" } } }] },
            ],
        });
        const stack = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack-chart");
        assert.equal(stack.inputs.values.grafana.additionalDataSources[0].url, "http://loki-read.monitoring.svc.cluster.local:3100");
    });

    it("images.registry moves the log images too", async () => {
        const run = await runStack("dev", { set: { ...devLogs, images: { registry: "registry.internal:5000" } } });
        assert.equal(run.one("kubernetes:helm.sh/v4:Chart", "logs-loki").inputs.values.loki.image.registry, "registry.internal:5000");
        const alloy = run.one("kubernetes:helm.sh/v4:Chart", "logs-collector").inputs.values;
        assert.deepEqual([alloy.image.registry, alloy.configReloader.image.registry], ["registry.internal:5000", "registry.internal:5000"]);
    });

    it("staging's service says LOG_FORMAT json, dev's its explicit text", async () => {
        const staging = await runStack("staging");
        assert.equal(staging.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.data?.LOG_FORMAT !== undefined)!.inputs.data.LOG_FORMAT, "json");
        const dev = await runStack("dev");
        assert.equal(dev.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.data?.LOG_FORMAT !== undefined)!.inputs.data.LOG_FORMAT, "text");
    });
});

/** Every leaf key path of a values object (arrays and empty objects are leaves). */
function keyPaths(v: unknown, at: string[] = []): string[] {
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) return Object.entries(v).flatMap(([k, x]) => keyPaths(x, [...at, k]));
    return [at.join(".")];
}

/**
 * The keys the program may set, read from each pinned chart's values.yaml (grafana/loki tag
 * helm-loki-6.55.0, production/helm/loki/values.yaml; grafana/alloy tag helm-chart/1.11.1,
 * operations/helm/charts/alloy/values.yaml). Where the chart hands a map to Loki's configuration as
 * it is (loki.limits_config, loki.compactor, loki.schemaConfig) the key is Loki's own
 * (limits_config.retention_period, compactor.retention_enabled and delete_request_store, schema_config.configs);
 * loki.storage.bucketNames is documented in a comment there. The charts' archives aren't available
 * offline, so a key the program adds must be checked against them and added here.
 */
const documentedKeys = {
    loki: [
        "deploymentMode", "loki.image.registry", "loki.image.repository", "loki.image.tag", "loki.image.digest", "loki.auth_enabled", "loki.commonConfig.replication_factor",
        "loki.schemaConfig.configs", "loki.storage.type", "loki.storage.bucketNames.chunks", "loki.storage.bucketNames.ruler", "loki.storage.bucketNames.admin",
        "loki.storage.s3.endpoint", "loki.storage.s3.region", "loki.storage.s3.s3ForcePathStyle", "loki.storage.s3.accessKeyId", "loki.storage.s3.secretAccessKey",
        "loki.storage.azure.accountName", "loki.storage.azure.accountKey", "loki.storage.azure.useFederatedToken", "loki.limits_config.retention_period",
        "loki.compactor.retention_enabled", "loki.compactor.delete_request_store",
        ...["singleBinary", "write", "read", "backend"].flatMap((t) => [`${t}.replicas`, `${t}.extraArgs`, `${t}.extraEnv`, ...(t === "read" ? [] : [`${t}.persistence.size`, `${t}.persistence.storageClass`])]),
        "gateway.enabled", "chunksCache.enabled", "resultsCache.enabled", "lokiCanary.enabled", "test.enabled", "sidecar.rules.enabled", "minio.enabled",
    ],
    alloy: [
        "image.registry", "image.repository", "image.tag", "image.digest", "configReloader.image.registry", "configReloader.image.repository", "configReloader.image.tag", "configReloader.image.digest",
        "controller.type", "alloy.configMap.create", "alloy.configMap.content", "alloy.mounts.varlog", "alloy.extraEnv", "alloy.enableReporting", "crds.create",
    ],
};

describe("logs: the charts' values use only the pinned charts' documented keys", () => {
    const env = [{ name: "X", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }];
    it("Loki 6.55.0, in both modes and every object store", () => {
        const stores = [undefined, { type: "s3", buckets: { chunks: "a", ruler: "b" }, endpoint: "e", region: "r", s3ForcePathStyle: true, accessKeyIdEnv: "A", secretAccessKeyEnv: "B" }, { type: "gcs", buckets: { chunks: "a", ruler: "b" }, s3ForcePathStyle: false }, { type: "azure", buckets: { chunks: "a", ruler: "b" }, s3ForcePathStyle: false, accountName: "n", accountKeyEnv: "K" }] as const;
        const used = stores.flatMap((objectStorage) => (["SingleBinary", "SimpleScalable"] as const).flatMap((deploymentMode) =>
            keyPaths(lokiValues(loki({ deploymentMode, objectStorage, storage: { size: "1Gi", storageClass: "x" }, image: { ...lokiChart.images.loki, digest: "sha256:0" } }), env))));
        assert.deepEqual([...new Set(used)].filter((p) => !documentedKeys.loki.includes(p)), []);
        assert.deepEqual(documentedKeys.loki.filter((p) => !used.includes(p)), [], "every documented key is reached by one of the cases");
    });
    it("Alloy 1.11.1", () => {
        const spec = collector({ type: "loki", url: "u" });
        const used = keyPaths(alloyValues({ ...spec, images: { alloy: { ...spec.images.alloy, digest: "sha256:0" }, configReloader: { ...spec.images.configReloader, digest: "sha256:0" } } }, "c", env));
        assert.deepEqual(used.filter((p) => !documentedKeys.alloy.includes(p)), []);
        assert.deepEqual(documentedKeys.alloy.filter((p) => !used.includes(p)), [], "every documented key is set");
    });
});
