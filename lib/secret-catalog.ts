/**
 * The application secrets, written once: the LLM providers and, for each secret, its config key,
 * the environment variable the pods read, its key in the Secret, and which services receive it.
 * The config schema, the rules of which secrets a stack needs, the Secret's data and the pods' env
 * are all derived from this list.
 */

/** The LLM providers the platform can call. */
export const llmProviders = ["anthropic", "openai", "cohere"] as const;
export type LlmProvider = (typeof llmProviders)[number];

/** Which services receive a secret: those calling LLM providers, those using the vector DB, or all. */
export type SecretAudience = "llmProviders" | "vectorDb" | "all";

/** One application secret. */
export interface AppSecretDefinition<K extends string = string> {
    /** The stack's secret config key (`pulumi config set --secret <configKey>`), e.g. "anthropicApiKey". */
    readonly configKey: K;
    /** The environment variable the pods read, e.g. "ANTHROPIC_API_KEY". */
    readonly env: string;
    /** The key in the Secret the program creates or syncs, e.g. "anthropic-api-key". */
    readonly dataKey: string;
    /** Which services receive it. */
    readonly audience: SecretAudience;
    /** The provider whose key it is; the secret is needed exactly when that provider is enabled. */
    readonly provider?: LlmProvider;
}

function providerSecret<P extends LlmProvider>(provider: P): AppSecretDefinition<`${P}ApiKey`> {
    return { configKey: `${provider}ApiKey`, env: `${provider.toUpperCase()}_API_KEY`, dataKey: `${provider}-api-key`, audience: "llmProviders", provider };
}

/** The vector databases, and the names their own client libraries read beside the generic VECTOR_DB_*. */
export const vectorDbProviderEnv = {
    pinecone: { url: "PINECONE_HOST", index: "PINECONE_INDEX", apiKey: "PINECONE_API_KEY" },
    qdrant: { url: "QDRANT_URL", index: "QDRANT_COLLECTION", apiKey: "QDRANT_API_KEY" },
    weaviate: { url: "WEAVIATE_URL", index: "WEAVIATE_CLASS", apiKey: "WEAVIATE_API_KEY" },
} as const;
export type VectorDbType = keyof typeof vectorDbProviderEnv;

/** The stack's secret config keys: the only keys that may (and must) be set with --secret. */
export type SecretKey = `${LlmProvider}ApiKey` | "vectorDbApiKey" | "appSecretKey";

/** Every application secret, in the order the pods receive them. */
export const appSecretCatalog: readonly AppSecretDefinition<SecretKey>[] = [
    ...llmProviders.map(providerSecret),
    { configKey: "vectorDbApiKey", env: "VECTOR_DB_API_KEY", dataKey: "vector-db-api-key", audience: "vectorDb" },
    { configKey: "appSecretKey", env: "APP_SECRET_KEY", dataKey: "app-secret-key", audience: "all" },
];

export const secretKeys: readonly SecretKey[] = appSecretCatalog.map((s) => s.configKey);
