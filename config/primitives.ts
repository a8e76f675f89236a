/**
 * The schema pieces that several config sections share, each written once: ports, names, labels,
 * quantities, durations, CIDRs, URLs, image fields. A rule that applies in several places is this
 * one definition used everywhere.
 */
import { z } from "zod";
import { quantityPattern } from "../lib/quantity";

/** The environments, which decide the production-only rules and defaults. */
export const environments = ["development", "staging", "production"] as const;
export const environmentSchema = z.enum(environments);
export type Environment = (typeof environments)[number];

/** Label or annotation maps. */
export const labels = z.record(z.string(), z.string());
export const port = z.number().int().min(1).max(65535);
export const positiveInt = z.number().int().min(1);
export const nonNegativeInt = z.number().int().min(0);

/** A Kubernetes quantity such as "500m", "2", "512Mi" or "4Gi". */
export const quantity = z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .pipe(z.string().regex(quantityPattern, { error: "a Kubernetes quantity such as \"500m\", \"2\" or \"4Gi\"" }));

/** A Go duration as Prometheus takes it: "15s", "1m". */
export const promDuration = z.string().regex(/^[0-9]+(ms|s|m|h)$/, { error: "a duration such as \"15s\" or \"1m\"" });

/** A Go duration as ESO's refreshInterval takes it: "1h", "15m", "1h30m"; "0" syncs once. */
export const goDuration = z.string().regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+)$/, { error: "a duration such as \"1h\" or \"15m\" (\"0\": sync once, never refresh)" });

/** An integer, or a percentage such as "50%": what PDBs and rolling updates take. */
export const intOrPercent = z.union([nonNegativeInt, z.string().regex(/^[0-9]{1,3}%$/, { error: "an integer or a percentage such as \"50%\"" })]);

/** A name usable as a Kubernetes object name and label value, with room for the suffixes the program adds. */
export const dnsLabel = z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { error: "a lowercase DNS label of at most 40 characters (a-z, 0-9, '-')" });

/** A Kubernetes object name (RFC 1123 subdomain), e.g. of an existing Secret. */
export const objectName = (example: string) =>
    z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: `a Kubernetes object name such as "${example}"` });

/** A key of a Secret's data. */
export const secretDataKey = (example: string) => z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: `a Secret key such as "${example}"` });

/** An IP block in CIDR notation. */
export const cidr = (example: string) => z.string().regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, { error: `a CIDR such as "${example}"` });

/** A DNS host name. */
export const hostName = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, { error: "a host name such as \"db.example.com\"" });

/** A URL with a scheme. */
export const url = (example: string) => z.url({ error: `a URL such as "${example}"` });

/** An image tag. */
export const imageTag = (example: string) => z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: `an image tag such as "${example}"` });

/** An image content digest. */
export const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, { error: "a digest such as \"sha256:<64 hex digits>\"" });

/** Raw Kubernetes objects handed through unchanged (escape hatches); only their shape is checked. */
export const rawObject = z.record(z.string(), z.unknown());
export const namedRawObject = z.looseObject({ name: z.string().min(1) });

/** The ranges of the five fields of a cron schedule: minute, hour, day of month, month, day of week (0 and 7 are Sunday). */
const cronRanges: readonly (readonly [number, number])[] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** Whether one field of a cron schedule is `*`, numbers, ranges, lists and steps within its range. */
function cronFieldValid(field: string, [min, max]: readonly [number, number]): boolean {
    return field.split(",").every((part) => {
        const match = /^(\*|([0-9]+)(-([0-9]+))?)(\/([1-9][0-9]*))?$/.exec(part);
        if (!match) return false;
        const bounds = [match[2], match[4]].filter((v) => v !== undefined).map(Number);
        return bounds.every((n) => n >= min && n <= max) && (bounds.length < 2 || bounds[0] <= bounds[1]);
    });
}

/** Whether `schedule` is a standard five-field cron schedule, as a CronJob's spec.schedule takes it. */
export function isCronSchedule(schedule: string): boolean {
    const fields = schedule.trim().split(/\s+/);
    return fields.length === 5 && fields.every((field, i) => cronFieldValid(field, cronRanges[i]));
}

/** A five-field cron schedule, in the cluster's time zone (UTC on most clusters). */
export const cronSchedule = z.string().refine(isCronSchedule, { error: "a cron schedule of five fields such as \"0 3 * * *\" (minute hour day-of-month month day-of-week)" });

/** A container image reference with a tag or a digest, e.g. "amazon/aws-cli:2.17.0". */
export const imageReferenceString = z
    .string()
    .regex(/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/, { error: "an image with a tag or a digest, such as \"amazon/aws-cli:2.17.0\"" });
