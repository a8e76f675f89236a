/**
 * Memory sizes as PostgreSQL and Redis write them, which are not Kubernetes quantities:
 * PostgreSQL's "kB", "MB", "GB", "TB" are powers of 1024; Redis's "k", "m", "g" are powers of 1000
 * and "kb", "mb", "gb" powers of 1024, case-insensitive. Config checks them against a container's
 * memory limit (a Kubernetes quantity, lib/quantity.ts).
 */

/** What a PostgreSQL memory setting with a unit looks like: "128MB", "4GB", "64kB". */
export const postgresMemoryPattern = /^[0-9]+(kB|MB|GB|TB)$/;

/** What a Redis memory setting looks like: "512mb", "2gb", "100000000". */
export const redisMemoryPattern = /^[0-9]+([kmg]b?)?$/i;

const postgresUnits: Record<string, number> = { kB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };
const redisUnits: Record<string, number> = { "": 1, k: 1e3, kb: 2 ** 10, m: 1e6, mb: 2 ** 20, g: 1e9, gb: 2 ** 30 };

/** A PostgreSQL memory setting ("256MB") in bytes. */
export function parsePostgresMemory(value: string): number {
    const match = /^([0-9]+)(kB|MB|GB|TB)$/.exec(value);
    if (!match) throw new Error(`"${value}" is not a PostgreSQL memory size`);
    return Number(match[1]) * postgresUnits[match[2]];
}

/** A Redis memory setting ("512mb", "1g", "1000") in bytes. */
export function parseRedisMemory(value: string): number {
    const match = /^([0-9]+)([kmg]b?)?$/i.exec(value);
    if (!match) throw new Error(`"${value}" is not a Redis memory size`);
    return Number(match[1]) * redisUnits[(match[2] ?? "").toLowerCase()];
}
