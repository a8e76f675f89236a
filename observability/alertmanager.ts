/**
 * Alertmanager's routing of a stack, and its pure builders: the AlertmanagerConfig
 * (monitoring.coreos.com/v1alpha1) the Prometheus Operator merges into the Alertmanager that
 * selects it (kube-prometheus-stack's, with monitoring.stack, or a cluster's own), and the same
 * routing as an Alertmanager config file, which the tests give amtool.
 *
 * The receivers' URLs and keys never leave their Secrets: the AlertmanagerConfig names each one's
 * Secret and key (the operator reads them into the Alertmanager's own config Secret), and the
 * config file reads each from a file (`*_file`) of a mounted Secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import * as k8s from "../platform/k8s";
import type { SecretKeyRef } from "../secrets/secrets.args";
import type { AlertRoutingArgs, AlertRoutingSpec, ReceiverKind, ReceiverSpec } from "./observability.args";

/** A matcher of the AlertmanagerConfig CRD. */
interface Matcher {
    name: string;
    value: string;
    matchType: "=";
}
const matchersOf = (labels: Readonly<Record<string, string>>): Matcher[] => Object.entries(labels).map(([name, value]) => ({ name, value, matchType: "=" }));

/** The CRD's field of each receiver kind, and the name of its secret field. */
const crdFields: Readonly<Record<ReceiverKind, { list: string; secret: string }>> = {
    slack: { list: "slackConfigs", secret: "apiURL" },
    pagerduty: { list: "pagerdutyConfigs", secret: "routingKey" },
    opsgenie: { list: "opsgenieConfigs", secret: "apiKey" },
    webhook: { list: "webhookConfigs", secret: "urlSecret" },
};

/** One receiver of the AlertmanagerConfig: its credential as a Secret key reference. */
function crdReceiver(receiver: ReceiverSpec, credential: SecretKeyRef): Record<string, unknown> {
    const { list, secret } = crdFields[receiver.kind];
    const config = {
        sendResolved: receiver.sendResolved,
        [secret]: { name: credential.name, key: credential.key },
        ...(receiver.channel === undefined ? {} : { channel: receiver.channel }),
        ...(receiver.apiUrl === undefined ? {} : { apiURL: receiver.apiUrl }),
    };
    return { name: receiver.name, [list]: [config] };
}

/** The inhibition: a critical alert silences the warning of the same alert (same `equal` labels). */
const inhibition = (equal: readonly string[]) => ({ source: { severity: "critical" }, target: { severity: "warning" }, equal: [...equal] });

/** The AlertmanagerConfig's spec; `credentials` are the Secret keys of the receivers' secret entries. */
export function alertmanagerConfigSpec(routing: AlertRoutingSpec, credentials: Readonly<Record<string, SecretKeyRef>>): Record<string, unknown> {
    const inhibit = inhibition(routing.inhibitEqual);
    return {
        route: {
            receiver: routing.receiver,
            groupBy: [...routing.groupBy],
            groupWait: routing.groupWait,
            groupInterval: routing.groupInterval,
            repeatInterval: routing.repeatInterval,
            routes: routing.routes.map((r) => ({ receiver: r.receiver, matchers: matchersOf(r.matchers), continue: r.continue })),
        },
        receivers: routing.receivers.map((r) => {
            const credential = credentials[r.credential];
            if (credential === undefined) throw new Error(`internal error: the secret entry ${r.credential} of receiver ${r.name} has no Secret`);
            return crdReceiver(r, credential);
        }),
        inhibitRules: [{ sourceMatch: matchersOf(inhibit.source), targetMatch: matchersOf(inhibit.target), equal: inhibit.equal }],
    };
}

/** Alertmanager's config-file field of each receiver kind, and the file field of its secret. */
const fileFields: Readonly<Record<ReceiverKind, { list: string; secret: string }>> = {
    slack: { list: "slack_configs", secret: "api_url_file" },
    pagerduty: { list: "pagerduty_configs", secret: "routing_key_file" },
    opsgenie: { list: "opsgenie_configs", secret: "api_key_file" },
    webhook: { list: "webhook_configs", secret: "url_file" },
};

const fileMatchers = (labels: Readonly<Record<string, string>>): string[] => Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);

/** The routing as an Alertmanager config file (alertmanager.yml); `secretFile` is where each secret entry's value is mounted. */
export function alertmanagerConfigFile(routing: AlertRoutingSpec, secretFile: (entry: string) => string): Record<string, unknown> {
    const inhibit = inhibition(routing.inhibitEqual);
    return {
        route: {
            receiver: routing.receiver,
            group_by: [...routing.groupBy],
            group_wait: routing.groupWait,
            group_interval: routing.groupInterval,
            repeat_interval: routing.repeatInterval,
            routes: routing.routes.map((r) => ({ receiver: r.receiver, matchers: fileMatchers(r.matchers), continue: r.continue })),
        },
        receivers: routing.receivers.map((r) => {
            const { list, secret } = fileFields[r.kind];
            const config = {
                send_resolved: r.sendResolved,
                [secret]: secretFile(r.credential),
                ...(r.channel === undefined ? {} : { channel: r.channel }),
                ...(r.apiUrl === undefined ? {} : { api_url: r.apiUrl }),
            };
            return { name: r.name, [list]: [config] };
        }),
        inhibit_rules: [{ source_matchers: fileMatchers(inhibit.source), target_matchers: fileMatchers(inhibit.target), equal: inhibit.equal }],
    };
}

/**
 * The stack's Alertmanager routing: an AlertmanagerConfig in the stack's namespace, labelled for
 * the Alertmanager's alertmanagerConfigSelector (monitoring.labels). The operator scopes its
 * routes to alerts of this namespace, which every alert of the stack carries.
 */
export class AlertRouting extends pulumi.ComponentResource {
    /** The AlertmanagerConfig's name. */
    public readonly configName: pulumi.Output<string>;

    constructor(name: string, args: AlertRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:observability:AlertRouting", name, {}, opts);
        const labels = { ...standardLabels({ name: "alertmanager-config", instance: args.instance, component: "alerting", partOf: args.partOf }), ...args.labels };
        const config = new k8s.apiextensions.CustomResource(name, {
            apiVersion: "monitoring.coreos.com/v1alpha1",
            kind: "AlertmanagerConfig",
            metadata: { name: `${args.instance}-routing`, namespace: args.namespace, labels },
            spec: alertmanagerConfigSpec(args.routing, args.credentials),
        }, { parent: this, dependsOn: args.monitoringStack ? [args.monitoringStack] : [] });
        this.configName = config.metadata.name;
        this.registerOutputs({ configName: this.configName });
    }
}
