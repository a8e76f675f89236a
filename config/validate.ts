/**
 * The validation of the raw stack config: each section parsed on its own by its schema, then the
 * rules across keys and sections, every problem gathered into one list. Pure: no engine, no SDK.
 */
import { z } from "../validation/zod";
import { builtinSecrets } from "../lib/builtin-secrets";
import { postgresqlProblems, redisProblems } from "../data-tier/data-tier.rules";
import { checkNameProblems, namespaceNameProblems, releaseNameProblems, secretObjectNameProblems } from "../platform/names.rules";
import { Problem, RawConfig, closeMatch, described, problemsOf, sortProblems } from "../validation/problem";
import { disabledStoreProblems, featureProblems, ingressConflictProblems, nameOverrideProblems, serviceProblems, serviceSecurityProblems } from "../application/service.rules";
import { grafanaProblems, monitoringProblems, observabilityProblems } from "../observability/monitoring.rules";
import { alertmanagerProblems, alertsEnabled, sloProblems } from "../observability/alerting.rules";
import { alertmanagerEntries } from "../observability/alerting.schema";
import { namespaceSecurityProblems, podSecurityLevel } from "../platform/namespace.rules";
import { plainSecretProblems } from "../validation/common-rules";
import { ServiceConfig, serviceName, serviceProfiles, serviceSchema, withDomainHost } from "../application/service.schema";
import { postgresqlProfiles, redisProfiles } from "../data-tier/data-tier.schema";
import { withProfile } from "../lib/objects";
import { ValidatedConfig, configSchema } from "./schema";
import { catalogConfigKeys, secretCatalog } from "../secrets/secret-catalog.resolve";
import { secretsProblems } from "../secrets/secrets.rules";
import { logsProblems, logsSecretProblems } from "../observability/logs/logs.rules";
import { monitoringSecretUses } from "../observability/logs/logs.schema";
import { routeConflictProblems, routeProblems } from "../application/route.rules";
import { attachmentProblems, gatewayProblems } from "../network/gateway.rules";
import { instanceOf } from "../platform/names.rules";
import { releaseProblems } from "../delivery/release.rules";

/**
 * The stack secret config keys the catalog reads (every entry's config key but a section's), or
 * undefined while the secrets section doesn't parse (its problems are reported with it).
 */
function stackSecretKeys(raw: RawConfig): string[] | undefined {
    const parsed = configSchema.shape.secrets.safeParse(raw.values.secrets);
    return parsed.success ? catalogConfigKeys(secretCatalog(parsed.data)).filter((key) => !(key in configSchema.shape)) : undefined;
}

/** Catalog keys set in plaintext, and other keys set as secrets. With the catalog unknown, only the built-in keys are judged. */
function secretHandlingProblems(raw: RawConfig, catalogKeys: readonly string[] | undefined): Problem[] {
    const known = catalogKeys ?? builtinSecrets.map((b) => b.name);
    const problems: Problem[] = [];
    for (const key of Object.keys(raw.values)) {
        const mustBeSecret = known.includes(key);
        if (mustBeSecret && !raw.secretKeys.has(key)) {
            problems.push({ key, given: described("a plaintext value"), expected: `a secret: pulumi config set --secret ${key} <value>` });
        } else if (!mustBeSecret && raw.secretKeys.has(key) && catalogKeys !== undefined) {
            problems.push({
                key,
                given: described("a secret value"),
                expected: `a plain value: secrets belong only in the secret catalog's config keys (${known.join(", ")}; secrets.entries declares more), each set with pulumi config set --secret`,
            });
        }
    }
    return problems;
}

/** Whatever of the config parsed: each top-level section, and each service, on its own. */
type ParsedConfig = Partial<Omit<ValidatedConfig, "services">> & {
    services: Record<string, ServiceConfig>;
    serviceNames: string[];
    /** Whether every service parsed: rules that conclude from what no service needs wait until then. */
    servicesComplete: boolean;
};

/** The value without the keys the issues report as unknown. */
function withoutUnknownKeys(value: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
    const copy = structuredClone(value);
    for (const issue of issues) {
        if (issue.code !== "unrecognized_keys") continue;
        const parent = issue.path.reduce<unknown>((at, segment) => (at as Record<PropertyKey, unknown> | undefined)?.[segment], copy) as Record<string, unknown> | undefined;
        for (const key of issue.keys) delete parent?.[key];
    }
    return copy;
}

/**
 * Parses one section; its problems have key paths from the config's root. When only unknown keys
 * failed it, the data without them is returned too, so the rules still run on the section.
 */
function parsedWith<T>(schema: z.ZodType<T>, value: unknown, path: string[]): { data?: T; problems: Problem[] } {
    const parsed = schema.safeParse(value, { reportInput: true });
    if (parsed.success) return { data: parsed.data, problems: [] };
    const { issues } = parsed.error;
    const problems = problemsOf(configSchema, issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] })));
    const known = issues.every((issue) => issue.code === "unrecognized_keys") ? schema.safeParse(withoutUnknownKeys(value, issues)) : undefined;
    return { data: known?.success ? known.data : undefined, problems };
}

/** The services, each parsed on its own so one service's typo hides no other service's problems. */
function parseServices(value: unknown): { services: Record<string, ServiceConfig>; serviceNames: string[]; complete: boolean; problems: Problem[] } {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { services: {}, serviceNames: [], complete: false, problems: parsedWith(configSchema.shape.services, value, ["services"]).problems };
    }
    const entries = Object.entries(value);
    const problems: Problem[] = entries.length === 0 ? [{ key: "services", given: value, expected: "at least one service" }] : [];
    const services: Record<string, ServiceConfig> = {};
    for (const [name, service] of entries) {
        const validName = serviceName.safeParse(name);
        if (!validName.success) problems.push({ key: `services.${name}`, given: name, expected: validName.error.issues[0].message });
        const parsed = parsedWith(serviceSchema, withProfile(serviceProfiles, service), ["services", name]);
        problems.push(...parsed.problems);
        if (parsed.data && validName.success) services[name] = parsed.data;
    }
    const serviceNames = entries.map(([name]) => name).filter((name) => serviceName.safeParse(name).success);
    return { services, serviceNames, complete: Object.keys(services).length === entries.length, problems };
}

/** The sections whose `profile` stands for values of their own keys, applied before their defaults. */
const sectionProfiles: Partial<Record<string, Readonly<Record<string, object>>>> = { postgresql: postgresqlProfiles, redis: redisProfiles };

/** Parses every section on its own: the problems of all of them, and the sections that parsed. */
function parseConfig(plain: Record<string, unknown>): { parsed: ParsedConfig; problems: Problem[] } {
    const shape = configSchema.shape;
    const unknown = Object.keys(plain).filter((key) => !(key in shape));
    const problems = problemsOf(configSchema, unknown.length > 0 ? [{ code: "unrecognized_keys", keys: unknown, path: [], input: plain, message: "" }] : []);
    const { services, serviceNames, complete, problems: serviceProblemsFound } = parseServices(plain.services);
    problems.push(...serviceProblemsFound);
    const parsed: ParsedConfig = { services, serviceNames, servicesComplete: complete };
    for (const [key, schema] of Object.entries(shape)) {
        if (key === "services") continue;
        const profiles = sectionProfiles[key];
        const section = parsedWith(schema as z.ZodType, profiles ? withProfile(profiles, plain[key]) : plain[key], [key]);
        problems.push(...section.problems);
        if (section.data !== undefined) (parsed as Record<string, unknown>)[key] = section.data;
    }
    return { parsed, problems };
}

/** Secrets pasted into the plain settings outside the services: the providers' default models, the vector DB index. */
function plainSettingProblems(config: ParsedConfig): Problem[] {
    return [
        ...Object.entries(config.llm?.providers ?? {}).flatMap(([name, provider]) =>
            provider.defaultModel === undefined ? [] : plainSecretProblems(`llm.providers.${name}.defaultModel`, "defaultModel", provider.defaultModel)),
        ...(config.vectorDb?.index === undefined ? [] : plainSecretProblems("vectorDb.index", "index", config.vectorDb.index)),
    ];
}

/** The services held to the platform-wide settings: the namespace's Pod Security level. */
function platformServiceProblems(config: ParsedConfig): Problem[] {
    const level = podSecurityLevel(config.namespace);
    return [
        ...(config.namespace ? namespaceSecurityProblems(config.namespace) : []),
        ...nameOverrideProblems(config.services),
        ...Object.entries(config.services).flatMap(([name, service]) => [
            ...serviceSecurityProblems(`services.${name}`, service, level),
            ...featureProblems(`services.${name}`, service.settings, config.secrets?.store?.vault !== undefined),
        ]),
    ];
}

/** The rules of the secrets section and the services' secrets, once every section they read parsed. */
function secretRuleProblems(raw: RawConfig, config: ParsedConfig, catalogKeys: readonly string[]): Problem[] {
    const { secrets, llm, vectorDb, postgresql, redis } = config;
    if (!(secrets && llm && vectorDb && postgresql && redis)) return [];
    const synced = (["postgresql", "redis"] as const).filter((store) => config[store]!.enabled && config[store]!.auth.passwordSource === "external-secrets");
    return secretsProblems({
        secrets,
        enabledProviders: Object.entries(llm.providers).filter(([, p]) => p.enabled).map(([name]) => name),
        vectorDbType: vectorDb.type,
        services: config.services,
        // While the monitoring section doesn't parse, whether Alertmanager reads an entry is unknown too.
        servicesComplete: config.servicesComplete && config.monitoring !== undefined,
        setSecretKeys: new Set(catalogKeys.filter((key) => key in raw.values)),
        otherExternalSecretsUsers: synced.map((store) => `${store}.auth.passwordSource`),
        otherReceivers: config.monitoring ? { "monitoring.alertmanager.receivers": alertmanagerEntries(config.monitoring.alertmanager, config.monitoring.enabled) } : {},
        sectionKeys: Object.keys(configSchema.shape),
        otherUses: config.monitoring ? monitoringSecretUses(config.monitoring) : {},
    });
}

/** What the logs' rules read: the section, whether the stack has its own Grafana, the namespaces. */
function logsRuleInput(raw: RawConfig, monitoring: NonNullable<ParsedConfig["monitoring"]>, config: ParsedConfig) {
    return {
        logs: monitoring.logs,
        environment: config.environment ?? "production",
        stack: monitoring.enabled && monitoring.stack.enabled,
        logsNamespace: monitoring.stack.namespace,
        namespace: config.namespace?.name ?? instanceOf(raw),
    };
}

/** The rules of monitoring.logs, and the secret entries it names once the secrets section parsed. */
function logsRuleProblems(raw: RawConfig, config: ParsedConfig): Problem[] {
    if (!config.monitoring) return [];
    const input = logsRuleInput(raw, config.monitoring, config);
    return [...logsProblems(input), ...(config.secrets ? logsSecretProblems(input, secretCatalog(config.secrets)) : [])];
}

/**
 * Keys under a namespace that is a typo of the project's ("llm-platfom:monitoring"): the engine
 * hands them over, but no program reads them, so they would be ignored in silence. Other
 * namespaces (the providers': kubernetes, random, pulumi…) are other programs' settings.
 */
export function namespaceTypoProblems(raw: RawConfig): Problem[] {
    return (raw.otherKeys ?? []).flatMap((fullKey) => {
        const colon = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, colon);
        if (colon < 0 || closeMatch(namespace, [raw.project]) === undefined) return [];
        const key = fullKey.slice(colon + 1);
        return [{ key: fullKey, given: described(`a key of the namespace "${namespace}", which nothing reads`), expected: `a key of this project's namespace: did you mean "${raw.project}:${key}"?` }];
    });
}

/** The stack's Gateway, and the routes' attachment to Gateways and the data plane's admission, once the sections they read parsed. */
function routingProblems(raw: RawConfig, config: ParsedConfig): Problem[] {
    const { gateway, namespace, networkPolicy } = config;
    if (!gateway || !namespace) return [];
    return [
        ...gatewayProblems(gateway),
        ...attachmentProblems(config.services, {
            namespace: namespace.name ?? instanceOf(raw),
            namespaceLabels: namespace.create ? namespace.labels : undefined,
            gateway,
            networkPolicy,
        }),
    ];
}

/** The rules across fields and sections, on every section that parsed. */
function crossFieldProblems(raw: RawConfig, config: ParsedConfig, catalogKeys: readonly string[]): Problem[] {
    const { environment, services } = config;
    const monitoring = config.monitoring?.enabled ?? true;
    const releaseContext = { environment, argoRollouts: config.cluster?.argoRollouts ?? false, alerts: config.monitoring ? alertsEnabled(config.monitoring, environment) : false };
    const problems = [
        ...Object.entries(services).flatMap(([name, service]) => serviceProblems(`services.${name}`, service, environment, config.serviceNames)),
        ...ingressConflictProblems(services),
        ...Object.entries(services).flatMap(([name, service]) => routeProblems(`services.${name}`, service)),
        ...Object.entries(services).flatMap(([name, service]) => releaseProblems(`services.${name}`, name, service, releaseContext)),
        ...routeConflictProblems(services),
        ...routingProblems(raw, config),
        ...checkNameProblems(services),
        ...(config.monitoring ? [...monitoringProblems(config.monitoring), ...observabilityProblems(config.monitoring), ...grafanaProblems(config.monitoring), ...sloProblems(services, config.monitoring, environment), ...(config.secrets ? alertmanagerProblems(config.monitoring, secretCatalog(config.secrets).map((e) => e.name)) : [])] : []),
        ...(config.postgresql?.enabled ? [...postgresqlProblems(config.postgresql, environment, monitoring), ...releaseNameProblems(raw, "postgresql", config.postgresql)] : []),
        ...(config.redis?.enabled ? [...redisProblems(config.redis, environment, monitoring), ...releaseNameProblems(raw, "redis", config.redis)] : []),
        ...disabledStoreProblems(services, { postgresql: config.postgresql?.enabled ?? true, redis: config.redis?.enabled ?? true }),
        ...(config.namespace ? namespaceNameProblems(raw, config.namespace) : []),
        ...plainSettingProblems(config),
        ...platformServiceProblems(config),
        ...(config.vectorDb && config.vectorDb.type !== "none" && config.vectorDb.url === undefined
            ? [{ key: "vectorDb.url", given: undefined, expected: `a URL, because vectorDb.type is "${config.vectorDb.type}"` }]
            : []),
        ...(config.secrets ? secretObjectNameProblems(raw, config.secrets) : []),
        ...secretRuleProblems(raw, config, catalogKeys),
        ...logsRuleProblems(raw, config),
    ];
    return problems;
}

/**
 * Validates raw stack config: schema, defaults, cross-field rules and secret handling, all in one
 * pass: each section is parsed on its own and the rules run on every section that parsed, so a
 * typo in one place hides no problem elsewhere. Pure: returns the typed config or every problem
 * found, sorted by key path.
 */
export function validateConfig(raw: RawConfig): { config: ValidatedConfig; problems: [] } | { config?: undefined; problems: Problem[] } {
    const catalogKeys = stackSecretKeys(raw);
    const secretKeys = catalogKeys ?? builtinSecrets.map((b) => b.name);
    const plain = Object.fromEntries(Object.entries(raw.values).filter(([key]) => !secretKeys.includes(key) && !raw.secretKeys.has(key)));
    const { parsed, problems } = parseConfig(plain);
    // The rules (one host per Ingress of the stack, TLS) judge the hosts the Ingresses will have.
    parsed.services = Object.fromEntries(Object.entries(parsed.services).map(([name, service]) => [name, withDomainHost(name, service, parsed.domain)]));
    problems.push(...secretHandlingProblems(raw, catalogKeys), ...namespaceTypoProblems(raw), ...crossFieldProblems(raw, parsed, secretKeys));
    if (problems.length > 0) return { problems: sortProblems(problems) };
    // Every section parsed; the whole schema's own checks (e.g. at least one service) passed above.
    const config: Record<string, unknown> = { ...parsed };
    delete config.serviceNames;
    delete config.servicesComplete;
    return { config: config as ValidatedConfig, problems: [] };
}
