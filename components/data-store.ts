/**
 * What the data-tier components share: resource options for data safety, generated passwords and
 * Service host names. A destroy, a rename or a replacement of a protected data store fails
 * instead of deleting it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { ChartSourceSpec, chartLocation } from "./bitnami-values";
import { SecretSync } from "./external-secrets";

/**
 * Keeps every object a chart renders in the cluster when Pulumi deletes it. v4.Chart's objects are
 * children of a packaged component, which `retainOnDelete` on the Chart alone does not reach;
 * engine-side transforms do.
 */
export const retainRenderedObjects: pulumi.ResourceTransform = (args) => ({
    props: args.props,
    opts: pulumi.mergeOptions(args.opts, { protect: true, retainOnDelete: true }),
});

/** Resource options of data safety, by kind of resource; empty when it is off. */
export function dataSafetyOptions(protect: boolean): {
    /** Pulumi-only state such as RandomPassword: protected. */
    state: pulumi.CustomResourceOptions;
    /** Kubernetes objects the program creates, such as the password Secret: protected and retained. */
    objects: pulumi.CustomResourceOptions;
    /** The chart: protected and retained, and so is everything it renders. */
    chart: pulumi.ComponentResourceOptions;
} {
    if (!protect) return { state: {}, objects: {}, chart: {} };
    return {
        state: { protect: true },
        objects: { protect: true, retainOnDelete: true },
        chart: { protect: true, retainOnDelete: true, transforms: [retainRenderedObjects] },
    };
}

/** The length of generated passwords. */
export const passwordLength = 32;

/**
 * A generated password: letters and digits only, so it is safe in connection URLs and shells. It is
 * generated once and kept in state, so later previews and ups show no change; `result` is secret.
 */
export function generatedPassword(name: string, opts: pulumi.CustomResourceOptions): random.RandomPassword {
    return new random.RandomPassword(name, { length: passwordLength, special: false, minLower: 1, minUpper: 1, minNumeric: 1 }, opts);
}

/** The cluster DNS name of a Service in a namespace. */
export function serviceHost(service: string, namespace: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${service}.${namespace}.svc.cluster.local`;
}

/** The ESO settings a data store needs when its passwords are synced from the secret manager. */
export function requiredSync(sync: SecretSync | undefined, store: "postgresql" | "redis"): SecretSync {
    if (sync === undefined) {
        throw new Error(`'secretSync' must be given when ${store}.auth.passwordSource is "external-secrets" (set secrets.store)`);
    }
    return sync;
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
    readonly secret: pulumi.Resource;
    /** Data safety options for the chart, from dataSafetyOptions. */
    readonly safety: pulumi.ComponentResourceOptions;
}

/** The chart as a helm.v4.Chart: per-object previews and policy coverage, no Helm hooks. */
export function bitnamiChart(name: string, args: BitnamiChartArgs, parent: pulumi.Resource): k8s.helm.v4.Chart {
    return new k8s.helm.v4.Chart(
        name,
        { ...chartLocation(args.source), name: args.release, namespace: args.namespace, values: args.values },
        { parent, dependsOn: [args.secret], ...args.safety },
    );
}
