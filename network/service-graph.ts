/**
 * Who calls whom in a stack: each service's pods by their selector labels, the services each one
 * calls, the callers of each, and the clients of each data store. The NetworkPolicies of the
 * services and of the data stores' charts are derived from this one graph.
 */
import type { ServiceConfig } from "../application/service.schema";
import { versionOf } from "../lib/image";
import { Labels, WorkloadIdentity, selectorLabels } from "../lib/labels";
import { StackIdentity } from "../lib/labels";
import { ServicePeers } from "./network.args";

/** The labels that identify a service's pods. */
export function serviceIdentity(serviceName: string, service: Pick<ServiceConfig, "component" | "image"> & Partial<Pick<ServiceConfig, "nameOverride">>, stack: StackIdentity): WorkloadIdentity {
    return { name: service.nameOverride ?? serviceName, instance: stack.instance, component: service.component, partOf: stack.partOf, version: versionOf(service.image) };
}

/** The identity of a service's post-deploy check pods. */
export function checkIdentity(serviceName: string, stack: StackIdentity): WorkloadIdentity {
    return { name: `${serviceName}-check`, instance: stack.instance, component: "post-deploy-check", partOf: stack.partOf };
}

/** The identity of a service's migration Job pods: their own, so the service's Service never routes to them. */
export function migrationIdentity(serviceName: string, service: Pick<ServiceConfig, "image">, stack: StackIdentity): WorkloadIdentity {
    return { name: `${serviceName}-migrate`, instance: stack.instance, component: "migration", partOf: stack.partOf, version: versionOf(service.image) };
}

/** The graph of a stack's services. */
export interface ServiceGraph {
    /** The services `serviceName` calls and the pods that call it. */
    peersOf(serviceName: string): ServicePeers;
    /** The pods of the services (and of their migration Jobs) that connect to a data store. */
    clientsOf(store: "postgresql" | "redis"): Labels[];
}

/** Builds the graph of `services` (validated: every service a service calls exists). */
export function serviceGraph(services: Readonly<Record<string, ServiceConfig>>, stack: StackIdentity): ServiceGraph {
    const selectorOf = (name: string) => selectorLabels(serviceIdentity(name, services[name], stack));
    return {
        peersOf: (serviceName) => ({
            calls: services[serviceName].connectsTo.services.map((name) => ({ selector: selectorOf(name), port: services[name].ports.http })),
            calledBy: Object.entries(services)
                .filter(([, other]) => other.connectsTo.services.includes(serviceName))
                .map(([name]) => selectorOf(name)),
        }),
        clientsOf: (store) =>
            Object.entries(services)
                .filter(([, service]) => service.connectsTo[store])
                .flatMap(([name, service]) => [selectorOf(name), ...(service.migration.enabled ? [selectorLabels(migrationIdentity(name, service, stack))] : [])]),
    };
}
