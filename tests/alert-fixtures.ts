/** The subjects and settings the alert tests build rules for. */
import { AlertRuleSettings } from "../observability/observability.args";
import { validateConfig } from "../config/validate";
import { alertSettings } from "../observability/observability.resolve";
import { AlertSubjects } from "../lib/alert-catalog";
import { Environment } from "../lib/environments";
import { defaultHttpMetrics } from "../lib/metric-catalog";
import { externalDataStores, raw, Values } from "./config-harness";

/** A service with everything that has alerts, and data stores with replicas. */
export const testSubjects: AlertSubjects = {
    service: { namespace: "llm-platform", name: "orchestrator", http: defaultHttpMetrics, has: { metrics: true, autoscaling: true, disruptionBudget: true, postDeployCheck: true } },
    postgresql: { namespace: "llm-platform", release: "llm-platform-prod-postgresql", replication: true },
    redis: { namespace: "llm-platform", release: "llm-platform-prod-redis", replication: true },
};

export const base = (): Values => ({
    environment: "production",
    services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" } } },
    ...externalDataStores(),
});

/** The settings of every alert for an environment, with the catalog's defaults. */
export function defaultRuleSettings(environment: Environment, extra: Partial<AlertRuleSettings> = {}): AlertRuleSettings {
    const config = validateConfig(raw({ ...base(), environment })).config!;
    return { ruleLabels: { release: "kube-prometheus-stack" }, alertLabels: {}, runbookBaseUrl: "https://runbooks.example.com/llm", settings: alertSettings(config), ...extra };
}

