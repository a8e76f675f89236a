import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { redisMasterService, redisPort, redisSecretKey } from "../lib/bitnami-charts";
import { DataStoreCommonArgs, DataStorePlacement, bitnamiChart, dataStoreParts, externalEndpoint, releaseEndpoint } from "./data-store";
import { RedisSpec, redisValues } from "./redis-cache.values";
import { DataStoreEndpoint } from "./types";

export type RedisCacheArgs = DataStoreCommonArgs & DataStorePlacement<RedisSpec>;

/**
 * Redis for the platform: the pinned Bitnami chart (helm.v4.Chart) with a password the program
 * generates (or ESO syncs from the secret manager) into its own Secret, or an external server.
 * Either way `endpoint` is what the application needs.
 */
export class RedisCache extends pulumi.ComponentResource {
    /** Where the application connects: the master (with Sentinel, the Service that follows it). */
    public readonly endpoint: DataStoreEndpoint;
    /** The Secret with the password (key "redis-password"; external: the configured one). */
    public readonly secretName: pulumi.Output<string>;
    /** The labels of the chart's pods, in the cluster. */
    public readonly podSelector?: Record<string, string>;
    /** The release, in the cluster. */
    public readonly chart?: k8s.helm.v4.Chart;

    constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:RedisCache", name, {}, opts);
        const { names, partOf, protect, safety, secret, chartNetworkPolicy } = dataStoreParts(this, name, "redis", args, { [redisSecretKey]: "password" });
        this.secretName = secret.name;

        if (args.mode === "external") {
            this.endpoint = externalEndpoint(args.server, secret.name);
        } else {
            const values = redisValues({ config: args.settings, names, partOf, protect, monitoring: args.monitoring, networkPolicy: chartNetworkPolicy });
            this.chart = bitnamiChart(`${name}-chart`, { source: args.chart, release: names.release, namespace: args.namespace, values, secret: secret.resource, safety: safety.chart }, this);
            this.podSelector = names.podSelector;
            this.endpoint = releaseEndpoint(names, redisMasterService(names), redisPort, args.namespace, { name: secret.name, key: redisSecretKey }, args.clusterDomain);
        }
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
    }
}
