// The config the e2e (and bench/run.sh) set on top of a stack's file.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

import { projectRoot } from "./lib.mjs";

export const PROJECT = "llm-platform";

/**
 * Config the e2e sets on top of a stack's file: the data tier in external mode
 * or with its chart from a local directory (charts can't be pulled here), plus
 * a fake value for every secret the stack needs. `file` is the stack's settings file: its
 * Pulumi.<stack>.yaml unless given (an example's).
 */
export function stackOverrides(stack, file = path.join(projectRoot, `Pulumi.${stack}.yaml`)) {
    const cfg = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}).config ?? {};
    const get = (k) => cfg[`${PROJECT}:${k}`];
    const secrets = {};
    // Secrets that come from a secret manager (External Secrets Operator) are not set in config.
    const fromSecretManager = get("secrets")?.source === "external-secrets";
    const providerKeys = { anthropic: "anthropicApiKey", openai: "openaiApiKey", cohere: "cohereApiKey" };
    for (const [provider, key] of Object.entries(providerKeys)) {
        if (!fromSecretManager && get("llm")?.providers?.[provider]?.enabled) secrets[key] = `sk-e2e-${key}-plaintext-canary`;
    }
    if (!fromSecretManager && (get("vectorDb")?.type ?? "none") !== "none") secrets.vectorDbApiKey = "vdb-e2e-plaintext-canary";
    // The secret catalog's entries (secrets.entries): one with a place of its own (an existing Secret,
    // a remote ref) needs no value; the stack's own entries from stack config need theirs.
    const source = get("secrets")?.source ?? "pulumi";
    for (const [name, entry] of Object.entries(get("secrets")?.entries ?? {})) {
        if (entry.remoteRef !== undefined || entry.existingSecret !== undefined) {
            delete secrets[name];
        } else if (!(name in secrets) && name !== "vectorDbApiKey" && !Object.values(providerKeys).includes(name)) {
            if (entry.configKey !== undefined || source === "pulumi") secrets[entry.configKey ?? name] = `e2e-${name}-plaintext-canary`;
        }
    }
    // The data tier: charts can't be pulled here. On dev, PostgreSQL and Redis run in external
    // mode (managed services the application connects to); on the other stacks they stay in the
    // cluster with their charts from small local chart directories (e2e/fixtures/charts): the
    // chart code path, with the setting air-gapped users point at their mirror. With
    // BITNAMI_CHARTS_DIR (the pinned charts unpacked, as the unit tests' template checks take
    // them), the real charts instead.
    const chartsDir = process.env.BITNAMI_CHARTS_DIR || path.join(projectRoot, "e2e", "fixtures", "charts");
    const external = (name, port) => ({
        mode: "external",
        external: {
            host: `${name}.e2e.invalid`,
            port,
            // The password is in an existing Secret, unless the program syncs it from a secret manager.
            ...(get(name)?.auth?.passwordSource === "external-secrets" ? {} : { existingSecret: `e2e-${name}` }),
        },
    });
    const localChart = (name) => ({ mode: "in-cluster", chart: { path: path.resolve(chartsDir, name) } });
    const dataTier =
        stack === "dev"
            ? { postgresql: external("postgresql", 5432), redis: external("redis", 6379) }
            : { postgresql: localChart("postgresql"), redis: localChart("redis") };
    const set = {};
    for (const [key, value] of Object.entries(dataTier)) set[key] = deepMerge(get(key) ?? {}, value);
    // Extra overrides as JSON, {"key": value} (top-level keys, merged into the stack file's objects).
    const extra = process.env[`E2E_CONFIG_${stack.toUpperCase()}`] ?? process.env.E2E_CONFIG;
    if (extra) {
        for (const [key, value] of Object.entries(JSON.parse(extra))) set[key] = deepMerge(set[key] ?? get(key) ?? {}, value);
    }
    return { set, secrets };
}

/**
 * Variations of a stack that part 1 applies too (E2E_VARIANTS), each on top of its stack's
 * overrides: the branches a stack file alone doesn't reach (#27). `edit(set, get)` returns the
 * top-level keys that replace the stack's; `set` holds the overrides so far, `get` reads the
 * stack file's value of a key; `secrets` are the values of secret config keys the variant adds.
 */
export const stackVariants = {
    /** No Redis: redis.enabled false, the service connecting to PostgreSQL only. */
    "staging-no-redis": {
        stack: "staging",
        edit: (set, get) => ({ redis: { enabled: false }, services: deepMerge(get("services"), { orchestrator: { connectsTo: { redis: false } } }) }),
    },
    /**
     * Blue-green (#25): the orchestrator's two tracks, 1.4.2 on blue (live) and 1.5.0 with a setting
     * of its own on green, as tests/state-snapshot.ts's staging-blue-green; part 1 then switches
     * to green and back (program.test.mjs).
     */
    "staging-blue-green": {
        stack: "staging",
        edit: (set, get) => ({ services: blueGreenServices(get("services"), "blue") }),
    },
    /**
     * Canary (#25): the orchestrator handed to an Argo Rollouts Rollout (workloadRef) with its
     * AnalysisTemplate, in a cluster that declares Argo Rollouts; part 1 installs Argo Rollouts'
     * CRDs (program.test.mjs), so the API server validates both against their real schemas.
     */
    "staging-canary": {
        stack: "staging",
        edit: (set, get) => ({
            cluster: { argoRollouts: true },
            services: deepMerge(get("services"), { orchestrator: { release: { strategy: "canary", canary: { analysis: { prometheusAddress: "http://prometheus-operated.monitoring:9090" } } } } }),
        }),
    },
    /** A service sized by its profile (medium: 500m / 1Gi requests, 1 / 2Gi limits, autoscaling 2-10) instead of its own keys. */
    "staging-profile": {
        stack: "staging",
        edit: (set, get) => {
            const services = structuredClone(get("services"));
            delete services.orchestrator.resources;
            delete services.orchestrator.autoscaling;
            services.orchestrator.profile = "medium";
            return { services };
        },
    },
    /**
     * Route-only (#29): the service's Ingress off, its HTTPRoute to the platform's Gateway the only
     * way in, as a stack on a cluster without an ingress controller has it.
     */
    "staging-route-only": {
        stack: "staging",
        edit: (set, get) => {
            const services = structuredClone(get("services"));
            for (const service of Object.values(services)) {
                if (service.route?.enabled) service.ingress = { enabled: false };
            }
            return { services };
        },
    },
    /**
     * Observability (#26): dev with the monitoring stack (Prometheus, Alertmanager, Grafana with its
     * generated admin password), its own Loki (SingleBinary) and the collector, each chart from a
     * local directory, and Alertmanager routing to a pager and a chat (the receivers' default
     * route), their URL and key secret entries of the stack's config.
     */
    "dev-logs": {
        stack: "dev",
        secrets: { pagerdutyRoutingKey: "e2e-pagerdutyRoutingKey-plaintext-canary", slackWebhookUrl: "https://hooks.slack.invalid/services/e2e-plaintext-canary" },
        edit: (set, get) => {
            const charts = logChartPaths();
            return {
                secrets: deepMerge(get("secrets") ?? {}, { entries: { pagerdutyRoutingKey: {}, slackWebhookUrl: {} } }),
                monitoring: {
                    enabled: true,
                    stack: { enabled: true, chart: { path: charts.kubePrometheusStack } },
                    logs: { enabled: true, loki: { chart: { path: charts.loki } }, collector: { chart: { path: charts.alloy } } },
                    alertmanager: {
                        receivers: {
                            pager: { pagerduty: { routingKey: "pagerdutyRoutingKey" } },
                            chat: { slack: { apiUrl: "slackWebhookUrl", channel: "#llm-platform-dev" } },
                        },
                    },
                },
            };
        },
    },
    /** Logs (#26) outside development: SimpleScalable Loki on S3 (the pods' own identity), and its NetworkPolicy (networkPolicy.enabled). */
    "staging-logs": {
        stack: "staging",
        edit: (set, get) => {
            const charts = logChartPaths();
            const objectStorage = { type: "s3", buckets: { chunks: "llm-logs", ruler: "llm-logs" }, region: "eu-west-1" };
            return {
                monitoring: deepMerge(get("monitoring") ?? {}, {
                    enabled: true,
                    stack: { enabled: true, chart: { path: charts.kubePrometheusStack } },
                    logs: { enabled: true, loki: { chart: { path: charts.loki }, objectStorage }, collector: { chart: { path: charts.alloy } } },
                }),
            };
        },
    },
};

/**
 * The charts of the monitoring stack and the logs (#26): Loki's and Alloy's from LOG_CHARTS_DIR
 * (the pinned charts unpacked: helm pull grafana/loki --version 6.55.0 --untar, and grafana/alloy
 * 1.11.1), kube-prometheus-stack's from MONITORING_CHARTS_DIR (helm pull
 * prometheus-community/kube-prometheus-stack --version 67.8.0 --untar), else the stand-ins of
 * e2e/fixtures/charts (kube-prometheus-stack's: Grafana, its datasources and the Alertmanager
 * object only). A directory given without the chart in it is an error, not a quiet stand-in.
 */
export function logChartPaths() {
    const standIns = path.join(projectRoot, "e2e", "fixtures", "charts");
    const from = (variable, chart) => {
        const dir = path.resolve(process.env[variable] || standIns, chart);
        if (!fs.existsSync(path.join(dir, "Chart.yaml"))) throw new Error(`${variable}=${process.env[variable]}: no chart ${chart} there (${dir}/Chart.yaml)`);
        return dir;
    };
    return { loki: from("LOG_CHARTS_DIR", "loki"), alloy: from("LOG_CHARTS_DIR", "alloy"), kubePrometheusStack: from("MONITORING_CHARTS_DIR", "kube-prometheus-stack") };
}

/** A stack's services with its orchestrator blue-green: 1.4.2 on blue, 1.5.0 with FEATURE_NEW_PLANNER on green, `active` live. */
export function blueGreenServices(services, active) {
    const out = structuredClone(services);
    out.orchestrator.image = { repository: out.orchestrator.image.repository };
    out.orchestrator.release = { strategy: "blueGreen", active, blue: { image: { tag: "1.4.2" } }, green: { image: { tag: "1.5.0" }, env: { FEATURE_NEW_PLANNER: "true" } } };
    return out;
}

/** The overrides of a variant (stackVariants): its stack's, with the variant's keys in place of theirs. */
export function variantOverrides(name) {
    const variant = stackVariants[name];
    if (variant === undefined) throw new Error(`no e2e variant ${name} (${Object.keys(stackVariants).join(", ")})`);
    const file = path.join(projectRoot, `Pulumi.${variant.stack}.yaml`);
    const cfg = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}).config ?? {};
    const get = (k) => cfg[`${PROJECT}:${k}`];
    const overrides = stackOverrides(variant.stack, file);
    // Each key the edit returns replaces the stack's: a key the variant deletes (a service's own resources) must stay deleted.
    for (const [key, value] of Object.entries(variant.edit(overrides.set, get))) overrides.set[key] = value;
    // The values of the secret entries the variant adds (stack config secrets).
    Object.assign(overrides.secrets, variant.secrets ?? {});
    return overrides;
}

export function deepMerge(base, over) {
    if (!isObject(base) || !isObject(over)) return over;
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
}

function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}


// CLI for bench/run.sh: `node e2e/stack-overrides.mjs <stack>` prints render.ts arguments, one a line.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
    const o = stackOverrides(process.argv[2]);
    for (const [k, v] of Object.entries(o.set)) console.log(`${k}=${JSON.stringify(v)}`);
    for (const [k, v] of Object.entries(o.secrets)) console.log(`secret:${k}=${v}`);
}
