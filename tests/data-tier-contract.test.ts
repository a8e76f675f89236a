/**
 * The contract between the program and the pinned Bitnami charts: every values key the program
 * can set is a key of the chart's values.yaml (a misspelt key is silently ignored by Helm), and the
 * chart defaults the program relies on (images, Secret key names) are the chart's.
 *
 * Reads the reference copies in ../shared/bitnami/<chart>/<version>/ (relative to the project
 * root), or in $BITNAMI_REFERENCE_DIR/<chart>/<version>/. Without them the tests are skipped,
 * saying so.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { postgresqlValues } from "../data-tier/postgres-database.values";
import { redisValues } from "../data-tier/redis-cache.values";
import { PinnedChart, postgresSecretKeys, postgresqlChart, redisChart, releaseNames } from "../lib/bitnami-charts";
import { postgresqlSchema, redisSchema } from "../data-tier/data-tier.schema";
import { referenceRoot, referenceValues } from "./bitnami-reference";

type Values = Record<string, any>;


/**
 * Keys whose values are free-form maps or lists the chart passes through (labels, annotations,
 * selectors, extra rules), so their inner keys are not chart keys. An empty map `{}` in
 * values.yaml (e.g. `resources: {}`) is free-form too.
 */
export const freeFormKeys = new Set([
    "labels",
    "annotations",
    "podLabels",
    "podAnnotations",
    "commonLabels",
    "commonAnnotations",
    "additionalLabels",
    "matchLabels",
    "ingressNSMatchLabels",
    "ingressNSPodMatchLabels",
    "nodeSelector",
    "selector",
    "extraIngress",
    "extraEgress",
    "extraEnvVars",
    "extraVolumes",
    "extraVolumeMounts",
]);

/** The keys of `values` that are not keys of `reference`, or hold another type of value, as dotted paths. */
export function unknownKeys(values: Values, reference: Values, prefix = ""): string[] {
    const unknown: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const where = `${prefix}${key}`;
        if (!(key in reference)) {
            unknown.push(where);
            continue;
        }
        const ref = reference[key];
        if (freeFormKeys.has(key) || key.startsWith("extra")) continue;
        const refIsMap = ref !== null && typeof ref === "object" && !Array.isArray(ref);
        if (refIsMap && Object.keys(ref).length === 0) continue;
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            if (!refIsMap) {
                unknown.push(`${where} (a map here, ${JSON.stringify(ref)} in values.yaml)`);
                continue;
            }
            unknown.push(...unknownKeys(value, ref, `${where}.`));
        } else if (ref !== null && ref !== undefined && (Array.isArray(value) !== Array.isArray(ref) || typeof value !== typeof ref)) {
            unknown.push(`${where} (${JSON.stringify(value)} here, ${JSON.stringify(ref)} in values.yaml)`);
        }
    }
    return unknown;
}

function get(values: Values, keys: readonly string[]): any {
    return keys.reduce((v: any, k) => (v === undefined ? undefined : v[k]), values);
}

const monitoring = { labels: { release: "kube-prometheus-stack" }, interval: "30s", scrapeTimeout: "10s" };
const resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } };
const digest = `sha256:${"c".repeat(64)}`;

/** A rule as the chart's metrics.prometheusRule.rules takes it (its keys are the PrometheusRule CRD's, not the chart's). */
const alerts = {
    labels: { release: "kube-prometheus-stack" },
    rules: [{ alert: "Down", expr: "up == 0", for: "1m", labels: { severity: "critical" }, annotations: { summary: "{{ $labels.pod }} is down", description: "down", runbook_url: "https://runbooks.example.com#down" } }],
};

/** Every combination of what the program can set, so each key it can write is checked. */
const variations = [
    { protect: false, monitoring: undefined },
    { protect: true, monitoring, alerts },
];

function postgresqlVariants(): Values[] {
    const configs = [
        postgresqlSchema.parse({}),
        postgresqlSchema.parse({
            architecture: "replication",
            primary: { resources },
            readReplicas: { replicaCount: 2, resources },
            persistence: { enabled: true, size: "50Gi", storageClass: "fast" },
            volumePermissions: true,
            imagePullSecrets: ["pull"],
            images: { postgresql: { digest }, metrics: { digest }, volumePermissions: { digest } },
            extensions: ["vector"],
            initScripts: { scripts: { "10-schema.sql": "SELECT 1;" }, existingSecret: "db-init" },
            tuning: { maxConnections: 200, sharedBuffers: "512MB", workMem: "8MB", statementTimeoutMs: 30000, extra: { effective_cache_size: "1GB" } },
        }),
        postgresqlSchema.parse({ initScripts: { existingConfigMap: "db-init" } }),
    ];
    const existingSecret = { name: "db-auth", keys: { adminPasswordKey: "admin", userPasswordKey: "app", replicationPasswordKey: "repl" } };
    return [
        ...configs.flatMap((config) => variations.map((v) => postgresqlValues({ config, names: releaseNames("llm-platform-test", "postgresql"), partOf: "llm-platform", ...v }))),
        postgresqlValues({ config: configs[1], names: releaseNames("llm-platform-test", "postgresql"), partOf: "llm-platform", protect: true, secret: existingSecret }),
    ];
}

function redisVariants(): Values[] {
    const configs = [
        redisSchema.parse({}),
        redisSchema.parse({
            architecture: "replication",
            master: { resources },
            replica: { replicaCount: 3, resources },
            persistence: { storageClass: "fast" },
            tuning: { appendonly: true, appendfsync: "everysec", maxmemory: "1gb", maxmemoryPolicy: "allkeys-lru", extra: { timeout: "300" } },
        }),
        redisSchema.parse({
            architecture: "replication",
            replica: { resources },
            sentinel: { enabled: true, quorum: 2, resources },
            volumePermissions: true,
            imagePullSecrets: ["pull"],
            images: { redis: { digest }, sentinel: { digest }, metrics: { digest }, volumePermissions: { digest }, kubectl: { digest }, sysctl: { digest } },
        }),
    ];
    return [
        ...configs.flatMap((config) => variations.map((v) => redisValues({ config, names: releaseNames("llm-platform-test", "redis"), partOf: "llm-platform", ...v }))),
        // An existing Secret and a rotated password (pod annotations on every Redis StatefulSet).
        ...configs.map((config) =>
            redisValues({ config, names: releaseNames("llm-platform-test", "redis"), partOf: "llm-platform", protect: true, secret: { name: "cache-auth", key: "token" }, passwordGeneration: 2 }),
        ),
    ];
}

function describeChart(chart: PinnedChart<string>, variants: () => Values[], extra: (reference: () => Values) => void): void {
    describe(`data tier contract: the ${chart.name} chart ${chart.version}`, function () {
        const dir = path.join(referenceRoot, chart.name, chart.version);
        let reference: Values | undefined;

        before(function () {
            reference = referenceValues(this, chart);
        });

        it("the reference copy is the pinned chart version", () => {
            const chartYaml = parseYaml(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
            assert.equal(chartYaml.name, chart.name);
            assert.equal(chartYaml.version, chart.version);
        });

        it("every values key the program sets is a key of the chart's values.yaml", () => {
            for (const values of variants()) {
                assert.deepEqual(unknownKeys(values, reference!), []);
            }
        });

        it("the program's record of the chart's default images is the chart's", () => {
            for (const [key, image] of Object.entries(chart.images)) {
                const ref = get(reference!, image.valuesPath);
                assert.deepEqual(
                    { registry: ref.registry, repository: ref.repository, tag: ref.tag },
                    { registry: image.registry, repository: image.repository, tag: image.tag },
                    `${key} (${image.valuesPath.join(".")})`,
                );
            }
        });

        it("every image block of the chart's values.yaml is one the program sets", () => {
            const blocks: string[] = [];
            const walk = (node: Values, at: string[]) => {
                for (const [key, value] of Object.entries(node)) {
                    if (value && typeof value === "object" && !Array.isArray(value)) {
                        if (key === "image" && "repository" in value) blocks.push([...at, key].join("."));
                        else walk(value, [...at, key]);
                    }
                }
            };
            walk(reference!, []);
            assert.deepEqual(blocks.sort(), Object.values(chart.images).map((i) => i.valuesPath.join(".")).sort());
        });

        extra(() => reference!);
    });
}

describeChart(postgresqlChart, postgresqlVariants, (reference) => {
    it("the Secret's keys are the chart's default auth.secretKeys", () => {
        const keys = reference().auth.secretKeys;
        assert.equal(keys.adminPasswordKey, postgresSecretKeys.adminPasswordKey);
        assert.equal(keys.userPasswordKey, postgresSecretKeys.userPasswordKey);
        assert.equal(keys.replicationPasswordKey, postgresSecretKeys.replicationPasswordKey);
    });

    it("both StatefulSets' default update strategy has the empty rollingUpdate map the program pins to partition 0", () => {
        for (const workload of ["primary", "readReplicas"]) {
            assert.deepEqual(reference()[workload].updateStrategy, { type: "RollingUpdate", rollingUpdate: {} }, workload);
        }
    });
});

describeChart(redisChart, redisVariants, (reference) => {
    it("no StatefulSet's default update strategy has a rollingUpdate map, so none needs pinning", () => {
        for (const workload of ["master", "replica"]) {
            assert.deepEqual(reference()[workload].updateStrategy, { type: "RollingUpdate" }, workload);
        }
    });
});

describe("data tier contract: the key check itself", () => {
    it("reports misspelt keys and values of another type, and passes free-form maps", () => {
        const reference = { auth: { existingSecret: "" }, commonLabels: {}, primary: { resources: {}, replicaCount: 1, persistence: { size: "8Gi" } } };
        assert.deepEqual(
            unknownKeys(
                { auth: { existingSecrets: "x" }, commonLabels: { a: "b" }, primary: { resources: { requests: {} }, replicaCount: "2", persistence: { size: { x: 1 } } } },
                reference,
            ),
            ["auth.existingSecrets", 'primary.replicaCount ("2" here, 1 in values.yaml)', 'primary.persistence.size (a map here, "8Gi" in values.yaml)'],
        );
    });
});
