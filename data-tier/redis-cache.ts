import * as pulumi from "@pulumi/pulumi";
import { redisMasterService, redisPort, redisSecretKey } from "../lib/bitnami-charts";
import { bitnamiChart, chartAlerts, credentialKey, credentialsGeneration, dataStoreNetworkPolicy, dataStoreParts, externalEndpoint, releaseEndpoint } from "./data-store";
import * as k8s from "../platform/k8s";
import { redisValues } from "./redis-cache.values";
import { DataStoreEndpoint } from "./data-tier.args";
import { RedisCacheArgs } from "./data-tier.args";

/**
 * Redis for the platform: the pinned Bitnami chart (helm.v4.Chart) with a password the program
 * generates (or ESO syncs from the secret manager) into its own Secret, or an external server.
 * Either way `endpoint` is what the application needs.
 */
export class RedisCache extends pulumi.ComponentResource {
    /** Where the application connects: the master (with Sentinel, the Service that follows it). */
    public readonly endpoint: DataStoreEndpoint;

    /** What the stack outputs show of the connection: host, port and the password's Secret key. */
    get connection() {
        const { host, port, passwordSecret } = this.endpoint;
        return { host, port, passwordSecret };
    }
    /** The Secret with the password (key "redis-password"; external: the configured one). */
    public readonly secretName: pulumi.Output<string>;
    /** The labels of the chart's pods, in the cluster. */
    public readonly podSelector?: Record<string, string>;
    /** The release, in the cluster. */
    public readonly chart?: k8s.helm.v4.Chart;
    /** The URNs of the chart's objects (platform/chart-objects.ts); none in external mode. */
    public readonly chartObjects?: pulumi.Output<string[]>;

    constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:RedisCache", name, {}, opts);
        const { names, partOf, safety, secret, chartInput } = dataStoreParts(this, name, "redis", args, { [redisSecretKey]: { suffix: "password", rotates: true } });
        this.secretName = secret.name;

        if (args.mode === "external") {
            this.endpoint = externalEndpoint(args.server, secret.name);
        } else {
            const key = credentialKey(args.credentials, redisSecretKey);
            const generation = credentialsGeneration(args.credentials);
            const values = redisValues({
                ...chartInput,
                config: args.settings,
                alerts: chartAlerts("redis", args.alerts),
                ...(args.credentials.source === "existing" ? { secret: { name: args.credentials.secretName, key } } : {}),
                passwordGeneration: generation,
            });
            // The pods start under their own policy (the chart's are off), not behind the namespace's deny alone.
            const isolation = dataStoreNetworkPolicy(this, name, { ...args, store: "redis", names, partOf, sentinel: args.settings.sentinel.enabled });
            const after = [...(args.monitoringStack ? [args.monitoringStack] : []), ...(isolation ? [isolation] : [])];
            const { chart, objects } = bitnamiChart(
                `${name}-chart`,
                { source: args.chart, release: names.release, namespace: args.namespace, values, secret: secret.resource, after, safety: safety.chart },
                this,
            );
            this.chart = chart;
            this.chartObjects = objects;
            this.podSelector = names.podSelector;
            const endpoint = releaseEndpoint(names, redisMasterService(names), redisPort, args.namespace, { name: secret.name, key }, args.clusterDomain);
            // Redis reads its password at start: clients roll to a new one once the release has restarted with it.
            this.endpoint = generation > 0 ? { ...endpoint, passwordRotation: { generation, after: this.chart } } : endpoint;
        }
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
    }
}
