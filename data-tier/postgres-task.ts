import * as pulumi from "@pulumi/pulumi";
import { Labels, WorkloadIdentity, selectorLabels, standardLabels } from "../lib/labels";
import * as k8s from "../platform/k8s";
import { PeerSelector } from "../network/network.args";
import { postgresJobNetworkPolicySpec } from "../network/network-policies";
import { oneShotJobAnnotations, oneShotJobSpec } from "./postgres-jobs.specs";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface PostgresTaskArgs {
    /** Namespace of the Job and its NetworkPolicy. */
    readonly namespace: pulumi.Input<string>;
    /** The Job's name: derived from what it does, so the same task is no change and a new one runs once. */
    readonly jobName: string;
    /** Who the task's pods are. */
    readonly identity: WorkloadIdentity;
    /** The pod (from postgres-jobs.specs.ts). */
    readonly pod: PodSpec;
    /** How long the task may run, in seconds. */
    readonly timeoutSeconds: number;
    /** PostgreSQL's pod labels, for the pods' NetworkPolicy; absent, no NetworkPolicy. */
    readonly networkPolicy?: { readonly postgres: Labels; readonly dns: PeerSelector };
    /** What must exist and be ready first (the chart, the Secret, the claim). */
    readonly after: readonly pulumi.Resource[];
}

/**
 * A one-shot task against the in-cluster PostgreSQL, such as a restore or a password sync, as a
 * Kubernetes Job that `pulumi up` waits for: it fails the up when it fails, and what depends on
 * it is not touched. A finished Job stays (no TTL), so the next `up` runs nothing.
 */
export class PostgresTask extends pulumi.ComponentResource {
    /** The Job, which what must follow the task depends on. */
    public readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: PostgresTaskArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:data:PostgresTask", name, {}, opts);
        const labels = standardLabels(args.identity);
        const dependsOn = [...args.after];
        if (args.networkPolicy) {
            dependsOn.push(new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
                metadata: { name: args.identity.name, namespace: args.namespace, labels },
                spec: postgresJobNetworkPolicySpec(selectorLabels(args.identity), args.networkPolicy.postgres, args.networkPolicy.dns),
            }, { parent: this }));
        }
        // The provider waits for the Job; give it the Job's own deadline and a margin to start it.
        const timeout = `${args.timeoutSeconds + 120}s`;
        this.job = new k8s.batch.v1.Job(name, {
            metadata: { name: args.jobName, namespace: args.namespace, labels, annotations: oneShotJobAnnotations },
            spec: oneShotJobSpec(labels, args.pod, args.timeoutSeconds),
        }, { parent: this, dependsOn, customTimeouts: { create: timeout, update: timeout } });
        this.registerOutputs({ jobName: this.job.metadata.name });
    }
}
