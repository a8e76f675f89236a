/** The data tier: PostgreSQL and Redis, in the cluster from their charts or external. */
export { PostgresDatabase, type PostgresDatabaseArgs } from "./postgres-database";
export { RedisCache, type RedisCacheArgs } from "./redis-cache";
