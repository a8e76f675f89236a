/**
 * The schema of the whole stack config: each top-level key and the concern's schema that defines
 * it (application/, network/, data-tier/, secrets/, observability/, platform/), with every key's
 * type and default. Every object is strict, so a misspelt key (`autoscalling:`) is an error rather
 * than a silently ignored value; the stack files carry the differences between environments, as
 * values-production.yaml did for the Helm charts. (Values the program derives, such as the
 * namespace name, are resolved by each concern's *.resolve.ts.)
 */
import { z } from "../validation/zod";
import { postgresqlSchema, redisSchema } from "../data-tier/data-tier.schema";
import { secretsSchema } from "../secrets/secrets.schema";
import { dnsDomain, hostName, environmentSchema, imageRegistry, objectName } from "../validation/primitives";
import { namespaceSchema } from "../platform/namespace.schema";
import { networkPolicySchema } from "../network/network.schema";
import { gatewaySchema } from "../network/gateway.schema";
import { monitoringSchema } from "../observability/monitoring.schema";
import { llmSchema, vectorDbSchema } from "../application/settings.schema";
import { serviceSchema, serviceName } from "../application/service.schema";
import { clusterSchema } from "../delivery/release.schema";

/** The whole stack config of the application: every key of `llm-platform:*` but the secret ones. */
export const configSchema = z.strictObject({
    /** development, staging or production: decides the production-only rules. */
    environment: environmentSchema,
    namespace: namespaceSchema.prefault({}),
    networkPolicy: networkPolicySchema.prefault({}),
    /** The Gateway this stack owns (create), and the shared Gateways of other namespaces its routes attach to. */
    gateway: gatewaySchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    llm: llmSchema.prefault({}),
    vectorDb: vectorDbSchema.prefault({}),
    /** The workloads of the stack by name: an orchestrator API, or e.g. a backend and a frontend. */
    services: z.record(serviceName, serviceSchema).refine((s) => Object.keys(s).length > 0, { error: "at least one service" }),
    postgresql: postgresqlSchema.prefault({}),
    redis: redisSchema.prefault({}),
    /** Where the application's secrets come from, the secret manager's store, and rollouts on change. */
    secrets: secretsSchema.prefault({}),
    /** Every image the stack runs, from this registry (a mirror): the services', their helpers', the data tier's. */
    images: z.strictObject({ registry: imageRegistry.optional() }).prefault({}),
    /**
     * The StorageClass of every claim the program or its charts create (PostgreSQL's and Redis's
     * data, the backup claim) that sets none of its own. Unset: each claim's own, else the cluster's default.
     */
    storageClass: objectName("gp3").optional(),
    /**
     * The stack's DNS domain: a service with ingress.enabled and no hosts, or route.enabled and no
     * hostnames, is served at "<service>.<domain>". Unset: an Ingress needs hosts of its own.
     */
    domain: dnsDomain.optional(),
    /** What the cluster runs that the program relies on (Argo Rollouts, for canaries). */
    cluster: clusterSchema.prefault({}),
    /** The cluster's DNS domain (kubelet --cluster-domain), in every in-cluster host name the program writes. */
    clusterDomain: hostName.default("cluster.local"),
});

/** The stack config after validation and defaults, without secret values. */
export type ValidatedConfig = z.infer<typeof configSchema>;
