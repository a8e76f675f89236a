import * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyConfig } from "../network/network.schema";
import type { ServiceConfig } from "./service.schema";
import { imageReference } from "../lib/image";
import { Labels, selectorLabels, standardLabels } from "../lib/labels";
import { checkTarget, configMapData, dependencyWaitScript, hpaSpec, ingressAnnotations, ingressSpec, PlatformContext, PodInputs, passwordRotations, pdbSpec, podSpec, reloaderAnnotations, secretEnv, serviceMonitorSpec, serviceSpec, serviceUrl } from "./application.specs";
import { serviceRulesSpec } from "../observability/slo.specs";
import * as k8s from "../platform/k8s";
import { MigrationJob } from "./migration-job";
import { gatewayApiVersion, grpcRouteSpec, httpRouteSpec } from "./route.specs";
import { serviceNetworkPolicySpec } from "../network/network-policies";
import { PostDeployCheck } from "./post-deploy-check";
import { checkIdentity, migrationIdentity, serviceIdentity } from "../network/service-graph";
import { ApplicationArgs } from "./application.args";

/**
 * One service of the platform (the LLM orchestrator API, a backend, a frontend) with everything
 * it needs to run in production: ServiceAccount, ConfigMap, Deployment, Service, and as
 * configured Ingress, HTTPRoute and GRPCRoute, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, ServiceMonitor
 * and a post-deploy readiness check.
 *
 * Non-secret settings live in an auto-named ConfigMap: Pulumi replaces it when its data changes,
 * the Deployment then points at the new name and rolls; unchanged data changes nothing.
 */
export class Application extends pulumi.ComponentResource {
    /** The Service's name: other workloads reach the service at <serviceName>:<httpPort>. */
    public readonly serviceName: pulumi.Output<string>;
    /** The Deployment's name. */
    public readonly deploymentName: pulumi.Output<string>;
    /** Where the service is reached: its route's URL, its Ingress's, or its cluster-local URL. */
    public readonly url: pulumi.Output<string>;
    /** The labels selecting the service's pods. */
    public readonly selector: Labels;
    /** The command that forwards a local port to the Service. */
    public readonly portForwardCommand: pulumi.Output<string>;
    /** The command that follows the pods' logs. */
    public readonly logsCommand: pulumi.Output<string>;

    constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:Application", name, {}, opts);
        const { service, namespace } = args;
        const stack = { instance: args.instance, partOf: args.partOf };
        const identity = serviceIdentity(name, service, stack);
        this.selector = selectorLabels(identity);
        const objectName = service.fullnameOverride ?? name;
        const scope: Scope = { name, objectName, namespace, labels: standardLabels(identity), selector: this.selector, service };
        const context: PlatformContext = {
            environment: args.environment,
            llmProviders: args.llmProviders ?? [],
            vectorDb: args.vectorDb,
            vaultAddress: args.vaultAddress,
            database: args.database,
            redis: args.redis,
        };

        const { configMap, deployment } = this.workload(scope, context, args);
        const svc = this.exposure(scope);
        this.scaling(scope, args.disruptionBudget);
        const check = checkIdentity(name, stack);
        if (args.networkPolicy) this.isolation(scope, context, args, args.networkPolicy, selectorLabels(check));
        this.observability(scope, args);
        if (service.postDeployCheck.enabled) {
            new PostDeployCheck(`${name}-check`, {
                namespace,
                identity: check,
                target: checkTarget(service, pulumi.interpolate`${svc.metadata.name}.${namespace}.svc`),
                image: service.postDeployCheck.image,
                timeoutSeconds: service.postDeployCheck.timeoutSeconds,
                checked: { CHECKED_IMAGE: imageReference(service.image), CHECKED_CONFIG: configMap.metadata.name },
                networkPolicy: args.networkPolicy ? { target: this.selector, port: service.ports.http, dns: args.networkPolicy.dns } : undefined,
                after: [deployment, svc],
                formerParent: this,
            }, { parent: this });
        }

        this.serviceName = svc.metadata.name;
        this.deploymentName = deployment.metadata.name;
        this.url = pulumi.output(namespace).apply((ns) => serviceUrl(service, objectName, ns, args.clusterDomain));
        this.portForwardCommand = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${svc.metadata.name} ${service.ports.http}`;
        this.logsCommand = pulumi.interpolate`kubectl -n ${namespace} logs -f -l ${Object.entries(this.selector).map(([k, v]) => `${k}=${v}`).join(",")}`;
        this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, url: this.url });
    }

    /** Object metadata: the service's name, namespace and labels. */
    private metadata(scope: Scope, annotations?: pulumi.Input<Record<string, string>>) {
        return { name: scope.objectName, namespace: scope.namespace, labels: scope.labels, ...(annotations === undefined ? {} : { annotations }) };
    }

    /**
     * The ServiceMonitor (for a service with metrics) and the PrometheusRule, when enabled. Neither
     * depends on the Service, whose readiness waits for the pods: Prometheus finds the Service by
     * its labels whenever it exists.
     */
    private observability(scope: Scope, args: ApplicationArgs): void {
        const { name, namespace, service } = scope;
        const crds = args.monitoringStack ? [args.monitoringStack] : [];
        if (args.monitoring && service.metrics.enabled) {
            new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: scope.objectName, namespace, labels: { ...scope.labels, ...args.monitoring.labels } },
                spec: serviceMonitorSpec(service, args.monitoring, this.selector, namespace),
            }, { parent: this, dependsOn: crds });
        }
        if (args.alerts) {
            new k8s.apiextensions.CustomResource(`${name}-rules`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: scope.objectName, namespace, labels: { ...scope.labels, ...args.alerts.ruleLabels } },
                spec: serviceRulesSpec(args.alerts.target, args.alerts),
            }, { parent: this, dependsOn: crds });
        }
    }

    /** The ServiceAccount, the ConfigMap and the Deployment. */
    private workload(scope: Scope, context: PlatformContext, args: ApplicationArgs) {
        const { name, service } = scope;
        const { serviceAccount: account } = service;
        const serviceAccountName = account.create
            ? new k8s.core.v1.ServiceAccount(`${name}-sa`, {
                metadata: { ...this.metadata(scope, account.annotations), name: account.name ?? scope.objectName },
                automountServiceAccountToken: account.automountToken,
            }, { parent: this }).metadata.name
            : pulumi.output(account.name ?? scope.objectName);
        const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { namespace: scope.namespace, labels: scope.labels },
            data: configMapData(service, context),
        }, { parent: this });
        const podSecretEnv = secretEnv(service, context, args.appSecrets ?? []);
        const annotations = args.reloadOnSecretChange ? pulumi.all(podSecretEnv.map((e) => e.secret.name)).apply(reloaderAnnotations) : undefined;
        const pod: PodInputs = {
            name,
            selector: scope.selector,
            configMapName: configMap.metadata.name,
            serviceAccountName,
            secretEnv: podSecretEnv,
            waitScript: dependencyWaitScript(service, context),
        };
        const rotations = passwordRotations(service, context);
        const migration = service.migration.enabled ? this.migration(scope, context, args, pod, rotations.after) : undefined;
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: this.metadata(scope, annotations),
            spec: {
                // With an HPA the autoscaler owns the replica count; setting it here would make every
                // preview fight the autoscaler.
                replicas: service.autoscaling.enabled ? undefined : service.replicas,
                revisionHistoryLimit: 5,
                selector: { matchLabels: scope.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: service.strategy },
                template: {
                    metadata: { labels: scope.labels, ...(Object.keys(rotations.annotations).length > 0 ? { annotations: rotations.annotations } : {}) },
                    spec: podSpec(service, pod),
                },
            },
        }, { parent: this, dependsOn: [...(migration ? [migration.job] : []), ...rotations.after] });
        return { configMap, deployment };
    }

    /** The migration Job the Deployment waits for: a failed migration leaves the running pods untouched. */
    private migration(scope: Scope, context: PlatformContext, args: ApplicationArgs, pod: PodInputs, after: readonly pulumi.Resource[]): MigrationJob {
        const { name, service } = scope;
        return new MigrationJob(`${name}-migration`, {
            namespace: scope.namespace,
            serviceName: name,
            identity: migrationIdentity(name, service, { instance: args.instance, partOf: args.partOf }),
            service,
            migration: service.migration,
            pod,
            networkPolicy: args.networkPolicy ? { database: context.database, redis: context.redis, dns: args.networkPolicy.dns } : undefined,
            after,
        }, { parent: this });
    }

    /** The Service, and the Ingress and the routes when enabled. */
    private exposure(scope: Scope): k8s.core.v1.Service {
        const { name, service } = scope;
        const svc = new k8s.core.v1.Service(`${name}-service`, {
            metadata: this.metadata(scope, service.service.annotations),
            spec: serviceSpec(service, scope.selector),
        }, { parent: this });
        if (service.ingress.enabled) {
            // The Service's name, not its Output: depending on the Service would hold the Ingress
            // back until the Service is ready (its endpoints: the pods), and its own wait for an
            // address would start only after the rollout (docs/performance.md, `pulumi up`).
            new k8s.networking.v1.Ingress(`${name}-ingress`, {
                metadata: this.metadata(scope, ingressAnnotations(service.ingress)),
                spec: ingressSpec(service, scope.objectName, `${name}-tls`),
            }, { parent: this });
        }
        if (service.route.enabled) this.routes(scope);
        return svc;
    }

    /**
     * The HTTPRoute, and the GRPCRoute when a gRPC port is routed. The provider has no await logic
     * for either (its generic await looks for a Ready condition; a route has conditions only per
     * parent, in status.parents), so `pulumi up` doesn't wait for the Gateway to accept them: the
     * e2e and the post-deploy check through the Service are what prove them.
     */
    private routes(scope: Scope): void {
        const { name, service } = scope;
        const metadata = this.metadata(scope, Object.keys(service.route.annotations).length > 0 ? service.route.annotations : undefined);
        new k8s.apiextensions.CustomResource(`${name}-httproute`, { apiVersion: gatewayApiVersion, kind: "HTTPRoute", metadata, spec: httpRouteSpec(service, scope.objectName) }, { parent: this });
        const grpc = grpcRouteSpec(service, scope.objectName);
        if (grpc) new k8s.apiextensions.CustomResource(`${name}-grpcroute`, { apiVersion: gatewayApiVersion, kind: "GRPCRoute", metadata, spec: grpc }, { parent: this });
    }

    /** The HorizontalPodAutoscaler and the PodDisruptionBudget, when enabled. */
    private scaling(scope: Scope, budget: ApplicationArgs["disruptionBudget"]): void {
        const { name, service } = scope;
        if (service.autoscaling.enabled) {
            // The Deployment's name, not its Output, which would hold the HPA back until the
            // rollout is done; the HPA controller waits for its target itself.
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: this.metadata(scope),
                spec: hpaSpec(service.autoscaling, scope.objectName),
            }, { parent: this });
        }
        if (budget !== undefined) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
                metadata: this.metadata(scope),
                spec: pdbSpec(budget, scope.selector),
            }, { parent: this });
        }
    }

    /** The service's NetworkPolicy: its callers (and the post-deploy check) in, its dependencies out. */
    private isolation(scope: Scope, context: PlatformContext, args: ApplicationArgs, policy: NetworkPolicyConfig, check: Labels): void {
        const { service } = scope;
        const calledBy = [...(args.peers?.calledBy ?? []), ...(service.postDeployCheck.enabled ? [check] : [])];
        new k8s.networking.v1.NetworkPolicy(`${scope.name}-netpol`, {
            metadata: this.metadata(scope),
            spec: serviceNetworkPolicySpec(service, policy, {
                selector: scope.selector,
                database: context.database,
                redis: context.redis,
                vectorDb: context.vectorDb,
                calls: args.peers?.calls ?? [],
                calledBy,
                monitoringEnabled: args.monitoring !== undefined,
                vaultAddress: args.vaultAddress,
            }),
        }, { parent: this });
    }
}

/** What every object of one service shares. */
interface Scope {
    /** The component's name, which its children's resource names derive from. */
    readonly name: string;
    /** The Kubernetes objects' name: fullnameOverride, else the service's name. */
    readonly objectName: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Labels;
    readonly selector: Labels;
    readonly service: ServiceConfig;
}
