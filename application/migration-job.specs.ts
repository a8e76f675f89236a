/**
 * The decisions behind a service's migration Job, as pure functions: its pod (the service's own,
 * running the migration command instead of the server), its Job spec, and the name derived from
 * what it runs. Its NetworkPolicy is in network-policies.ts.
 */
import { createHash } from "crypto";
import type { MigrationConfig, ServiceConfig } from "./service.schema";
import { Labels } from "../lib/labels";
import { omit } from "../lib/objects";
import { PodInputs, podSpec } from "./application.specs";
import * as k8s from "../platform/k8s";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type JobSpec = k8s.types.input.batch.v1.JobSpec;

/** The migration container's name. */
export const migrationContainer = "migrate";

/**
 * The migration's pod: the service's pod spec (image, envFrom ConfigMap, secret env, security
 * contexts, ServiceAccount, writable emptyDirs, the dependency-wait init container, scheduling)
 * running `command`/`args` once, without ports, probes or the service's anti-affinity. The
 * container's last log lines become its termination message when it fails, which is what the
 * Kubernetes provider reports in the `pulumi up` error.
 */
export function migrationPodSpec(service: ServiceConfig, migration: MigrationConfig, inputs: PodInputs): PodSpec {
    const pod = podSpec(service, inputs);
    const container = omit((pod.containers as Container[])[0], ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"]);
    return {
        ...omit(pod, ["affinity", "topologySpreadConstraints", "containers"]),
        restartPolicy: "Never",
        containers: [
            {
                ...container,
                name: migrationContainer,
                command: [...(migration.command ?? [])],
                ...(migration.args.length > 0 ? { args: [...migration.args] } : {}),
                terminationMessagePolicy: "FallbackToLogsOnError",
            },
        ],
    };
}

/**
 * The Job spec: no retries beyond `backoffLimit`, and `timeoutSeconds` for the whole run. No TTL:
 * a finished Job stays, so the next `up` finds it unchanged and runs nothing.
 */
export function migrationJobSpec(migration: MigrationConfig, labels: Labels, pod: PodSpec): JobSpec {
    return {
        backoffLimit: migration.backoffLimit,
        activeDeadlineSeconds: migration.timeoutSeconds,
        template: { metadata: { labels }, spec: pod },
    };
}

/**
 * The Job's annotations: a Job that failed (its `up` failed) is replaced by the next `up` instead
 * of awaited again, so a transient failure is retried by running `pulumi up` again.
 */
export const migrationJobAnnotations: Readonly<Record<string, string>> = { "pulumi.com/replaceUnready": "true" };

/** The length of the hash in a migration Job's name. */
export const migrationHashLength = 10;

/**
 * The Job's name, "<service>-migrate-<hash>", the hash taken over the resolved Job spec: the
 * image, command, args, backoff and timeout, and the ConfigMap and Secrets it reads (by name). A
 * change of any of them is a new Job, so it runs again; an unchanged spec is the same Job, so the
 * next `up` shows no diff.
 */
export function migrationJobName(serviceName: string, resolvedSpec: unknown): string {
    const hash = createHash("sha256").update(JSON.stringify(resolvedSpec)).digest("hex").slice(0, migrationHashLength);
    return `${serviceName}-migrate-${hash}`;
}
