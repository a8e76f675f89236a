/** The data tier: PostgreSQL and Redis, in the cluster from their charts or external. */
export { PostgresDatabase } from "./postgres-database";
export { type PostgresDatabaseArgs } from "./data-tier.args";
export { RedisCache } from "./redis-cache";
export { type RedisCacheArgs } from "./data-tier.args";
