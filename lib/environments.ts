/**
 * The environments a stack runs in. They decide the production-only rules (config/) and the
 * per-environment defaults of facts the leaf holds, such as the alerts' thresholds.
 */
export const environments = ["development", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/** A default that may differ per environment. */
export type PerEnvironment<T> = Readonly<Record<Environment, T>>;

/** The same value in every environment. */
export function everywhere<T>(value: T): PerEnvironment<T> {
    return { development: value, staging: value, production: value };
}
