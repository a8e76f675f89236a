/**
 * The schema of a service's release strategy (`services.<name>.release`): how a new version
 * reaches the pods. `rolling` (the default) is the Deployment's rolling update; `blueGreen` runs
 * two tracks, blue and green, each with its own image, and the live Service selects the active one.
 * The keys are a record (`releaseStrategyKeys`) so the release section can hold other keys beside
 * them (the release's deadlines).
 */
import { z } from "../validation/zod";
import { tracks } from "../lib/labels";
import { imageDigest, imageRepository, imageTag, nonNegativeInt, settingName } from "../validation/primitives";

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

/** The strategies a release can take. */
export const releaseStrategies = ["rolling", "blueGreen"] as const;
export type ReleaseStrategy = (typeof releaseStrategies)[number];

/** The release strategy's keys of `services.<name>.release`. */
export const releaseStrategyKeys = {
    /** rolling: the Deployment's rolling update; blueGreen: two tracks, the live Service on the active one (docs/releases.md). */
    strategy: z.enum(releaseStrategies).default("rolling"),
    /** blueGreen: the track the live Service (and route) sends traffic to; flip it to switch. Unset: blue. */
    active: z.enum(tracks).optional(),
    /** blueGreen without autoscaling: the idle track's replicas. Unset: `replicas`, so a switch back starts no pod. */
    idleReplicas: nonNegativeInt.optional(),
    /** blueGreen: the blue track's image and settings. */
    blue: trackSchema.optional(),
    /** blueGreen: the green track's image and settings. */
    green: trackSchema.optional(),
};

/** `services.<name>.release`. */
export const releaseSchema = z.strictObject(releaseStrategyKeys).prefault({});

export type ReleaseConfig = z.infer<typeof releaseSchema>;
export type TrackConfig = z.infer<typeof trackSchema>;
