/**
 * The External Secrets Operator objects the program creates, as pure spec builders (tested without
 * mocks) and one helper that registers an ExternalSecret. ESO serves only external-secrets.io/v1
 * (v1beta1 is no longer served). An ExternalSecret names a store and, for each key of the target
 * Secret, where its value lives in the manager; ESO creates and owns that Secret
 * (creationPolicy "Owner") and re-reads the manager every refreshInterval.
 */
import * as pulumi from "@pulumi/pulumi";
import { Labels } from "../lib/labels";
import { compact } from "../lib/objects";
import * as k8s from "../platform/k8s";
import { RemoteRef, SecretSync } from "./secrets.args";

export const externalSecretsApiVersion = "external-secrets.io/v1";

/** One key of the target Secret and where its value lives. */
export interface SyncedKey {
    /** The key in the Kubernetes Secret, e.g. "anthropic-api-key". */
    readonly secretKey: string;
    readonly remoteRef: RemoteRef;
}

/** Everything an ExternalSecret's spec depends on. */
export interface ExternalSecretSpecInput {
    readonly sync: SecretSync;
    /** The Secret ESO creates and owns, which the workloads or charts read by name. */
    readonly targetName: string;
    /** Labels of that Secret. */
    readonly labels: Labels;
    /** Its keys and where each value lives. */
    readonly data: readonly SyncedKey[];
}

/** The spec of an ExternalSecret: one data entry per key of the target Secret, owned by ESO. */
export function externalSecretSpec(input: ExternalSecretSpecInput): Record<string, unknown> {
    return {
        refreshInterval: input.sync.refreshInterval,
        secretStoreRef: { kind: input.sync.store.kind, name: input.sync.store.name },
        target: {
            name: input.targetName,
            // ESO creates the Secret and owns it: deleting the ExternalSecret deletes the Secret.
            creationPolicy: "Owner",
            template: { type: "Opaque", metadata: { labels: { ...input.labels } } },
        },
        data: input.data.map((d) => ({ secretKey: d.secretKey, remoteRef: compact({ key: d.remoteRef.key, property: d.remoteRef.property, version: d.remoteRef.version }) })),
    };
}

/**
 * Registers an ExternalSecret (named like its target Secret) in a namespace. It waits for
 * `secretStore` when the program creates the store.
 */
export function externalSecret(
    name: string,
    args: { namespace: pulumi.Input<string>; labels: Labels; secretStore?: pulumi.Resource } & ExternalSecretSpecInput,
    opts: Omit<pulumi.CustomResourceOptions, "dependsOn">,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: externalSecretsApiVersion,
            kind: "ExternalSecret",
            metadata: { name: args.targetName, namespace: args.namespace, labels: args.labels },
            spec: externalSecretSpec(args),
        },
        { ...opts, dependsOn: args.secretStore ? [args.secretStore] : [] },
    );
}
