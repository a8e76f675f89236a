export * from "./labels";
export * from "./types";
export * from "./application-specs";
export * from "./application";
export * from "./app-secrets";
export * from "./platform-namespace";
export * from "./postgres-database";
export * from "./redis-cache";
