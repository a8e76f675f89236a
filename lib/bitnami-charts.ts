/**
 * The chart catalog: what the program relies on in the pinned Bitnami charts (versions, images,
 * ports, Secret keys, the names a release gives its objects). Both the config (its defaults and
 * the release-name rule) and the data-tier components read it; it reads neither.
 */
import { Labels } from "./labels";
import { RegistryImage } from "./image";

/** An image the chart uses: where its values live and the chart's own default for it. */
export interface ChartImage extends RegistryImage {
    /** The values path of the image block, e.g. ["metrics", "image"]. */
    readonly valuesPath: readonly string[];
}

/** What the program relies on in one pinned chart version. */
export interface PinnedChart<K extends string> {
    readonly name: string;
    readonly repository: string;
    readonly version: string;
    /** Every image the chart can run, by the name the stack config uses for it. */
    readonly images: Readonly<Record<K, ChartImage>>;
}

/** Where the Bitnami charts are published. */
export const bitnamiChartRepository = "oci://registry-1.docker.io/bitnamicharts";

/**
 * The postgresql chart, as pinned. The images are the chart's own defaults (its values.yaml);
 * tests/data-tier-contract.test.ts checks them against the reference copy of that file.
 */
export const postgresqlChart: PinnedChart<"postgresql" | "metrics" | "volumePermissions"> = {
    name: "postgresql",
    repository: bitnamiChartRepository,
    version: "17.1.0",
    images: {
        postgresql: { valuesPath: ["image"], registry: "docker.io", repository: "bitnami/postgresql", tag: "17.6.0-debian-12-r4" },
        metrics: { valuesPath: ["metrics", "image"], registry: "docker.io", repository: "bitnami/postgres-exporter", tag: "0.17.1-debian-12-r16" },
        volumePermissions: { valuesPath: ["volumePermissions", "image"], registry: "docker.io", repository: "bitnami/os-shell", tag: "12-debian-12-r51" },
    },
};

/** The redis chart, as pinned; see `postgresqlChart`. */
export const redisChart: PinnedChart<"redis" | "sentinel" | "metrics" | "volumePermissions" | "kubectl" | "sysctl"> = {
    name: "redis",
    repository: bitnamiChartRepository,
    version: "23.1.1",
    images: {
        redis: { valuesPath: ["image"], registry: "docker.io", repository: "bitnami/redis", tag: "8.2.1-debian-12-r0" },
        sentinel: { valuesPath: ["sentinel", "image"], registry: "docker.io", repository: "bitnami/redis-sentinel", tag: "8.2.1-debian-12-r0" },
        metrics: { valuesPath: ["metrics", "image"], registry: "docker.io", repository: "bitnami/redis-exporter", tag: "1.76.0-debian-12-r0" },
        volumePermissions: { valuesPath: ["volumePermissions", "image"], registry: "docker.io", repository: "bitnami/os-shell", tag: "12-debian-12-r51" },
        kubectl: { valuesPath: ["kubectl", "image"], registry: "docker.io", repository: "bitnami/kubectl", tag: "1.33.4-debian-12-r0" },
        sysctl: { valuesPath: ["sysctl", "image"], registry: "docker.io", repository: "bitnami/os-shell", tag: "12-debian-12-r51" },
    },
};

/**
 * The image the program runs by default in place of a chart default: the same tag from
 * docker.io/bitnamilegacy. Bitnami withdrew the docker.io/bitnami images in 2025 and froze copies
 * of every published tag under bitnamilegacy, so the charts' defaults no longer pull.
 */
export function legacyImage(chartImage: RegistryImage): RegistryImage {
    return {
        registry: chartImage.registry,
        repository: chartImage.repository.replace(/^bitnami\//, "bitnamilegacy/"),
        tag: chartImage.tag,
    };
}

/** PostgreSQL's port; the program does not change the chart's. */
export const postgresPort = 5432;
/** The postgres-exporter's port. */
export const postgresMetricsPort = 9187;
/** The keys of the program's PostgreSQL Secret, handed to the chart as auth.secretKeys. */
export const postgresSecretKeys = {
    adminPasswordKey: "postgres-password",
    userPasswordKey: "password",
    replicationPasswordKey: "replication-password",
} as const;

/** The user the read replicas stream as (the chart's auth.replicationUsername, which the program leaves alone). */
export const postgresReplicationUser = "repl_user";
/** The superuser, whose password is the Secret's adminPasswordKey (auth.enablePostgresUser). */
export const postgresSuperuser = "postgres";

/** Redis's port; the program does not change the chart's. */
export const redisPort = 6379;
/** Sentinel's port. */
export const sentinelPort = 26379;
/** The redis-exporter's port. */
export const redisMetricsPort = 9121;
/** The key of the program's Redis Secret, handed to the chart as auth.existingSecretPasswordKey. */
export const redisSecretKey = "redis-password";

/** The data stores the program installs from these charts. */
export type DataStoreKind = "postgresql" | "redis";

/** Names the program fixes for a release, so hosts and selectors are known before the chart renders. */
export interface ReleaseNames {
    /** The Helm release name, also `fullnameOverride` and app.kubernetes.io/instance of the chart's pods. */
    readonly release: string;
    /** `nameOverride`, app.kubernetes.io/name of the chart's pods. */
    readonly name: string;
    /** The Secret the program creates with the passwords, handed to the chart as auth.existingSecret. */
    readonly secret: string;
    /** The labels selecting every pod of the release. */
    readonly podSelector: Labels;
}

/** The longest release name: the charts append "-primary"/"-replicas" and StatefulSet pods add "-N" and a revision hash within 63 characters. */
export const maxReleaseNameLength = 40;

/** The release names of a data store of a platform instance; config checks the length first. */
export function releaseNames(instance: string, store: DataStoreKind): ReleaseNames {
    const release = `${instance}-${store}`;
    return {
        release,
        name: store,
        secret: `${release}-auth`,
        podSelector: { "app.kubernetes.io/name": store, "app.kubernetes.io/instance": release },
    };
}

/** The primary's Service: "<release>" standalone, "<release>-primary" with replication (the chart's naming). */
export function postgresqlPrimaryService(names: ReleaseNames, architecture: "standalone" | "replication"): string {
    return architecture === "replication" ? `${names.release}-primary` : names.release;
}

/** The read replicas' Service, with replication. */
export function postgresqlReadService(names: ReleaseNames): string {
    return `${names.release}-read`;
}

/**
 * The Service clients write through: "<release>-master" in every topology (with Sentinel, the
 * master Service that follows the elected master).
 */
export function redisMasterService(names: ReleaseNames): string {
    return `${names.release}-master`;
}
