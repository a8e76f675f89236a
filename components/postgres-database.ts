import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PostgresqlConfig } from "../config/data-tier";
import {
    ChartNetworkPolicySpec,
    ServiceMonitorSpec,
    postgresPort,
    postgresSecretKeys,
    postgresqlPrimaryService,
    postgresqlReadService,
    postgresqlValues,
    releaseNames,
} from "./bitnami-values";
import { bitnamiChart, dataSafetyOptions, generatedPassword, requiredSync, serviceHost } from "./data-store";
import { RemoteRef, SecretSync, SyncedKey, externalSecret } from "./external-secrets";
import { standardLabels } from "./labels";
import { NetworkPeer, PostgresEndpoint } from "./types";

export interface PostgresDatabaseArgs {
    /** The namespace of the release and of the password Secret. */
    readonly namespace: pulumi.Input<string>;
    /**
     * app.kubernetes.io/instance of the platform, e.g. "llm-platform-prod". The release, its
     * fullname and its pods' instance label are "<instance>-postgresql", the Secret "<instance>-postgresql-auth".
     */
    readonly instance: string;
    /** app.kubernetes.io/part-of of every object. @default "llm-platform" */
    readonly partOf?: string;
    /** The validated `postgresql` section of the stack config. */
    readonly config: PostgresqlConfig;
    /**
     * Data safety: `protect` and retainOnDelete on the chart (and, by a transform, every object it
     * renders), the Secret and the passwords, and PVC retention "Retain" on the StatefulSets.
     * @default false
     */
    readonly protect?: boolean;
    /** The exporter sidecar and a ServiceMonitor with these settings. @default no metrics */
    readonly monitoring?: ServiceMonitorSpec;
    /**
     * The chart's NetworkPolicies, admitting only these application pods (and Prometheus on the
     * metrics port). @default the chart's NetworkPolicies off, as the platform's are
     */
    readonly networkPolicy?: ChartNetworkPolicySpec;
    /**
     * The store and refresh interval for ESO, when `config.auth.passwordSource` is
     * "external-secrets": the passwords are then synced from the manager into the Secret, and no
     * RandomPassword exists. @default none (required with passwordSource "external-secrets")
     */
    readonly secretSync?: SecretSync;
}

/**
 * PostgreSQL for the platform: the pinned Bitnami chart (helm.v4.Chart) with passwords the program
 * generates (or ESO syncs from the secret manager) into its own Secret, or an external server.
 * Either way `endpoint` is what the application needs.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** Where and as whom the application connects. */
    public readonly endpoint: PostgresEndpoint;
    /** The Secret with the passwords (keys "postgres-password", "password", "replication-password"; external: the configured one). */
    public readonly secretName: pulumi.Output<string>;
    /** The read replicas' host, with replication in the cluster. */
    public readonly readHost?: pulumi.Output<string>;
    /** The labels of the chart's pods, in the cluster. */
    public readonly podSelector?: Record<string, string>;
    /** The release, in the cluster. */
    public readonly chart?: k8s.helm.v4.Chart;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:PostgresDatabase", name, {}, opts);
        const { config } = args;
        const protect = args.protect ?? false;
        const partOf = args.partOf ?? "llm-platform";

        const names = releaseNames(args.instance, "postgresql");
        const safety = dataSafetyOptions(protect);
        const credentialLabels = standardLabels({ name: "postgresql", instance: names.release, component: "credentials", partOf });
        const synced = config.auth.passwordSource === "external-secrets";
        const refs = config.auth.remoteRefs;
        const remoteRef = (field: keyof typeof refs): RemoteRef => {
            const ref = refs[field];
            if (ref === undefined) throw new Error(`'postgresql.auth.remoteRefs.${field}' must be set when postgresql.auth.passwordSource is "external-secrets"`);
            return ref;
        };
        const sync = (data: SyncedKey[]) =>
            externalSecret(`${name}-auth`, {
                namespace: args.namespace,
                labels: credentialLabels,
                sync: requiredSync(args.secretSync, "postgresql"),
                targetName: names.secret,
                data,
            }, { parent: this, ...safety.objects });

        if (config.mode === "external") {
            const external = config.external;
            const secretName = synced ? names.secret : external.existingSecret;
            if (external.host === undefined || secretName === undefined) {
                throw new Error(`'postgresql.external.host' (${external.host}) and 'postgresql.external.existingSecret' (${external.existingSecret}) must be set when mode is "external" (the latter unless auth.passwordSource is "external-secrets")`);
            }
            const owned = synced ? sync([{ secretKey: external.passwordKey, remoteRef: remoteRef("userPassword") }]).metadata.name : pulumi.output(secretName);
            const networkPeer: NetworkPeer = { kind: "external", cidrs: [...external.cidrs] };
            this.secretName = owned;
            this.endpoint = {
                host: external.host,
                port: external.port,
                database: config.auth.database,
                user: config.auth.username,
                passwordSecret: { name: owned, key: external.passwordKey },
                networkPeer,
            };
            this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName });
            return;
        }

        const values = postgresqlValues({
            config,
            names,
            partOf,
            protect,
            monitoring: args.monitoring,
            networkPolicy: args.networkPolicy,
        });
        let secret: k8s.core.v1.Secret | k8s.apiextensions.CustomResource;
        if (synced) {
            const replication = config.architecture === "replication" || refs.replicationPassword !== undefined;
            secret = sync([
                { secretKey: postgresSecretKeys.adminPasswordKey, remoteRef: remoteRef("adminPassword") },
                { secretKey: postgresSecretKeys.userPasswordKey, remoteRef: remoteRef("userPassword") },
                ...(replication ? [{ secretKey: postgresSecretKeys.replicationPasswordKey, remoteRef: remoteRef("replicationPassword") }] : []),
            ]);
        } else {
            const passwords = {
                [postgresSecretKeys.adminPasswordKey]: generatedPassword(`${name}-admin-password`, { parent: this, ...safety.state }),
                [postgresSecretKeys.userPasswordKey]: generatedPassword(`${name}-user-password`, { parent: this, ...safety.state }),
                [postgresSecretKeys.replicationPasswordKey]: generatedPassword(`${name}-replication-password`, { parent: this, ...safety.state }),
            };
            secret = new k8s.core.v1.Secret(
                `${name}-auth`,
                {
                    metadata: { name: names.secret, namespace: args.namespace, labels: credentialLabels },
                    type: "Opaque",
                    stringData: Object.fromEntries(Object.entries(passwords).map(([key, password]) => [key, password.result])),
                },
                { parent: this, ...safety.objects },
            );
        }

        this.chart = bitnamiChart(
            `${name}-chart`,
            { source: config.chart, release: names.release, namespace: args.namespace, values, secret, safety: safety.chart },
            this,
        );

        this.secretName = secret.metadata.name;
        this.podSelector = names.podSelector;
        this.endpoint = {
            host: serviceHost(postgresqlPrimaryService(names, config.architecture), args.namespace),
            port: postgresPort,
            database: config.auth.database,
            user: config.auth.username,
            passwordSecret: { name: this.secretName, key: postgresSecretKeys.userPasswordKey },
            networkPeer: { kind: "pods", podSelector: { ...names.podSelector } },
        };
        if (config.architecture === "replication") {
            this.readHost = serviceHost(postgresqlReadService(names), args.namespace);
        }
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName, readHost: this.readHost });
    }
}
