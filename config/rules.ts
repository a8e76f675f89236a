/**
 * Cross-field rules of the application config: what a schema of single fields can't say. Each
 * rule is a pure function from parsed config to problems, tested without Pulumi.
 */
import { Problem } from "./problem";
import { Environment, MonitoringConfig, ServiceConfig } from "./schema";

const cpuUnits: Record<string, number> = { m: 1e-3, "": 1 };
const byteUnits: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "2", "512Mi") as a number of base units (cores or bytes). */
export function parseQuantity(value: string): number {
    const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(value);
    const factor = match ? (cpuUnits[match[2]] ?? byteUnits[match[2]]) : undefined;
    if (!match || factor === undefined) {
        throw new Error(`"${value}" is not a Kubernetes quantity`);
    }
    return Number(match[1]) * factor;
}

/** A Prometheus duration ("15s", "1m") in milliseconds. */
export function parseDuration(value: string): number {
    const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
    if (!match) throw new Error(`"${value}" is not a duration`);
    return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
}

/** Tags that name a moving target rather than a release. */
export const mutableTags = ["latest", "main", "master", "develop", "dev", "edge", "nightly", "stable", "head"];

/** The image reference the pods run: the digest when there is one, otherwise the tag. */
export function imageReference(image: ServiceConfig["image"]): string {
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** The fewest pods the service runs: the HPA minimum when autoscaling, else the replica count. */
export function minimumReplicas(service: ServiceConfig): number {
    return service.autoscaling.enabled ? service.autoscaling.minReplicas : service.replicas;
}

/** How many pods a PDB value (an integer or "NN%") stands for out of `replicas`, rounding up as Kubernetes does. */
export function podsOf(value: number | string, replicas: number): number {
    return typeof value === "number" ? value : Math.ceil((Number(value.slice(0, -1)) * replicas) / 100);
}

/** Problems of one service; `key` is its config key, e.g. "services.api". */
export function serviceProblems(key: string, service: ServiceConfig, environment: Environment, serviceNames: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    const { image, autoscaling, podDisruptionBudget: pdb, resources, strategy } = service;

    if (image.tag === undefined && image.digest === undefined) {
        problems.push({ key: `${key}.image`, given: image, expected: "a tag or a digest" });
    }
    if (environment === "production" && image.digest === undefined && image.tag !== undefined && mutableTags.includes(image.tag.toLowerCase())) {
        problems.push({
            key: `${key}.image.tag`,
            given: image.tag,
            expected: `an immutable release tag or a digest in production (mutable tags: ${mutableTags.join(", ")})`,
        });
    }

    if (autoscaling.enabled && autoscaling.minReplicas > autoscaling.maxReplicas) {
        problems.push({
            key: `${key}.autoscaling.minReplicas`,
            given: autoscaling.minReplicas,
            expected: `at most ${key}.autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
        });
    }
    if (autoscaling.enabled && autoscaling.targetCPUUtilizationPercentage === undefined && autoscaling.targetMemoryUtilizationPercentage === undefined) {
        problems.push({ key: `${key}.autoscaling`, given: autoscaling, expected: "a CPU or memory utilization target" });
    }

    if (pdb.enabled) {
        const replicas = minimumReplicas(service);
        const from = autoscaling.enabled ? `${key}.autoscaling.minReplicas` : `${key}.replicas`;
        if ((pdb.minAvailable === undefined) === (pdb.maxUnavailable === undefined)) {
            problems.push({
                key: `${key}.podDisruptionBudget`,
                given: { minAvailable: pdb.minAvailable, maxUnavailable: pdb.maxUnavailable },
                expected: "exactly one of minAvailable or maxUnavailable",
            });
        } else if (pdb.minAvailable !== undefined && podsOf(pdb.minAvailable, replicas) >= replicas) {
            problems.push({
                key: `${key}.podDisruptionBudget.minAvailable`,
                given: pdb.minAvailable,
                expected: `fewer pods than ${from} (${replicas}), or the budget blocks every eviction and node drain`,
            });
        } else if (pdb.maxUnavailable !== undefined && podsOf(pdb.maxUnavailable, replicas) < 1) {
            problems.push({
                key: `${key}.podDisruptionBudget.maxUnavailable`,
                given: pdb.maxUnavailable,
                expected: "at least 1 pod, or the budget blocks every eviction and node drain",
            });
        }
    }

    for (const resource of ["cpu", "memory"] as const) {
        const request = resources.requests[resource];
        const limit = resources.limits[resource];
        if (parseQuantity(request) > parseQuantity(limit)) {
            problems.push({
                key: `${key}.resources.requests.${resource}`,
                given: request,
                expected: `at most ${key}.resources.limits.${resource} (${limit})`,
            });
        }
    }

    if (podsOf(strategy.maxSurge, 1) === 0 && podsOf(strategy.maxUnavailable, 1) === 0) {
        problems.push({ key: `${key}.strategy`, given: strategy, expected: "maxSurge or maxUnavailable above 0, or no rollout can make progress" });
    }

    if (service.ingress.enabled && service.ingress.hosts.length === 0) {
        problems.push({ key: `${key}.ingress.hosts`, given: [], expected: "at least one host when ingress.enabled is true" });
    }

    for (const target of service.connectsTo.services) {
        if (!serviceNames.includes(target) || `services.${target}` === key) {
            problems.push({
                key: `${key}.connectsTo.services`,
                given: target,
                expected: `another service of this stack (${serviceNames.filter((n) => `services.${n}` !== key).join(", ") || "none"})`,
            });
        }
    }
    return problems;
}

/** Problems of the monitoring settings. */
export function monitoringProblems(monitoring: MonitoringConfig): Problem[] {
    if (parseDuration(monitoring.scrapeTimeout) > parseDuration(monitoring.interval)) {
        return [{ key: "monitoring.scrapeTimeout", given: monitoring.scrapeTimeout, expected: `at most monitoring.interval (${monitoring.interval})` }];
    }
    return [];
}
