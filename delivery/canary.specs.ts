/**
 * The objects of a canary release, as pure functions: the Argo Rollouts Rollout that takes the
 * service's pods over from its Deployment (workloadRef), and the AnalysisTemplate whose queries are
 * the alert catalog's error-rate and latency expressions, against the alerts' thresholds.
 *
 * Why workloadRef rather than a template of its own: the Deployment stays the one place the pod
 * template is written (its URN, its typed spec, every rule and test of it unchanged), Argo
 * Rollouts scales it down as the Rollout's pods come up (`scaleDown: progressively`, so moving a
 * live service to canary starts the new pods before the old ones go), and leaving canary is
 * deleting the Rollout and giving the Deployment its replicas back.
 */
import type { ServiceConfig } from "../application/service.schema";
import type { CanaryConfig } from "./release.schema";
import { AlertSettings, ServiceTarget, serviceErrorRate, serviceLatencyP99 } from "../lib/alert-catalog";
import { Labels } from "../lib/labels";
import { regexLiteral } from "../lib/promql";

export const argoRolloutsApiVersion = "argoproj.io/v1alpha1";

/** The analysis's argument: the pod-template hash of the new version, which names its pods. */
export const canaryHashArg = "canary-hash";

/** What the canary's analysis queries and judges against. */
export interface CanaryAnalysisInputs {
    /** The service as the alerts see it. */
    readonly target: ServiceTarget;
    /** The catalog's alert settings of the stack (the thresholds of ServiceHighErrorRate and ServiceHighLatency). */
    readonly settings: Readonly<Record<string, AlertSettings>>;
}

/** The Rollout's spec: the Deployment's pods by reference, the steps, and the background analysis when on. */
export function rolloutSpec(service: ServiceConfig, canary: CanaryConfig, objectName: string, selector: Labels): Record<string, unknown> {
    const { analysis } = canary;
    return {
        // With an HPA the autoscaler owns the Rollout's replicas (it targets the Rollout).
        ...(service.autoscaling.enabled ? {} : { replicas: service.replicas }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName, scaleDown: "progressively" },
        strategy: {
            canary: {
                maxSurge: service.strategy.maxSurge,
                maxUnavailable: service.strategy.maxUnavailable,
                steps: canary.steps.map((step) => ({ ...step })),
                ...(analysis.enabled
                    ? { analysis: { templates: [{ templateName: objectName }], startingStep: analysis.startingStep, args: [{ name: canaryHashArg, valueFrom: { podTemplateHashValue: "Latest" } }] } }
                    : {}),
            },
        },
    };
}

/** A query's success: no traffic yet (an empty result), or the value within the alert's threshold. */
export function withinThreshold(threshold: number): string {
    return `len(result) == 0 || result[0] <= ${threshold}`;
}

/** The AnalysisTemplate's spec: the error rate and the 99th percentile latency of the new version's pods. */
export function analysisTemplateSpec(canary: CanaryConfig, objectName: string, inputs: CanaryAnalysisInputs): Record<string, unknown> {
    const { analysis } = canary;
    // The Rollout's pods are "<rollout>-<pod-template-hash>-<random>"; Argo Rollouts fills the hash in.
    const pods = { pod: { re: `${regexLiteral(objectName)}-{{args.${canaryHashArg}}}-[a-z0-9]+` } };
    const metric = (name: string, query: string, alert: string) => ({
        name,
        interval: analysis.interval,
        ...(analysis.count === undefined ? {} : { count: analysis.count }),
        failureLimit: analysis.failureLimit,
        successCondition: withinThreshold(inputs.settings[alert].threshold!),
        provider: { prometheus: { address: analysis.prometheusAddress, query } },
    });
    return {
        args: [{ name: canaryHashArg }],
        metrics: [
            metric("error-rate", serviceErrorRate(inputs.target, pods), "ServiceHighErrorRate"),
            metric("latency-p99", serviceLatencyP99(inputs.target, pods), "ServiceHighLatency"),
        ],
    };
}
