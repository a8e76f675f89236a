/**
 * From the validated services (and the platform settings every service is told about) to what
 * each Application takes. Runs only on config that passed validation.
 */
import type { StackIdentity } from "../lib/labels";
import { llmProviders } from "../lib/builtin-secrets";
import type { NetworkPolicyConfig } from "../network/network.schema";
import type { MonitoringConfig } from "../observability/monitoring.schema";
import type { StackAlerts } from "../observability/observability.resolve";
import type { SecretsConfig } from "../secrets/secrets.schema";
import type { Environment } from "../validation/primitives";
import type { ApplicationArgs, ApplicationDeployInputs } from "./application.args";
import { ServiceConfig, disruptionBudgetOf, progressDeadlineOf } from "./service.schema";
import { defaultCanary } from "../delivery/release.schema";
import type { LlmConfig, VectorDbConfig } from "./settings.schema";

/** What the services are built from: each service's section and the platform settings all of them share. */
export interface ApplicationsConfig {
    readonly environment: Environment;
    readonly services: Readonly<Record<string, ServiceConfig>>;
    readonly llm: LlmConfig;
    readonly vectorDb: VectorDbConfig;
    readonly networkPolicy: NetworkPolicyConfig;
    readonly monitoring: MonitoringConfig;
    readonly secrets: Pick<SecretsConfig, "rolloutOnChange" | "store">;
    readonly clusterDomain: string;
}

/** Each service's Application args, by service name. */
export function resolveApplications(config: ApplicationsConfig, identity: StackIdentity, alerts: StackAlerts["services"]): Record<string, Omit<ApplicationArgs, ApplicationDeployInputs>> {
    const { llm } = config;
    const platform = {
        ...identity,
        environment: config.environment,
        llmProviders: llmProviders.filter((p) => llm.providers[p].enabled).map((name) => ({ name, defaultModel: llm.providers[name].defaultModel })),
        vectorDb: config.vectorDb,
        networkPolicy: config.networkPolicy.enabled ? config.networkPolicy : undefined,
        monitoring: config.monitoring.enabled ? config.monitoring : undefined,
        reloadOnSecretChange: config.secrets.rolloutOnChange === "reloader",
        clusterDomain: config.clusterDomain,
        vaultAddress: config.secrets.store?.vault?.server,
    };
    return Object.fromEntries(Object.entries(config.services).map(([name, service]) => [name, {
        ...platform,
        service: withReleaseDefaults(service),
        disruptionBudget: disruptionBudgetOf(service),
        progressDeadlineSeconds: progressDeadlineOf(service, config.environment),
        alerts: alerts[name],
    }]));
}

/** The service with its canary settings when its strategy is canary and `release.canary` is unset: the default steps, with analysis. */
export function withReleaseDefaults(service: ServiceConfig): ServiceConfig {
    const { release } = service;
    return release.strategy === "canary" && release.canary === undefined ? { ...service, release: { ...release, canary: defaultCanary } } : service;
}
