import * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyConfig } from "../network/network.schema";
import type { ServiceConfig } from "./service.schema";
import { imageReference } from "../lib/image";
import { Labels, objectLabels, selectorLabels, tracks, standardLabels, trackLabel, trackSelector } from "../lib/labels";
import { checkTarget, configMapData, rolloutTimeoutSeconds, dependencyWaitScript, hpaSpec, ingressAnnotations, ingressSpec, PlatformContext, PodInputs, passwordRotations, pdbSpec, podSpec, reloaderAnnotations, secretEnv, serviceMonitorSpec, serviceSpec, serviceUrl } from "./application.specs";
import { serviceRulesSpec } from "../observability/slo.specs";
import * as k8s from "../platform/k8s";
import { MigrationJob } from "./migration-job";
import { gatewayApiVersion, grpcRouteSpec, httpRouteSpec } from "./route.specs";
import { serviceNetworkPolicySpec } from "../network/network-policies";
import { PostDeployCheck } from "./post-deploy-check";
import { checkIdentity, migrationIdentity, serviceIdentity } from "../network/service-graph";
import { ApplicationArgs } from "./application.args";
import { BlueGreenPlan, TrackPlan, blueGreenPlan, trackObjectName, trackServiceSpec } from "../delivery/blue-green.specs";
import { analysisTemplateSpec, argoRolloutsApiVersion, rolloutSpec } from "../delivery/canary.specs";
import type { CanaryConfig } from "../delivery/release.schema";

/**
 * One service of the platform (the LLM orchestrator API, a backend, a frontend) with everything
 * it needs to run in production: ServiceAccount, ConfigMap, Deployment, Service, and as
 * configured Ingress, HTTPRoute and GRPCRoute, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, ServiceMonitor
 * and a post-deploy readiness check.
 *
 * Non-secret settings live in an auto-named ConfigMap: Pulumi replaces it when its data changes,
 * the Deployment then points at the new name and rolls; unchanged data changes nothing.
 *
 * `service.release.strategy` decides how a new version reaches the pods (docs/releases.md):
 * `rolling` is the Deployment's rolling update; `blueGreen` builds two tracks (a ConfigMap,
 * Deployment, Service, HPA, PDB and check each, "<name>-blue", "<name>-green") and puts the live
 * Service and the routes on the active one; `canary` adds an Argo Rollouts Rollout that takes the
 * Deployment's pods over, and its AnalysisTemplate.
 */
export class Application extends pulumi.ComponentResource {
    /** The Service's name: other workloads reach the service at <serviceName>:<httpPort>. */
    public readonly serviceName: pulumi.Output<string>;
    /** The Deployment's name: the live track's under blueGreen. */
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
        const scope: Scope = { name, container: name, objectName, namespace, labels: objectLabels(identity), workloadLabels: standardLabels(identity), selector: this.selector, service };
        const context: PlatformContext = {
            environment: args.environment,
            llmProviders: args.llmProviders ?? [],
            vectorDb: args.vectorDb,
            vaultAddress: args.vaultAddress,
            database: args.database,
            redis: args.redis,
        };

        const plan = blueGreenPlan(service);
        const { svc, deployment } = plan
            ? this.blueGreen(scope, context, args, plan)
            : this.rolling(scope, context, args);
        // Both tracks' checks in a fixed order, so a switch leaves the NetworkPolicy as it was.
        const checks = (plan ? tracks.map((track) => `${name}-${track}`) : [name]).map((base) => selectorLabels(checkIdentity(base, stack)));
        if (args.networkPolicy) this.isolation(scope, context, args, args.networkPolicy, service.postDeployCheck.enabled ? checks : []);
        this.observability(scope, args, plan !== undefined);

        this.serviceName = svc.metadata.name;
        this.deploymentName = deployment.metadata.name;
        this.url = pulumi.output(namespace).apply((ns) => serviceUrl(service, objectName, ns, args.clusterDomain));
        this.portForwardCommand = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${svc.metadata.name} ${service.ports.http}`;
        this.logsCommand = pulumi.interpolate`kubectl -n ${namespace} logs -f -l ${Object.entries(this.selector).map(([k, v]) => `${k}=${v}`).join(",")}`;
        this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, url: this.url });
    }

    /** The rolling strategy: one Deployment rolled in place, its Service, scaling and check. */
    private rolling(scope: Scope, context: PlatformContext, args: ApplicationArgs) {
        const { name, service, namespace } = scope;
        // The resolver gives a canary service its canary settings, the defaults included (application.resolve.ts).
        const canary = service.release.strategy === "canary" ? service.release.canary : undefined;
        // Under canary Argo Rollouts owns the Deployment's scale (it scales it down as the Rollout's pods come up).
        const replicas = service.autoscaling.enabled || canary ? undefined : service.replicas;
        const { configMap, deployment } = this.workload(scope, context, args, this.serviceAccount(scope), { replicas, after: [] });
        const svc = this.exposure(scope, { selector: scope.selector, backend: scope.objectName, after: [] });
        if (canary) this.canary(scope, args, canary, deployment);
        this.scaling(scope, args.disruptionBudget, canary ? { apiVersion: argoRolloutsApiVersion, kind: "Rollout" } : undefined);
        if (service.postDeployCheck.enabled) {
            this.check(name, scope, args, { configMap, deployment, svc, host: pulumi.interpolate`${svc.metadata.name}.${namespace}.svc`, formerParent: this });
        }
        return { svc, deployment };
    }

    /**
     * The blueGreen strategy: a Deployment, a Service, scaling and a check per track, and the
     * live Service (with the Ingress and routes) on the active track. The live track is built
     * first and the live Service waits for its rollout and its check, so a switch happens only
     * to a checked track; the idle track's Deployment waits for the live Service, so a track
     * that just lost the traffic scales down (`release.idleReplicas`) only after the switch.
     */
    private blueGreen(scope: Scope, context: PlatformContext, args: ApplicationArgs, plan: BlueGreenPlan) {
        const serviceAccountName = this.serviceAccount(scope);
        const [live, idle] = plan.tracks;
        const active = this.track(scope, context, args, live, serviceAccountName, []);
        const svc = this.exposure(scope, {
            selector: trackSelector(scope.selector, plan.active),
            backend: trackObjectName(scope.objectName, plan.active),
            after: [active.deployment, ...(active.check ? [active.check] : [])],
        });
        this.track(scope, context, args, idle, serviceAccountName, [svc]);
        return { svc, deployment: active.deployment };
    }

    /** One track of a blue-green service: its ConfigMap, Deployment, Service, HPA, PDB and check, named "<name>-<track>-…". */
    private track(scope: Scope, context: PlatformContext, args: ApplicationArgs, plan: TrackPlan, serviceAccountName: pulumi.Input<string>, after: readonly pulumi.Resource[]) {
        const identity = serviceIdentity(scope.name, plan.service, { instance: args.instance, partOf: args.partOf });
        const own: Scope = {
            ...scope,
            name: `${scope.name}-${plan.track}`,
            objectName: trackObjectName(scope.objectName, plan.track),
            labels: { ...objectLabels(identity), [trackLabel]: plan.track },
            workloadLabels: { ...standardLabels(identity), [trackLabel]: plan.track },
            selector: trackSelector(scope.selector, plan.track),
            service: plan.service,
        };
        const { configMap, deployment } = this.workload(own, context, args, serviceAccountName, { replicas: plan.replicas, after });
        // The track's own Service: where the check calls the track, and what the routes send traffic to while it is live.
        const svc = new k8s.core.v1.Service(`${own.name}-service`, { metadata: this.metadata(own), spec: trackServiceSpec(own.service, own.selector) }, { parent: this });
        this.scaling(own, args.disruptionBudget);
        const check = own.service.postDeployCheck.enabled
            ? this.check(own.name, own, args, { configMap, deployment, svc, host: pulumi.interpolate`${svc.metadata.name}.${scope.namespace}.svc` })
            : undefined;
        return { deployment, check };
    }

    /**
     * A canary's Rollout, which takes the Deployment's pods over (workloadRef) and moves each new
     * version through the steps, and its AnalysisTemplate when the analysis is on. `pulumi up`
     * hands the new template over: Argo Rollouts runs the steps, and aborts (back to the stable
     * version) when the analysis fails.
     */
    private canary(scope: Scope, args: ApplicationArgs, canary: CanaryConfig, deployment: k8s.apps.v1.Deployment): void {
        const { name, service, namespace } = scope;
        if (canary.analysis.enabled && args.alerts) {
            new k8s.apiextensions.CustomResource(`${name}-analysis`, {
                apiVersion: argoRolloutsApiVersion,
                kind: "AnalysisTemplate",
                metadata: this.metadata(scope),
                spec: analysisTemplateSpec(canary, scope.objectName, args.alerts),
            }, { parent: this });
        }
        new k8s.apiextensions.CustomResource(`${name}-rollout`, {
            apiVersion: argoRolloutsApiVersion,
            kind: "Rollout",
            metadata: { name: scope.objectName, namespace, labels: scope.workloadLabels },
            spec: rolloutSpec(service, canary, scope.objectName, scope.selector),
        }, { parent: this, dependsOn: [deployment] });
    }

    /** The post-deploy check "<base>-check" of a rollout, through `host` (the Service of what rolled out). */
    private check(base: string, scope: Scope, args: ApplicationArgs, of: { configMap: k8s.core.v1.ConfigMap; deployment: k8s.apps.v1.Deployment; svc: k8s.core.v1.Service; host: pulumi.Input<string>; formerParent?: pulumi.Resource }): PostDeployCheck {
        const { service } = scope;
        return new PostDeployCheck(`${base}-check`, {
            namespace: scope.namespace,
            identity: checkIdentity(base, { instance: args.instance, partOf: args.partOf }),
            target: checkTarget(service, of.host),
            image: service.postDeployCheck.image,
            timeoutSeconds: service.postDeployCheck.timeoutSeconds,
            checked: { CHECKED_IMAGE: imageReference(service.image), CHECKED_CONFIG: of.configMap.metadata.name },
            networkPolicy: args.networkPolicy ? { target: scope.selector, port: service.ports.http, dns: args.networkPolicy.dns } : undefined,
            after: [of.deployment, of.svc],
            formerParent: of.formerParent,
        }, { parent: this });
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
    private observability(scope: Scope, args: ApplicationArgs, tracked: boolean): void {
        const { name, namespace, service } = scope;
        const crds = args.monitoringStack ? [args.monitoringStack] : [];
        if (args.monitoring && service.metrics.enabled) {
            new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: scope.objectName, namespace, labels: { ...scope.labels, ...args.monitoring.labels } },
                spec: serviceMonitorSpec(service, args.monitoring, this.selector, namespace, tracked ? scope.objectName : undefined),
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

    /** The ServiceAccount's name, and the ServiceAccount when the service creates one. */
    private serviceAccount(scope: Scope): pulumi.Output<string> {
        const { serviceAccount: account } = scope.service;
        return account.create
            ? new k8s.core.v1.ServiceAccount(`${scope.name}-sa`, {
                metadata: { ...this.metadata(scope, account.annotations), name: account.name ?? scope.objectName },
                automountServiceAccountToken: account.automountToken,
            }, { parent: this }).metadata.name
            : pulumi.output(account.name ?? scope.objectName);
    }

    /** The ConfigMap and the Deployment, with `replicas` (undefined: the HPA owns them), after `placement.after`. */
    private workload(scope: Scope, context: PlatformContext, args: ApplicationArgs, serviceAccountName: pulumi.Input<string>, placement: { replicas?: number; after: readonly pulumi.Resource[] }) {
        const { name, service } = scope;
        const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { namespace: scope.namespace, labels: scope.labels },
            data: configMapData(service, context),
        }, { parent: this });
        const podSecretEnv = secretEnv(service, context, args.appSecrets ?? []);
        const annotations = args.reloadOnSecretChange ? pulumi.all(podSecretEnv.map((e) => e.secret.name)).apply(reloaderAnnotations) : undefined;
        const pod: PodInputs = {
            name: scope.container,
            selector: scope.selector,
            configMapName: configMap.metadata.name,
            serviceAccountName,
            secretEnv: podSecretEnv,
            waitScript: dependencyWaitScript(service, context),
        };
        const rotations = passwordRotations(service, context);
        const migration = service.migration.enabled ? this.migration(scope, context, args, pod, rotations.after) : undefined;
        const rolloutTimeout = `${rolloutTimeoutSeconds(service, args.progressDeadlineSeconds)}s`;
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { ...this.metadata(scope, annotations), labels: scope.workloadLabels },
            spec: {
                // With an HPA the autoscaler owns the replica count; setting it here would make every
                // preview fight the autoscaler.
                replicas: placement.replicas,
                revisionHistoryLimit: 5,
                progressDeadlineSeconds: args.progressDeadlineSeconds,
                selector: { matchLabels: scope.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: service.strategy },
                template: {
                    metadata: { labels: scope.workloadLabels, ...(Object.keys(rotations.annotations).length > 0 ? { annotations: rotations.annotations } : {}) },
                    spec: podSpec(service, pod),
                },
            },
        }, { parent: this, dependsOn: [...(migration ? [migration.job] : []), ...rotations.after, ...placement.after], customTimeouts: { create: rolloutTimeout, update: rolloutTimeout } });
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

    /**
     * The (live) Service on `live.selector`, after `live.after`, and the Ingress (to the Service) and
     * the routes (to `live.backend`) when enabled.
     */
    private exposure(scope: Scope, live: { selector: Labels; backend: string; after: readonly pulumi.Resource[] }): k8s.core.v1.Service {
        const { name, service } = scope;
        const svc = new k8s.core.v1.Service(`${name}-service`, {
            metadata: this.metadata(scope, service.service.annotations),
            spec: serviceSpec(service, live.selector),
        }, { parent: this, ...(live.after.length > 0 ? { dependsOn: [...live.after] } : {}) });
        if (service.ingress.enabled) {
            // The Service's name, not its Output: depending on the Service would hold the Ingress
            // back until the Service is ready (its endpoints: the pods), and its own wait for an
            // address would start only after the rollout (docs/performance.md, `pulumi up`).
            new k8s.networking.v1.Ingress(`${name}-ingress`, {
                metadata: this.metadata(scope, ingressAnnotations(service.ingress)),
                spec: ingressSpec(service, scope.objectName, `${name}-tls`),
            }, { parent: this });
        }
        if (service.route.enabled) this.routes(scope, live.backend);
        return svc;
    }

    /**
     * The HTTPRoute, and the GRPCRoute when a gRPC port is routed. The provider has no await logic
     * for either (its generic await looks for a Ready condition; a route has conditions only per
     * parent, in status.parents), so `pulumi up` doesn't wait for the Gateway to accept them: the
     * e2e and the post-deploy check through the Service are what prove them.
     */
    private routes(scope: Scope, backend: string): void {
        const { name, service } = scope;
        const metadata = this.metadata(scope, Object.keys(service.route.annotations).length > 0 ? service.route.annotations : undefined);
        new k8s.apiextensions.CustomResource(`${name}-httproute`, { apiVersion: gatewayApiVersion, kind: "HTTPRoute", metadata, spec: httpRouteSpec(service, backend) }, { parent: this });
        const grpc = grpcRouteSpec(service, backend);
        if (grpc) new k8s.apiextensions.CustomResource(`${name}-grpcroute`, { apiVersion: gatewayApiVersion, kind: "GRPCRoute", metadata, spec: grpc }, { parent: this });
    }

    /** The HorizontalPodAutoscaler and the PodDisruptionBudget, when enabled. */
    private scaling(scope: Scope, budget: ApplicationArgs["disruptionBudget"], workload?: { apiVersion: string; kind: string }): void {
        const { name, service } = scope;
        if (service.autoscaling.enabled) {
            // The Deployment's name, not its Output, which would hold the HPA back until the
            // rollout is done; the HPA controller waits for its target itself.
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: this.metadata(scope),
                spec: hpaSpec(service.autoscaling, scope.objectName, workload),
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
    private isolation(scope: Scope, context: PlatformContext, args: ApplicationArgs, policy: NetworkPolicyConfig, checks: readonly Labels[]): void {
        const { service } = scope;
        const calledBy = [...(args.peers?.calledBy ?? []), ...checks];
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
    /** The container's name: the service's, on every track. */
    readonly container: string;
    /** The Kubernetes objects' name: fullnameOverride, else the service's name. */
    readonly objectName: string;
    readonly namespace: pulumi.Input<string>;
    /** The labels of the objects that don't run the image (objectLabels): no version. */
    readonly labels: Labels;
    /** The labels of what runs the image, the Deployment (or Rollout) and its pods: with the version (standardLabels). */
    readonly workloadLabels: Labels;
    readonly selector: Labels;
    readonly service: ServiceConfig;
}
