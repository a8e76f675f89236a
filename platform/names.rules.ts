/**
 * The names the program derives from the stack's identity and the config, checked against the
 * Kubernetes name rules where the config can compute them: a stack file can't see that
 * "<project>-<stack>" becomes the namespace, the Helm release names and the ESO object names, or
 * that a service's name gets "-check-" and a random suffix on its post-deploy check's Job.
 */
import { DataStoreKind, maxReleaseNameLength, releaseNames } from "../lib/bitnami-charts";
import { isName } from "../validation/primitives";
import { Problem } from "../validation/problem";
import type { SecretsConfig } from "../secrets/secrets.schema";

/** What Pulumi's auto-naming appends to a resource's name: "-" and 7 random characters. */
export const autonameSuffixLength = 8;

/** The post-deploy check's Job: "<service>-check-<random>"; a Job's name is also a label value (job-name), at most 63 characters. */
export const maxServiceNameWithCheck = 63 - "-check".length - autonameSuffixLength;

/** The identity of a platform instance: "<project>-<stack>". */
export function instanceOf(stack: { project: string; stack: string }): string {
    return `${stack.project}-${stack.stack}`;
}

/** Why an instance name can't be used where a DNS label goes, or undefined. */
function instanceLabelProblem(instance: string): string | undefined {
    return isName("dns1123Label", instance) ? undefined : `"${instance}" (<project>-<stack>) is not a lowercase DNS label of at most 63 characters`;
}

/** The data stores' release names must fit the charts' object names; the stack name decides them. */
export function releaseNameProblems(stack: { project: string; stack: string }, store: DataStoreKind, section: { mode: string }): Problem[] {
    const instance = instanceOf(stack);
    const { release } = releaseNames(instance, store);
    if (section.mode !== "in-cluster") return [];
    if (release.length > maxReleaseNameLength) {
        return [{
            key: `${store}.mode`,
            given: "in-cluster",
            expected: `a stack name of at most ${maxReleaseNameLength - stack.project.length - store.length - 2} characters, because the release name "${release}" must fit in ${maxReleaseNameLength} (the chart's object names); or mode "external"`,
        }];
    }
    if (!isName("dns1123Label", release)) {
        return [{ key: `${store}.mode`, given: "in-cluster", expected: `a lowercase stack name (a-z, 0-9, '-'), because the release name "${release}" must be a DNS label; or mode "external"` }];
    }
    return [];
}

/** The namespace defaults to "<project>-<stack>", which must then be a DNS label. */
export function namespaceNameProblems(stack: { project: string; stack: string }, namespace: { name?: string }): Problem[] {
    const why = instanceLabelProblem(instanceOf(stack));
    if (namespace.name !== undefined || why === undefined) return [];
    return [{ key: "namespace.name", given: undefined, expected: `a namespace name, because the default ${why}` }];
}

/** A service's post-deploy check Job name must fit in 63 characters. */
export function checkNameProblems(services: Readonly<Record<string, { postDeployCheck: { enabled: boolean } }>>): Problem[] {
    return Object.entries(services)
        .filter(([name, service]) => service.postDeployCheck.enabled && name.length > maxServiceNameWithCheck)
        .map(([name]) => ({
            key: `services.${name}.postDeployCheck.enabled`,
            given: true,
            expected: `false, or a service name of at most ${maxServiceNameWithCheck} characters: the check's Job is named "${name}-check-" and 7 random characters, and a Job's name must fit in 63`,
        }));
}

/** The ESO objects named after the instance ("<instance>-app-secrets", "<instance>-secrets") need a lowercase instance. */
export function secretObjectNameProblems(stack: { project: string; stack: string }, secrets: SecretsConfig): Problem[] {
    const instance = instanceOf(stack);
    if (isName("dns1123Subdomain", `${instance}-app-secrets`)) return [];
    const problems: Problem[] = [];
    if (secrets.source === "external-secrets") {
        problems.push({ key: "secrets.source", given: secrets.source, expected: `a source other than "external-secrets" with this stack name: the synced Secret "${instance}-app-secrets" would not be a valid object name` });
    }
    for (const [name, entry] of Object.entries(secrets.entries)) {
        if (entry.remoteRef === undefined) continue;
        problems.push({ key: `secrets.entries.${name}.remoteRef`, given: entry.remoteRef, expected: `no remote ref with this stack name: the synced Secret "${instance}-app-secrets" would not be a valid object name` });
    }
    if (secrets.store?.create && secrets.store.name === undefined) {
        problems.push({ key: "secrets.store.name", given: undefined, expected: `a store name, because the default "${instance}-secrets" is not a valid object name` });
    }
    return problems;
}
