/**
 * The rules of the `secrets` config section and of the data stores' password sources, on plain
 * data: each source takes exactly what it uses, and every problem names its key, what was given
 * and what is expected, word for word.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { described, formatProblems, Problem } from "../validation/problem";
import { resolveConfig } from "../config/resolve";
import { validateConfig } from "../config/validate";
import { externalDataStores, problemsOf, raw, Values } from "./config-harness";


const awsStore = () => ({ provider: "aws", aws: { region: "eu-west-1" } });
const base = (): Values => ({
    environment: "staging",
    services: { api: { image: { repository: "ghcr.io/acme/api", tag: "1.0.0" } } },
    llm: { providers: { anthropic: { enabled: true } } },
    ...externalDataStores(),
});

const problems = (edit: (v: Values) => void, secrets: string[] = []): Problem[] => problemsOf(base, edit, secrets);

describe("secrets config: source pulumi (the default)", () => {
    it("takes the secret config keys, and nothing from a manager", () => {
        assert.deepEqual(problems(() => undefined, ["anthropicApiKey"]), []);
        assert.equal(validateConfig(raw({ ...base(), anthropicApiKey: "[secret]" }, ["anthropicApiKey"])).config?.secrets.source, "pulumi");
    });

    it("refuses remote refs, an existing Secret and a store nothing uses", () => {
        assert.deepEqual(
            problems((v) => (v.secrets = { remoteRefs: { anthropicApiKey: { key: "k" } }, existingSecret: { name: "keys" }, store: awsStore() }), ["anthropicApiKey"]),
            [
                { key: "secrets.existingSecret", given: { name: "keys", keys: {} }, expected: 'nothing, because secrets.source is "pulumi"' },
                { key: "secrets.remoteRefs.anthropicApiKey", given: { key: "k" }, expected: 'nothing, because secrets.source is "pulumi"' },
                {
                    key: "secrets.store",
                    given: { create: true, kind: "SecretStore", provider: "aws", aws: { region: "eu-west-1" } },
                    expected: 'nothing, because nothing uses "external-secrets" (secrets.source, secrets.entries.<name>.remoteRef, postgresql.auth.passwordSource, redis.auth.passwordSource)',
                },
            ],
        );
    });
});

describe("secrets config: which secrets a stack carries", () => {
    it("the enabled providers' keys and the app key; the vector DB key only with a vector DB", () => {
        const values = { ...base(), llm: { providers: { anthropic: { enabled: true } } }, anthropicApiKey: "[secret]", appSecretKey: "[secret]" };
        const set = { anthropicApiKey: "k", openaiApiKey: "o", vectorDbApiKey: "v", appSecretKey: "s" };
        const config = validateConfig(raw(values, ["anthropicApiKey", "appSecretKey"])).config!;
        const secretValues = Object.fromEntries(Object.entries(set).map(([k, v]) => [k, pulumi.output(v)]));
        const { appSecrets } = resolveConfig(config, { project: "llm-platform", stack: "test" }, secretValues);
        assert.deepEqual(appSecrets.entries.map((e) => [e.name, e.env, e.dataKey, e.source.kind]), [
            ["anthropicApiKey", "ANTHROPIC_API_KEY", "anthropic-api-key", "pulumi"],
            ["appSecretKey", "APP_SECRET_KEY", "app-secret-key", "pulumi"],
        ]);
        assert.deepEqual(appSecrets.receivers, { api: ["anthropicApiKey", "appSecretKey"] });
    });
});

describe("secrets config: source external-secrets", () => {
    const eso = (extra: Values = {}) => (v: Values) => (v.secrets = { source: "external-secrets", store: awsStore(), remoteRefs: { anthropicApiKey: { key: "llm/app", property: "anthropic" } }, ...extra });

    it("a store and a remote ref per required secret is a valid config, with defaults", () => {
        assert.deepEqual(problems(eso()), []);
        const values = base();
        eso()(values);
        const config = validateConfig(raw(values)).config!;
        assert.equal(config.secrets.refreshInterval, "1h");
        assert.equal(config.secrets.rolloutOnChange, "none");
        assert.deepEqual(config.secrets.store, { create: true, kind: "SecretStore", provider: "aws", aws: { region: "eu-west-1" } });
    });

    it("an enabled provider needs its remote ref; a secret config value is refused, without echoing it", () => {
        const found = problems(eso({ remoteRefs: {} }), ["anthropicApiKey"]);
        assert.equal(
            formatProblems("prod", found),
            'Stack config of "prod" has 2 problems:\n' +
                '  - anthropicApiKey: given a secret value; expected no value, because secrets.source is "external-secrets": the value comes from secrets.remoteRefs.anthropicApiKey\n' +
                "  - secrets.remoteRefs.anthropicApiKey: given nothing; expected where anthropicApiKey lives in the secret manager ({key, property?, version?}), because llm.providers.anthropic.enabled is true",
        );
    });

    it("a remote ref nothing would use is refused", () => {
        assert.deepEqual(problems(eso({ remoteRefs: { anthropicApiKey: { key: "a" }, cohereApiKey: { key: "c" }, vectorDbApiKey: { key: "v" } } })), [
            { key: "secrets.remoteRefs.cohereApiKey", given: { key: "c" }, expected: "no value, because llm.providers.cohere.enabled is false and nothing would use it" },
            { key: "secrets.remoteRefs.vectorDbApiKey", given: { key: "v" }, expected: 'no value, because vectorDb.type is "none" and nothing would use it' },
        ]);
    });

    it("needs a store", () => {
        assert.deepEqual(problems(eso({ store: undefined })), [
            { key: "secrets.store", given: undefined, expected: 'a SecretStore or ClusterSecretStore to create or reference, because secrets.source is "external-secrets"' },
        ]);
    });

    it("a created store needs its provider and that provider's settings, and no other provider's", () => {
        assert.deepEqual(problems(eso({ store: {} })), [
            { key: "secrets.store.provider", given: undefined, expected: 'one of "aws", "gcp", "azure", "vault", because secrets.store.create is true' },
        ]);
        assert.deepEqual(problems(eso({ store: { provider: "gcp", vault: { server: "https://vault.example.com", kubernetesAuth: { role: "r" } } } })), [
            { key: "secrets.store.gcp", given: undefined, expected: 'the gcp settings, because secrets.store.provider is "gcp"' },
            {
                key: "secrets.store.vault",
                given: { server: "https://vault.example.com", path: "secret", version: "v2", kubernetesAuth: { mountPath: "kubernetes", role: "r" } },
                expected: 'nothing, because secrets.store.provider is "gcp"',
            },
        ]);
    });

    it("a referenced store needs its name, and takes no provider settings", () => {
        assert.deepEqual(problems(eso({ store: { create: false, kind: "ClusterSecretStore", provider: "aws", aws: { region: "eu-west-1" } } })), [
            { key: "secrets.store.aws", given: { region: "eu-west-1" }, expected: "nothing, because secrets.store.create is false: the existing store is referenced by kind and name only" },
            { key: "secrets.store.name", given: undefined, expected: "the name of the existing ClusterSecretStore, because secrets.store.create is false" },
            { key: "secrets.store.provider", given: "aws", expected: "nothing, because secrets.store.create is false: the existing store is referenced by kind and name only" },
        ]);
        assert.deepEqual(problems(eso({ store: { create: false, kind: "ClusterSecretStore", name: "org-aws" } })), []);
    });

    it("provider settings are checked: region, URLs, refresh interval, and unknown keys", () => {
        assert.deepEqual(
            problems(eso({ refreshInterval: "hourly", store: { provider: "aws", aws: { region: "Ireland", rolle: "x" } } })),
            [
                { key: "secrets.refreshInterval", given: "hourly", expected: 'a duration such as "1h" or "15m" ("0": sync once, never refresh)' },
                { key: "secrets.store.aws.region", given: "Ireland", expected: 'an AWS region such as "eu-west-1"' },
                { key: "secrets.store.aws.rolle", given: described("a string of 1 character"), expected: 'no such key; did you mean "role"?' },
            ],
        );
        assert.deepEqual(problems(eso({ store: { provider: "azure", azure: { vaultUrl: "not a url" } } })), [
            { key: "secrets.store.azure.vaultUrl", given: "not a url", expected: 'an http:// or https:// URL with a host, such as "https://llm-platform-prod.vault.azure.net"' },
        ]);
    });
});

describe("secrets config: source existing", () => {
    it("names the Secret and the key of each required secret", () => {
        assert.deepEqual(problems((v) => (v.secrets = { source: "existing", existingSecret: { name: "llm-keys", keys: { anthropicApiKey: "anthropic" } } })), []);
        assert.deepEqual(problems((v) => (v.secrets = { source: "existing" })), [
            { key: "secrets.existingSecret", given: undefined, expected: 'the Secret\'s name and the key of each secret in it, because secrets.source is "existing"' },
        ]);
        assert.deepEqual(problems((v) => (v.secrets = { source: "existing", existingSecret: { name: "llm-keys", keys: { openaiApiKey: "openai" } } }), ["anthropicApiKey"]), [
            { key: "anthropicApiKey", given: described("a secret value"), expected: 'no value, because secrets.source is "existing": the value comes from secrets.existingSecret.keys.anthropicApiKey' },
            { key: "secrets.existingSecret.keys.anthropicApiKey", given: undefined, expected: 'the key holding anthropicApiKey in Secret "llm-keys", because llm.providers.anthropic.enabled is true' },
            { key: "secrets.existingSecret.keys.openaiApiKey", given: "openai", expected: "no value, because llm.providers.openai.enabled is false and nothing would use it" },
        ]);
    });
});

describe("secrets config: data-store passwords from the secret manager", () => {
    const inCluster = (v: Values) => {
        v.secrets = { source: "pulumi", store: awsStore() };
        v.postgresql = { architecture: "replication", auth: { passwordSource: "external-secrets", remoteRefs: { adminPassword: { key: "pg", property: "admin" }, userPassword: { key: "pg", property: "user" }, replicationPassword: { key: "pg", property: "repl" } } } };
        v.redis = { auth: { passwordSource: "external-secrets", remoteRef: { key: "redis", property: "password" } } };
    };

    it("in-cluster: every password the chart reads has a remote ref, and the store is there", () => {
        assert.deepEqual(problems(inCluster, ["anthropicApiKey"]), []);
    });

    it("a missing ref, and a store nothing else asks for, are named", () => {
        assert.deepEqual(
            problems((v) => {
                inCluster(v);
                delete v.postgresql.auth.remoteRefs.replicationPassword;
                delete v.redis.auth.remoteRef;
                delete v.secrets.store;
            }, ["anthropicApiKey"]),
            [
                {
                    key: "postgresql.auth.remoteRefs.replicationPassword",
                    given: undefined,
                    expected: 'where the replication password lives in the secret manager ({key, property?, version?}), because postgresql.auth.passwordSource is "external-secrets"',
                },
                { key: "redis.auth.remoteRef", given: undefined, expected: 'where the password lives in the secret manager ({key, property?, version?}), because redis.auth.passwordSource is "external-secrets"' },
                {
                    key: "secrets.store",
                    given: undefined,
                    expected: 'a SecretStore or ClusterSecretStore to create or reference, because postgresql.auth.passwordSource and redis.auth.passwordSource are "external-secrets"',
                },
            ],
        );
    });

    it("generated passwords take no remote refs", () => {
        assert.deepEqual(problems((v) => (v.redis = { auth: { remoteRef: { key: "redis" } } }), ["anthropicApiKey"]), [
            { key: "redis.auth.remoteRef", given: { key: "redis" }, expected: 'nothing, because redis.auth.passwordSource is "generated"' },
        ]);
    });

    it("external mode: the user's password comes from the manager instead of an existing Secret", () => {
        const external = (v: Values) => {
            v.secrets = { source: "pulumi", store: awsStore() };
            v.postgresql = { mode: "external", auth: { passwordSource: "external-secrets", remoteRefs: { userPassword: { key: "rds!db-1", property: "password" } } }, external: { host: "pg.example.com" } };
        };
        assert.deepEqual(problems(external, ["anthropicApiKey"]), []);
        assert.deepEqual(
            problems((v) => {
                external(v);
                v.postgresql.external.existingSecret = "pg";
                v.postgresql.auth.remoteRefs.adminPassword = { key: "x" };
            }, ["anthropicApiKey"]),
            [
                { key: "postgresql.auth.remoteRefs.adminPassword", given: { key: "x" }, expected: 'nothing, because postgresql.mode is "external": the application only needs the password of postgresql.auth.username' },
                { key: "postgresql.external.existingSecret", given: "pg", expected: 'nothing, because postgresql.auth.passwordSource is "external-secrets": the program syncs the password into its own Secret' },
            ],
        );
    });
});
