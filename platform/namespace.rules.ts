/** The Pod Security level a stack's namespace enforces, and the rules of `namespace`. */
import { PodSecurityLevel, podSecurityEnforceLabel, podSecurityLevels } from "../lib/pod-security";
import { Problem } from "../validation/problem";
import type { NamespaceConfig } from "./namespace.schema";


/** The Pod Security level the stack's pods are held to: namespace.podSecurity, else the namespace's enforce label, else "restricted". */
export function podSecurityLevel(namespace: Pick<NamespaceConfig, "podSecurity" | "labels"> | undefined): PodSecurityLevel {
    const label = namespace?.labels[podSecurityEnforceLabel];
    const labelled = podSecurityLevels.find((level) => level === label);
    return namespace?.podSecurity ?? labelled ?? "restricted";
}

/** namespace.podSecurity sets the enforce label, so a different one in namespace.labels contradicts it. */
export function namespaceSecurityProblems(namespace: NamespaceConfig): Problem[] {
    const label = namespace.labels[podSecurityEnforceLabel];
    if (namespace.podSecurity === undefined || label === undefined || label === namespace.podSecurity) return [];
    return [{ key: `namespace.labels.${podSecurityEnforceLabel}`, given: label, expected: `nothing, or "${namespace.podSecurity}" as namespace.podSecurity sets it` }];
}
