/** Building raw stack config for the config tests, which run validateConfig on plain data. */
import { Problem, RawConfig, formatProblems } from "../validation/problem";
import { validateConfig } from "../config/validate";

export type Values = Record<string, any>;

/**
 * Problems of the config `base()` changed by `edit`, with `secrets` set as Pulumi secrets
 * (their values are never read by validation: only whether they are set and secret).
 */
export function problemsOf(base: () => Values, edit: (v: Values) => void, secrets: string[] = []): Problem[] {
    const values = base();
    edit(values);
    for (const key of secrets) values[key] = "[secret]";
    return validateConfig(raw(values, secrets)).problems;
}

/** Raw config of the stack "test" of the project "llm-platform", with `secrets` set as Pulumi secrets. */
export function raw(values: Values, secrets: Iterable<string> = []): RawConfig {
    return { project: "llm-platform", stack: "test", values, secretKeys: new Set(secrets) };
}

/** Managed (external) data stores: they keep a test about the application's rules clear of the data tier's. */
export const externalDataStores = (): Values => ({
    postgresql: { mode: "external", external: { host: "pg.example.com", existingSecret: "pg" } },
    redis: { mode: "external", external: { host: "redis.example.com", existingSecret: "redis" } },
});

/** A valid staging config: one service and external data stores. */
export const stagingBase = (): Values => ({
    environment: "staging",
    services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" } } },
    ...externalDataStores(),
});

/** The report the program prints for the config `base()` changed by `edit`. */
export function reportOf(base: () => Values, edit: (v: Values) => void): string {
    return formatProblems("test", problemsOf(base, edit));
}
