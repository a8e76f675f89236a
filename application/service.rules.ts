/**
 * Cross-field rules of a service (`services.<name>`): what a schema of single fields can't say. Each
 * rule is a pure function from parsed config to problems, tested without Pulumi.
 */
import { parseImageReference } from "../lib/image";
import { parseQuantity, podsOf } from "../lib/quantity";
import { writableVolumeName } from "../lib/objects";
import { builtinSecretOfEnv } from "../lib/builtin-secrets";
import { PodSecurityLevel, addableCapabilities } from "../lib/pod-security";
import { featureEnvName } from "../lib/builtin-secrets";
import { Problem } from "../validation/problem";
import type { Environment } from "../validation/primitives";
import { ServiceConfig, disruptionBudgetOf, startupBudgetOf } from "./service.schema";
import { mutableImageProblems, plainSecretProblems } from "../validation/common-rules";

/** The fewest pods the service runs: the HPA minimum when autoscaling, else the replica count. */
export function minimumReplicas(service: ServiceConfig): number {
    return service.autoscaling.enabled ? service.autoscaling.minReplicas : service.replicas;
}

/** A service's image: a tag or a digest, and no moving tag in production. */
function imageProblems(key: string, image: ServiceConfig["image"], environment: Environment | undefined): Problem[] {
    if (image.tag === undefined && image.digest === undefined) {
        return [{ key: `${key}.image`, given: image, expected: "a tag or a digest" }];
    }
    return mutableImageProblems(`${key}.image.tag`, image, environment);
}

/** The helper containers' images (the dependency wait, the post-deploy check), full references, in production. */
function helperImageProblems(key: string, service: ServiceConfig, environment: Environment | undefined): Problem[] {
    return (["waitForDependencies", "postDeployCheck"] as const)
        .filter((helper) => service[helper].enabled)
        .flatMap((helper) => {
            const reference = parseImageReference(service[helper].image);
            return reference ? mutableImageProblems(`${key}.${helper}.image`, reference, environment).map((p) => ({ ...p, given: service[helper].image })) : [];
        });
}

/** Secrets pasted into a service's env, settings or extraEnv. */
function serviceSecretProblems(key: string, service: ServiceConfig): Problem[] {
    return [
        ...Object.entries(service.env).flatMap(([name, value]) => pastedSecretProblems(`${key}.env.${name}`, name, value)),
        ...service.extraEnv.flatMap((entry, i) => (entry.value !== undefined ? pastedSecretProblems(`${key}.extraEnv.${i}.value`, entry.name, entry.value) : [])),
    ];
}

/** A secret pasted into a variable; when the variable is a built-in entry's, the fix is to delete it and set the entry. */
function pastedSecretProblems(key: string, name: string, value: unknown): Problem[] {
    const entry = builtinSecretOfEnv(name);
    const expected = `no secret here: ${name} is the built-in secret entry ${entry}, which the program sets itself. Delete this line and set the value with pulumi config set --secret ${entry} <value> (or where secrets.source says it comes from)`;
    return plainSecretProblems(key, name, value).map((problem) => (entry === undefined ? problem : { ...problem, expected }));
}

/** A PodDisruptionBudget must let at least one pod go, or it blocks every drain. */
function disruptionBudgetProblems(key: string, service: ServiceConfig): Problem[] {
    const pdb = disruptionBudgetOf(service);
    if (pdb === undefined) return [];
    const replicas = minimumReplicas(service);
    const from = service.autoscaling.enabled ? `${key}.autoscaling.minReplicas` : `${key}.replicas`;
    if ((pdb.minAvailable === undefined) === (pdb.maxUnavailable === undefined)) {
        return [{
            key: `${key}.podDisruptionBudget`,
            given: { minAvailable: pdb.minAvailable, maxUnavailable: pdb.maxUnavailable },
            expected: "exactly one of minAvailable or maxUnavailable",
        }];
    }
    if (pdb.minAvailable !== undefined && podsOf(pdb.minAvailable, replicas) >= replicas) {
        return [{
            key: `${key}.podDisruptionBudget.minAvailable`,
            given: pdb.minAvailable,
            expected: `fewer pods than ${from} (${replicas}), or the budget blocks every eviction and node drain`,
        }];
    }
    if (pdb.maxUnavailable !== undefined && podsOf(pdb.maxUnavailable, replicas) < 1) {
        return [{
            key: `${key}.podDisruptionBudget.maxUnavailable`,
            given: pdb.maxUnavailable,
            expected: "at least 1 pod, or the budget blocks every eviction and node drain",
        }];
    }
    return [];
}

/** Requests at most their limits. */
function resourceProblems(key: string, resources: ServiceConfig["resources"]): Problem[] {
    return (["cpu", "memory"] as const)
        .filter((resource) => parseQuantity(resources.requests[resource]) > parseQuantity(resources.limits[resource]))
        .map((resource) => ({
            key: `${key}.resources.requests.${resource}`,
            given: resources.requests[resource],
            expected: `at most ${key}.resources.limits.${resource} (${resources.limits[resource]})`,
        }));
}

/** The autoscaler's range. */
function autoscalingProblems(key: string, autoscaling: ServiceConfig["autoscaling"]): Problem[] {
    if (autoscaling.enabled && autoscaling.minReplicas > autoscaling.maxReplicas) {
        return [{
            key: `${key}.autoscaling.minReplicas`,
            given: autoscaling.minReplicas,
            expected: `at most ${key}.autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
        }];
    }
    return [];
}

/** Rollout, ingress and the services it calls. */
function shapeProblems(key: string, service: ServiceConfig, serviceNames: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    const { strategy } = service;
    if (podsOf(strategy.maxSurge, 1) === 0 && podsOf(strategy.maxUnavailable, 1) === 0) {
        problems.push({ key: `${key}.strategy`, given: strategy, expected: "maxSurge or maxUnavailable above 0, or no rollout can make progress" });
    }
    if (service.ingress.enabled && service.ingress.hosts.length === 0) {
        problems.push({ key: `${key}.ingress.hosts`, given: [], expected: "at least one host when ingress.enabled is true (or the stack's domain, which makes it <service>.<domain>)" });
    }
    const others = serviceNames.filter((n) => `services.${n}` !== key);
    const host = service.ingress.enabled ? service.ingress.hosts.find((h) => h.host.length > 253) : undefined;
    if (host !== undefined) problems.push({ key: `${key}.ingress.hosts`, given: host.host, expected: "a host of at most 253 characters: a shorter domain, or a host of its own" });
    for (const target of service.connectsTo.services.filter((t) => !others.includes(t))) {
        problems.push({ key: `${key}.connectsTo.services`, given: target, expected: `another service of this stack (${others.join(", ") || "none"})` });
    }
    return problems;
}

/** The container's and the Service's ports: no two may share a number. */
function portProblems(key: string, service: ServiceConfig): Problem[] {
    if (service.metrics.enabled && service.ports.metrics === service.ports.http) {
        return [{ key: `${key}.ports.metrics`, given: service.ports.metrics, expected: `a port other than ${key}.ports.http (${service.ports.http}): a container and a Service cannot have two ports of one number` }];
    }
    return [];
}

/** The preStop sleep runs inside the grace period; the process needs time to stop after it. */
function terminationProblems(key: string, service: ServiceConfig): Problem[] {
    const { preStopSleepSeconds: sleep, terminationGracePeriodSeconds: grace } = service;
    if (sleep > 0 && sleep >= grace) {
        return [{
            key: `${key}.preStopSleepSeconds`,
            given: sleep,
            expected: `less than ${key}.terminationGracePeriodSeconds (${grace}): the sleep runs inside the grace period, and the process needs time to stop after it`,
        }];
    }
    return [];
}

/** TLS needs a certificate: from cert-manager (an issuer) or an existing Secret; an issuer needs TLS on. */
function tlsProblems(key: string, ingress: ServiceConfig["ingress"]): Problem[] {
    if (!ingress.enabled) return [];
    const issuer = ingress.certManagerClusterIssuer;
    if (issuer !== undefined && !ingress.tls.enabled) {
        return [{ key: `${key}.ingress.certManagerClusterIssuer`, given: issuer, expected: `nothing, because ${key}.ingress.tls.enabled is false: no certificate would ever be requested (or set tls.enabled: true)` }];
    }
    if (ingress.tls.enabled && issuer === undefined && ingress.tls.secretName === undefined) {
        return [{
            key: `${key}.ingress.tls`,
            given: { enabled: true },
            expected: `certManagerClusterIssuer (cert-manager writes the certificate's Secret) or tls.secretName naming an existing Secret with the certificate, because ${key}.ingress.tls.enabled is true`,
        }];
    }
    return [];
}

/** Problems of one service; `key` is its config key, e.g. "services.api". */
export function serviceProblems(key: string, service: ServiceConfig, environment: Environment | undefined, serviceNames: readonly string[]): Problem[] {
    return [
        // Under blueGreen the tracks' images are what runs, judged by the release's rules.
        ...(service.release.strategy === "blueGreen" ? [] : imageProblems(key, service.image, environment)),
        ...helperImageProblems(key, service, environment),
        ...portProblems(key, service),
        ...terminationProblems(key, service),
        ...tlsProblems(key, service.ingress),
        ...serviceSecretProblems(key, service),
        ...autoscalingProblems(key, service.autoscaling),
        ...disruptionBudgetProblems(key, service),
        ...resourceProblems(key, service.resources),
        ...shapeProblems(key, service, serviceNames),
        ...migrationProblems(key, service.migration),
        ...probeProblems(key, service),
        ...exposureProblems(key, service),
        ...serviceAccountProblems(key, service.serviceAccount),
        ...featureFlagProblems(key, service),
        ...releaseProblems(key, service),
    ];
}

/**
 * A progress deadline that is set outlasts the startup probe: a pod the probe still lets start is
 * no stuck rollout. (The default does by itself; the Deployment sets no minReadySeconds, so the
 * API server's rule, a deadline above it, holds.)
 */
export function releaseProblems(key: string, service: ServiceConfig): Problem[] {
    const startup = service.probes.startup;
    const deadline = service.release.progressDeadlineSeconds;
    const budget = startupBudgetOf(service);
    if (deadline === undefined || deadline > budget) return [];
    return [{
        key: `${key}.release.progressDeadlineSeconds`,
        given: deadline,
        expected: `more seconds than ${key}.probes.startup gives a pod to start (initialDelaySeconds ${startup.initialDelaySeconds} + periodSeconds ${startup.periodSeconds} × failureThreshold ${startup.failureThreshold} = ${budget}), or a slow but healthy start fails the rollout`,
    }];
}

/** An existing ServiceAccount needs its name; annotations only reach one the program creates. */
export function serviceAccountProblems(key: string, account: ServiceConfig["serviceAccount"]): Problem[] {
    if (account.create) return [];
    const at = `${key}.serviceAccount`;
    const problems: Problem[] = [];
    if (account.name === undefined) problems.push({ key: `${at}.name`, given: undefined, expected: `the name of the existing ServiceAccount, because ${at}.create is false` });
    if (Object.keys(account.annotations).length > 0) problems.push({ key: `${at}.annotations`, given: account.annotations, expected: `nothing, because ${at}.create is false: annotate the existing ServiceAccount where it is managed` });
    return problems;
}

/** The Service: node ports and external traffic settings only where the type has them; no two ports of one name or number. */
export function exposureProblems(key: string, service: ServiceConfig): Problem[] {
    const svc = service.service;
    const at = `${key}.service`;
    const problems: Problem[] = [];
    const external = svc.type !== "ClusterIP";
    if (!external && svc.nodePort !== undefined) problems.push({ key: `${at}.nodePort`, given: svc.nodePort, expected: `nothing, because ${at}.type is "ClusterIP" (NodePort and LoadBalancer have node ports)` });
    if (!external && svc.externalTrafficPolicy !== undefined) problems.push({ key: `${at}.externalTrafficPolicy`, given: svc.externalTrafficPolicy, expected: `nothing, because ${at}.type is "ClusterIP"` });
    if (svc.type !== "LoadBalancer" && svc.loadBalancerSourceRanges.length > 0) problems.push({ key: `${at}.loadBalancerSourceRanges`, given: svc.loadBalancerSourceRanges, expected: `nothing, because ${at}.type is "${svc.type}"` });
    const names = new Map<string, string>([["http", `${key}.ports.http`], ...(service.metrics.enabled ? [["metrics", `${key}.ports.metrics`] as [string, string]] : [])]);
    const numbers = new Map<number, string>([[service.ports.http, `${key}.ports.http`], ...(service.metrics.enabled ? [[service.ports.metrics, `${key}.ports.metrics`] as [number, string]] : [])]);
    const nodePorts = new Map<number, string>(svc.nodePort === undefined ? [] : [[svc.nodePort, `${at}.nodePort`]]);
    svc.extraPorts.forEach((extra, i) => {
        const here = `${at}.extraPorts.${i}`;
        for (const [value, seen, field] of [[extra.name, names, "name"], [extra.port, numbers, "port"], [extra.nodePort, nodePorts, "nodePort"]] as const) {
            if (value === undefined) continue;
            const first = (seen as Map<unknown, string>).get(value);
            if (first !== undefined) problems.push({ key: `${here}.${field}`, given: value, expected: `a ${field} that ${first} does not already use` });
            (seen as Map<unknown, string>).set(value, `${here}.${field}`);
        }
        if (!external && extra.nodePort !== undefined) problems.push({ key: `${here}.nodePort`, given: extra.nodePort, expected: `nothing, because ${at}.type is "ClusterIP" (NodePort and LoadBalancer have node ports)` });
    });
    return problems;
}

/** The probes: a command for exec, a port the container has, one success for liveness and startup; a check the readiness probe can guide. */
export function probeProblems(key: string, service: ServiceConfig): Problem[] {
    const problems: Problem[] = [];
    const portNames = ["http", ...(service.metrics.enabled ? ["metrics"] : [])];
    for (const [name, probe] of Object.entries(service.probes)) {
        const at = `${key}.probes.${name}`;
        if (!probe.enabled) continue;
        if (probe.type === "exec" && probe.command === undefined) problems.push({ key: `${at}.command`, given: undefined, expected: `the command to run, because ${at}.type is "exec"` });
        if (probe.type !== "exec" && typeof probe.port === "string" && !portNames.includes(probe.port)) {
            problems.push({ key: `${at}.port`, given: probe.port, expected: `a port number or a port of the container (${portNames.join(", ")})` });
        }
        if (name !== "readiness" && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
            problems.push({ key: `${at}.successThreshold`, given: probe.successThreshold, expected: `1: Kubernetes requires it of ${name} probes` });
        }
    }
    return [...problems, ...checkProbeProblems(key, service)];
}

/** The post-deploy check calls what the readiness probe checks, through the Service's http port. */
function checkProbeProblems(key: string, service: ServiceConfig): Problem[] {
    const readiness = service.probes.readiness;
    if (!service.postDeployCheck.enabled) return [];
    if (!readiness.enabled || readiness.type === "exec") {
        return [{ key: `${key}.postDeployCheck.enabled`, given: true, expected: `false, because ${key}.probes.readiness is ${readiness.enabled ? "an exec probe, which only the kubelet can run" : "off"}: the check calls what the readiness probe checks` }];
    }
    if (readiness.port !== "http" && readiness.port !== service.ports.http) {
        return [{ key: `${key}.probes.readiness.port`, given: readiness.port, expected: `"http" (${service.ports.http}), because ${key}.postDeployCheck calls the readiness probe through the Service's http port` }];
    }
    return [];
}

/** A migration needs something to run. */
export function migrationProblems(key: string, migration: ServiceConfig["migration"]): Problem[] {
    if (!migration.enabled || migration.command !== undefined) return [];
    return [{ key: `${key}.migration.command`, given: undefined, expected: `the command to run, such as ["alembic", "upgrade", "head"], because ${key}.migration.enabled is true` }];
}

/**
 * Two Ingresses of one stack (or two rules of one) claiming the same host and path: the ingress
 * controller routes it to one of them, and which is not up to the stack file.
 */
export function ingressConflictProblems(services: Readonly<Record<string, ServiceConfig>>): Problem[] {
    const claimed = new Map<string, string>();
    const problems: Problem[] = [];
    for (const [name, service] of Object.entries(services)) {
        if (!service.ingress.enabled) continue;
        service.ingress.hosts.forEach((host, h) =>
            host.paths.forEach((path, p) => {
                const route = `${host.host}${path.path}`;
                const key = `services.${name}.ingress.hosts.${h}.paths.${p}.path`;
                const first = claimed.get(route);
                if (first === undefined) claimed.set(route, key);
                else problems.push({ key, given: path.path, expected: `a host and path no other Ingress rule of the stack claims: ${first} already routes ${route}` });
            }),
        );
    }
    return problems;
}

/** Tracing needs its endpoint; Vault settings need Vault as the stack's secret store. */
export function featureProblems(key: string, settings: ServiceConfig["settings"], vaultStore: boolean): Problem[] {
    const problems: Problem[] = [];
    if (settings.tracing.enabled && settings.tracing.otlpEndpoint === undefined) {
        problems.push({ key: `${key}.settings.tracing.otlpEndpoint`, given: undefined, expected: `the OTLP endpoint's URL, such as "http://otel-collector.observability:4317", because ${key}.settings.tracing.enabled is true` });
    }
    if (settings.vault.enabled && !vaultStore) {
        problems.push({ key: `${key}.settings.vault.enabled`, given: true, expected: "false, unless secrets.store.provider is \"vault\" (its server is VAULT_ADDR)" });
    }
    return problems;
}

/**
 * Feature flags whose variables would be one (two names folding to the same FEATURE_ name), or
 * one the service's own `env` sets: the ConfigMap has one key per variable, so one of the two
 * would be silently lost. (No variable the program sets starts with FEATURE_, which
 * tests/configuration-knobs.test.ts holds programEnvNames to; a secret entry's variable is
 * checked against the flags in secrets.rules.ts.)
 */
export function featureFlagProblems(key: string, service: Pick<ServiceConfig, "features" | "env">): Problem[] {
    const problems: Problem[] = [];
    const claimed = new Map<string, string>();
    for (const flag of Object.keys(service.features)) {
        const variable = featureEnvName(flag);
        const first = claimed.get(variable);
        if (first !== undefined) {
            problems.push({ key: `${key}.features.${flag}`, given: flag, expected: `a flag whose variable no other flag has: ${key}.features.${first} is already ${variable}` });
        } else if (variable in service.env) {
            problems.push({ key: `${key}.features.${flag}`, given: flag, expected: `a flag whose variable ${key}.env doesn't set too: both write ${variable}` });
        }
        claimed.set(variable, first ?? flag);
    }
    return problems;
}

/** Services that connect to a data store the stack turned off (`postgresql.enabled` / `redis.enabled` false). */
export function disabledStoreProblems(services: Readonly<Record<string, ServiceConfig>>, enabled: Readonly<Record<"postgresql" | "redis", boolean>>): Problem[] {
    return Object.entries(services).flatMap(([name, service]) =>
        (["postgresql", "redis"] as const)
            .filter((store) => !enabled[store] && service.connectsTo[store])
            .map((store) => ({
                key: `services.${name}.connectsTo.${store}`,
                given: true,
                expected: `false, because ${store}.enabled is false: the stack has no ${store === "postgresql" ? "PostgreSQL" : "Redis"} to connect to (connectsTo.${store} is true unless set)`,
            })));
}

/** Two services whose objects (fullnameOverride) or pods' name label (nameOverride) would be one. */
export function nameOverrideProblems(services: Readonly<Record<string, ServiceConfig>>): Problem[] {
    const problems: Problem[] = [];
    for (const field of ["fullnameOverride", "nameOverride"] as const) {
        const claimed = new Map<string, string>();
        for (const [name, service] of Object.entries(services)) {
            const value = service[field] ?? name;
            const first = claimed.get(value);
            if (first !== undefined) problems.push({ key: `services.${name}.${field}`, given: value, expected: `a name no other service of the stack has: services.${first} already has it` });
            else claimed.set(value, name);
        }
    }
    return problems;
}

const lowerLevel = (what: string) => `, or namespace.podSecurity: baseline (privileged) for an image that needs ${what}`;

/** A service's security settings against the namespace's Pod Security level, its privileged ports and its writable paths. */
export function serviceSecurityProblems(key: string, service: ServiceConfig, level: PodSecurityLevel): Problem[] {
    const security = service.securityContext;
    const problems: Problem[] = [];
    if (security.runAsUser === 0 && level === "restricted") {
        problems.push({ key: `${key}.securityContext.runAsUser`, given: 0, expected: `a non-zero UID: Pod Security "restricted" refuses root${lowerLevel("root")}` });
    }
    const allowed = addableCapabilities(level);
    for (const [i, capability] of security.addCapabilities.entries()) {
        if (allowed && !allowed.includes(capability)) {
            problems.push({ key: `${key}.securityContext.addCapabilities.${i}`, given: capability, expected: `one of ${allowed.join(", ")} (what Pod Security "${level}" lets a container add)${level === "restricted" ? lowerLevel("more") : ", or namespace.podSecurity: privileged"}` });
        }
    }
    const bindsLow = security.runAsUser !== 0 && !security.addCapabilities.includes("NET_BIND_SERVICE");
    for (const name of ["http", "metrics"] as const) {
        if (bindsLow && service.ports[name] < 1024 && (name === "http" || service.metrics.enabled)) {
            problems.push({ key: `${key}.ports.${name}`, given: service.ports[name], expected: `a port of 1024 or above: a non-root process cannot bind below 1024 (or securityContext.addCapabilities: [NET_BIND_SERVICE], for a binary that carries that file capability)` });
        }
    }
    const seen = new Map<string, string>();
    const extraVolumes = new Set(service.extraVolumes.map((v) => v.name));
    security.writablePaths.forEach((w, i) => {
        const name = writableVolumeName(w.path);
        const clash = seen.get(name) ?? (extraVolumes.has(name) ? `${key}.extraVolumes` : undefined);
        if (clash !== undefined) problems.push({ key: `${key}.securityContext.writablePaths.${i}.path`, given: w.path, expected: `a path whose volume name ("${name}") ${clash} does not already use` });
        seen.set(name, `${key}.securityContext.writablePaths.${i}`);
    });
    return problems;
}
