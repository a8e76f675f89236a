/** Small helpers for building Kubernetes objects as plain data. */

/** The object without its undefined fields, so specs hold only what is set. */
export function compact<T extends Record<string, unknown>>(object: T): T {
    return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** The object without `keys`. */
export function omit<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Omit<T, K> {
    return Object.fromEntries(Object.entries(object).filter(([k]) => !(keys as readonly PropertyKey[]).includes(k))) as Omit<T, K>;
}

/** The volume name of a writable path: "/tmp" is "tmp", "/var/cache/nginx" is "var-cache-nginx" (a DNS label). */
export function writableVolumeName(path: string): string {
    return path.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "") || "root";
}

/** Omit over each member of a union (TypeScript's Omit keeps only the keys all members share, losing a discriminated union's own fields). */
export type OmitDistributive<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A value a validation rule guarantees; its absence is a bug in the rules, not in the stack file. */
export function must<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`internal error: ${what} passed validation without a value`);
    return value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * `over` deep-merged onto `base`: objects merge key by key, anything else in `over` (a string, a
 * number, a list, null) replaces what `base` has there; what `over` leaves out, `base` gives.
 */
export function mergedUnder(base: unknown, over: unknown): unknown {
    if (over === undefined) return structuredClone(base);
    if (!isPlainObject(base) || !isPlainObject(over)) return over;
    const keys = [...new Set([...Object.keys(base), ...Object.keys(over)])];
    return Object.fromEntries(keys.map((key) => [key, mergedUnder(base[key], over[key])]));
}

/**
 * A raw config section with its named profile's values under it, before the schema's defaults:
 * what the section sets itself wins key by key, since after defaults "set" could not be told from
 * "defaulted". A section without a known `profile` is returned as it is (an unknown name is the
 * schema's to report).
 */
export function withProfile(profiles: Readonly<Record<string, object>>, raw: unknown): unknown {
    if (!isPlainObject(raw) || typeof raw.profile !== "string" || !Object.hasOwn(profiles, raw.profile)) return raw;
    return mergedUnder(profiles[raw.profile], raw);
}
