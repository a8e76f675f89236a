/**
 * The rules of a service's release strategy (`services.<name>.release`), as pure functions from
 * its parsed section to problems: what blue-green needs that single keys can't say.
 */
import { tracks } from "../lib/labels";
import { Problem } from "../validation/problem";
import type { Environment } from "../validation/primitives";
import { mutableImageProblems } from "../validation/common-rules";
import { autonameSuffixLength, maxServiceNameWithCheck } from "../platform/names.rules";
import type { ServiceConfig } from "../application/service.schema";
import { defaultCanary } from "./release.schema";

/** The blue-green keys, which mean nothing to another strategy. */
const trackKeys = ["active", "idleReplicas", "blue", "green"] as const;

/** The longest object name a blue-green service may have: "<name>-green" is a Service's name, a DNS-1035 label of at most 63. */
export const maxBlueGreenObjectName = 63 - "-green".length;
/** The longest service name with a blue-green check: its Job is "<name>-green-check-<random>", at most 63. */
export const maxBlueGreenNameWithCheck = 63 - "-green-check".length - autonameSuffixLength;

/** What the release rules read beyond the service: the stack's declarations. */
export interface ReleaseContext {
    readonly environment: Environment | undefined;
    /** `cluster.argoRollouts`: the cluster runs Argo Rollouts. */
    readonly argoRollouts: boolean;
    /** The stack's alerts are on (monitoring and monitoring.alerts): the canary analysis's thresholds are theirs. */
    readonly alerts: boolean;
}

/** The problems of a service's release section; `name` is the service's name. */
export function releaseProblems(key: string, name: string, service: ServiceConfig, context: ReleaseContext): Problem[] {
    const { release } = service;
    const foreign = (keys: readonly (keyof typeof release)[], owner: string) =>
        keys
            .filter((k) => release[k] !== undefined)
            .map((k) => ({ key: `${key}.release.${k}`, given: release[k], expected: `unset, or release.strategy: ${owner} (the strategy is ${release.strategy}, which has no ${k === "canary" ? "canary steps" : "tracks"})` }));
    const problems: Problem[] = [...(release.strategy === "blueGreen" ? [] : foreign(trackKeys, "blueGreen")), ...(release.strategy === "canary" ? [] : foreign(["canary"], "canary"))];
    if (release.strategy === "blueGreen") problems.push(...trackImageProblems(key, service, context.environment), ...blueGreenScalingProblems(key, service), ...blueGreenNameProblems(key, name, service));
    if (release.strategy === "canary") problems.push(...canaryProblems(key, service, context));
    return problems;
}

/** A canary is an Argo Rollouts Rollout: the cluster must run it, and the analysis needs the service's metrics, the alerts' thresholds and a Prometheus. */
function canaryProblems(key: string, service: ServiceConfig, context: ReleaseContext): Problem[] {
    const problems: Problem[] = [];
    if (!context.argoRollouts) {
        problems.push({
            key: `${key}.release.strategy`,
            given: "canary",
            expected: "rolling or blueGreen, or cluster.argoRollouts: true once the cluster runs Argo Rollouts (its controller and the CRDs rollouts.argoproj.io and analysistemplates.argoproj.io): a canary is an Argo Rollouts Rollout",
        });
    }
    const canary = service.release.canary ?? defaultCanary;
    const { analysis } = canary;
    if (analysis.startingStep >= canary.steps.length) {
        problems.push({ key: `${key}.release.canary.analysis.startingStep`, given: analysis.startingStep, expected: `less than the number of steps (${canary.steps.length}): the analysis starts at one of them` });
    }
    if (!analysis.enabled) return problems;
    if (!service.metrics.enabled) {
        problems.push({ key: `${key}.release.canary.analysis.enabled`, given: true, expected: "false, or metrics.enabled: true: the analysis queries the service's HTTP metrics" });
    } else if (!context.alerts) {
        problems.push({ key: `${key}.release.canary.analysis.enabled`, given: true, expected: "false, or monitoring.enabled and monitoring.alerts.enabled: the analysis's queries and thresholds are the alerts ServiceHighErrorRate's and ServiceHighLatency's" });
    }
    if (analysis.prometheusAddress === undefined) {
        problems.push({ key: `${key}.release.canary.analysis.prometheusAddress`, given: undefined, expected: "the URL of the Prometheus that scrapes the service, which the Argo Rollouts controller queries (e.g. \"http://prometheus-operated.monitoring:9090\"), or release.canary.analysis.enabled: false" });
    }
    return problems;
}

/** Each track runs an image of its own; the service's image holds only what they share. */
function trackImageProblems(key: string, service: ServiceConfig, environment: Environment | undefined): Problem[] {
    const shared = (["tag", "digest"] as const)
        .filter((k) => service.image[k] !== undefined)
        .map((k) => ({
            key: `${key}.image.${k}`,
            given: service.image[k],
            expected: "unset under release.strategy blueGreen: each track's image is release.blue.image and release.green.image (image keeps the repository and pullPolicy they share), so no change here rolls the live track",
        }));
    const own = tracks.flatMap((track) => {
        const image = service.release[track]?.image ?? {};
        if (image.tag === undefined && image.digest === undefined) {
            return [{ key: `${key}.release.${track}.image`, given: image, expected: `a tag or a digest: under release.strategy blueGreen each track runs its own image, and a new version goes to the idle track` }];
        }
        return mutableImageProblems(`${key}.release.${track}.image.tag`, { ...image, repository: image.repository ?? service.image.repository }, environment);
    });
    return [...shared, ...own];
}

/** Who owns the tracks' replicas, and what the idle track needs for its check; migrations have no track. */
function blueGreenScalingProblems(key: string, service: ServiceConfig): Problem[] {
    const { idleReplicas } = service.release;
    const problems: Problem[] = [];
    if (service.autoscaling.enabled && idleReplicas !== undefined) {
        problems.push({ key: `${key}.release.idleReplicas`, given: idleReplicas, expected: "unset with autoscaling.enabled: each track's HPA owns its replicas (autoscaling.minReplicas to maxReplicas)" });
    } else if (idleReplicas === 0 && service.postDeployCheck.enabled) {
        problems.push({ key: `${key}.release.idleReplicas`, given: 0, expected: "at least 1, or postDeployCheck.enabled: false: the post-deploy check calls the idle track's pods before a switch to it" });
    }
    if (service.migration.enabled) {
        problems.push({
            key: `${key}.migration.enabled`,
            given: true,
            expected: "false under release.strategy blueGreen: the two tracks run two versions against one database, so a migration belongs to neither; run it as a release of its own (docs/releases.md#blue-green)",
        });
    }
    return problems;
}

/** The tracks' names must fit: "<object name>-green" (Deployment, Service) and "<name>-green-check-<random>" (the check's Job). */
function blueGreenNameProblems(key: string, name: string, service: ServiceConfig): Problem[] {
    const objectName = service.fullnameOverride ?? name;
    const problems: Problem[] = [];
    if (objectName.length > maxBlueGreenObjectName) {
        problems.push({
            key: service.fullnameOverride === undefined ? key : `${key}.fullnameOverride`,
            given: objectName,
            expected: `a name of at most ${maxBlueGreenObjectName} characters under release.strategy blueGreen: the tracks' Deployments and Services are "${objectName}-blue" and "${objectName}-green", and a Service's name must fit in 63`,
        });
    }
    // Longer than the rolling check allows is reported by platform/names.rules.ts, once.
    if (service.postDeployCheck.enabled && name.length > maxBlueGreenNameWithCheck && name.length <= maxServiceNameWithCheck) {
        problems.push({
            key: `${key}.postDeployCheck.enabled`,
            given: true,
            expected: `false, or a service name of at most ${maxBlueGreenNameWithCheck} characters: under release.strategy blueGreen each track's check Job is named "${name}-green-check-" and 7 random characters, and a Job's name must fit in 63`,
        });
    }
    return problems;
}
