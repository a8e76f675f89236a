/**
 * The application secrets the program knows of itself, and how every secret entry is named: the
 * LLM providers' keys, the vector DB key and the app's own key are the built-in entries of the
 * stack's secret catalog (`secrets.entries`), which a stack extends with its own (JWT_SECRET,
 * SMTP_PASSWORD, …). The config schema, the rules of which secrets a stack needs, the Secret's
 * data, the ExternalSecret and the pods' env are all derived from the catalog.
 */

/** The LLM providers the platform can call. */
export const llmProviders = ["anthropic", "openai", "cohere"] as const;
export type LlmProvider = (typeof llmProviders)[number];

/** What a service's `connectsTo` says it uses, which decides the built-in entries it receives by default. */
export type SecretUse = "llmProviders" | "vectorDb";

/** A built-in entry of the secret catalog. */
export interface BuiltinSecret {
    /** The entry's name, which is also its stack secret config key by default, e.g. "anthropicApiKey". */
    readonly name: string;
    /** The services whose `connectsTo` has this flag receive the entry unless they list their own. */
    readonly receivedBy: SecretUse;
    /**
     * The dependency the secret belongs to: only a service that uses it may receive it, and the
     * stack has the entry only while the dependency is on (the provider enabled, a vector DB set).
     */
    readonly belongsTo?: { readonly use: SecretUse; readonly provider?: LlmProvider };
}

/** The name of the vector DB key's entry, which the provider's own variable (PINECONE_API_KEY, …) repeats. */
export const vectorDbKeyEntry = "vectorDbApiKey";

/** The built-in entries, in the order the pods receive them; a stack's own entries follow. */
export const builtinSecrets: readonly BuiltinSecret[] = [
    ...llmProviders.map((provider): BuiltinSecret => ({ name: `${provider}ApiKey`, receivedBy: "llmProviders", belongsTo: { use: "llmProviders", provider } })),
    { name: vectorDbKeyEntry, receivedBy: "vectorDb", belongsTo: { use: "vectorDb" } },
    { name: "appSecretKey", receivedBy: "llmProviders" },
];

/** The built-in entry whose variable `env` is, if any: ANTHROPIC_API_KEY is anthropicApiKey's, PINECONE_API_KEY the vector DB key's. */
export function builtinSecretOfEnv(env: string): string | undefined {
    const own = builtinSecrets.find((b) => defaultSecretEnv(b.name) === env)?.name;
    return own ?? (Object.values(vectorDbProviderEnv).some((names) => names.apiKey === env) ? vectorDbKeyEntry : undefined);
}

/** An entry's name: camelCase, as a top-level stack config key is written. */
export const secretEntryNamePattern = /^[a-z][a-zA-Z0-9]{0,62}$/;

/** The variable an entry reaches the pods as, unless it names its own: "jwtSecret" is JWT_SECRET. */
export function defaultSecretEnv(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/**
 * The variable a feature flag (`services.<name>.features`) reaches the pods as: "rateLimiting",
 * "rate-limiting" and "rate_limiting" are all FEATURE_RATE_LIMITING, "HTTPCache" FEATURE_HTTP_CACHE.
 */
export function featureEnvName(flag: string): string {
    return `FEATURE_${flag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").replace(/-/g, "_").toUpperCase()}`;
}

/**
 * The entry's key in the Secret the program writes or ESO syncs: "jwtSecret" is "jwt-secret".
 * Distinct names give distinct keys (a name holds no "-").
 */
export function secretDataKeyOf(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The vector databases, and the names their own client libraries read beside the generic VECTOR_DB_*. */
export const vectorDbProviderEnv = {
    pinecone: { url: "PINECONE_HOST", index: "PINECONE_INDEX", apiKey: "PINECONE_API_KEY" },
    qdrant: { url: "QDRANT_URL", index: "QDRANT_COLLECTION", apiKey: "QDRANT_API_KEY" },
    weaviate: { url: "WEAVIATE_URL", index: "WEAVIATE_CLASS", apiKey: "WEAVIATE_API_KEY" },
} as const;
export type VectorDbType = keyof typeof vectorDbProviderEnv;

/**
 * Every variable the program sets in a service's container itself, from its ConfigMap and Secret
 * references, whatever the settings: a secret entry's variable must be none of these, or one would
 * silently hide the other. (tests/application-specs.test.ts checks the application's env against it.)
 */
export const programEnvNames: readonly string[] = [
    "ENVIRONMENT", "LOG_LEVEL", "LOG_FORMAT", "HTTP_PORT", "METRICS_ENABLED", "METRICS_PORT", "METRICS_PATH", "WORKFLOW_TIMEOUT_SECONDS", "WORKFLOW_TIMEOUT", "TMPDIR", "XDG_CACHE_HOME",
    "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_READ_HOST", "DATABASE_PASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD",
    "LLM_PROVIDERS", ...llmProviders.map((p) => `${p.toUpperCase()}_DEFAULT_MODEL`),
    "VECTOR_DB_TYPE", "VECTOR_DB_URL", "VECTOR_DB_INDEX", ...Object.values(vectorDbProviderEnv).flatMap((names) => Object.values(names)),
    "RATE_LIMIT_ENABLED", "RATE_LIMIT_REQUESTS_PER_MINUTE", "TRACING_ENABLED", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "VAULT_ADDR", "VAULT_ROLE", "VAULT_PATH", "VAULT_SECRET_PATH",
];
