/**
 * The stack config of alerting beyond the catalog's rules:
 * - a service's service level objectives (`services.<name>.slo`): the share of requests that must
 *   succeed, optionally the share that must be faster than a threshold, over a rolling window; from
 *   them come the recording rules and the multi-window, multi-burn-rate alerts (observability/slo.specs.ts);
 * - Alertmanager's routing (`monitoring.alertmanager`): receivers whose URLs and keys are secret
 *   entries (`secrets.entries`, never values), routes by severity and labels, intervals, inhibition.
 */
import { z } from "../validation/zod";
import { secretEntryName } from "../secrets/secrets.schema";
import { promDuration, url } from "../validation/primitives";

/** A label an alert carries: a Prometheus label name, not one of the names Prometheus reserves ("__" prefix). */
export const alertLabelName = z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "a Prometheus label name such as \"team\" ([a-zA-Z_][a-zA-Z0-9_]*: no \"/\", \".\" or \"-\", unlike a Kubernetes label)" })
    .refine((name) => !name.startsWith("__"), { error: "a label name that doesn't start with \"__\" (Prometheus reserves those)" });

/** The SLO windows the stack config accepts: the SRE workbook's month and four weeks (Sloth's default periods). */
export const sloWindows = ["28d", "30d"] as const;
export type SloWindow = (typeof sloWindows)[number];

/** A target share of requests, in percent: more than 0 and less than 100 (100 leaves no error budget). */
const targetPercent = z.number().refine((v) => v > 0 && v < 100, { error: "a percentage above 0 and below 100, e.g. 99.9 (100% leaves no error budget to alert on)" });

export const sloSchema = z.strictObject({
    /** The share of requests answered without a 5xx status, in percent, e.g. 99.9. */
    availability: targetPercent,
    /** Optional: the share of requests (`target`, in percent) faster than `thresholdMs`, which must be a bucket boundary of the request-duration histogram. */
    latency: z.strictObject({ thresholdMs: z.number().int().positive(), target: targetPercent }).optional(),
    /** The rolling window the objectives hold over: 28d or 30d (the SRE workbook's and Sloth's periods). */
    window: z.enum(sloWindows).default("30d"),
});

export type SloConfig = z.infer<typeof sloSchema>;

/** A receiver's name: what routes name it by, and part of Alertmanager's receiver name. */
export const receiverName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: 'a receiver name such as "pager" or "team-chat" (lowercase letters, digits and "-", starting with a letter)' });

/** A credential of a receiver: the name of a secret entry (secrets.entries), whose value Alertmanager reads from its Secret. */
const credential = secretEntryName;

/** One receiver: exactly one of Slack, PagerDuty, Opsgenie or a webhook. */
export const receiverSchema = z.strictObject({
    /** Slack: the incoming webhook's URL is the secret entry `apiUrl`. */
    slack: z.strictObject({ apiUrl: credential, channel: z.string().min(1).optional(), sendResolved: z.boolean().default(true) }).optional(),
    /** PagerDuty (Events API v2): the integration's routing key is the secret entry `routingKey`. */
    pagerduty: z.strictObject({ routingKey: credential, sendResolved: z.boolean().default(true) }).optional(),
    /** Opsgenie: the API key is the secret entry `apiKey`; `apiUrl` for the EU instance (https://api.eu.opsgenie.com/). */
    opsgenie: z.strictObject({ apiKey: credential, apiUrl: url("https://api.eu.opsgenie.com/").optional(), sendResolved: z.boolean().default(true) }).optional(),
    /** A webhook: its URL (which often holds a token) is the secret entry `url`. */
    webhook: z.strictObject({ url: credential, sendResolved: z.boolean().default(true) }).optional(),
});

/** A route by the alerts' labels (the catalog's and monitoring.alerts.labels, e.g. team), tried before the severity routes. */
const labelRouteSchema = z.strictObject({
    /** Labels the alert must have, with these values. */
    matchers: z.record(alertLabelName, z.string()).refine((m) => Object.keys(m).length > 0, { error: "at least one label" }),
    receiver: receiverName,
    /** Go on to the severity routes after this one. */
    continue: z.boolean().default(false),
});

/** The routing: an AlertmanagerConfig (monitoring.coreos.com/v1alpha1) in the stack's namespace. */
export const alertRouteSchema = z.strictObject({
    /** Where alerts no other route takes go. */
    receiver: receiverName,
    /** Where critical alerts go (the pager). Unset: `receiver`. */
    critical: receiverName.optional(),
    /** Where warnings go (the chat; the SLO tickets). Unset: `receiver`. */
    warning: receiverName.optional(),
    /** Routes by label, before the severity routes. */
    routes: z.array(labelRouteSchema).default([]),
    /** The labels that make one notification of many alerts. */
    groupBy: z.array(alertLabelName).default(["alertname", "namespace", "service"]),
    /** How long a new group waits for more alerts. Unset: 30s in production, 1m otherwise. */
    groupWait: promDuration.optional(),
    /** How long before a group's new alerts are sent. Unset: 5m. */
    groupInterval: promDuration.optional(),
    /** How long before a firing alert is sent again. Unset: 4h in production, 12h in staging, 24h in development. */
    repeatInterval: promDuration.optional(),
});

export const alertmanagerSchema = z
    .strictObject({
        /** The receivers by name. */
        receivers: z.record(receiverName, receiverSchema).default({}),
        /** The routing. Unset: the default of the receivers (defaultRoute), none without receivers. */
        route: alertRouteSchema.optional(),
    })
    .prefault({});

export type AlertRoute = z.infer<typeof alertRouteSchema>;
export type AlertmanagerConfigSection = z.infer<typeof alertmanagerSchema>;
export type ReceiverConfig = z.infer<typeof receiverSchema>;

/** The kinds of receiver, in the order a receiver's keys are read. */
export const receiverKinds = ["slack", "pagerduty", "opsgenie", "webhook"] as const;

/** The secret entry holding a receiver's URL or key. */
export function receiverCredential(receiver: ReceiverConfig): string | undefined {
    return receiver.slack?.apiUrl ?? receiver.pagerduty?.routingKey ?? receiver.opsgenie?.apiKey ?? receiver.webhook?.url;
}

/** The receivers that page (a pager) and those that post (a chat). */
const pagerKinds: readonly (typeof receiverKinds)[number][] = ["pagerduty", "opsgenie"];

/**
 * The route when monitoring.alertmanager.route is unset, from the receivers alone: a lone receiver
 * takes every alert; one pager (PagerDuty, Opsgenie) and one chat (Slack, webhook) take the
 * critical alerts and the rest. Any other set of receivers has no default (the rules ask for a
 * route), and no receivers no routing.
 */
export function defaultRoute(receivers: AlertmanagerConfigSection["receivers"]): AlertRoute | undefined {
    const names = Object.keys(receivers);
    if (names.length === 1) return alertRouteSchema.parse({ receiver: names[0] });
    if (names.length !== 2) return undefined;
    const isPager = (name: string) => pagerKinds.some((k) => receivers[name][k] !== undefined);
    const pager = names.filter(isPager);
    const chat = names.filter((n) => !isPager(n));
    if (pager.length !== 1 || chat.length !== 1) return undefined;
    return alertRouteSchema.parse({ receiver: chat[0], critical: pager[0], warning: chat[0] });
}

/** The route the stack's alerts take: monitoring.alertmanager.route, else the receivers' default. */
export function effectiveRoute(section: AlertmanagerConfigSection): AlertRoute | undefined {
    return section.route ?? defaultRoute(section.receivers);
}

/**
 * The secret entries Alertmanager's receivers read, for the secret catalog: none without
 * monitoring. (Receivers that neither a route nor the default takes are refused by the rules, not
 * reported again as unused entries.)
 */
export function alertmanagerEntries(section: AlertmanagerConfigSection, monitoringEnabled: boolean): string[] {
    if (!monitoringEnabled) return [];
    return [...new Set(Object.values(section.receivers).flatMap((r) => receiverCredential(r) ?? []))];
}
