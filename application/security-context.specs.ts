/** The security contexts every pod of the stack runs with: the services', the platform's helpers' and the data tier's jobs. */
import * as k8s from "../platform/k8s";
import type { ServiceConfig } from "./service.schema";

/** Who a container runs as and what it may write: a service's resolved securityContext config. */
export type ContainerSecurity = Pick<ServiceConfig["securityContext"], "runAsUser" | "runAsGroup" | "fsGroup" | "readOnlyRootFilesystem" | "addCapabilities">;

/** The platform's own containers (dependency wait, post-deploy check): UID and GID 1000, read-only root, nothing added. */
export const platformSecurity: ContainerSecurity = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, readOnlyRootFilesystem: true, addCapabilities: [] };

/** The container securityContext: "restricted" unless the service runs as root or adds capabilities the namespace's level allows. */
export function restrictedContainerSecurityContext(security: ContainerSecurity = platformSecurity): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsNonRoot: security.runAsUser !== 0,
        runAsUser: security.runAsUser,
        runAsGroup: security.runAsGroup,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: security.readOnlyRootFilesystem,
        privileged: false,
        capabilities: { drop: ["ALL"], ...(security.addCapabilities.length > 0 ? { add: [...security.addCapabilities] } : {}) },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The pod securityContext (Pod Security Standards "restricted" unless the service runs as root). */
export function restrictedPodSecurityContext(security: ContainerSecurity = platformSecurity): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: security.runAsUser !== 0,
        runAsUser: security.runAsUser,
        runAsGroup: security.runAsGroup,
        fsGroup: security.fsGroup,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}
