import * as pulumi from "@pulumi/pulumi";
import { Labels, WorkloadIdentity, selectorLabels, standardLabels } from "../lib/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security-context.specs";
import * as k8s from "../platform/k8s";
import { PeerSelector } from "../network/network.args";
import { checkNetworkPolicySpec } from "../network/network-policies";

export interface PostDeployCheckArgs {
    /** Namespace of the Job and its NetworkPolicy. */
    readonly namespace: pulumi.Input<string>;
    /** Who the check's pods are (labels and selector). */
    readonly identity: WorkloadIdentity;
    /**
     * What must answer: an HTTP URL answering 2xx (with request headers), e.g. the service's
     * readiness endpoint, or a host and port accepting TCP connections (a TCP or gRPC readiness probe).
     */
    readonly target: CheckTarget;
    /** The checker's image. */
    readonly image: string;
    /** How long the check may retry, in seconds. */
    readonly timeoutSeconds: number;
    /** What the rollout deployed: a new value makes a new Job, so every rollout is checked once. */
    readonly checked: Readonly<Record<string, pulumi.Input<string>>>;
    /** The checked service's pods and port and the cluster DNS, for the check's NetworkPolicy; absent, no NetworkPolicy. */
    readonly networkPolicy?: { readonly target: Labels; readonly port: number; readonly dns: PeerSelector };
    /** What must exist before the check runs: the Deployment and the Service. */
    readonly after: readonly pulumi.Resource[];
    /** The resource the check's objects were children of before this component existed (aliases). */
    readonly formerParent?: pulumi.Resource;
}

/** What a post-deploy check calls, following the readiness probe's kind. */
export type CheckTarget =
    | { readonly kind: "http"; readonly url: pulumi.Input<string>; readonly headers?: Readonly<Record<string, string>> }
    | { readonly kind: "tcp"; readonly host: pulumi.Input<string>; readonly port: number };

/** The check's command: the URL must answer 2xx within the retries. */
export function readinessCheckCommand(url: pulumi.Input<string>, timeoutSeconds: number, headers: Readonly<Record<string, string>> = {}): pulumi.Input<string>[] {
    const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["--header", `${name}: ${value}`]);
    return ["curl", "--fail", "--silent", "--show-error", "--retry", "10", "--retry-all-errors", "--retry-delay", "3", "--max-time", "5", "--retry-max-time", String(timeoutSeconds), ...headerArgs, url];
}

/** The check's command for a TCP (or gRPC) readiness probe: the port must accept a connection before the Job's deadline. */
export function tcpCheckCommand(host: pulumi.Input<string>, port: number): pulumi.Input<string>[] {
    // The curl image is Alpine's, whose busybox has nc; the Job's activeDeadlineSeconds bounds the loop.
    return ["sh", "-c", 'until nc -z -w 3 "$0" "$1"; do echo "waiting for $0:$1"; sleep 3; done; echo "$0:$1 accepts connections"', host, String(port)];
}

/** The command of a check of `target`. */
export function checkCommand(target: CheckTarget, timeoutSeconds: number): pulumi.Input<string>[] {
    return target.kind === "http" ? readinessCheckCommand(target.url, timeoutSeconds, target.headers) : tcpCheckCommand(target.host, target.port);
}

/**
 * A Job, like `helm test`, that calls a service after each rollout. It is auto-named and keyed on
 * what was rolled out (`checked`): a new image or new settings replace the Job, so every rollout is
 * checked once, and `pulumi up` waits for the Job and fails with it.
 */
export class PostDeployCheck extends pulumi.ComponentResource {
    /** The Job's name. */
    public readonly jobName: pulumi.Output<string>;

    constructor(name: string, args: PostDeployCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:PostDeployCheck", name, {}, opts);
        const labels = standardLabels(args.identity);
        const selector = selectorLabels(args.identity);
        const aliases = args.formerParent ? [{ parent: args.formerParent }] : [];
        if (args.networkPolicy) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
                metadata: { name: args.identity.name, namespace: args.namespace, labels },
                spec: checkNetworkPolicySpec(selector, args.networkPolicy.target, args.networkPolicy.port, args.networkPolicy.dns),
            }, { parent: this, aliases });
        }
        const job = new k8s.batch.v1.Job(name, {
            metadata: { namespace: args.namespace, labels },
            spec: {
                backoffLimit: 1,
                activeDeadlineSeconds: args.timeoutSeconds,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurityContext(),
                        containers: [{
                            name: "readiness",
                            image: args.image,
                            command: checkCommand(args.target, args.timeoutSeconds),
                            env: Object.entries(args.checked).map(([envName, value]) => ({ name: envName, value })),
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                            securityContext: restrictedContainerSecurityContext(),
                        }],
                    },
                },
            },
        }, { parent: this, dependsOn: [...args.after], aliases });
        this.jobName = job.metadata.name;
        this.registerOutputs({ jobName: this.jobName });
    }
}
