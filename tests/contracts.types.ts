/**
 * Type-level tests of the wiring contract, checked by `npm run build` (tsc), which CI runs: each
 * component's args are the one contract, the resolvers return them, and index.ts adds only what
 * exists at deploy time. Each `@ts-expect-error` below is a mistake that must not compile: a
 * misspelt or missing field fails the build instead of reaching a component as undefined. If one
 * of them compiled, tsc would report the directive as unused and the build would fail.
 * Nothing here runs: the functions are only type-checked.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ApplicationArgs, ApplicationDeployInputs } from "../application/application.args";
import { Application } from "../application";
import type { PlatformConfig } from "../config";
import { PostgresDatabase, RedisCache } from "../data-tier";
import type { DataStoreDeployInputs, PostgresDatabaseArgs } from "../data-tier/data-tier.args";
import { resolvePostgresql } from "../data-tier/data-tier.resolve";
import type { PostgresqlConfig } from "../data-tier/data-tier.schema";
import type { OmitDistributive } from "../lib/objects";
import { DestroyGuard, PlatformNamespace } from "../platform";
import { AppSecrets, SecretStore } from "../secrets";

export function wiringWithMistakes(config: PlatformConfig, namespace: pulumi.Output<string>): void {
    new PlatformNamespace("namespace", config.namespace);
    // @ts-expect-error a misspelt deploy-time field (namespce) is refused, and the namespace it misses too
    new SecretStore("secret-store", { ...config.secretStore!, namespce: namespace });
    // @ts-expect-error a deploy-time field left out (namespace) is refused
    new AppSecrets("app-secrets", { ...config.appSecrets, secretStore: undefined });
    // @ts-expect-error an optional arg misspelt (secretStor) is refused: it would silently be undefined
    new RedisCache("redis", { ...config.redis!, namespace, clients: [], secretStor: undefined });
    new PostgresDatabase("postgresql", { ...config.postgresql!, namespace, clients: [], secretStore: undefined, monitoringStack: undefined });
    const application = config.applications.orchestrator;
    // @ts-expect-error a misspelt optional deploy-time field (redsi for redis) is refused: the service would run without its Redis
    new Application("orchestrator", { ...application, namespace, redsi: undefined });
    // @ts-expect-error the guard's own deploy-time fields (guards, chartObjects) can't be left out
    new DestroyGuard("destroy-guard", { ...config.destroyGuard!, namespace });
}

export function resolversReturnTheArgs(section: PostgresqlConfig): void {
    const context = { environment: "production" as const, identity: { instance: "i", partOf: "p" }, clusterDomain: "cluster.local" };
    const resolved: OmitDistributive<PostgresDatabaseArgs, DataStoreDeployInputs> = resolvePostgresql(section, context)!;
    // @ts-expect-error a field the args don't have (the old mirror type's `settings` at the top level) is refused
    const mirror: OmitDistributive<PostgresDatabaseArgs, DataStoreDeployInputs> = { ...resolved, settingz: section };
    // @ts-expect-error a resolved application with a field the args renamed (vaultAdress) is refused
    const renamed: Omit<ApplicationArgs, ApplicationDeployInputs> = { ...({} as Omit<ApplicationArgs, ApplicationDeployInputs>), vaultAdress: "https://vault" };
    void mirror;
    void renamed;
}
