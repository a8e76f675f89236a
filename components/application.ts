import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MonitoringConfig, NetworkPolicyConfig, ServiceConfig } from "../config/schema";
import { imageReference } from "../config/rules";
import {
    configMapData,
    dependencyWaitScript,
    hpaSpec,
    ingressAnnotations,
    ingressSpec,
    networkPolicySpec,
    PlatformContext,
    pdbSpec,
    podSpec,
    readinessCheckCommand,
    reloaderAnnotations,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    SecretEnv,
    secretEnv,
    serviceMonitorSpec,
    serviceUrl,
    versionOf,
    WorkloadPeer,
} from "./application-specs";
import { Labels, selectorLabels, standardLabels, WorkloadIdentity } from "./labels";

export interface ApplicationArgs {
    /** Namespace of every object the component creates. */
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance, e.g. "llm-platform-prod". */
    readonly instance: string;
    /** app.kubernetes.io/part-of, e.g. "llm-platform". */
    readonly partOf: string;
    /**
     * The service's settings: image, ports, probes, resources, scaling, ingress, scheduling and
     * escape hatches. Every field is resolved; config/schema.ts documents each and its default.
     */
    readonly service: ServiceConfig;
    /** The environment, data stores, LLM providers and vector DB the service is told about. */
    readonly context: PlatformContext;
    /** Application secrets (API keys) as environment variables read from Secrets. @default none */
    readonly appSecrets?: readonly SecretEnv[];
    /** Default-deny NetworkPolicy with the platform's allowances; undefined creates none. @default undefined */
    readonly networkPolicy?: NetworkPolicyConfig;
    /** Services of the stack this one calls, for its egress rules. @default none */
    readonly calls?: readonly WorkloadPeer[];
    /** Pods of the stack that call this service, for its ingress rules. @default none */
    readonly calledBy?: readonly Labels[];
    /** Prometheus scraping through a ServiceMonitor; undefined creates none. @default undefined */
    readonly monitoring?: MonitoringConfig;
    /**
     * Roll the pods when a Secret they read changes in the cluster, through Stakater Reloader
     * (which must be installed): the Deployment is annotated with those Secrets' names. Secrets
     * synced by ESO keep their names, so without it a rotated value reaches the pods only at their
     * next restart. @default false
     */
    readonly reloadOnSecretChange?: boolean;
}

/** The labels that identify a service's pods, for other services' NetworkPolicies. */
export function serviceIdentity(serviceName: string, service: ServiceConfig, instance: string, partOf: string): WorkloadIdentity {
    return { name: serviceName, instance, component: service.component, partOf, version: versionOf(service.image) };
}

/** The other services of the stack a service calls, and the pods of those that call it. */
export function servicePeers(
    serviceName: string,
    services: Readonly<Record<string, ServiceConfig>>,
    instance: string,
    partOf: string,
): { calls: WorkloadPeer[]; calledBy: Labels[] } {
    const selectorOf = (name: string) => selectorLabels(serviceIdentity(name, services[name], instance, partOf));
    return {
        calls: services[serviceName].connectsTo.services.map((name) => ({ selector: selectorOf(name), port: services[name].ports.http })),
        calledBy: Object.entries(services)
            .filter(([, other]) => other.connectsTo.services.includes(serviceName))
            .map(([name]) => selectorOf(name)),
    };
}

/** The pods of the services that connect to a data store, for its NetworkPolicy. */
export function clientsOf(
    store: "postgresql" | "redis",
    services: Readonly<Record<string, ServiceConfig>>,
    instance: string,
    partOf: string,
): Labels[] {
    return Object.entries(services)
        .filter(([, service]) => service.connectsTo[store])
        .map(([name, service]) => selectorLabels(serviceIdentity(name, service, instance, partOf)));
}

/** The identity of a service's post-deploy check pods. */
export function checkIdentity(serviceName: string, instance: string, partOf: string): WorkloadIdentity {
    return { name: `${serviceName}-check`, instance, component: "post-deploy-check", partOf };
}

/**
 * One service of the platform (the LLM orchestrator API, a backend, a frontend) with everything
 * it needs to run in production: ServiceAccount, ConfigMap, Deployment, Service, and as
 * configured Ingress, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, ServiceMonitor
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
    /** Where the service is reached: its Ingress URL, or its cluster-local URL. */
    public readonly url: pulumi.Output<string>;
    /** The labels selecting the service's pods. */
    public readonly selector: Labels;

    constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llm-platform:app:Application", name, {}, opts);
        const { service, namespace } = args;
        const identity = serviceIdentity(name, service, args.instance, args.partOf);
        const labels = standardLabels(identity);
        this.selector = selectorLabels(identity);
        const metadata = (extra: { annotations?: Record<string, string> } = {}) => ({ name, namespace, labels, ...extra });
        const child = { parent: this };

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: metadata({ annotations: service.serviceAccount.annotations }),
            automountServiceAccountToken: service.serviceAccount.automountToken,
        }, child);

        const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { namespace, labels },
            data: configMapData(service, args.context),
        }, child);

        const podSecretEnv = secretEnv(service, args.context, args.appSecrets ?? []);
        const annotations = args.reloadOnSecretChange
            ? pulumi.all(podSecretEnv.map((e) => e.secret.name)).apply(reloaderAnnotations)
            : undefined;
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { ...metadata(), ...(annotations === undefined ? {} : { annotations }) },
            spec: {
                // With an HPA the autoscaler owns the replica count; setting it here would make every
                // preview fight the autoscaler.
                replicas: service.autoscaling.enabled ? undefined : service.replicas,
                revisionHistoryLimit: 5,
                selector: { matchLabels: this.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: service.strategy },
                template: {
                    metadata: { labels },
                    spec: podSpec(service, {
                        name,
                        selector: this.selector,
                        configMapName: configMap.metadata.name,
                        serviceAccountName: serviceAccount.metadata.name,
                        secretEnv: podSecretEnv,
                        waitScript: dependencyWaitScript(service, args.context),
                    }),
                },
            },
        }, child);

        const ports = [{ name: "http", port: service.ports.http, targetPort: "http", protocol: "TCP" }];
        if (service.metrics.enabled) ports.push({ name: "metrics", port: service.ports.metrics, targetPort: "metrics", protocol: "TCP" });
        const svc = new k8s.core.v1.Service(`${name}-service`, {
            metadata: metadata({ annotations: service.service.annotations }),
            spec: { type: service.service.type, selector: this.selector, ports },
        }, child);

        if (service.ingress.enabled) {
            new k8s.networking.v1.Ingress(`${name}-ingress`, {
                metadata: metadata({ annotations: ingressAnnotations(service.ingress) }),
                spec: ingressSpec(service, svc.metadata.name, `${name}-tls`),
            }, child);
        }

        if (service.autoscaling.enabled) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: metadata(),
                spec: hpaSpec(service.autoscaling, deployment.metadata.name),
            }, child);
        }

        if (service.podDisruptionBudget.enabled) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
                metadata: metadata(),
                spec: pdbSpec(service.podDisruptionBudget, this.selector),
            }, child);
        }

        const check = checkIdentity(name, args.instance, args.partOf);
        if (args.networkPolicy) {
            const calledBy = [...(args.calledBy ?? []), ...(service.postDeployCheck.enabled ? [selectorLabels(check)] : [])];
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, {
                metadata: metadata(),
                spec: networkPolicySpec(service, args.networkPolicy, {
                    selector: this.selector,
                    database: args.context.database,
                    redis: args.context.redis,
                    vectorDb: args.context.vectorDb,
                    calls: args.calls ?? [],
                    calledBy,
                    monitoringEnabled: args.monitoring !== undefined,
                }),
            }, child);
        }

        if (args.monitoring && service.metrics.enabled) {
            new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name, namespace, labels: { ...labels, ...args.monitoring.labels } },
                spec: serviceMonitorSpec(service, args.monitoring, this.selector, namespace),
            }, { parent: this, dependsOn: [svc] });
        }

        this.serviceName = svc.metadata.name;
        this.deploymentName = deployment.metadata.name;
        this.url = pulumi.output(namespace).apply((ns) => serviceUrl(service, name, ns));

        if (service.postDeployCheck.enabled) {
            const checkLabels = standardLabels(check);
            const readyUrl = pulumi.interpolate`http://${svc.metadata.name}.${namespace}.svc:${service.ports.http}${service.probes.readiness.path}`;
            if (args.networkPolicy) {
                new k8s.networking.v1.NetworkPolicy(`${name}-check-netpol`, {
                    metadata: { name: `${name}-check`, namespace, labels: checkLabels },
                    spec: {
                        podSelector: { matchLabels: selectorLabels(check) },
                        policyTypes: ["Ingress", "Egress"],
                        egress: [
                            { ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
                            { to: [{ podSelector: { matchLabels: this.selector } }], ports: [{ protocol: "TCP", port: service.ports.http }] },
                        ],
                    },
                }, child);
            }
            // Auto-named and keyed on what was rolled out: a new image or new settings replace the Job,
            // so every rollout is checked once, and `pulumi up` waits for the Job and fails with it.
            new k8s.batch.v1.Job(`${name}-check`, {
                metadata: { namespace, labels: checkLabels },
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: service.postDeployCheck.timeoutSeconds,
                    template: {
                        metadata: { labels: checkLabels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext(),
                            containers: [{
                                name: "readiness",
                                image: service.postDeployCheck.image,
                                command: readinessCheckCommand(readyUrl, service.postDeployCheck.timeoutSeconds),
                                env: [
                                    { name: "CHECKED_IMAGE", value: imageReference(service.image) },
                                    { name: "CHECKED_CONFIG", value: configMap.metadata.name },
                                ],
                                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                                securityContext: restrictedContainerSecurityContext(),
                            }],
                        },
                    },
                },
            }, { parent: this, dependsOn: [deployment, svc] });
        }

        this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, url: this.url });
    }
}
