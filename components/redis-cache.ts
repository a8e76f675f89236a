import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { RedisConfig } from "../config/data-tier";
import { ChartNetworkPolicySpec, ServiceMonitorSpec, redisMasterService, redisPort, redisSecretKey, redisValues, releaseNames } from "./bitnami-values";
import { bitnamiChart, dataSafetyOptions, generatedPassword, requiredSync, serviceHost } from "./data-store";
import { SyncedKey, SecretSync, externalSecret } from "./external-secrets";
import { standardLabels } from "./labels";
import { DataStoreEndpoint, NetworkPeer } from "./types";

export interface RedisCacheArgs {
    /** The namespace of the release and of the password Secret. */
    readonly namespace: pulumi.Input<string>;
    /**
     * app.kubernetes.io/instance of the platform, e.g. "llm-platform-prod". The release, its
     * fullname and its pods' instance label are "<instance>-redis", the Secret "<instance>-redis-auth".
     */
    readonly instance: string;
    /** app.kubernetes.io/part-of of every object. @default "llm-platform" */
    readonly partOf?: string;
    /** The validated `redis` section of the stack config. */
    readonly config: RedisConfig;
    /**
     * Data safety: `protect` and retainOnDelete on the chart (and, by a transform, every object it
     * renders), the Secret and the password, and PVC retention "Retain" on the StatefulSets.
     * @default false
     */
    readonly protect?: boolean;
    /** The exporter sidecar and a ServiceMonitor with these settings. @default no metrics */
    readonly monitoring?: ServiceMonitorSpec;
    /**
     * The chart's NetworkPolicy, admitting only these application pods (and Prometheus on the
     * metrics port). @default the chart's NetworkPolicy off, as the platform's are
     */
    readonly networkPolicy?: ChartNetworkPolicySpec;
    /**
     * The store and refresh interval for ESO, when `config.auth.passwordSource` is
     * "external-secrets": the password is then synced from the manager into the Secret, and no
     * RandomPassword exists. @default none (required with passwordSource "external-secrets")
     */
    readonly secretSync?: SecretSync;
}

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
        const { config } = args;
        const protect = args.protect ?? false;
        const partOf = args.partOf ?? "llm-platform";

        const names = releaseNames(args.instance, "redis");
        const safety = dataSafetyOptions(protect);
        const credentialLabels = standardLabels({ name: "redis", instance: names.release, component: "credentials", partOf });
        const synced = config.auth.passwordSource === "external-secrets";
        const sync = (secretKey: string) => {
            const remoteRef = config.auth.remoteRef;
            if (remoteRef === undefined) throw new Error(`'redis.auth.remoteRef' must be set when redis.auth.passwordSource is "external-secrets"`);
            const data: SyncedKey[] = [{ secretKey, remoteRef }];
            return externalSecret(`${name}-auth`, {
                namespace: args.namespace,
                labels: credentialLabels,
                sync: requiredSync(args.secretSync, "redis"),
                targetName: names.secret,
                data,
            }, { parent: this, ...safety.objects });
        };

        if (config.mode === "external") {
            const external = config.external;
            const secretName = synced ? names.secret : external.existingSecret;
            if (external.host === undefined || secretName === undefined) {
                throw new Error(`'redis.external.host' (${external.host}) and 'redis.external.existingSecret' (${external.existingSecret}) must be set when mode is "external" (the latter unless auth.passwordSource is "external-secrets")`);
            }
            const owned = synced ? sync(external.passwordKey).metadata.name : pulumi.output(secretName);
            const networkPeer: NetworkPeer = { kind: "external", cidrs: [...external.cidrs] };
            this.secretName = owned;
            this.endpoint = {
                host: external.host,
                port: external.port,
                passwordSecret: { name: owned, key: external.passwordKey },
                networkPeer,
            };
            this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
            return;
        }

        const values = redisValues({
            config,
            names,
            partOf,
            protect,
            monitoring: args.monitoring,
            networkPolicy: args.networkPolicy,
        });
        const secret = synced
            ? sync(redisSecretKey)
            : new k8s.core.v1.Secret(
                  `${name}-auth`,
                  {
                      metadata: { name: names.secret, namespace: args.namespace, labels: credentialLabels },
                      type: "Opaque",
                      stringData: { [redisSecretKey]: generatedPassword(`${name}-password`, { parent: this, ...safety.state }).result },
                  },
                  { parent: this, ...safety.objects },
              );

        this.chart = bitnamiChart(
            `${name}-chart`,
            { source: config.chart, release: names.release, namespace: args.namespace, values, secret, safety: safety.chart },
            this,
        );

        this.secretName = secret.metadata.name;
        this.podSelector = names.podSelector;
        this.endpoint = {
            host: serviceHost(redisMasterService(names), args.namespace),
            port: redisPort,
            passwordSecret: { name: this.secretName, key: redisSecretKey },
            networkPeer: { kind: "pods", podSelector: { ...names.podSelector } },
        };
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
    }
}
