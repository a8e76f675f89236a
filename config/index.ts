/**
 * The only reader of the stack config, and its front door. `loadConfig()` turns the raw stack
 * config into one typed, validated and resolved object, or throws one ConfigError that lists every
 * problem, before any resource exists. Components never read config: index.ts hands them the
 * resolved values.
 */
import * as pulumi from "@pulumi/pulumi";
import { DataStoreKind, maxReleaseNameLength } from "../lib/bitnami-charts";
import { secretKeys } from "../lib/secret-catalog";
import { dataTierProblems } from "./data-tier";
import { ConfigError, Problem, RawConfig, problemsOf, readEngineConfig } from "./problem";
import { PlatformConfig, resolveConfig } from "./resolve";
import { monitoringProblems, serviceProblems } from "./rules";
import { ValidatedConfig, configSchema } from "./schema";
import { secretsProblems } from "./secrets";

export * from "./schema";
export { SecretKey, SecretsConfig, StoreConfig, RemoteRefConfig, secretKeys, secretsProblems } from "./secrets";
export { ConfigError, Problem, RawConfig, formatProblems } from "./problem";
export * from "./resolve";

/** Secret keys set in plaintext, and plain keys set as secrets. */
function secretHandlingProblems(raw: RawConfig): Problem[] {
    const problems: Problem[] = [];
    for (const key of Object.keys(raw.values)) {
        const mustBeSecret = (secretKeys as readonly string[]).includes(key);
        if (mustBeSecret && !raw.secretKeys.has(key)) {
            problems.push({ key, given: "a plaintext value", expected: `a secret: pulumi config set --secret ${key} <value>` });
        } else if (!mustBeSecret && raw.secretKeys.has(key)) {
            problems.push({
                key,
                given: "a secret value",
                expected: `a plain value: secrets belong only in ${secretKeys.join(", ")}, each set with pulumi config set --secret`,
            });
        }
    }
    return problems;
}

/** The data stores' release names must fit the charts' object names; the stack name decides them. */
function releaseNameProblems(raw: RawConfig, config: ValidatedConfig): Problem[] {
    const instance = `${raw.project}-${raw.stack}`;
    return (["postgresql", "redis"] as DataStoreKind[])
        .filter((store) => config[store].mode === "in-cluster" && `${instance}-${store}`.length > maxReleaseNameLength)
        .map((store) => ({
            key: `${store}.mode`,
            given: "in-cluster",
            expected: `a stack name of at most ${maxReleaseNameLength - raw.project.length - store.length - 2} characters, because the release name "${instance}-${store}" must fit in ${maxReleaseNameLength} (the chart's object names); or mode "external"`,
        }));
}

/** The rules across fields and sections, on config that passed the schema. */
function crossFieldProblems(raw: RawConfig, config: ValidatedConfig): Problem[] {
    const names = Object.keys(config.services);
    const synced = (["postgresql", "redis"] as const).filter((store) => config[store].auth.passwordSource === "external-secrets");
    return [
        ...Object.entries(config.services).flatMap(([name, service]) => serviceProblems(`services.${name}`, service, config.environment, names)),
        ...monitoringProblems(config.monitoring),
        ...dataTierProblems(config),
        ...releaseNameProblems(raw, config),
        ...secretsProblems({
            secrets: config.secrets,
            enabledProviders: Object.entries(config.llm.providers).filter(([, p]) => p.enabled).map(([name]) => name),
            vectorDbType: config.vectorDb.type,
            setSecretKeys: new Set(secretKeys.filter((key) => key in raw.values)),
            otherExternalSecretsUsers: synced.map((store) => `${store}.auth.passwordSource`),
        }),
        ...(config.vectorDb.type !== "none" && config.vectorDb.url === undefined
            ? [{ key: "vectorDb.url", given: undefined, expected: `a URL, because vectorDb.type is "${config.vectorDb.type}"` }]
            : []),
    ];
}

/**
 * Validates raw stack config: schema, defaults, cross-field rules and secret handling. Pure:
 * returns the typed config or every problem found.
 */
export function validateConfig(raw: RawConfig): { config: ValidatedConfig; problems: [] } | { config?: undefined; problems: Problem[] } {
    const problems = secretHandlingProblems(raw);
    const plain = Object.fromEntries(Object.entries(raw.values).filter(([key]) => !(secretKeys as readonly string[]).includes(key) && !raw.secretKeys.has(key)));
    const parsed = configSchema.safeParse(plain, { reportInput: true });
    if (!parsed.success) {
        return { problems: [...problems, ...problemsOf(configSchema, parsed.error.issues)] };
    }
    problems.push(...crossFieldProblems(raw, parsed.data));
    return problems.length > 0 ? { problems } : { config: parsed.data, problems: [] };
}

/** Reads, validates and resolves this stack's config; throws a ConfigError listing every problem. */
export function loadConfig(): PlatformConfig {
    const raw = readEngineConfig();
    const result = validateConfig(raw);
    if (!result.config) {
        throw new ConfigError(raw.stack, result.problems);
    }
    const config = new pulumi.Config();
    const secretValues = Object.fromEntries(secretKeys.flatMap((key) => {
        const value = config.getSecret(key);
        return value === undefined ? [] : [[key, value]];
    }));
    return resolveConfig(result.config, raw, secretValues);
}
