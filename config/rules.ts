/**
 * Cross-field rules of the application config: what a schema of single fields can't say. Each
 * rule is a pure function from parsed config to problems, tested without Pulumi.
 */
import { isMutableTag, mutableTags } from "../lib/image";
import { parseDuration, parseQuantity, podsOf } from "../lib/quantity";
import { Problem } from "./problem";
import { Environment, MonitoringConfig, ServiceConfig } from "./schema";

/** The fewest pods the service runs: the HPA minimum when autoscaling, else the replica count. */
export function minimumReplicas(service: ServiceConfig): number {
    return service.autoscaling.enabled ? service.autoscaling.minReplicas : service.replicas;
}

/** A service's image: a tag or a digest, and no moving tag in production. */
function imageProblems(key: string, image: ServiceConfig["image"], environment: Environment): Problem[] {
    if (image.tag === undefined && image.digest === undefined) {
        return [{ key: `${key}.image`, given: image, expected: "a tag or a digest" }];
    }
    if (environment === "production" && image.digest === undefined && image.tag !== undefined && isMutableTag(image.tag)) {
        return [{
            key: `${key}.image.tag`,
            given: image.tag,
            expected: `an immutable release tag or a digest in production (mutable tags: ${mutableTags.join(", ")})`,
        }];
    }
    return [];
}

/** A PodDisruptionBudget must let at least one pod go, or it blocks every drain. */
function disruptionBudgetProblems(key: string, service: ServiceConfig): Problem[] {
    const pdb = service.podDisruptionBudget;
    if (!pdb.enabled) return [];
    const replicas = minimumReplicas(service);
    const from = service.autoscaling.enabled ? `${key}.autoscaling.minReplicas` : `${key}.replicas`;
    if ((pdb.minAvailable === undefined) === (pdb.maxUnavailable === undefined)) {
        return [{
            key: `${key}.podDisruptionBudget`,
            given: { minAvailable: pdb.minAvailable, maxUnavailable: pdb.maxUnavailable },
            expected: "exactly one of minAvailable or maxUnavailable",
        }];
    }
    if (pdb.minAvailable !== undefined && podsOf(pdb.minAvailable, replicas) >= replicas) {
        return [{
            key: `${key}.podDisruptionBudget.minAvailable`,
            given: pdb.minAvailable,
            expected: `fewer pods than ${from} (${replicas}), or the budget blocks every eviction and node drain`,
        }];
    }
    if (pdb.maxUnavailable !== undefined && podsOf(pdb.maxUnavailable, replicas) < 1) {
        return [{
            key: `${key}.podDisruptionBudget.maxUnavailable`,
            given: pdb.maxUnavailable,
            expected: "at least 1 pod, or the budget blocks every eviction and node drain",
        }];
    }
    return [];
}

/** Requests at most their limits. */
function resourceProblems(key: string, resources: ServiceConfig["resources"]): Problem[] {
    return (["cpu", "memory"] as const)
        .filter((resource) => parseQuantity(resources.requests[resource]) > parseQuantity(resources.limits[resource]))
        .map((resource) => ({
            key: `${key}.resources.requests.${resource}`,
            given: resources.requests[resource],
            expected: `at most ${key}.resources.limits.${resource} (${resources.limits[resource]})`,
        }));
}

/** The autoscaler's range. */
function autoscalingProblems(key: string, autoscaling: ServiceConfig["autoscaling"]): Problem[] {
    if (autoscaling.enabled && autoscaling.minReplicas > autoscaling.maxReplicas) {
        return [{
            key: `${key}.autoscaling.minReplicas`,
            given: autoscaling.minReplicas,
            expected: `at most ${key}.autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
        }];
    }
    return [];
}

/** Rollout, ingress and the services it calls. */
function shapeProblems(key: string, service: ServiceConfig, serviceNames: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    const { strategy } = service;
    if (podsOf(strategy.maxSurge, 1) === 0 && podsOf(strategy.maxUnavailable, 1) === 0) {
        problems.push({ key: `${key}.strategy`, given: strategy, expected: "maxSurge or maxUnavailable above 0, or no rollout can make progress" });
    }
    if (service.ingress.enabled && service.ingress.hosts.length === 0) {
        problems.push({ key: `${key}.ingress.hosts`, given: [], expected: "at least one host when ingress.enabled is true" });
    }
    const others = serviceNames.filter((n) => `services.${n}` !== key);
    for (const target of service.connectsTo.services.filter((t) => !others.includes(t))) {
        problems.push({ key: `${key}.connectsTo.services`, given: target, expected: `another service of this stack (${others.join(", ") || "none"})` });
    }
    return problems;
}

/** Problems of one service; `key` is its config key, e.g. "services.api". */
export function serviceProblems(key: string, service: ServiceConfig, environment: Environment, serviceNames: readonly string[]): Problem[] {
    return [
        ...imageProblems(key, service.image, environment),
        ...autoscalingProblems(key, service.autoscaling),
        ...disruptionBudgetProblems(key, service),
        ...resourceProblems(key, service.resources),
        ...shapeProblems(key, service, serviceNames),
        ...migrationProblems(key, service.migration),
    ];
}

/** A migration needs something to run. */
export function migrationProblems(key: string, migration: ServiceConfig["migration"]): Problem[] {
    if (!migration.enabled || migration.command !== undefined) return [];
    return [{ key: `${key}.migration.command`, given: undefined, expected: `the command to run, such as ["alembic", "upgrade", "head"], because ${key}.migration.enabled is true` }];
}

/** Problems of the monitoring settings. */
export function monitoringProblems(monitoring: MonitoringConfig): Problem[] {
    if (parseDuration(monitoring.scrapeTimeout) > parseDuration(monitoring.interval)) {
        return [{ key: "monitoring.scrapeTimeout", given: monitoring.scrapeTimeout, expected: `at most monitoring.interval (${monitoring.interval})` }];
    }
    return [];
}
