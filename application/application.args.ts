/** The application's contract: what an Application takes. The resolver (application.resolve.ts) returns it, less what exists only at deploy time. */
import type * as pulumi from "@pulumi/pulumi";
import type { DataStoreEndpoint, PostgresEndpoint } from "../data-tier/data-tier.args";
import type { ServicePeers } from "../network/network.args";
import type { NetworkPolicyConfig } from "../network/network.schema";
import type { ServiceAlerts } from "../observability/observability.args";
import type { MonitoringConfig } from "../observability/monitoring.schema";
import type { AppSecretEnv } from "../secrets/secrets.args";
import type { Environment } from "../validation/primitives";
import type { DisruptionBudget, ServiceConfig } from "./service.schema";
import type { VectorDbConfig } from "./settings.schema";


export interface ApplicationArgs {
    /** Namespace of every object the component creates. */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance, e.g. "llm-platform-prod". */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
    /**
     * The service's settings: image, ports, probes, resources, scaling, ingress, scheduling and
     * escape hatches. Every field is resolved; service.schema.ts documents each and its default.
     */
    readonly service: ServiceConfig;
    /**
     * The PodDisruptionBudget's budget (minAvailable or maxUnavailable); undefined creates none.
     * The resolver derives it from `service.podDisruptionBudget` and autoscaling. @default none
     */
    readonly disruptionBudget?: DisruptionBudget;
    /**
     * The Deployment's progressDeadlineSeconds: how long a rollout may go without a new pod
     * becoming available before it fails, and with it `pulumi up`. The resolver takes
     * `service.release.progressDeadlineSeconds` or the environment's default.
     */
    readonly progressDeadlineSeconds: number;
    /** The environment the service is told it runs in (ENVIRONMENT). */
    readonly environment: Environment;
    /** The enabled LLM providers and their default models (LLM_PROVIDERS, <NAME>_DEFAULT_MODEL). @default none */
    readonly llmProviders?: readonly { readonly name: string; readonly defaultModel?: string }[];
    /** The cluster's DNS domain (kubelet --cluster-domain), in the service's cluster-local URL. */
    readonly clusterDomain: string;
    /** Vault's address, for services that read Vault themselves (VAULT_ADDR). @default none */
    readonly vaultAddress?: string;
    /** The vector database (VECTOR_DB_*). */
    readonly vectorDb: VectorDbConfig;
    /** Where PostgreSQL is, for services that connect to it. @default none */
    readonly database?: PostgresEndpoint;
    /** Where Redis is, for services that connect to it. @default none */
    readonly redis?: DataStoreEndpoint;
    /** The application secrets this service receives (API keys, the stack's own entries), as variables read from Secrets. @default none */
    readonly appSecrets?: readonly AppSecretEnv[];
    /** Default-deny NetworkPolicy with the platform's allowances; undefined creates none. @default undefined */
    readonly networkPolicy?: NetworkPolicyConfig;
    /** The services this one calls and the pods that call it, for its NetworkPolicy. @default none */
    readonly peers?: ServicePeers;
    /** Prometheus scraping through a ServiceMonitor; undefined creates none. @default undefined */
    readonly monitoring?: MonitoringConfig;
    /**
     * A PrometheusRule with the catalog's service alerts (lib/alert-catalog.ts) that apply to
     * `target`, and its SLOs' recording rules and burn-rate alerts, labelled for Prometheus's
     * ruleSelector; undefined creates none. @default undefined
     */
    readonly alerts?: ServiceAlerts;
    /**
     * The release that installs the Prometheus Operator's CRDs (MonitoringStack), which the
     * ServiceMonitor and PrometheusRule wait for. @default none: the cluster has the CRDs
     */
    readonly monitoringStack?: pulumi.Resource;
    /**
     * Roll the pods when a Secret they read changes in the cluster, through Stakater Reloader
     * (which must be installed): the Deployment is annotated with those Secrets' names. Secrets
     * synced by ESO keep their names, so without it a rotated value reaches the pods only at their
     * next restart. @default false
     */
    readonly reloadOnSecretChange?: boolean;
}

/** What an Application's args hold that exists only at deploy time: the namespace's Output, the data stores' endpoints, the secret env the AppSecrets component gives, the peers the service graph derives, the monitoring release. */
export type ApplicationDeployInputs = "namespace" | "database" | "redis" | "appSecrets" | "peers" | "monitoringStack";
