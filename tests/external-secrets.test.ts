/**
 * The External Secrets Operator objects: the pure spec builders per provider, their validity
 * against @kubernetes-models/external-secrets (pinned), and the program under mocks for each
 * provider, store kind and secrets source, for the application's secrets and the data tier's
 * passwords, including the errors a missing or inconsistent secrets config gives before any
 * resource is registered.
 */
import { strict as assert } from "assert";
import { StoreConfig } from "../secrets/secrets.schema";
import { resolveSecretStore } from "../secrets/secrets.resolve";
import { externalSecretSpec } from "../secrets/external-secrets";
import { reloaderAnnotations } from "../application/application.specs";
import { secretStoreProvider as providerOfResolved } from "../secrets/secret-store.specs";
import { schemaProblems, unknownFields } from "./k8s-schema";
import { ProgramRun, RecordedResource, readStackConfig, runProgramExpectingError, runStack } from "./mocks";

type Values = Record<string, any>;

const T = {
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
    clusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    secret: "kubernetes:core/v1:Secret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    deployment: "kubernetes:apps/v1:Deployment",
    chart: "kubernetes:helm.sh/v4:Chart",
    password: "random:index/randomPassword:RandomPassword",
};

/** A created store's config per provider, as a stack file would hold it (after defaults). */
const stores: Record<string, StoreConfig> = {
    aws: { create: true, kind: "SecretStore", provider: "aws", aws: { region: "eu-west-1", role: "arn:aws:iam::123456789012:role/llm-secrets" }, serviceAccount: { name: "llm-secrets", create: true, annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/llm-irsa" } } },
    gcp: { create: true, kind: "SecretStore", provider: "gcp", gcp: { projectID: "acme-prod", cluster: { name: "prod", location: "europe-west1", projectID: "acme-infra" } }, serviceAccount: { name: "llm-secrets", create: true, annotations: { "iam.gke.io/gcp-service-account": "llm-secrets@acme-prod.iam.gserviceaccount.com" } } },
    azure: { create: true, kind: "SecretStore", provider: "azure", azure: { vaultUrl: "https://llm-prod.vault.azure.net", tenantId: "00000000-0000-0000-0000-000000000000", environmentType: "PublicCloud" }, serviceAccount: { name: "llm-secrets", create: true, annotations: { "azure.workload.identity/client-id": "11111111-1111-1111-1111-111111111111" } } },
    vault: { create: true, kind: "SecretStore", provider: "vault", vault: { server: "https://vault.example.com:8200", path: "secret", version: "v2", kubernetesAuth: { mountPath: "kubernetes", role: "llm-platform" } }, serviceAccount: { name: "llm-secrets", create: false, annotations: {} } },
};

const prodIdentity = { instance: "llm-platform-prod", partOf: "llm-platform" };

/** The provider spec of a created store, from its config as the program resolves it. */
function secretStoreProvider(config: StoreConfig, namespace: string): Record<string, unknown> {
    const resolved = resolveSecretStore(config, prodIdentity, "1h");
    return providerOfResolved({ kind: resolved.kind, ...resolved.create! }, namespace);
}

const storeObject = (config: StoreConfig, namespace = "llm-platform") => ({
    apiVersion: "external-secrets.io/v1",
    kind: config.kind,
    metadata: { name: resolveSecretStore(config, prodIdentity, "1h").name, ...(config.kind === "SecretStore" ? { namespace } : {}) },
    spec: { provider: secretStoreProvider(config, namespace) },
});

describe("external secrets: store specs per provider, with the in-cluster auth each uses", () => {
    it("aws: Secrets Manager in the region, IRSA through the referenced ServiceAccount's token (auth.jwt)", () => {
        assert.deepEqual(secretStoreProvider(stores.aws, "llm-platform"), {
            aws: { service: "SecretsManager", region: "eu-west-1", role: "arn:aws:iam::123456789012:role/llm-secrets", auth: { jwt: { serviceAccountRef: { name: "llm-secrets" } } } },
        });
    });

    it("aws without a ServiceAccount: no auth block, so ESO uses its own identity (IRSA or EKS Pod Identity on the controller)", () => {
        assert.deepEqual(secretStoreProvider({ ...stores.aws, aws: { region: "eu-west-1" }, serviceAccount: undefined } as StoreConfig, "llm-platform"), {
            aws: { service: "SecretsManager", region: "eu-west-1" },
        });
    });

    it("gcp: Secret Manager with GKE workload identity", () => {
        assert.deepEqual(secretStoreProvider(stores.gcp, "llm-platform"), {
            gcpsm: {
                projectID: "acme-prod",
                auth: { workloadIdentity: { serviceAccountRef: { name: "llm-secrets" }, clusterName: "prod", clusterLocation: "europe-west1", clusterProjectID: "acme-infra" } },
            },
        });
    });

    it("azure: Key Vault with Azure workload identity", () => {
        assert.deepEqual(secretStoreProvider(stores.azure, "llm-platform"), {
            azurekv: {
                authType: "WorkloadIdentity",
                vaultUrl: "https://llm-prod.vault.azure.net",
                tenantId: "00000000-0000-0000-0000-000000000000",
                environmentType: "PublicCloud",
                serviceAccountRef: { name: "llm-secrets" },
            },
        });
    });

    it("vault: KV v2 with Vault's Kubernetes auth", () => {
        assert.deepEqual(secretStoreProvider(stores.vault, "llm-platform"), {
            vault: { server: "https://vault.example.com:8200", path: "secret", version: "v2", auth: { kubernetes: { mountPath: "kubernetes", role: "llm-platform", serviceAccountRef: { name: "llm-secrets" } } } },
        });
    });

    it("a ClusterSecretStore names the ServiceAccount's namespace, which a cluster-scoped store has none of", () => {
        const provider = secretStoreProvider({ ...stores.vault, kind: "ClusterSecretStore" }, "llm-platform") as Values;
        assert.deepEqual(provider.vault.auth.kubernetes.serviceAccountRef, { name: "llm-secrets", namespace: "llm-platform" });
    });

    it("the default store name is the instance's", () => {
        assert.deepEqual(resolveSecretStore({ create: false, kind: "SecretStore" }, prodIdentity, "1h"), { ...prodIdentity, kind: "SecretStore", name: "llm-platform-prod-secrets", refreshInterval: "1h" });
        assert.deepEqual(resolveSecretStore({ create: false, kind: "ClusterSecretStore", name: "org-aws" }, prodIdentity, "1h"), { ...prodIdentity, kind: "ClusterSecretStore", name: "org-aws", refreshInterval: "1h" });
    });

    for (const [provider, config] of Object.entries(stores)) {
        for (const kind of ["SecretStore", "ClusterSecretStore"] as const) {
            it(`${provider} ${kind} is schema-valid against @kubernetes-models/external-secrets, with no unknown field`, async () => {
                const object = storeObject({ ...config, kind });
                assert.deepEqual(await schemaProblems(object), []);
                assert.deepEqual(await unknownFields(object), []);
            });
        }
    }
});

describe("external secrets: ExternalSecret spec", () => {
    const spec = externalSecretSpec({
        sync: { store: { kind: "ClusterSecretStore", name: "org-aws" }, refreshInterval: "15m" },
        targetName: "llm-platform-prod-app-secrets",
        labels: { "app.kubernetes.io/name": "app-secrets" },
        data: [
            { secretKey: "anthropic-api-key", remoteRef: { key: "llm/prod", property: "anthropic" } },
            { secretKey: "app-secret-key", remoteRef: { key: "llm/app-key", version: "AWSCURRENT" } },
        ],
    });

    it("ESO owns the target Secret, refreshes it, and maps each key to its remote location", () => {
        assert.deepEqual(spec, {
            refreshInterval: "15m",
            secretStoreRef: { kind: "ClusterSecretStore", name: "org-aws" },
            target: { name: "llm-platform-prod-app-secrets", creationPolicy: "Owner", template: { type: "Opaque", metadata: { labels: { "app.kubernetes.io/name": "app-secrets" } } } },
            data: [
                { secretKey: "anthropic-api-key", remoteRef: { key: "llm/prod", property: "anthropic" } },
                { secretKey: "app-secret-key", remoteRef: { key: "llm/app-key", version: "AWSCURRENT" } },
            ],
        });
    });

    it("is schema-valid; a misspelt field or a wrong creation policy is caught", async () => {
        const object: Values = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "x", namespace: "llm-platform" }, spec };
        assert.deepEqual(await schemaProblems(object), []);
        assert.deepEqual(await unknownFields(object), []);
        const broken = structuredClone(object);
        broken.spec.target.creationPolicy = "Owned";
        broken.spec.data[0].remoteRef.propery = "anthropic";
        assert.ok((await schemaProblems(broken)).some((p) => p.startsWith("/spec/target/creationPolicy")), "creationPolicy checked");
        assert.deepEqual(await unknownFields(broken), [".spec.data[0].remoteRef.propery"]);
    });

    it("Reloader's annotation lists the Secrets by name, once each, never their values", () => {
        assert.deepEqual(reloaderAnnotations(["b-auth", "a-keys", "b-auth"]), { "secret.reloader.stakater.com/reload": "a-keys,b-auth" });
        assert.deepEqual(reloaderAnnotations([]), {});
    });
});

/** The stack's secrets section, to edit. */
function stackSecrets(stack: "dev" | "staging" | "prod"): Values {
    return structuredClone((readStackConfig(stack).values["llm-platform:secrets"] as Values | undefined) ?? {});
}

function one(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.ofType(type).filter((r) => r.inputs.metadata?.name === name);
    assert.equal(found.length, 1, `one ${type} named ${name}, found ${run.ofType(type).map((r) => r.inputs.metadata?.name).join(", ") || "none"}`);
    return found[0];
}

function envRefs(run: ProgramRun): Record<string, { name: string; key: string }> {
    const env = run.ofType(T.deployment)[0].inputs.spec.template.spec.containers[0].env;
    return Object.fromEntries(env.filter((e: Values) => e.valueFrom?.secretKeyRef).map((e: Values) => [e.name, e.valueFrom.secretKeyRef]));
}

describe("external secrets under mocks: each provider and store kind, for the app and the data tier", () => {
    for (const [provider, config] of Object.entries(stores)) {
        for (const kind of ["SecretStore", "ClusterSecretStore"] as const) {
            it(`${provider} ${kind}: the store, its ServiceAccount, and ExternalSecrets for the app's keys and both data stores' passwords`, async () => {
                const store = { ...config, kind, name: undefined };
                const run = await runStack("prod", { set: { secrets: { ...stackSecrets("prod"), store } } });
                const storeType = kind === "SecretStore" ? T.secretStore : T.clusterSecretStore;
                const created = one(run, storeType, "llm-platform-prod-secrets");
                assert.equal(created.inputs.metadata.namespace, kind === "SecretStore" ? "llm-platform" : undefined);
                assert.deepEqual(created.inputs.spec.provider, secretStoreProvider({ ...config, kind }, "llm-platform"));
                assert.ok(created.options.dependsOn.includes(run.ofType("kubernetes:core/v1:Namespace")[0].urn), "the store waits for the namespace");
                if (config.serviceAccount?.create) {
                    const sa = one(run, T.serviceAccount, "llm-secrets");
                    assert.deepEqual(sa.inputs.metadata.annotations, config.serviceAccount.annotations);
                    assert.ok(created.options.dependsOn.includes(sa.urn), "the store waits for its ServiceAccount");
                } else {
                    assert.deepEqual(run.ofType(T.serviceAccount).filter((r) => r.inputs.metadata.name === "llm-secrets"), []);
                }

                const syncs = run.ofType(T.externalSecret);
                assert.deepEqual(syncs.map((r) => r.inputs.metadata.name).sort(), ["llm-platform-prod-app-secrets", "llm-platform-prod-postgresql-auth", "llm-platform-prod-redis-auth"]);
                for (const sync of syncs) {
                    assert.deepEqual(sync.inputs.spec.secretStoreRef, { kind, name: "llm-platform-prod-secrets" }, sync.name);
                    assert.equal(sync.inputs.spec.target.name, sync.inputs.metadata.name, "named like the Secret it makes");
                    assert.equal(sync.inputs.spec.refreshInterval, "1h");
                    assert.ok(sync.options.dependsOn.includes(created.urn), `${sync.name} waits for the store`);
                    for (const object of [sync.inputs, created.inputs]) {
                        assert.deepEqual(await schemaProblems(object), [], sync.name);
                        assert.deepEqual(await unknownFields(object), [], sync.name);
                    }
                }

                const pg = one(run, T.externalSecret, "llm-platform-prod-postgresql-auth").inputs.spec.data;
                assert.deepEqual(pg, [
                    { secretKey: "postgres-password", remoteRef: { key: "llm-platform/prod/postgresql", property: "postgres-password" } },
                    { secretKey: "password", remoteRef: { key: "llm-platform/prod/postgresql", property: "password" } },
                    { secretKey: "replication-password", remoteRef: { key: "llm-platform/prod/postgresql", property: "replication-password" } },
                ]);
                assert.deepEqual(one(run, T.externalSecret, "llm-platform-prod-redis-auth").inputs.spec.data, [
                    { secretKey: "redis-password", remoteRef: { key: "llm-platform/prod/redis", property: "redis-password" } },
                ]);
                const app = one(run, T.externalSecret, "llm-platform-prod-app-secrets").inputs.spec.data;
                assert.deepEqual(app.map((d: Values) => d.secretKey), ["anthropic-api-key", "openai-api-key", "cohere-api-key", "vector-db-api-key", "app-secret-key"]);

                const charts = run.ofType(T.chart);
                const values = (store: string) => charts.find((c) => c.inputs.values.nameOverride === store)!.inputs.values;
                assert.equal(values("postgresql").auth.existingSecret, "llm-platform-prod-postgresql-auth");
                assert.equal(values("redis").auth.existingSecret, "llm-platform-prod-redis-auth");
                assert.deepEqual(run.ofType(T.password), [], "no RandomPassword: the passwords live in the manager");
                assert.deepEqual(run.ofType(T.secret).filter((s) => /-(auth|app-secrets)/.test(s.name)), [], "the program writes no Secret itself");

                const refs = envRefs(run);
                assert.deepEqual(refs.ANTHROPIC_API_KEY, { name: "llm-platform-prod-app-secrets", key: "anthropic-api-key" });
                assert.deepEqual(refs.DATABASE_PASSWORD, { name: "llm-platform-prod-postgresql-auth", key: "password" });
                assert.deepEqual(refs.REDIS_PASSWORD, { name: "llm-platform-prod-redis-auth", key: "redis-password" });
            });
        }
    }

    it("a referenced store: nothing is created, and every ExternalSecret points at it by kind and name", async () => {
        const run = await runStack("prod", { set: { secrets: { ...stackSecrets("prod"), store: { create: false, kind: "ClusterSecretStore", name: "org-aws" } } } });
        assert.deepEqual([...run.ofType(T.secretStore), ...run.ofType(T.clusterSecretStore)], []);
        for (const sync of run.ofType(T.externalSecret)) {
            assert.deepEqual(sync.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "org-aws" });
            assert.deepEqual(sync.options.dependsOn.filter((urn: string) => urn.includes("ExternalSecret") || urn.includes("SecretStore")), []);
        }
    });

    it("staging: Vault's Kubernetes auth for the app's keys, with generated data-store passwords", async () => {
        const run = await runStack("staging");
        const store = one(run, T.secretStore, "llm-platform-staging-secrets");
        assert.deepEqual(store.inputs.spec.provider.vault.auth, { kubernetes: { mountPath: "kubernetes", role: "llm-platform-staging", serviceAccountRef: { name: "llm-platform-secrets" } } });
        assert.deepEqual(run.ofType(T.externalSecret).map((r) => r.inputs.metadata.name), ["llm-platform-staging-app-secrets"]);
        assert.equal(run.ofType(T.password).length, 4);
    });
});

describe("external secrets under mocks: the other sources", () => {
    it("existing: no Secret or ExternalSecret for the app; the pods read the named Secret's keys", async () => {
        const secrets = {
            source: "existing",
            existingSecret: { name: "llm-keys", keys: { anthropicApiKey: "anthropic", openaiApiKey: "openai", cohereApiKey: "cohere", vectorDbApiKey: "pinecone" } },
            store: stackSecrets("prod").store,
        };
        const run = await runStack("prod", { set: { secrets } });
        assert.deepEqual(run.ofType(T.externalSecret).map((r) => r.inputs.metadata.name).sort(), ["llm-platform-prod-postgresql-auth", "llm-platform-prod-redis-auth"]);
        assert.deepEqual(run.ofType(T.secret).filter((s) => s.name === "app-secrets"), []);
        const refs = envRefs(run);
        assert.deepEqual(refs.ANTHROPIC_API_KEY, { name: "llm-keys", key: "anthropic" });
        assert.deepEqual(refs.VECTOR_DB_API_KEY, { name: "llm-keys", key: "pinecone" });
        assert.equal(refs.APP_SECRET_KEY, undefined, "appSecretKey is optional and not named");
        assert.equal(run.outputs.appSecretName, "llm-keys");
    });

    it("pulumi with passwords from the manager: the app's Secret from config, the data stores' from ESO", async () => {
        const run = await runStack("prod", { set: { secrets: { source: "pulumi", store: stackSecrets("prod").store } }, secrets: { anthropicApiKey: "k1", openaiApiKey: "k2", cohereApiKey: "k3", vectorDbApiKey: "k4" } });
        assert.deepEqual(run.ofType(T.externalSecret).map((r) => r.inputs.metadata.name).sort(), ["llm-platform-prod-postgresql-auth", "llm-platform-prod-redis-auth"]);
        assert.deepEqual(Object.keys(run.ofType(T.secret).find((s) => s.name === "app-secrets")!.inputs.stringData).sort(), ["anthropic-api-key", "cohere-api-key", "openai-api-key", "vector-db-api-key"]);
    });

    it("external-secrets on a managed PostgreSQL: the user's password synced into the program's Secret under external.passwordKey", async () => {
        const postgresql = {
            mode: "external",
            auth: { passwordSource: "external-secrets", remoteRefs: { userPassword: { key: "rds!db-0123", property: "password" } } },
            external: { host: "llm.abc.eu-west-1.rds.amazonaws.com", cidrs: ["10.20.0.0/16"] },
        };
        const run = await runStack("prod", { set: { postgresql } });
        assert.deepEqual(one(run, T.externalSecret, "llm-platform-prod-postgresql-auth").inputs.spec.data, [
            { secretKey: "password", remoteRef: { key: "rds!db-0123", property: "password" } },
        ]);
        assert.deepEqual(envRefs(run).DATABASE_PASSWORD, { name: "llm-platform-prod-postgresql-auth", key: "password" });
        assert.equal(run.ofType(T.chart).filter((c) => c.inputs.values.nameOverride === "postgresql").length, 0);
    });

    it("rolloutOnChange reloader: each Deployment names the Secrets its pods read; none: no annotation", async () => {
        const run = await runStack("prod");
        assert.deepEqual(run.ofType(T.deployment)[0].inputs.metadata.annotations, {
            "secret.reloader.stakater.com/reload": "llm-platform-prod-app-secrets,llm-platform-prod-postgresql-auth,llm-platform-prod-redis-auth",
        });
        const quiet = await runStack("prod", { set: { secrets: { ...stackSecrets("prod"), rolloutOnChange: "none" } } });
        assert.equal(quiet.ofType(T.deployment)[0].inputs.metadata.annotations, undefined);
    });
});

describe("external secrets under mocks: a missing or inconsistent secrets config fails before any resource exists", () => {
    it("prod without its store: one error naming the key and every user of the store", async () => {
        const secrets = stackSecrets("prod");
        delete secrets.store;
        const { error, resources } = await runProgramExpectingError("prod", { set: { secrets } });
        assert.equal(
            error.message,
            'Stack config of "prod" has 1 problem:\n' +
                '  - secrets.store: given nothing; expected a SecretStore or ClusterSecretStore to create or reference, because secrets.source and postgresql.auth.passwordSource and redis.auth.passwordSource are "external-secrets"',
        );
        assert.deepEqual(resources, []);
    });

    it("prod with a key set with pulumi config and a remote ref missing: both named, the value never echoed", async () => {
        const secrets = stackSecrets("prod");
        delete secrets.remoteRefs.cohereApiKey;
        const { error, resources } = await runProgramExpectingError("prod", { set: { secrets }, secrets: { openaiApiKey: "sk-plaintext-value" } });
        assert.equal(
            error.message,
            'Stack config of "prod" has 2 problems:\n' +
                '  - openaiApiKey: given a secret value; expected no value, because secrets.source is "external-secrets": the value comes from secrets.remoteRefs.openaiApiKey\n' +
                "  - secrets.remoteRefs.cohereApiKey: given nothing; expected where cohereApiKey lives in the secret manager ({key, property?, version?}), because llm.providers.cohere.enabled is true",
        );
        assert.ok(!error.message.includes("sk-plaintext-value"));
        assert.deepEqual(resources, []);
    });

    it("dev switched to external-secrets without a store or refs", async () => {
        const { error, resources } = await runProgramExpectingError("dev", { set: { secrets: { source: "external-secrets" } }, secrets: {} });
        assert.equal(
            error.message,
            'Stack config of "dev" has 2 problems:\n' +
                "  - secrets.remoteRefs.anthropicApiKey: given nothing; expected where anthropicApiKey lives in the secret manager ({key, property?, version?}), because llm.providers.anthropic.enabled is true\n" +
                '  - secrets.store: given nothing; expected a SecretStore or ClusterSecretStore to create or reference, because secrets.source is "external-secrets"',
        );
        assert.deepEqual(resources, []);
    });

    it("staging with the vault provider's settings missing and a plaintext secret key", async () => {
        const secrets = stackSecrets("staging");
        delete secrets.store.vault;
        const { error, resources } = await runProgramExpectingError("staging", { set: { secrets, appSecretKey: "plain" } });
        assert.equal(
            error.message,
            'Stack config of "staging" has 3 problems:\n' +
                '  - appSecretKey: given a plaintext value; expected a secret: pulumi config set --secret appSecretKey <value>\n' +
                '  - appSecretKey: given a secret value; expected no value, because secrets.source is "external-secrets": the value comes from secrets.remoteRefs.appSecretKey\n' +
                '  - secrets.store.vault: given nothing; expected the vault settings, because secrets.store.provider is "vault"',
        );
        assert.deepEqual(resources, []);
    });
});
