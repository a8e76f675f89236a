import * as pulumi from "@pulumi/pulumi";
import type { MigrationConfig, ServiceConfig } from "./service.schema";
import { WorkloadIdentity, selectorLabels, standardLabels } from "../lib/labels";
import { PodInputs } from "./application.specs";
import * as k8s from "../platform/k8s";
import { migrationJobAnnotations, migrationJobName, migrationJobSpec, migrationPodSpec } from "./migration-job.specs";
import { DataStores, migrationNetworkPolicySpec } from "../network/network-policies";
import { PeerSelector } from "../network/network.args";

export interface MigrationJobArgs {
    /** Namespace of the Job and its NetworkPolicy. */
    readonly namespace: pulumi.Input<string>;
    /** The migrated service's name: the Job is "<service>-migrate-<hash>". */
    readonly serviceName: string;
    /** Who the migration's pods are: their own labels, never the service's selector. */
    readonly identity: WorkloadIdentity;
    /** The service whose image, env, secrets and security context the migration runs with. */
    readonly service: ServiceConfig;
    /** The command, args, timeout and backoff. */
    readonly migration: MigrationConfig;
    /** The service's pod inputs: its ConfigMap, ServiceAccount, secret env and dependency wait. */
    readonly pod: PodInputs;
    /** The data stores and the cluster DNS, for the migration's NetworkPolicy; absent, no NetworkPolicy. */
    readonly networkPolicy?: DataStores & { readonly dns: PeerSelector };
    /** What must finish before the migration runs, such as the sync of a rotated database password. @default nothing */
    readonly after?: readonly pulumi.Resource[];
}

/**
 * A service's schema migration as a Kubernetes Job that runs before its Deployment rolls out, as
 * Helm's pre-upgrade hook does. The Job is named for what it runs, so a new image or changed
 * settings make a new Job and an unchanged one is left alone. `pulumi up` waits for it; when it
 * fails, the up fails with the container's last log lines, and whatever depends on `job` (the
 * Deployment) is not touched.
 */
export class MigrationJob extends pulumi.ComponentResource {
    /** The Job, which the Deployment depends on. */
    public readonly job: k8s.batch.v1.Job;
    /** The Job's name. */
    public readonly jobName: pulumi.Output<string>;

    constructor(name: string, args: MigrationJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:MigrationJob", name, {}, opts);
        const labels = standardLabels(args.identity);
        const selector = selectorLabels(args.identity);
        const dependsOn: pulumi.Resource[] = [...(args.after ?? [])];
        if (args.networkPolicy) {
            dependsOn.push(new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
                metadata: { name: args.identity.name, namespace: args.namespace, labels },
                spec: migrationNetworkPolicySpec(args.service, selector, args.networkPolicy, args.networkPolicy.dns),
            }, { parent: this }));
        }
        const spec = migrationJobSpec(args.migration, labels, migrationPodSpec(args.service, args.migration, args.pod));
        // The provider waits for the Job; give it the Job's own deadline and a margin to start it.
        const timeout = `${args.migration.timeoutSeconds + 120}s`;
        this.job = new k8s.batch.v1.Job(name, {
            metadata: {
                name: pulumi.output(spec).apply((resolved) => migrationJobName(args.serviceName, resolved)),
                namespace: args.namespace,
                labels,
                annotations: migrationJobAnnotations,
            },
            spec,
        }, { parent: this, dependsOn, customTimeouts: { create: timeout, update: timeout } });
        this.jobName = this.job.metadata.name;
        this.registerOutputs({ jobName: this.jobName });
    }
}
