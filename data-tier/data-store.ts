/**
 * What the data-tier components share: data safety, the credentials Secret (generated, synced
 * from the manager, or existing), the chart, and the endpoint of an external server. PostgresDatabase
 * and RedisCache keep only what differs: their chart's values, Secret keys and Service names.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DataStoreKind, ReleaseNames, releaseNames } from "../lib/bitnami-charts";
import { Labels, standardLabels } from "../lib/labels";
import { ChartAlerts, chartLocation } from "./chart-values";
import { ChartSourceSpec } from "../platform/platform.args";
import { ChartWithObjects, chartWithObjects } from "../platform/chart-objects";
import { dataStoreAlertRules } from "../observability/alerts.specs";
import { externalSecret } from "../secrets/external-secrets";
import * as k8s from "../platform/k8s";
import { dataStoreNetworkPolicySpec, dataStorePorts } from "../network/network-policies";
import { DataStoreEndpoint } from "./data-tier.args";
import { DataStoreCredentials, ExternalServer, DataStoreCommonArgs } from "./data-tier.args";

/** The Pulumi type tokens of rendered objects that hold or unlock a store's data. */
const dataHoldingTypes: Readonly<Record<DataStoreKind, readonly string[]>> = {
    // PostgreSQL's StatefulSets are its database: deleting one is never an ordinary change.
    postgresql: ["kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:Secret", "kubernetes:apps/v1:StatefulSet"],
    // Redis's StatefulSets are renamed by a switch to Sentinel ("-master"/"-replicas" to "-node");
    // their claims outlive them through persistentVolumeClaimRetentionPolicy "Retain".
    redis: ["kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:Secret"],
};

/**
 * Whether an object a chart renders holds or unlocks data (volume claims, Secrets, PostgreSQL's
 * StatefulSets). Everything else (Services, ConfigMaps, NetworkPolicies, ServiceMonitors, the
 * exporters' objects, Redis's StatefulSets) may change, be replaced or be removed freely.
 */
export function holdsData(store: DataStoreKind, type: string): boolean {
    return dataHoldingTypes[store].includes(type);
}

/**
 * Protects and retains what a chart renders that holds or unlocks data, and leaves every other
 * object alone. v4.Chart's objects are children of a packaged component, which options on the
 * Chart alone would reach all at once; engine-side transforms reach each one by its type.
 */
export function dataSafetyTransform(store: DataStoreKind): pulumi.ResourceTransform {
    return (args) => (holdsData(store, args.type) ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { protect: true, retainOnDelete: true }) } : undefined);
}

/** Resource options of data safety, by kind of resource; empty when it is off. */
export function dataSafetyOptions(protect: boolean, store: DataStoreKind): {
    /** Pulumi-only state such as RandomPassword: protected. */
    state: pulumi.CustomResourceOptions;
    /** Kubernetes objects the program creates that hold or unlock data (the password Secret, backup claims): protected and retained. */
    objects: pulumi.CustomResourceOptions;
    /** The chart: not itself protected, so its other objects stay free; a transform guards what holds data. */
    chart: pulumi.ComponentResourceOptions;
} {
    if (!protect) return { state: {}, objects: {}, chart: {} };
    return {
        state: { protect: true },
        objects: { protect: true, retainOnDelete: true },
        chart: { transforms: [dataSafetyTransform(store)] },
    };
}

/** The length of generated passwords. */
export const passwordLength = 32;

/**
 * The keepers of a generated password of `generation`: none for generation 0, so the passwords
 * generated before rotation existed keep their state (a change of keepers replaces a
 * RandomPassword, from unset to anything too); any other generation replaces it once.
 */
export function passwordKeepers(generation: number): Record<string, string> | undefined {
    return generation > 0 ? { rotation: String(generation) } : undefined;
}

/**
 * A generated password: letters and digits only, so it is safe in connection URLs and shells. It is
 * generated once and kept in state, so later previews and ups show no change; `result` is secret.
 * A new `generation` (auth.rotation) generates a new one.
 */
export function generatedPassword(name: string, generation: number, opts: pulumi.CustomResourceOptions): random.RandomPassword {
    const keepers = passwordKeepers(generation);
    return new random.RandomPassword(name, { length: passwordLength, special: false, minLower: 1, minUpper: 1, minNumeric: 1, ...(keepers ? { keepers } : {}) }, opts);
}

/** The cluster DNS name of a Service in a namespace. */
export function serviceHost(service: string, namespace: pulumi.Input<string>, clusterDomain: string): pulumi.Output<string> {
    return pulumi.interpolate`${service}.${namespace}.svc.${clusterDomain}`;
}

/** The key under which the credentials Secret holds what the chart calls `chartKey`. */
export function credentialKey(credentials: DataStoreCredentials, chartKey: string): string {
    return credentials.source === "existing" ? (credentials.keys?.[chartKey] ?? chartKey) : chartKey;
}

/** The generation of generated passwords; 0 for any other source. */
export function credentialsGeneration(credentials: DataStoreCredentials): number {
    return credentials.source === "generated" ? (credentials.generation ?? 0) : 0;
}

/** The chart's alerts from the data store's args; none without them. */
export function chartAlerts(store: DataStoreKind, alerts: DataStoreCommonArgs["alerts"]): ChartAlerts | undefined {
    return alerts && { labels: alerts.ruleLabels, rules: dataStoreAlertRules(store, alerts.target, alerts) };
}

/** A generated password: the name suffix of its RandomPassword, and whether auth.rotation renews it. */
export interface GeneratedPasswordSpec {
    readonly suffix: string;
    readonly rotates: boolean;
}

/**
 * What every data store derives from its args, with defaults resolved once: the release names,
 * data safety, the chart's NetworkPolicy settings, and the credentials Secret (`generated`: for
 * generated passwords, each Secret key and its RandomPassword).
 */
export function dataStoreParts(parent: pulumi.Resource, name: string, store: DataStoreKind, args: DataStoreCommonArgs & { readonly credentials: DataStoreCredentials }, generated: Readonly<Record<string, GeneratedPasswordSpec>>) {
    const { partOf } = args;
    const protect = args.protect ?? false;
    const names = releaseNames(args.instance, store);
    const safety = dataSafetyOptions(protect, store);
    const secret = credentialsSecret(parent, name, {
        namespace: args.namespace,
        secretName: names.secret,
        labels: standardLabels({ name: store, instance: names.release, component: "credentials", partOf }),
        credentials: args.credentials,
        generated,
        secretStore: args.secretStore,
        safety,
    });
    // What both charts' values builders take from the common args.
    const chartInput = { names, partOf, protect, monitoring: args.monitoring };
    return { partOf, protect, names, safety, secret, chartInput };
}

/** What a release's NetworkPolicy is built from: the common args and what `dataStoreParts` resolved. */
export interface DataStorePolicyArgs extends Pick<DataStoreCommonArgs, "namespace" | "networkPolicy" | "monitoring" | "clients"> {
    readonly store: DataStoreKind;
    readonly names: ReleaseNames;
    readonly partOf: string;
    /** Redis Sentinel, whose pods talk on its port and call the Kubernetes API. */
    readonly sentinel: boolean;
}

/**
 * The NetworkPolicy of an in-cluster release's pods (`DataStoreCommonArgs.networkPolicy`), named
 * "<release>-netpol" so it never meets the chart's own policies (named after the release and its
 * StatefulSets) while an update replaces those; none without network policy.
 */
export function dataStoreNetworkPolicy(parent: pulumi.Resource, name: string, args: DataStorePolicyArgs): k8s.networking.v1.NetworkPolicy | undefined {
    const policy = args.networkPolicy;
    if (policy === undefined) return undefined;
    const { store, names } = args;
    return new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
        metadata: {
            name: `${names.release}-netpol`,
            namespace: args.namespace,
            labels: standardLabels({ name: store, instance: names.release, component: "network-policy", partOf: args.partOf }),
        },
        spec: dataStoreNetworkPolicySpec({
            ...dataStorePorts(store, args.sentinel),
            selector: names.podSelector,
            clients: args.clients ?? [],
            ...(args.monitoring !== undefined ? { prometheus: policy.prometheus } : {}),
            dns: policy.dns,
            kubernetesApi: policy.kubernetesApi,
        }),
    }, { parent });
}

/** What `credentialsSecret` needs. */
export interface CredentialsSecretArgs {
    readonly namespace: pulumi.Input<string>;
    /** The Secret the program creates or ESO syncs. */
    readonly secretName: string;
    readonly labels: Labels;
    readonly credentials: DataStoreCredentials;
    /** For generated passwords: each Secret key and its RandomPassword. */
    readonly generated: Readonly<Record<string, GeneratedPasswordSpec>>;
    readonly secretStore?: pulumi.Resource;
    readonly safety: ReturnType<typeof dataSafetyOptions>;
}

/**
 * The Secret holding a data store's passwords: RandomPasswords written into the program's Secret,
 * an ExternalSecret that makes ESO write it, or a Secret that exists. `resource` is what a chart
 * must wait for, when the program creates it.
 */
export function credentialsSecret(parent: pulumi.Resource, name: string, args: CredentialsSecretArgs): { name: pulumi.Output<string>; resource?: pulumi.Resource } {
    const { credentials } = args;
    const opts = { parent, ...args.safety.objects };
    switch (credentials.source) {
        case "existing":
            return { name: pulumi.output(credentials.secretName) };
        case "external-secrets": {
            const resource = externalSecret(`${name}-auth`, {
                namespace: args.namespace,
                labels: args.labels,
                sync: credentials.sync,
                secretStore: args.secretStore,
                targetName: args.secretName,
                data: Object.entries(credentials.remoteRefs).map(([secretKey, remoteRef]) => ({ secretKey, remoteRef })),
            }, opts);
            return { name: resource.metadata.name, resource };
        }
        case "generated": {
            const generation = credentials.generation ?? 0;
            const passwords = Object.entries(args.generated).map(([key, { suffix, rotates }]) => [key, generatedPassword(`${name}-${suffix}`, rotates ? generation : 0, { parent, ...args.safety.state }).result]);
            const resource = new k8s.core.v1.Secret(`${name}-auth`, {
                metadata: { name: args.secretName, namespace: args.namespace, labels: args.labels },
                type: "Opaque",
                stringData: Object.fromEntries(passwords),
            }, opts);
            return { name: resource.metadata.name, resource };
        }
    }
}

/** The endpoint of an external server whose password is in `secretName`. */
export function externalEndpoint(server: ExternalServer, secretName: pulumi.Output<string>): DataStoreEndpoint {
    return {
        host: server.host,
        port: server.port,
        passwordSecret: { name: secretName, key: server.passwordKey },
        networkPeer: { kind: "external", cidrs: [...server.cidrs] },
    };
}

/** The endpoint of an in-cluster release's Service. */
export function releaseEndpoint(
    names: ReleaseNames,
    service: string,
    port: number,
    namespace: pulumi.Input<string>,
    secret: { name: pulumi.Output<string>; key: string },
    clusterDomain: string,
): DataStoreEndpoint {
    return {
        host: serviceHost(service, namespace, clusterDomain),
        port,
        passwordSecret: secret,
        networkPeer: { kind: "pods", podSelector: { ...names.podSelector } },
    };
}

/** What installing a data store's Bitnami chart takes. */
export interface BitnamiChartArgs {
    /** Where the chart comes from: the pinned repository, a mirror or a local directory. */
    readonly source: ChartSourceSpec;
    /** The Helm release name (and, with fullnameOverride, the objects' names). */
    readonly release: string;
    readonly namespace: pulumi.Input<string>;
    /** The Helm values; known strings only, never a password. */
    readonly values: Record<string, unknown>;
    /** The password Secret the chart reads by name, which must exist before its pods start. */
    readonly secret?: pulumi.Resource;
    /** What else the chart waits for, e.g. the release that installs the CRDs of its ServiceMonitor. @default nothing */
    readonly after?: readonly pulumi.Resource[];
    /** Data safety options for the chart, from dataSafetyOptions. */
    readonly safety: pulumi.ComponentResourceOptions;
}

/** The chart as a helm.v4.Chart (per-object previews and policy coverage, no Helm hooks), with its objects' URNs. */
export function bitnamiChart(name: string, args: BitnamiChartArgs, parent: pulumi.Resource): ChartWithObjects {
    return chartWithObjects(
        name,
        { ...chartLocation(args.source), name: args.release, namespace: args.namespace, values: args.values },
        { parent, dependsOn: [...(args.secret ? [args.secret] : []), ...(args.after ?? [])], ...args.safety },
    );
}
