/**
 * The data tier's decisions as pure functions: what the pinned Bitnami charts are, where a stack
 * takes them from, and the Helm values of the PostgreSQL and Redis releases. Nothing here creates
 * resources or reads config, so tests call every function on plain data.
 */
import { Labels } from "./labels";

/** An image as the Bitnami charts take it (`image.registry`, `.repository`, `.tag`, `.digest`). */
export interface ImageSpec {
    readonly registry: string;
    readonly repository: string;
    readonly tag: string;
    /** When set, the chart pulls `repository@digest` and ignores the tag. */
    readonly digest?: string;
}

/** Where a chart comes from (the resolved `chart` block of a data-tier config section). */
export interface ChartSourceSpec {
    /** An OCI registry path (oci://…) or a Helm repository URL (https://…) that holds the chart. */
    readonly repository: string;
    /** The chart's name in that repository. */
    readonly name: string;
    /** The chart version. Ignored when `path` is set. */
    readonly version: string;
    /** A local chart directory or .tgz; when set, it is used instead of the repository. */
    readonly path?: string;
}

/** An image the chart uses: where its values live and the chart's own default for it. */
export interface ChartImage extends ImageSpec {
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
export function legacyImage(chartImage: ImageSpec): ImageSpec {
    return {
        registry: chartImage.registry,
        repository: chartImage.repository.replace(/^bitnami\//, "bitnamilegacy/"),
        tag: chartImage.tag,
    };
}

/** An image block of the chart's values. */
export function imageValues(image: ImageSpec): { registry: string; repository: string; tag: string; digest: string } {
    return { registry: image.registry, repository: image.repository, tag: image.tag, digest: image.digest ?? "" };
}

function sameImage(a: ImageSpec, b: ImageSpec): boolean {
    return a.registry === b.registry && a.repository === b.repository && a.tag === b.tag && (a.digest ?? "") === (b.digest ?? "");
}

/**
 * Whether any image differs from the chart's default. The Bitnami charts refuse to render
 * ("Original containers have been substituted for unrecognized ones") unless
 * global.security.allowInsecureImages is set when one does; with the bitnamilegacy defaults that is always.
 */
export function imagesOverridden<K extends string>(images: Readonly<Record<K, ImageSpec>>, chart: PinnedChart<K>): boolean {
    return (Object.keys(chart.images) as K[]).some((key) => !sameImage(images[key], chart.images[key]));
}

/** What helm.v4.Chart takes to locate a chart. */
export interface ChartLocation {
    chart: string;
    version?: string;
    repositoryOpts?: { repo: string };
}

/**
 * Where v4.Chart fetches the chart: a local directory or archive as it is (Helm ignores versions
 * there), an OCI registry as `<registry path>/<name>` with the version, or a classic Helm
 * repository by URL and chart name with the version.
 */
export function chartLocation(source: ChartSourceSpec): ChartLocation {
    if (source.path !== undefined) {
        return { chart: source.path };
    }
    if (source.repository.startsWith("oci://")) {
        return { chart: `${source.repository.replace(/\/+$/, "")}/${source.name}`, version: source.version };
    }
    return { chart: source.name, version: source.version, repositoryOpts: { repo: source.repository } };
}

/** CPU and memory for one container, as the stack config gives them. */
export interface ResourcesSpec {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu?: string; readonly memory?: string };
}

/**
 * A workload's resources: explicit when given (with resourcesPreset "none" so no preset can
 * apply), otherwise the chart's resourcesPreset stays in effect.
 */
export function resourcesValues(resources: ResourcesSpec | undefined): Record<string, unknown> {
    if (resources === undefined) return {};
    const limits = Object.fromEntries(Object.entries(resources.limits).filter(([, v]) => v !== undefined));
    return { resourcesPreset: "none", resources: { requests: { ...resources.requests }, limits } };
}

/** Persistence of a data store, as the stack config gives it. */
export interface PersistenceSpec {
    readonly enabled: boolean;
    readonly size: string;
    readonly storageClass?: string;
}

/**
 * A StatefulSet's persistence values. With data safety on, the StatefulSet's PVC retention policy
 * keeps the claims (and so the volumes) when the StatefulSet is deleted or scaled down.
 */
export function persistenceValues(persistence: PersistenceSpec, protect: boolean): Record<string, unknown> {
    return {
        persistence: { enabled: persistence.enabled, size: persistence.size, storageClass: persistence.storageClass ?? "" },
        ...(protect ? { persistentVolumeClaimRetentionPolicy: { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" } } : {}),
    };
}

/** The Prometheus Operator settings for the chart's ServiceMonitor. */
export interface ServiceMonitorSpec {
    /** Labels the Prometheus serviceMonitorSelector matches. */
    readonly labels: Labels;
    /** Scrape interval, e.g. "30s". */
    readonly interval: string;
    /** Scrape timeout, e.g. "10s". @default the Prometheus default */
    readonly scrapeTimeout?: string;
}

/** Who may reach a data store's pods when the platform's NetworkPolicies are on. */
export interface ChartNetworkPolicySpec {
    /** The selector labels of the application's pods that connect to the data store. */
    readonly clientPodSelectors: readonly Labels[];
    /** Where Prometheus runs: its namespace's labels and its pods' labels ({} for every pod there). */
    readonly prometheus?: { readonly namespaceSelector: Labels; readonly podSelector: Labels };
}

/** An ingress rule of the charts' `extraIngress`, in NetworkPolicy form. */
export interface IngressRule {
    ports: { port: number; protocol: "TCP" }[];
    from: Record<string, { matchLabels: Labels }>[];
}

/** The rule letting the application's pods reach `ports`; none when no pod connects. */
export function clientIngress(clientPodSelectors: readonly Labels[], ports: readonly number[]): IngressRule[] {
    if (clientPodSelectors.length === 0) return [];
    return [
        {
            ports: ports.map((port) => ({ port, protocol: "TCP" as const })),
            from: clientPodSelectors.map((labels) => ({ podSelector: { matchLabels: { ...labels } } })),
        },
    ];
}

/** The rule letting Prometheus scrape `port`. */
export function scrapeIngress(prometheus: NonNullable<ChartNetworkPolicySpec["prometheus"]>, port: number): IngressRule {
    const peer: Record<string, { matchLabels: Labels }> = { namespaceSelector: { matchLabels: { ...prometheus.namespaceSelector } } };
    if (Object.keys(prometheus.podSelector).length > 0) peer.podSelector = { matchLabels: { ...prometheus.podSelector } };
    return { ports: [{ port, protocol: "TCP" }], from: [peer] };
}

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

/** The release names of a data store `store` ("postgresql", "redis") of a platform instance. */
export function releaseNames(instance: string, store: string): ReleaseNames {
    const release = `${instance}-${store}`;
    if (release.length > maxReleaseNameLength) {
        throw new Error(`'instance' ("${instance}") makes the release name "${release}" ${release.length} characters long; at most ${maxReleaseNameLength} fit the chart's object names`);
    }
    return {
        release,
        name: store,
        secret: `${release}-auth`,
        podSelector: { "app.kubernetes.io/name": store, "app.kubernetes.io/instance": release },
    };
}

/** Sets a nested value, creating the objects on the way. */
function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
    let node = target;
    for (const key of path.slice(0, -1)) {
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
}

/** Deep-merges plain objects; arrays and scalars of `b` replace those of `a`. */
export function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) {
        const prev = out[key];
        out[key] =
            isPlainObject(prev) && isPlainObject(value) ? mergeValues(prev, value) : value;
    }
    return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The image blocks of every image of a chart, plus the insecure-images switch they require. */
export function imagesValues<K extends string>(images: Readonly<Record<K, ImageSpec>>, chart: PinnedChart<K>, pullSecrets: readonly string[]): Record<string, unknown> {
    const values: Record<string, unknown> = {
        global: {
            security: { allowInsecureImages: imagesOverridden(images, chart) },
            imagePullSecrets: [...pullSecrets],
        },
    };
    for (const key of Object.keys(chart.images) as K[]) {
        setIn(values, chart.images[key].valuesPath, imageValues(images[key]));
    }
    return values;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

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

/** The in-cluster settings of the postgresql config section that the values depend on. */
export interface PostgresqlSpec {
    readonly architecture: "standalone" | "replication";
    readonly auth: { readonly database: string; readonly username: string };
    readonly primary: { readonly resources?: ResourcesSpec };
    readonly readReplicas: { readonly replicaCount: number; readonly resources?: ResourcesSpec };
    readonly persistence: PersistenceSpec;
    readonly volumePermissions: boolean;
    readonly images: Readonly<Record<keyof typeof postgresqlChart.images, ImageSpec>>;
    readonly imagePullSecrets: readonly string[];
}

/** Everything a data store's chart values depend on. */
export interface ChartValuesInput<Spec> {
    readonly config: Spec;
    readonly names: ReleaseNames;
    /** app.kubernetes.io/part-of, added to every object of the chart. */
    readonly partOf: string;
    /** Data safety: keep the PVCs when StatefulSets are deleted. */
    readonly protect: boolean;
    /** The exporter and ServiceMonitor; undefined turns metrics off. */
    readonly monitoring?: ServiceMonitorSpec;
    /** The chart's NetworkPolicies; undefined turns them off. */
    readonly networkPolicy?: ChartNetworkPolicySpec;
}

/** Everything the PostgreSQL values depend on. */
export type PostgresqlValuesInput = ChartValuesInput<PostgresqlSpec>;

/** A StatefulSet's NetworkPolicy values in the postgresql chart (primary.* and readReplicas.*). */
export function postgresqlNetworkPolicy(input: Pick<PostgresqlValuesInput, "networkPolicy" | "monitoring">): Record<string, unknown> {
    const policy = input.networkPolicy;
    if (policy === undefined) return { enabled: false };
    const extraIngress: IngressRule[] = [...clientIngress(policy.clientPodSelectors, [postgresPort])];
    if (input.monitoring !== undefined && policy.prometheus !== undefined) {
        extraIngress.push(scrapeIngress(policy.prometheus, postgresMetricsPort));
    }
    // allowExternal: false limits the chart's own rule to the release's pods (replication) and
    // pods labelled "<fullname>-client"; the application and Prometheus come in through extraIngress.
    // allowExternalEgress: false leaves DNS and the release's own pods, which is all PostgreSQL calls.
    return { enabled: true, allowExternal: false, allowExternalEgress: false, extraIngress };
}

/**
 * A StatefulSet's update strategy as the API server stores it. The postgresql chart's default is
 * `rollingUpdate: {}`, which the Kubernetes provider drops on update while the server fills in
 * `partition: 0`: after any update of the StatefulSet, every preview showed
 * `~ spec.updateStrategy: + rollingUpdate: {}` (issue #10). The redis chart renders no
 * `rollingUpdate` at all, so its StatefulSets need nothing.
 */
export const statefulSetUpdateStrategy = { type: "RollingUpdate", rollingUpdate: { partition: 0 } } as const;

/** The Helm values of the postgresql release. No password ever appears here: only the Secret's name. */
export function postgresqlValues(input: PostgresqlValuesInput): Record<string, unknown> {
    const { config, names, protect, monitoring } = input;
    const networkPolicy = postgresqlNetworkPolicy(input);
    const replication = config.architecture === "replication";
    const values: Record<string, unknown> = {
        nameOverride: names.name,
        fullnameOverride: names.release,
        commonLabels: { "app.kubernetes.io/part-of": input.partOf },
        architecture: config.architecture,
        auth: {
            enablePostgresUser: true,
            username: config.auth.username,
            database: config.auth.database,
            existingSecret: names.secret,
            secretKeys: { ...postgresSecretKeys },
            usePasswordFiles: true,
        },
        // A pre-upgrade hook; v4.Chart runs no hooks, and the passwords never change anyway.
        passwordUpdateJob: { enabled: false },
        primary: {
            ...resourcesValues(config.primary.resources),
            ...persistenceValues(config.persistence, protect),
            updateStrategy: statefulSetUpdateStrategy,
            networkPolicy,
        },
        ...(replication
            ? {
                  readReplicas: {
                      replicaCount: config.readReplicas.replicaCount,
                      ...resourcesValues(config.readReplicas.resources),
                      ...persistenceValues(config.persistence, protect),
                      updateStrategy: statefulSetUpdateStrategy,
                      networkPolicy,
                  },
              }
            : {}),
        volumePermissions: { enabled: config.volumePermissions },
        metrics: {
            enabled: monitoring !== undefined,
            serviceMonitor:
                monitoring === undefined
                    ? { enabled: false }
                    : { enabled: true, labels: { ...monitoring.labels }, interval: monitoring.interval, scrapeTimeout: monitoring.scrapeTimeout ?? "" },
        },
    };
    return mergeValues(values, imagesValues(config.images, postgresqlChart, config.imagePullSecrets));
}

/** The primary's Service: "<release>" standalone, "<release>-primary" with replication (the chart's naming). */
export function postgresqlPrimaryService(names: ReleaseNames, architecture: PostgresqlSpec["architecture"]): string {
    return architecture === "replication" ? `${names.release}-primary` : names.release;
}

/** The read replicas' Service, with replication. */
export function postgresqlReadService(names: ReleaseNames): string {
    return `${names.release}-read`;
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Redis's port; the program does not change the chart's. */
export const redisPort = 6379;
/** Sentinel's port. */
export const sentinelPort = 26379;
/** The redis-exporter's port. */
export const redisMetricsPort = 9121;
/** The key of the program's Redis Secret, handed to the chart as auth.existingSecretPasswordKey. */
export const redisSecretKey = "redis-password";

/** The in-cluster settings of the redis config section that the values depend on. */
export interface RedisSpec {
    readonly architecture: "standalone" | "replication";
    readonly master: { readonly resources?: ResourcesSpec };
    readonly replica: { readonly replicaCount: number; readonly resources?: ResourcesSpec };
    readonly sentinel: { readonly enabled: boolean; readonly quorum: number; readonly resources?: ResourcesSpec };
    readonly persistence: PersistenceSpec;
    readonly volumePermissions: boolean;
    readonly images: Readonly<Record<keyof typeof redisChart.images, ImageSpec>>;
    readonly imagePullSecrets: readonly string[];
}

/** Everything the Redis values depend on. */
export type RedisValuesInput = ChartValuesInput<RedisSpec>;

/** The redis chart's (single) NetworkPolicy values. */
export function redisNetworkPolicy(input: Pick<RedisValuesInput, "networkPolicy" | "monitoring" | "config">): Record<string, unknown> {
    const policy = input.networkPolicy;
    if (policy === undefined) return { enabled: false };
    const ports = input.config.sentinel.enabled ? [redisPort, sentinelPort] : [redisPort];
    const scrapers = input.monitoring !== undefined ? policy.prometheus : undefined;
    return {
        enabled: true,
        allowExternal: false,
        // With Sentinel, the chart's kubectl container labels the elected master through the
        // Kubernetes API, whose address a NetworkPolicy cannot name portably; otherwise Redis only
        // calls its own pods (replication) and DNS.
        allowExternalEgress: input.config.sentinel.enabled,
        extraIngress: clientIngress(policy.clientPodSelectors, ports),
        // The chart's own rule for the exporter's port, opened to the Prometheus namespace only.
        metrics: {
            allowExternal: false,
            ingressNSMatchLabels: { ...(scrapers?.namespaceSelector ?? {}) },
            ingressNSPodMatchLabels: { ...(scrapers?.podSelector ?? {}) },
        },
    };
}

/** The Helm values of the redis release. No password ever appears here: only the Secret's name. */
export function redisValues(input: RedisValuesInput): Record<string, unknown> {
    const { config, names, protect, monitoring } = input;
    const sentinel = config.sentinel.enabled;
    const values: Record<string, unknown> = {
        nameOverride: names.name,
        fullnameOverride: names.release,
        commonLabels: { "app.kubernetes.io/part-of": input.partOf },
        architecture: config.architecture,
        auth: {
            enabled: true,
            sentinel: true,
            existingSecret: names.secret,
            existingSecretPasswordKey: redisSecretKey,
            usePasswordFiles: true,
        },
        master: {
            ...resourcesValues(config.master.resources),
            ...persistenceValues(config.persistence, protect),
        },
        ...(config.architecture === "replication"
            ? {
                  replica: {
                      replicaCount: config.replica.replicaCount,
                      ...resourcesValues(config.replica.resources),
                      ...persistenceValues(config.persistence, protect),
                      // The master Service's kubectl sidecar runs in these pods with their token.
                      ...(sentinel ? { automountServiceAccountToken: true } : {}),
                  },
              }
            : {}),
        sentinel: sentinel
            ? {
                  enabled: true,
                  quorum: config.sentinel.quorum,
                  ...resourcesValues(config.sentinel.resources),
                  // A Service that follows the elected master, so clients need not speak Sentinel.
                  // A kubectl sidecar labels the master pod through the Kubernetes API; the chart
                  // refuses to render it without rbac.create, serviceAccount.create and
                  // replica.automountServiceAccountToken.
                  masterService: { enabled: true },
              }
            : { enabled: false },
        rbac: { create: sentinel },
        ...(sentinel ? { serviceAccount: { create: true } } : {}),
        networkPolicy: redisNetworkPolicy(input),
        volumePermissions: { enabled: config.volumePermissions },
        metrics: {
            enabled: monitoring !== undefined,
            serviceMonitor:
                monitoring === undefined
                    ? { enabled: false }
                    : { enabled: true, additionalLabels: { ...monitoring.labels }, interval: monitoring.interval, scrapeTimeout: monitoring.scrapeTimeout ?? "" },
        },
    };
    return mergeValues(values, imagesValues(config.images, redisChart, config.imagePullSecrets));
}

/**
 * The Service clients write through: "<release>-master" in every topology (with Sentinel, the
 * master Service that follows the elected master).
 */
export function redisMasterService(names: ReleaseNames): string {
    return `${names.release}-master`;
}
