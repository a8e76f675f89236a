/**
 * What the Helm values of both Bitnami charts share, as pure functions: where a chart comes from,
 * image blocks, resources, persistence, the NetworkPolicy rules for clients and Prometheus, and
 * merging. The values of each chart are beside its component (postgres-database.values.ts,
 * redis-cache.values.ts). Nothing here creates resources or reads config.
 */
import { PinnedChart, ReleaseNames } from "../lib/bitnami-charts";
import { RegistryImage } from "../lib/image";
import { Labels } from "../lib/labels";
import { AlertRule, chartRules } from "../observability/alerts.specs";
import { ChartSourceSpec } from "../platform/platform.args";
import { ResourcesSpec, PersistenceSpec, ScrapeSettings } from "./data-tier.args";

/** An image block of the chart's values. */
export function imageValues(image: RegistryImage): { registry: string; repository: string; tag: string; digest: string } {
    return { registry: image.registry, repository: image.repository, tag: image.tag, digest: image.digest ?? "" };
}

function sameImage(a: RegistryImage, b: RegistryImage): boolean {
    return a.registry === b.registry && a.repository === b.repository && a.tag === b.tag && (a.digest ?? "") === (b.digest ?? "");
}

/**
 * Whether any image differs from the chart's default. The Bitnami charts refuse to render
 * ("Original containers have been substituted for unrecognized ones") unless
 * global.security.allowInsecureImages is set when one does; with the bitnamilegacy defaults that is always.
 */
export function imagesOverridden<K extends string>(images: Readonly<Record<K, RegistryImage>>, chart: PinnedChart<K>): boolean {
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

/**
 * A workload's resources: explicit when given (with resourcesPreset "none" so no preset can
 * apply), otherwise the chart's resourcesPreset stays in effect.
 */
export function resourcesValues(resources: ResourcesSpec | undefined): Record<string, unknown> {
    if (resources === undefined) return {};
    const limits = Object.fromEntries(Object.entries(resources.limits).filter(([, v]) => v !== undefined));
    return { resourcesPreset: "none", resources: { requests: { ...resources.requests }, limits } };
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

/**
 * The chart's `metrics` values: the exporter and a ServiceMonitor with the scrape settings, or
 * neither. The charts name the ServiceMonitor's extra labels differently (`labelsKey`).
 */
export function metricsValues(monitoring: ScrapeSettings | undefined, labelsKey: "labels" | "additionalLabels"): Record<string, unknown> {
    return {
        enabled: monitoring !== undefined,
        serviceMonitor:
            monitoring === undefined
                ? { enabled: false }
                : { enabled: true, [labelsKey]: { ...monitoring.labels }, interval: monitoring.interval, scrapeTimeout: monitoring.scrapeTimeout ?? "" },
    };
}

/** A data store's alerts, as the chart's PrometheusRule carries them. */
export interface ChartAlerts {
    /** Labels of the PrometheusRule: what Prometheus's ruleSelector matches. */
    readonly labels: Labels;
    readonly rules: readonly AlertRule[];
}

/**
 * The chart's `metrics.prometheusRule` values: on, with the rule selector's labels (named
 * `labelsKey`, as the charts differ) and the rules as template literals, since the charts render
 * them with `tpl`.
 */
export function prometheusRuleValues(alerts: ChartAlerts, labelsKey: "labels" | "additionalLabels"): Record<string, unknown> {
    return { enabled: true, [labelsKey]: { ...alerts.labels }, rules: chartRules(alerts.rules) };
}

/**
 * A chart's own NetworkPolicy values: off, in every stack. The program's policy
 * (network-policies.ts, `dataStoreNetworkPolicySpec`) selects the release's pods instead, because
 * the pinned charts' templates cannot be narrowed to the stack's clients: with
 * `allowExternalEgress: false` their egress still opens port 53 to every address (PostgreSQL; Redis
 * with replication, UDP), with `true` it is everything; their ingress always admits any pod of the
 * namespace labelled "<fullname>-client" (PostgreSQL: on the exporter's port too); and Redis's
 * exporter rule admits every source when no namespace labels are given. docs/network.md records
 * what the templates render.
 */
export function chartNetworkPolicyValues(): { enabled: false } {
    return { enabled: false };
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
export function imagesValues<K extends string>(images: Readonly<Record<K, RegistryImage>>, chart: PinnedChart<K>, pullSecrets: readonly string[]): Record<string, unknown> {
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

/** Everything a data store's chart values depend on. */
export interface ChartValuesInput<Spec> {
    readonly config: Spec;
    readonly names: ReleaseNames;
    /** app.kubernetes.io/part-of, added to every object of the chart. */
    readonly partOf: string;
    /** Data safety: keep the PVCs when StatefulSets are deleted. */
    readonly protect: boolean;
    /** The exporter and ServiceMonitor; undefined turns metrics off. */
    readonly monitoring?: ScrapeSettings;
    /** The chart's PrometheusRule (which needs the exporter, so `monitoring`); undefined creates none. */
    readonly alerts?: ChartAlerts;
}

/** The values that fix the release's names, labels and topology, so hosts and selectors are known before it renders. */
export function releaseValues(input: ChartValuesInput<{ readonly architecture: string }>): Record<string, unknown> {
    return {
        nameOverride: input.names.name,
        fullnameOverride: input.names.release,
        commonLabels: { "app.kubernetes.io/part-of": input.partOf },
        architecture: input.config.architecture,
    };
}
