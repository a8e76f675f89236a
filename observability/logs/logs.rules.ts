/** The rules of `monitoring.logs`: a destination, object storage where Loki needs it, a retention Loki keeps, credentials the collector can read. */
import { parseDuration } from "../../lib/quantity";
import { Problem } from "../../validation/problem";
import type { SecretEntry } from "../../secrets/secret-catalog.resolve";
import type { LogsConfig, ObjectStorageConfig } from "./logs.schema";
import { lokiDeploymentMode, logsSecretUses, ownsLoki } from "./logs.schema";

/** What the logs' rules read beside the section. */
export interface LogsRuleInput {
    readonly logs: LogsConfig;
    readonly environment: string;
    /** monitoring.enabled and monitoring.stack.enabled: the stack has its own Grafana, which its own Loki goes with. */
    readonly stack: boolean;
    /** The monitoring namespace (monitoring.stack.namespace), where the collector runs, and the stack's own. */
    readonly logsNamespace: string;
    readonly namespace: string;
}

const day = parseDuration("24h");

function objectStorageProblems(o: ObjectStorageConfig): Problem[] {
    const at = "monitoring.logs.loki.objectStorage";
    const problems: Problem[] = [];
    const s3Only = ["endpoint", "region", "accessKeyIdEntry", "secretAccessKeyEntry"] as const;
    const azureOnly = ["accountName", "accountKeyEntry"] as const;
    const foreign = [...(o.type === "s3" ? [] : s3Only), ...(o.type === "azure" ? [] : azureOnly)];
    for (const field of foreign) if (o[field] !== undefined) problems.push({ key: `${at}.${field}`, given: o[field], expected: `nothing, because ${at}.type is "${o.type}"` });
    if (o.type === "s3" && (o.accessKeyIdEntry === undefined) !== (o.secretAccessKeyEntry === undefined)) {
        const missing = o.accessKeyIdEntry === undefined ? "accessKeyIdEntry" : "secretAccessKeyEntry";
        problems.push({ key: `${at}.${missing}`, given: undefined, expected: "an entry too: both accessKeyIdEntry and secretAccessKeyEntry, or neither (the pods' own identity, e.g. IRSA)" });
    }
    if (o.type === "azure" && o.accountName === undefined) problems.push({ key: `${at}.accountName`, given: undefined, expected: 'the storage account, because monitoring.logs.loki.objectStorage.type is "azure"' });
    return problems;
}

function destinationProblems(logs: LogsConfig): Problem[] {
    const d = logs.destination;
    if (d === undefined) return [];
    const at = "monitoring.logs.destination";
    const problems: Problem[] = [];
    if (d.type === "otlp" && d.tenantId !== undefined) problems.push({ key: `${at}.tenantId`, given: d.tenantId, expected: 'nothing, because monitoring.logs.destination.type is "otlp": a tenant is a Loki header (X-Scope-OrgID)' });
    if (d.basicAuth !== undefined && d.bearerTokenEntry !== undefined) problems.push({ key: `${at}.bearerTokenEntry`, given: d.bearerTokenEntry, expected: "nothing, because monitoring.logs.destination.basicAuth is set: one of basicAuth or bearerTokenEntry" });
    if (d.type === "loki" && !new URL(d.url).pathname.endsWith("/loki/api/v1/push")) {
        problems.push({ key: `${at}.url`, given: d.url, expected: 'Loki\'s push URL, ending in "/loki/api/v1/push"' });
    }
    return problems;
}

/** Problems of `monitoring.logs`. */
export function logsProblems(input: LogsRuleInput): Problem[] {
    const { logs } = input;
    if (!logs.enabled) return [];
    const problems: Problem[] = [];
    if (!input.stack && logs.destination === undefined) {
        problems.push({
            key: "monitoring.logs.destination",
            given: undefined,
            expected: "an existing Loki or OTLP endpoint ({type, url}), because monitoring.logs.enabled is true and monitoring.stack.enabled is false: without the monitoring stack the stack has no Loki of its own to ship to",
        });
    }
    if (parseDuration(logs.retention) < day) problems.push({ key: "monitoring.logs.retention", given: logs.retention, expected: 'at least "24h": Loki\'s compactor deletes logs by the day' });
    if (input.logsNamespace === input.namespace) {
        problems.push({
            key: "monitoring.stack.namespace",
            given: input.logsNamespace,
            expected: `a namespace other than the stack's own ("${input.namespace}"), because monitoring.logs.enabled is true: the collector reads /var/log/pods through a hostPath, which only Pod Security level "privileged" admits`,
        });
    }
    if (ownsLoki(input)) {
        const mode = lokiDeploymentMode(logs, input.environment);
        const why = logs.loki.deploymentMode === undefined ? `monitoring.logs.loki.deploymentMode is unset, so "SimpleScalable" outside development` : 'monitoring.logs.loki.deploymentMode is "SimpleScalable"';
        if (mode === "SimpleScalable" && logs.loki.objectStorage === undefined) {
            problems.push({ key: "monitoring.logs.loki.objectStorage", given: undefined, expected: `the object storage Loki keeps its chunks in ({type, buckets: {chunks, ruler}}), because ${why}: its read, write and backend pods share no volume` });
        }
        if (logs.loki.objectStorage !== undefined) problems.push(...objectStorageProblems(logs.loki.objectStorage));
    }
    return [...problems, ...destinationProblems(logs)];
}

/**
 * The entries the logs name: entries of the catalog whose value the collector (or Loki) can read
 * in the monitoring namespace: from stack config (the program writes the Secret there) or an
 * existing Secret (which must be there). ESO's ExternalSecrets are the stack namespace's.
 */
export function logsSecretProblems(input: Pick<LogsRuleInput, "logs" | "stack">, catalog: readonly SecretEntry[]): Problem[] {
    return Object.entries(logsSecretUses(input.logs, ownsLoki(input))).flatMap(([name, key]): Problem[] => {
        const entry = catalog.find((e) => e.name === name);
        if (entry === undefined) return [{ key, given: name, expected: `an entry of the secret catalog (${catalog.map((e) => e.name).join(", ")}), or one declared in secrets.entries` }];
        if (entry.location.kind === "external-secrets") {
            return [{ key, given: name, expected: `an entry from stack config or an existing Secret: ${name} comes from the secret manager (${entry.location.at}), which the program syncs into the stack's namespace only, not the monitoring namespace` }];
        }
        if (entry.location.kind === "existing" && !entry.location.at.startsWith("secrets.entries.")) {
            return [{ key, given: name, expected: `an entry with a place of its own (secrets.entries.${name}.configKey, or .existingSecret naming a Secret in the monitoring namespace): ${entry.location.at} is a key of the stack namespace's Secret, which the collector can't read` }];
        }
        return [];
    });
}
