/** The application settings every service is told about: the LLM providers (`llm`) and the vector database (`vectorDb`). */
import { z } from "../validation/zod";
import { llmProviders, vectorDbProviderEnv, VectorDbType } from "../lib/builtin-secrets";
import { url } from "../validation/primitives";


const providerSchema = z.strictObject({
    /** Send this provider's API key to the services that use LLMs. */
    enabled: z.boolean().default(false),
    /** The model the application uses by default with this provider (ConfigMap, optional). */
    defaultModel: z.string().min(1).optional(),
});

export const llmSchema = z.strictObject({
    providers: z
        .strictObject(Object.fromEntries(llmProviders.map((p) => [p, providerSchema.prefault({})])) as Record<(typeof llmProviders)[number], z.ZodPrefault<typeof providerSchema>>)
        .prefault({}),
});

export const vectorDbSchema = z.strictObject({
    /** Which vector database the application uses. */
    type: z.enum(["none", ...(Object.keys(vectorDbProviderEnv) as VectorDbType[])]).default("none"),
    /** Its URL (Pinecone: the index host URL). */
    url: url("https://qdrant.example.com:6333").optional(),
    /** The index or collection name. */
    index: z.string().min(1).optional(),
    /** Also the provider's own names (PINECONE_API_KEY, QDRANT_URL, WEAVIATE_URL, …) beside the generic VECTOR_DB_*. */
    providerEnvNames: z.boolean().default(false),
});
export type LlmConfig = z.infer<typeof llmSchema>;
export type VectorDbConfig = z.infer<typeof vectorDbSchema>;
