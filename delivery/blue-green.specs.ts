/**
 * The decisions of a blue-green service, as pure functions of its validated section: which track
 * is live, what each track runs (the service with the track's image and settings) and how many
 * pods each keeps. application.ts builds each track's objects from them.
 */
import type { ServiceConfig } from "../application/service.schema";
import { serviceSpec } from "../application/application.specs";
import type * as k8s from "../platform/k8s";
import { Labels } from "../lib/labels";
import { Track, otherTrack } from "../lib/labels";

/** One track of a blue-green service. */
export interface TrackPlan {
    readonly track: Track;
    /** Whether the live Service (and route) sends traffic to it. */
    readonly live: boolean;
    /** The service as this track runs it: the track's image, the service's env and the track's over it. */
    readonly service: ServiceConfig;
    /** The Deployment's replicas; undefined when the track's HPA owns them. */
    readonly replicas?: number;
}

/** A blue-green service's tracks, the live one first. */
export interface BlueGreenPlan {
    readonly active: Track;
    readonly idle: Track;
    readonly tracks: readonly TrackPlan[];
}

/** The track the live Service selects: `release.active`, blue when unset. */
export function activeTrack(release: ServiceConfig["release"]): Track {
    return release.active ?? "blue";
}

/** The image a track runs: the service's repository and pull policy, the track's repository, tag and digest over them. */
export function trackImage(service: Pick<ServiceConfig, "image" | "release">, track: Track): ServiceConfig["image"] {
    const own = service.release[track]?.image ?? {};
    return {
        repository: own.repository ?? service.image.repository,
        ...(own.tag === undefined ? {} : { tag: own.tag }),
        ...(own.digest === undefined ? {} : { digest: own.digest }),
        pullPolicy: service.image.pullPolicy,
    };
}

/** The service as `track` runs it: its image and its settings (the track's env over the service's). */
export function trackService(service: ServiceConfig, track: Track): ServiceConfig {
    return { ...service, image: trackImage(service, track), env: { ...service.env, ...service.release[track]?.env } };
}

/** The plan of a blue-green service, or undefined for any other strategy. */
export function blueGreenPlan(service: ServiceConfig): BlueGreenPlan | undefined {
    if (service.release.strategy !== "blueGreen") return undefined;
    const active = activeTrack(service.release);
    const idle = otherTrack(active);
    const replicasOf = (live: boolean) => (service.autoscaling.enabled ? undefined : live ? service.replicas : service.release.idleReplicas ?? service.replicas);
    return {
        active,
        idle,
        tracks: [active, idle].map((track) => ({ track, live: track === active, service: trackService(service, track), replicas: replicasOf(track === active) })),
    };
}

/** The name of a track's objects (Deployment, Service, HPA, PDB): "<name>-blue", "<name>-green". */
export function trackObjectName(objectName: string, track: Track): string {
    return `${objectName}-${track}`;
}

/**
 * A track's own Service: the live Service's ports, always ClusterIP (a second LoadBalancer or node
 * port per track would be a second entry from outside, and node ports would collide).
 */
export function trackServiceSpec(service: ServiceConfig, selector: Labels): k8s.types.input.core.v1.ServiceSpec {
    const internal = {
        ...service.service,
        type: "ClusterIP" as const,
        nodePort: undefined,
        externalTrafficPolicy: undefined,
        loadBalancerSourceRanges: [],
        extraPorts: service.service.extraPorts.map((p) => ({ ...p, nodePort: undefined })),
    };
    return serviceSpec({ ...service, service: internal }, selector);
}
