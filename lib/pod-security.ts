/**
 * The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
 * as data and one check: the config refuses a service's security settings the namespace's level
 * would refuse, and tests run the check on the pods the program writes.
 */

/** The Pod Security levels, strictest first. */
export const podSecurityLevels = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof podSecurityLevels)[number];

/** The namespace label Pod Security admission enforces. */
export const podSecurityEnforceLabel = "pod-security.kubernetes.io/enforce";

/** The only capability "restricted" lets a container add. */
export const restrictedCapabilities: readonly string[] = ["NET_BIND_SERVICE"];

/** The capabilities "baseline" lets a container add (the container runtime's default set). */
export const baselineCapabilities: readonly string[] = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

/** The capabilities a level lets a container add; undefined: any. */
export function addableCapabilities(level: PodSecurityLevel): readonly string[] | undefined {
    return level === "restricted" ? restrictedCapabilities : level === "baseline" ? baselineCapabilities : undefined;
}

/** The volume types "restricted" allows. */
const restrictedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

interface SecurityContextLike {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: readonly string[]; drop?: readonly string[] };
    seccompProfile?: { type?: string };
}

interface ContainerLike {
    name: string;
    securityContext?: SecurityContextLike;
    ports?: readonly { hostPort?: number }[];
}

/** The fields of a pod spec the Pod Security Standards look at, as plain data. */
export interface PodSpecLike {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContextLike;
    containers: readonly ContainerLike[];
    initContainers?: readonly ContainerLike[];
    volumes?: readonly Record<string, unknown>[];
}

/** What "baseline" refuses in a pod: host namespaces, privileged containers, host paths and ports, added capabilities beyond its set. */
function baselineViolations(pod: PodSpecLike, containers: readonly ContainerLike[]): string[] {
    const found: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) if (pod[field]) found.push(`${field}: true`);
    for (const volume of pod.volumes ?? []) if ("hostPath" in volume) found.push(`volume "${String(volume.name)}" is a hostPath`);
    const seccomps = [pod.securityContext, ...containers.map((c) => c.securityContext)];
    if (seccomps.some((s) => s?.seccompProfile?.type === "Unconfined")) found.push("seccompProfile Unconfined");
    for (const c of containers) {
        if (c.securityContext?.privileged) found.push(`container "${c.name}" is privileged`);
        if ((c.ports ?? []).some((p) => (p.hostPort ?? 0) !== 0)) found.push(`container "${c.name}" uses a hostPort`);
        const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !baselineCapabilities.includes(cap));
        if (extra.length > 0) found.push(`container "${c.name}" adds ${extra.join(", ")}`);
    }
    return found;
}

/** What "restricted" refuses beyond "baseline". */
function restrictedViolations(pod: PodSpecLike, containers: readonly ContainerLike[]): string[] {
    const found: string[] = [];
    for (const volume of pod.volumes ?? []) {
        const type = Object.keys(volume).find((k) => k !== "name");
        if (type !== undefined && !restrictedVolumeTypes.includes(type)) found.push(`volume "${String(volume.name)}" is of type ${type}`);
    }
    const podContext = pod.securityContext ?? {};
    if (podContext.runAsUser === 0) found.push("the pod runs as UID 0");
    for (const c of containers) {
        const context = c.securityContext ?? {};
        if (context.allowPrivilegeEscalation !== false) found.push(`container "${c.name}" does not set allowPrivilegeEscalation: false`);
        if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) found.push(`container "${c.name}" does not set runAsNonRoot: true`);
        if (context.runAsUser === 0) found.push(`container "${c.name}" runs as UID 0`);
        const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") found.push(`container "${c.name}" has no RuntimeDefault or Localhost seccompProfile`);
        if (!(context.capabilities?.drop ?? []).includes("ALL")) found.push(`container "${c.name}" does not drop ALL capabilities`);
        const extra = (context.capabilities?.add ?? []).filter((cap) => !restrictedCapabilities.includes(cap));
        if (extra.length > 0) found.push(`container "${c.name}" adds ${extra.join(", ")}`);
    }
    return found;
}

/** What Pod Security admission at `level` would refuse in `pod`, one line each; [] when it admits it. */
export function podSecurityViolations(pod: PodSpecLike, level: PodSecurityLevel): string[] {
    if (level === "privileged") return [];
    const containers = [...(pod.initContainers ?? []), ...pod.containers];
    const baseline = baselineViolations(pod, containers);
    return level === "baseline" ? baseline : [...new Set([...baseline, ...restrictedViolations(pod, containers)])];
}
