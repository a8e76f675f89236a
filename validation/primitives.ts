/**
 * The schema pieces that several config sections share, each written once: ports, names, labels,
 * quantities, durations, CIDRs, URLs, image fields. Each is the rule the Kubernetes API server (or
 * the tool downstream: Prometheus, the container runtime, ESO) applies to the field it reaches,
 * with the same limits, so a value that passes here is never refused later. A rule that applies
 * in several places is this one definition used everywhere.
 */
import { isIP } from "net";
import { Cron } from "croner";
import { z } from "./zod";
import { Environment, environments } from "../lib/environments";
import { digestPattern, isRepository, parseImageReference, registryPattern, repositoryPathPattern, tagPattern } from "../lib/image";
import { byteQuantityPattern, cpuQuantityPattern, parseDuration, promDurationPattern } from "../lib/quantity";
import { PinnedChart } from "../lib/bitnami-charts";

/** The environments, which decide the production-only rules and defaults (lib/environments.ts). */
export const environmentSchema = z.enum(environments);
export { type Environment, environments };

/** The largest int32, the type of most Kubernetes counts (replicas, seconds, thresholds). */
export const int32Max = 2_147_483_647;
export const port = z.number().int().min(1).max(65535);
/** The protocols a Service port and a NetworkPolicy port take. */
export const networkProtocol = z.enum(["TCP", "UDP", "SCTP"]);
export const positiveInt = z.number().int().min(1).max(int32Max);
export const nonNegativeInt = z.number().int().min(0).max(int32Max);

/** The Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), with their limits. */
export const nameRules = {
    /** RFC 1123 label: namespaces, label values' name parts, most names with a length limit of 63. */
    dns1123Label: { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, maxLength: 63 },
    /** RFC 1035 label: Service names (they become DNS names and must start with a letter). */
    dns1035Label: { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/, maxLength: 63 },
    /** RFC 1123 subdomain: most object names (Secrets, ConfigMaps, PriorityClasses, StorageClasses, …). */
    dns1123Subdomain: { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, maxLength: 253 },
    /** A label value: empty, or alphanumerics with "-", "_", "." inside. */
    labelValue: { pattern: /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, maxLength: 63 },
    /** The name part of a label or annotation key. */
    qualifiedName: { pattern: /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/, maxLength: 63 },
} as const;

type NameRule = keyof typeof nameRules;

/** Whether a string follows a Kubernetes name rule, length included. */
export function isName(rule: NameRule, value: string): boolean {
    return value.length <= nameRules[rule].maxLength && nameRules[rule].pattern.test(value);
}

/** A label or annotation key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function isQualifiedKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    if (slash === -1) return isName("qualifiedName", key);
    return isName("dns1123Subdomain", key.slice(0, slash)) && isName("qualifiedName", key.slice(slash + 1));
}

export const qualifiedKey = z.string().refine(isQualifiedKey, {
    error: "a label or annotation key: an optional DNS prefix and \"/\", then at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric (e.g. \"app.kubernetes.io/name\")",
});

/** A label value: at most 63 characters. */
export const labelValue = z.string().refine((v) => isName("labelValue", v), {
    error: "a label value: at most 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and ending alphanumeric",
});

/** Label maps (object labels, selectors' matchLabels). */
export const labels = z.record(qualifiedKey, labelValue);
/** Annotation maps: keys as label keys, values any text. */
export const annotations = z.record(qualifiedKey, z.string());

/**
 * A name by one of the Kubernetes name rules, at most `maxLength` characters: shorter than the
 * rule's own limit where the program derives longer names from it.
 */
export const kubernetesName = (rule: NameRule, example: string, maxLength: number = nameRules[rule].maxLength) => {
    const what = {
        dns1123Label: "a lowercase DNS label",
        dns1035Label: "a lowercase DNS label starting with a letter",
        dns1123Subdomain: "a Kubernetes object name (lowercase DNS subdomain)",
        labelValue: "a label value",
        qualifiedName: "a name",
    }[rule];
    const chars = rule === "dns1123Subdomain" ? "a-z, 0-9, '-', '.'" : "a-z, 0-9, '-'";
    return z.string().refine((v) => v.length <= maxLength && nameRules[rule].pattern.test(v), {
        error: `${what} of at most ${maxLength} characters (${chars}) such as "${example}"`,
    });
};

/** A name that becomes an object name and a label value (a namespace, a service, a component). */
export const dnsLabel = (example: string, maxLength = 63) => kubernetesName("dns1123Label", example, maxLength);

/** A Kubernetes object name (RFC 1123 subdomain), e.g. of an existing Secret, a PriorityClass, a StorageClass. */
export const objectName = (example: string) => kubernetesName("dns1123Subdomain", example);

/** A key of a Secret's data. */
export const secretDataKey = (example: string) => z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: `a Secret key such as "${example}"` });

/** A CPU quantity: cores or millicores, "500m", "2", "0.5". */
export const cpuQuantity = z
    .union([z.string(), z.number().nonnegative()])
    .transform((v) => String(v))
    .pipe(z.string().regex(cpuQuantityPattern, { error: "a CPU quantity such as \"500m\", \"2\" or \"0.5\"" }));

/** A memory or storage quantity, which needs a unit: "512Mi", "4Gi", "1G" (not "256m", 0.256 bytes, or a bare number of bytes). */
export const byteQuantity = z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .pipe(z.string().regex(byteQuantityPattern, { error: "a quantity of bytes with a unit such as \"512Mi\", \"4Gi\" or \"1G\" (Ki, Mi, Gi, Ti: powers of 1024; k, M, G, T: of 1000)" }));

/** A duration as Prometheus takes it, above zero: "15s", "1m30s", "1h". */
export const promDuration = z
    .string()
    .refine((v) => v !== "" && promDurationPattern.test(v) && parseDuration(v) > 0, { error: "a duration above zero such as \"15s\", \"1m30s\" or \"1h\" (units ms, s, m, h, d, w, y, largest first)" });

/** A Go duration as ESO's refreshInterval takes it: "1h", "15m", "1h30m"; "0" syncs once. */
export const goDuration = z.string().regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/, { error: "a duration such as \"1h\" or \"15m\" (\"0\": sync once, never refresh)" });

/** An integer, or a percentage from 0% to 100%: what PDBs and rolling updates take. */
export const intOrPercent = z.union([nonNegativeInt, z.string().regex(/^(100|[1-9]?[0-9])%$/, { error: "an integer or a percentage from \"0%\" to \"100%\"" })]);

/** Whether an IP block in CIDR notation is one the API server accepts: an address and a prefix within its family. */
export function isCidr(value: string): boolean {
    const match = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
    if (!match) return false;
    const family = isIP(match[1]);
    return family !== 0 && Number(match[2]) <= (family === 4 ? 32 : 128);
}

/** An IP block in CIDR notation. */
export const cidr = (example: string) => z.string().refine(isCidr, { error: `a CIDR such as "${example}" (an IPv4 address with a prefix of 0-32, or IPv6 with 0-128)` });

/** A DNS host name (RFC 1123 subdomain, any case). */
export const hostName = z.string().refine((v) => isName("dns1123Subdomain", v.toLowerCase()), { error: "a host name such as \"db.example.com\"" });

/** An Ingress host: a lowercase DNS name, optionally with a leading "*." wildcard. */
export const ingressHost = z
    .string()
    .refine((v) => isName("dns1123Subdomain", v.replace(/^\*\./, "")) && v.replace(/^\*\./, "").split(".").every((l) => l.length <= 63), {
        error: "a lowercase host name such as \"api.example.com\" (or \"*.example.com\"), at most 253 characters",
    });

/**
 * A Gateway API hostname (HTTPRoute, GRPCRoute, a Listener): a lowercase DNS name, its leftmost
 * label optionally the wildcard "*." and nowhere else; no IP address, no port, at most 253
 * characters (the CRD's pattern `^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`).
 */
export const gatewayHostname = z
    .string()
    .refine((v) => v.length <= 253 && /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) && !/^[0-9.]+$/.test(v), {
        error: "a lowercase host name such as \"api.example.com\" (or \"*.example.com\": a wildcard only as the whole first label), at most 253 characters, no IP address",
    });

/** A Gateway API Duration (GEP-2257): one to four number-unit pairs of h, m, s or ms, such as "300s" or "1m30s". */
export const gatewayDuration = z.string().regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, { error: "a Gateway API duration such as \"300s\", \"5m\" or \"1m30s\" (h, m, s, ms; at most 5 digits a unit)" });

/** An HTTP path as an Ingress's Prefix and Exact paths take it: absolute, without "//", "/./", "/../" or "%2f". */
export const ingressPath = z
    .string()
    .refine((v) => v.startsWith("/") && !/\/\/|\/\.\.?(\/|$)|%2f/i.test(v), { error: "an absolute path such as \"/\" or \"/api\", without \"//\", \"/./\", \"/../\" or \"%2f\"" });

/** An HTTP(S) URL with a host: its port (or the scheme's) is what the NetworkPolicy opens. */
export const url = (example: string) =>
    z.string().refine(
        (v) => {
            try {
                const parsed = new URL(v);
                return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.hostname !== "";
            } catch {
                return false;
            }
        },
        { error: `an http:// or https:// URL with a host, such as "${example}"` },
    );

/** An image repository with its registry, and no tag: "ghcr.io/acme/llm-orchestrator". */
export const imageRepository = (example: string) =>
    z.string().refine(isRepository, { error: `an image repository without a tag, such as "${example}" (lowercase path; the tag and digest are keys of their own)` });

/** A repository path without a registry: "bitnamilegacy/postgresql". */
export const repositoryPath = (example: string) =>
    z.string().refine((v) => v.length <= 255 && repositoryPathPattern.test(v), { error: `an image repository without registry or tag, such as "${example}"` });

/** An image registry host, with an optional port: "docker.io", "registry.internal:5000". */
export const imageRegistry = z.string().regex(registryPattern, { error: "a registry host such as \"docker.io\" or \"registry.internal:5000\"" });

/** An image tag. */
export const imageTag = (example: string) => z.string().regex(tagPattern, { error: `an image tag such as "${example}"` });

/** An image content digest. */
/** The name of a setting the ConfigMap carries, a variable in UPPER_SNAKE_CASE. */
export const settingName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "an environment variable name in UPPER_SNAKE_CASE" });

export const imageDigest = z.string().regex(digestPattern, { error: "a digest such as \"sha256:<64 hex digits>\"" });

/** A whole image reference, "busybox:1.37.0" or "repository@sha256:…", as the runtime parses it. */
export const imageReference = (example: string) =>
    z.string().refine((v) => parseImageReference(v) !== undefined, { error: `an image reference such as "${example}"` });

/** Raw Kubernetes objects handed through unchanged (escape hatches); only their shape is checked. */
export const rawObject = z.record(z.string(), z.unknown());
export const namedRawObject = z.looseObject({ name: z.string().min(1) });

/** The ranges of the five fields of a cron schedule: minute, hour, day of month, month, day of week (0 and 7 are Sunday). */
/** The schedules the controller's parser (robfig/cron's standard parser) names. */
export const cronDescriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;

/**
 * Whether `schedule` is what a CronJob's spec.schedule takes: one of the descriptors, "@every
 * <duration>", or five fields checked by croner (a maintained cron parser). The controller's parser
 * is stricter than croner in four ways, held here: no seconds or year field, no L or W in the day of
 * the month, no L or # in the day of the week, and a day of the week from 0 to 6. A TZ= prefix is
 * refused too: the CronJobs pin spec.timeZone, and the API server refuses both at once.
 */
export function isCronSchedule(schedule: string): boolean {
    const text = schedule.trim();
    if ((cronDescriptors as readonly string[]).includes(text)) return true;
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) return /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(every[1]) && /[1-9]/.test(every[1]);
    const fields = text.split(/\s+/);
    if (fields.length !== 5 || /[LW]/i.test(fields[2]) || /[L#]/i.test(fields[4])) return false;
    if ((fields[4].match(/[0-9]+/g) ?? []).some((day) => Number(day) > 6)) return false;
    try {
        new Cron(text, { paused: true, legacyMode: true });
        return true;
    } catch {
        return false;
    }
}

/** A schedule as a CronJob takes it; the CronJobs that take one pin their time zone to UTC. */
export const cronSchedule = z.string().refine(isCronSchedule, {
    error: `a schedule the CronJob controller accepts: five fields such as "0 3 * * *" (minute hour day-of-month month day-of-week, the day of the week 0-6 or SUN-SAT), ${cronDescriptors.filter((d) => d !== "@annually" && d !== "@midnight").join(", ")} or @every <duration>`,
});

/** A container image reference with a tag or a digest, e.g. "amazon/aws-cli:2.17.0". */
export const imageReferenceString = z
    .string()
    .regex(/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/, { error: "an image with a tag or a digest, such as \"amazon/aws-cli:2.17.0\"" });

/** An absolute path in a container, such as a mount path: starts with "/", no ":" (the runtime's separator). */
export const absolutePath = (example: string) =>
    z.string().refine((v) => /^\/[^:]*$/.test(v) && !/(^|\/)\.\.(\/|$)/.test(v), { error: `an absolute path such as "${example}", without ":" or ".."` });

/** A Linux capability as a securityContext names it: "NET_BIND_SERVICE" (no "CAP_" prefix). */
export const capabilityName = z.string().regex(/^[A-Z][A-Z_]*[A-Z]$/, { error: "a capability name such as \"NET_BIND_SERVICE\" (upper case, without \"CAP_\")" });

/** A port number or an IANA_SVC_NAME of a container port ("http"): what probes and Services target. */
export const portNameOrNumber = z.union([
    port,
    z.string().refine((v) => v.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) && /[a-z]/.test(v) && !v.includes("--"), {
        error: "a port number or a port name of at most 15 characters (a-z, 0-9, '-', at least one letter) such as \"http\"",
    }),
]);

/** A Service's nodePort: the API server's default range 30000-32767. */
export const nodePort = z.number().refine((v) => Number.isInteger(v) && v >= 30000 && v <= 32767, { error: "a node port from 30000 to 32767 (the API server's default --service-node-port-range)" });

/** An environment variable name in UPPER_SNAKE_CASE. */
/** A DNS domain the stack's hosts are made under: a lowercase DNS-1123 subdomain, as the API server checks an Ingress host, without a wildcard. */
export const dnsDomain = z.string().refine((v) => isName("dns1123Subdomain", v) && v.split(".").every((label) => label.length <= 63), {
    error: "a DNS domain such as \"llm.example.com\": a lowercase DNS subdomain (a-z, 0-9, '-', '.', labels of at most 63 characters starting and ending alphanumeric) of at most 253 characters, without a wildcard",
});

/** The sizes a service or a data store can take (`profile`), each section's own values. */
export const profileNames = ["small", "medium", "large"] as const;
export type ProfileName = (typeof profileNames)[number];
export const profileName = z.enum(profileNames);

export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "an environment variable name in UPPER_SNAKE_CASE" });

/** An HTTP header name (an RFC 7230 token). */
export const httpHeaderName = z.string().regex(/^[-!#$%&'*+.^_`|~0-9A-Za-z]+$/, { error: "an HTTP header name such as \"X-Probe\"" });


/** Where a pinned chart comes from: its repository, name and version, or a local directory. */
export const chartSchema = (chart: Pick<PinnedChart<string>, "repository" | "name" | "version">) =>
    z
        .strictObject({
            /** An OCI registry path (oci://…) or a Helm repository URL (https://…) holding the chart, e.g. an internal mirror. */
            repository: z.string().regex(/^(oci|https?):\/\/\S+$/, { error: "an oci:// or https:// chart repository" }).default(chart.repository),
            /** The chart's name in that repository. */
            name: z.string().min(1).default(chart.name),
            /** The chart version; the program is tested against the default. */
            version: z.string().min(1).default(chart.version),
            /** A local chart directory or .tgz, used instead of the repository (air-gapped installs). */
            path: z.string().min(1).optional(),
        })
        .prefault({});
