/** From the validated `gateway` section to the Gateway's args. Runs only on config that passed validation. */
import { standardLabels, type StackIdentity } from "../lib/labels";
import type { OmitDistributive } from "../lib/objects";
import type { GatewayConfig } from "./gateway.schema";
import type { GatewayArgs, GatewayDeployInputs } from "./network.args";

/** The Gateway's args when the stack creates one; an HTTPS listener's Secret defaults to "<gateway>-<listener>-tls". */
export function resolveGateway(gateway: GatewayConfig, identity: StackIdentity): OmitDistributive<GatewayArgs, GatewayDeployInputs> | undefined {
    if (!gateway.create || gateway.className === undefined) return undefined;
    return {
        name: gateway.name,
        className: gateway.className,
        listeners: gateway.listeners.map((l) => ({
            name: l.name,
            protocol: l.protocol,
            port: l.port,
            ...(l.hostname === undefined ? {} : { hostname: l.hostname }),
            ...(l.protocol === "HTTPS" ? { certificate: { name: l.certificateSecret ?? `${gateway.name}-${l.name}-tls`, ...(l.certificateNamespace ? { namespace: l.certificateNamespace } : {}) } } : {}),
        })),
        allowedRoutesFrom: gateway.allowedRoutesFrom,
        certManagerClusterIssuer: gateway.certManagerClusterIssuer,
        annotations: gateway.annotations,
        labels: standardLabels({ name: gateway.name, component: "gateway", ...identity }),
    };
}
