import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { postgresPort, postgresSecretKeys, postgresqlPrimaryService, postgresqlReadService } from "../lib/bitnami-charts";
import { DataStoreCommonArgs, DataStorePlacement, bitnamiChart, dataStoreParts, externalEndpoint, releaseEndpoint, serviceHost } from "./data-store";
import { PostgresqlSpec, postgresqlValues } from "./postgres-database.values";
import { PostgresEndpoint } from "./types";

export type PostgresDatabaseArgs = DataStoreCommonArgs &
    DataStorePlacement<PostgresqlSpec> & {
        /** The database the application uses. */
        readonly database: string;
        /** The user the application logs in as. */
        readonly user: string;
    };

/** The RandomPassword of each key of the program's Secret, by name suffix. */
const generatedPasswords = {
    [postgresSecretKeys.adminPasswordKey]: "admin-password",
    [postgresSecretKeys.userPasswordKey]: "user-password",
    [postgresSecretKeys.replicationPasswordKey]: "replication-password",
};

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
        const { names, partOf, protect, safety, secret, chartNetworkPolicy } = dataStoreParts(this, name, "postgresql", args, generatedPasswords);
        this.secretName = secret.name;
        const login = { database: args.database, user: args.user };

        if (args.mode === "external") {
            this.endpoint = { ...externalEndpoint(args.server, secret.name), ...login };
        } else {
            const values = postgresqlValues({ config: args.settings, names, partOf, protect, monitoring: args.monitoring, networkPolicy: chartNetworkPolicy });
            this.chart = bitnamiChart(`${name}-chart`, { source: args.chart, release: names.release, namespace: args.namespace, values, secret: secret.resource, safety: safety.chart }, this);
            this.podSelector = names.podSelector;
            const primary = postgresqlPrimaryService(names, args.settings.architecture);
            if (args.settings.architecture === "replication") {
                this.readHost = serviceHost(postgresqlReadService(names), args.namespace, args.clusterDomain);
            }
            const endpoint = releaseEndpoint(names, primary, postgresPort, args.namespace, { name: secret.name, key: postgresSecretKeys.userPasswordKey }, args.clusterDomain);
            this.endpoint = { ...endpoint, ...login, ...(this.readHost ? { readHost: this.readHost } : {}) };
        }
        this.registerOutputs({ endpoint: this.endpoint, secretName: this.secretName, readHost: this.readHost });
    }
}
