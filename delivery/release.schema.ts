/**
 * The schema of a service's release strategy (`services.<name>.release`): how a new version
 * reaches the pods. `rolling` (the default) is the Deployment's rolling update; `blueGreen` runs
 * two tracks, blue and green, each with its own image, and the live Service selects the active one;
 * `canary` hands the Deployment's pods to an Argo Rollouts Rollout that moves them step by step.
 * The keys are a record (`releaseStrategyKeys`) so the release section can hold other keys beside
 * them (the release's deadlines).
 */
import { z } from "../validation/zod";
import { tracks } from "../lib/labels";
import { imageDigest, imageRepository, imageTag, nonNegativeInt, positiveInt, settingName, url } from "../validation/primitives";

/** What one track runs beyond the service's shared keys: its image and its own settings. */
const trackSchema = z.strictObject({
    /** The track's image: its tag or digest (required under blueGreen); the repository defaults to the service's `image.repository`. */
    image: z
        .strictObject({
            /** Unset: the service's `image.repository`. */
            repository: imageRepository("ghcr.io/acme/llm-orchestrator").optional(),
            /** An immutable release tag such as "1.5.0". */
            tag: imageTag("1.5.0").optional(),
            /** A content digest; when set it is what the track's pods run. */
            digest: imageDigest.optional(),
        })
        .prefault({}),
    /** Settings of this track only, over the service's `env` (its ConfigMap): a settings change that goes out blue-green. */
    env: z.record(settingName, z.string()).default({}),
});

/** A duration as Argo Rollouts takes it (a pause, an analysis interval): a whole number of seconds, minutes or hours. */
const rolloutDuration = z.string().regex(/^[1-9][0-9]*(s|m|h)$/, { error: 'a duration such as "30s", "5m" or "1h"' });

/** One step of a canary: a weight for the new version, or a pause (without a duration: until promoted by hand). */
const canaryStep = z
    .strictObject({
        /** The share of pods (without traffic routing: of replicas) running the new version, 1–100. */
        setWeight: z.number().int().min(1).max(100).optional(),
        /** How long to wait; without a duration, until `kubectl argo rollouts promote`. */
        pause: z.strictObject({ duration: rolloutDuration.optional() }).optional(),
    })
    .refine((step) => (step.setWeight === undefined) !== (step.pause === undefined), { error: 'exactly one of setWeight (1-100) and pause ({duration: "5m"}, or {} to wait for a promotion)' });

/** `release.canary`: the steps and the analysis of an Argo Rollouts canary. */
const canarySchema = z.strictObject({
    /** The steps, in order; after the last one the new version takes every pod. */
    steps: z.array(canaryStep).min(1).default([{ setWeight: 20 }, { pause: { duration: "5m" } }, { setWeight: 50 }, { pause: { duration: "5m" } }]),
    /** A background analysis of the new version's pods: the alert catalog's error-rate and latency queries against their thresholds; a failure aborts the canary. */
    analysis: z
        .strictObject({
            enabled: z.boolean().default(true),
            /** The Prometheus Argo Rollouts queries, e.g. "http://prometheus-operated.monitoring:9090"; required when enabled. */
            prometheusAddress: url("http://prometheus-operated.monitoring:9090").optional(),
            /** The step the analysis starts at (0: the first). */
            startingStep: nonNegativeInt.default(1),
            /** How often each query is measured. */
            interval: rolloutDuration.default("1m"),
            /** Measurements per query; unset, until the canary ends. */
            count: positiveInt.optional(),
            /** Failed measurements a query may have before the canary is aborted. */
            failureLimit: nonNegativeInt.default(1),
        })
        .prefault({}),
});

/** What the cluster runs beyond Kubernetes itself, which the program cannot see from the stack file (`cluster`). */
export const clusterSchema = z.strictObject({
    /** Argo Rollouts' controller and CRDs (rollouts.argoproj.io, analysistemplates.argoproj.io) are installed: `release.strategy: canary` needs them. */
    argoRollouts: z.boolean().default(false),
});

/** The strategies a release can take. */
export const releaseStrategies = ["rolling", "blueGreen", "canary"] as const;
export type ReleaseStrategy = (typeof releaseStrategies)[number];

/** The release strategy's keys of `services.<name>.release`. */
export const releaseStrategyKeys = {
    /** rolling: the Deployment's rolling update; blueGreen: two tracks, the live Service on the active one; canary: an Argo Rollouts Rollout (docs/releases.md). */
    strategy: z.enum(releaseStrategies).default("rolling"),
    /** blueGreen: the track the live Service (and route) sends traffic to; flip it to switch. Unset: blue. */
    active: z.enum(tracks).optional(),
    /** blueGreen without autoscaling: the idle track's replicas. Unset: `replicas`, so a switch back starts no pod. */
    idleReplicas: nonNegativeInt.optional(),
    /** blueGreen: the blue track's image and settings. */
    blue: trackSchema.optional(),
    /** blueGreen: the green track's image and settings. */
    green: trackSchema.optional(),
    /** canary: the steps and the analysis. Unset: the default steps, with analysis. */
    canary: canarySchema.optional(),
};

export type TrackConfig = z.infer<typeof trackSchema>;
export type CanaryConfig = z.infer<typeof canarySchema>;
/** The canary's settings when `release.canary` is unset. */
export const defaultCanary: CanaryConfig = canarySchema.parse({});
