/**
 * The secret catalog as data (#12 item 5): the built-in entries (the LLM providers' keys, the vector
 * DB key, the app key) and a stack's own (JWT_SECRET, ENCRYPTION_KEY, SMTP_PASSWORD), each from a
 * stack secret config key, a remote ref synced by ESO or a key of an existing Secret, and per
 * service which entries it receives. On plain data: what the catalog resolves to, and every
 * mistake a user can make, word for word; under mocks: the Secret the program owns, the
 * ExternalSecret and the env, from one catalog.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AppSecrets } from "../secrets/app-secrets";
import { formatProblems } from "../validation/problem";
import { resolveConfig } from "../config/resolve";
import { secretCatalog } from "../secrets/secret-catalog.resolve";
import { validateConfig } from "../config/validate";
import { builtinSecrets, defaultSecretEnv, secretDataKeyOf } from "../lib/builtin-secrets";
import { externalDataStores, raw, Values } from "./config-harness";
import { ProgramRun, fakeSecretValue, installMocks, runProgram, runProgramExpectingError, runStack } from "./mocks";

const backendImage = { repository: "ghcr.io/acme/backend", tag: "1.0.0" };
const frontendImage = { repository: "docker.io/nginxinc/nginx-unprivileged", tag: "1.27.4-alpine" };
const frontendConnects = { postgresql: false, redis: false, llmProviders: false, vectorDb: false };

/** A backend calling Anthropic with its own JWT_SECRET, and a frontend that calls nothing. */
const base = (): Values => ({
    environment: "staging",
    services: {
        backend: { image: backendImage, secrets: ["anthropicApiKey", "jwtSecret"] },
        frontend: { component: "frontend", image: frontendImage, connectsTo: frontendConnects },
    },
    llm: { providers: { anthropic: { enabled: true } } },
    ...externalDataStores(),
    secrets: { entries: { jwtSecret: {} } },
});

/** The problems of `base()` changed by `edit`, with `secrets` set as Pulumi secrets (and `plain` in plaintext), formatted as the error prints them. */
function message(edit: (v: Values) => void, secrets: string[] = ["anthropicApiKey", "jwtSecret"], plain: Record<string, string> = {}): string {
    const values = base();
    edit(values);
    for (const key of secrets) values[key] = "[secret]";
    Object.assign(values, plain);
    return formatProblems("test", validateConfig(raw(values, secrets)).problems);
}

const ok = 'Stack config of "test" has 0 problems:\n';
const lines = (...problems: string[]) => `Stack config of "test" has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`;

/** The validated config of `values`, with `secrets` set as Pulumi secrets. */
function valid(values: Values, secrets: string[]) {
    const result = validateConfig(raw({ ...values, ...Object.fromEntries(secrets.map((k) => [k, "[secret]"])) }, secrets));
    assert.deepEqual(result.problems, [], "the config is valid");
    return result.config!;
}

/** Resolves `base()` changed by `edit`, with the secret config values `values`. */
function resolved(edit: (v: Values) => void, values: Record<string, string>) {
    const config = base();
    edit(config);
    const result = validateConfig(raw({ ...config, ...Object.fromEntries(Object.keys(values).map((k) => [k, "[secret]"])) }, Object.keys(values)));
    assert.deepEqual(result.problems, [], "the config is valid");
    return resolveConfig(result.config!, { project: "llm-platform", stack: "test" }, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, pulumi.secret(v)])));
}

describe("secret catalog: the built-in entries and how entries are named", () => {
    it("the built-in entries keep today's config keys, variables and Secret keys, in today's order", () => {
        const catalog = secretCatalog(valid({ ...base(), secrets: {}, services: { api: { image: backendImage } } }, ["anthropicApiKey"]).secrets);
        assert.deepEqual(catalog.map((e) => [e.name, e.configKey, e.env, e.dataKey]), [
            ["anthropicApiKey", "anthropicApiKey", "ANTHROPIC_API_KEY", "anthropic-api-key"],
            ["openaiApiKey", "openaiApiKey", "OPENAI_API_KEY", "openai-api-key"],
            ["cohereApiKey", "cohereApiKey", "COHERE_API_KEY", "cohere-api-key"],
            ["vectorDbApiKey", "vectorDbApiKey", "VECTOR_DB_API_KEY", "vector-db-api-key"],
            ["appSecretKey", "appSecretKey", "APP_SECRET_KEY", "app-secret-key"],
        ]);
        assert.deepEqual(builtinSecrets.map((b) => b.name), catalog.map((e) => e.name));
    });

    it("a stack's entry is named like the built-in ones: jwtSecret is JWT_SECRET under jwt-secret, unless it names its variable", () => {
        assert.deepEqual([defaultSecretEnv("jwtSecret"), secretDataKeyOf("jwtSecret")], ["JWT_SECRET", "jwt-secret"]);
        assert.deepEqual([defaultSecretEnv("smtpPassword"), secretDataKeyOf("smtpPassword")], ["SMTP_PASSWORD", "smtp-password"]);
        const values = base();
        values.secrets.entries = { jwtSecret: {}, nextAuth: { env: "NEXTAUTH_SECRET" }, openaiApiKey: { env: "OPENAI_KEY" } };
        values.llm.providers.openai = { enabled: true };
        values.services.backend.secrets.push("nextAuth", "openaiApiKey");
        const catalog = secretCatalog(valid(values, ["anthropicApiKey", "openaiApiKey", "jwtSecret", "nextAuth"]).secrets);
        assert.deepEqual(catalog.slice(1, 2).map((e) => e.env), ["OPENAI_KEY"], "a built-in entry's variable can be changed, in its place");
        assert.deepEqual(catalog.slice(5).map((e) => [e.name, e.env, e.dataKey]), [["jwtSecret", "JWT_SECRET", "jwt-secret"], ["nextAuth", "NEXTAUTH_SECRET", "next-auth"]]);
    });
});

describe("secret catalog: where each entry comes from, and who receives it", () => {
    it("a backend and a frontend: the backend its list, the frontend nothing (no APP_SECRET_KEY by default)", () => {
        const { appSecrets } = resolved(() => undefined, { anthropicApiKey: "a", jwtSecret: "j" });
        assert.deepEqual(appSecrets.receivers, { backend: ["anthropicApiKey", "jwtSecret"], frontend: [] });
        assert.deepEqual(appSecrets.entries.map((e) => e.name), ["anthropicApiKey", "jwtSecret"]);
    });

    it("unset, a service receives what its connectsTo implies; a frontend that asks for APP_SECRET_KEY gets it", () => {
        const { appSecrets } = resolved((v) => {
            delete v.services.backend.secrets;
            v.services.frontend.secrets = ["appSecretKey"];
            v.secrets.entries = {};
        }, { anthropicApiKey: "a", appSecretKey: "s" });
        assert.deepEqual(appSecrets.receivers, { backend: ["anthropicApiKey", "appSecretKey"], frontend: ["appSecretKey"] });
    });

    it("each entry from its own place: stack config, a remote ref, an existing Secret (one per provider), or secrets.source's", () => {
        const { appSecrets } = resolved((v) => {
            v.llm.providers.openai = { enabled: true };
            v.services.backend.secrets = ["anthropicApiKey", "openaiApiKey", "jwtSecret", "encryptionKey", "smtpPassword"];
            v.secrets = {
                source: "pulumi",
                store: { create: false, kind: "ClusterSecretStore", name: "org-vault" },
                entries: {
                    anthropicApiKey: { existingSecret: { name: "anthropic-credentials", key: "api-key" } },
                    jwtSecret: {},
                    encryptionKey: { remoteRef: { key: "app/prod", property: "encryption-key" } },
                    smtpPassword: { env: "SMTP_PASS", existingSecret: { name: "smtp", key: "password" } },
                },
            };
        }, { openaiApiKey: "o", jwtSecret: "j" });
        assert.deepEqual(appSecrets.entries.map((e) => [e.name, e.env, e.source.kind === "pulumi" ? "pulumi" : e.source]), [
            ["anthropicApiKey", "ANTHROPIC_API_KEY", { kind: "existing", secretName: "anthropic-credentials", key: "api-key" }],
            ["openaiApiKey", "OPENAI_API_KEY", "pulumi"],
            ["jwtSecret", "JWT_SECRET", "pulumi"],
            ["encryptionKey", "ENCRYPTION_KEY", { kind: "external-secrets", remoteRef: { key: "app/prod", property: "encryption-key" } }],
            ["smtpPassword", "SMTP_PASS", { kind: "existing", secretName: "smtp", key: "password" }],
        ]);
        assert.deepEqual(appSecrets.externalSecret, { name: "llm-platform-test-app-secrets", sync: { store: { kind: "ClusterSecretStore", name: "org-vault" }, refreshInterval: "1h" } });
    });

    it("source external-secrets with an entry from stack config: configKey says so", () => {
        const { appSecrets } = resolved((v) => {
            v.secrets = {
                source: "external-secrets",
                store: { create: false, name: "vault" },
                remoteRefs: { anthropicApiKey: { key: "llm/app", property: "anthropic" } },
                entries: { jwtSecret: { configKey: "backendJwtSecret" } },
            };
        }, { backendJwtSecret: "j" });
        assert.deepEqual(appSecrets.entries.map((e) => [e.name, e.source.kind]), [["anthropicApiKey", "external-secrets"], ["jwtSecret", "pulumi"]]);
    });
});

describe("secret catalog: every mistake, named", () => {
    it("the valid base has no problem", () => {
        assert.equal(message(() => undefined), ok);
    });

    it("a service names an entry the catalog doesn't have, twice, or one the stack doesn't have", () => {
        assert.equal(
            message((v) => (v.services.backend.secrets = ["anthropicApiKey", "jwtSecret", "jwtSecrt", "jwtSecret", "cohereApiKey"])),
            lines(
                'services.backend.secrets.2: given "jwtSecrt"; expected an entry of the secret catalog (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey, jwtSecret), or one declared in secrets.entries',
                'services.backend.secrets.3: given "jwtSecret"; expected each entry once: it is listed at services.backend.secrets.1 already',
                'services.backend.secrets.4: given "cohereApiKey"; expected an entry the stack has: llm.providers.cohere.enabled is false',
            ),
        );
    });

    it("a provider's key goes to the services that call the providers, and to each of them", () => {
        assert.equal(
            message((v) => {
                v.llm.providers.openai = { enabled: true };
                v.services.frontend.secrets = ["anthropicApiKey"];
            }, ["anthropicApiKey", "openaiApiKey", "jwtSecret"]),
            lines(
                'services.backend.secrets: given ["anthropicApiKey","jwtSecret"]; expected a list with openaiApiKey too, because services.backend.connectsTo.llmProviders is true: LLM_PROVIDERS names every enabled provider, so the service needs their keys',
                'services.frontend.secrets.0: given "anthropicApiKey"; expected an entry the service uses: an LLM provider\'s key goes to services that connect to it, and services.frontend.connectsTo.llmProviders is false',
            ),
        );
    });

    it("a variable that is no C identifier, one the program sets itself, or two entries of one service under one name", () => {
        assert.equal(
            message((v) => (v.secrets.entries = { jwtSecret: { env: "JWT-SECRET" } })),
            lines('secrets.entries.jwtSecret.env: given a string of 10 characters; expected an environment variable name such as "JWT_SECRET" (a C identifier: letters, digits and "_", not starting with a digit)'),
        );
        assert.equal(
            message((v) => {
                v.secrets.entries = { jwtSecret: { env: "DATABASE_PASSWORD" }, databaseHost: {} };
                v.services.backend.secrets.push("databaseHost");
            }, ["anthropicApiKey", "jwtSecret", "databaseHost"]),
            lines(
                'secrets.entries.databaseHost: given "DATABASE_HOST"; expected a variable the program doesn\'t set itself: DATABASE_HOST is one of its own settings',
                'secrets.entries.jwtSecret.env: given "DATABASE_PASSWORD"; expected a variable the program doesn\'t set itself: DATABASE_PASSWORD is one of its own settings',
            ),
        );
        assert.equal(
            message((v) => {
                v.secrets.entries = { jwtSecret: {}, authSecret: { env: "JWT_SECRET" } };
                v.services.backend.secrets.push("authSecret");
            }, ["anthropicApiKey", "jwtSecret", "authSecret"]),
            lines('services.backend.secrets: given ["anthropicApiKey","jwtSecret","authSecret"]; expected entries whose variables differ: jwtSecret and authSecret both set JWT_SECRET'),
        );
    });

    it("a variable a feature flag of the service sets (#27)", () => {
        assert.equal(
            message((v) => {
                v.secrets.entries = { jwtSecret: { env: "FEATURE_AUTH" } };
                v.services.backend.features = { auth: true };
            }),
            lines('services.backend.secrets: given ["anthropicApiKey","jwtSecret"]; expected entries whose variables the service doesn\'t set otherwise: jwtSecret sets FEATURE_AUTH, which services.backend.features sets too'),
        );
    });

    it("a variable the service sets otherwise, in its env or extraEnv; by default too", () => {
        assert.equal(
            message((v) => {
                v.services.backend.env = { JWT_SECRET: "x" };
                v.services.backend.extraEnv = [{ name: "ANTHROPIC_API_KEY", value: "from-elsewhere" }];
            }),
            lines(
                // A secret pasted there is the one mistake, reported where it is: not again as the entry's variable set twice.
                'services.backend.env.JWT_SECRET: given a string of 1 character; expected no secret: plain values land in a ConfigMap and the stack file in plaintext. Make it an entry of the secret catalog (secrets.entries: from pulumi config set --secret, a secret manager or an existing Secret) and list it in the service\'s secrets (the name "JWT_SECRET" says it is a secret)',
                // A built-in entry's variable: the fix is to delete the line and set the entry.
                'services.backend.extraEnv.0.value: given "from-elsewhere"; expected no secret here: ANTHROPIC_API_KEY is the built-in secret entry anthropicApiKey, which the program sets itself. Delete this line and set the value with pulumi config set --secret anthropicApiKey <value> (or where secrets.source says it comes from)',
            ),
        );
        assert.equal(
            message((v) => {
                v.secrets.entries.licence = { env: "LICENCE_SEATS" };
                v.services.backend.secrets = ["anthropicApiKey", "jwtSecret", "licence"];
                v.services.backend.extraEnv = [{ name: "LICENCE_SEATS", value: "40" }];
            }, ["anthropicApiKey", "jwtSecret", "licence"]),
            lines(
                'services.backend.secrets: given ["anthropicApiKey","jwtSecret","licence"]; expected entries whose variables the service doesn\'t set otherwise: licence sets LICENCE_SEATS, which services.backend.extraEnv sets too',
            ),
        );
        assert.equal(
            message((v) => {
                delete v.services.backend.secrets;
                v.secrets.entries = { appSecretKey: { env: "SESSION_KEY" } };
                v.services.backend.env = { SESSION_KEY: "x" };
            }, ["anthropicApiKey", "appSecretKey"]),
            lines(
                "services.backend.secrets: given nothing (by connectsTo: anthropicApiKey, appSecretKey); expected entries whose variables the service doesn't set otherwise: appSecretKey sets SESSION_KEY, which services.backend.env sets too",
            ),
        );
    });

    it("an entry from stack config without its value, or with it set in plaintext, never echoed", () => {
        assert.equal(
            message(() => undefined, ["anthropicApiKey"]),
            lines("jwtSecret: given nothing; expected a secret, because services.backend.secrets lists it: pulumi config set --secret jwtSecret <value>"),
        );
        const plaintext = message(() => undefined, ["anthropicApiKey"], { jwtSecret: "a-jwt-signing-secret-in-plaintext" });
        assert.equal(plaintext, lines("jwtSecret: given a plaintext value; expected a secret: pulumi config set --secret jwtSecret <value>"));
        assert.ok(!plaintext.includes("a-jwt-signing-secret-in-plaintext"));
        assert.equal(
            message((v) => (v.secrets.entries.jwtSecret = { configKey: "backendJwt" }), ["anthropicApiKey"]),
            lines("backendJwt: given nothing; expected a secret, because services.backend.secrets lists it: pulumi config set --secret backendJwt <value>"),
        );
    });

    it("a provider enabled with neither a key nor an existing Secret", () => {
        assert.equal(
            message(() => undefined, ["jwtSecret"]),
            lines("anthropicApiKey: given nothing; expected a secret, because llm.providers.anthropic.enabled is true: pulumi config set --secret anthropicApiKey <value>"),
        );
        assert.equal(message((v) => (v.secrets.entries.anthropicApiKey = { existingSecret: { name: "anthropic-credentials", key: "api-key" } }), ["jwtSecret"]), ok);
        assert.equal(
            message((v) => (v.secrets.entries.anthropicApiKey = { existingSecret: { name: "anthropic-credentials", key: "api-key" } })),
            lines('anthropicApiKey: given a secret value; expected no value, because secrets.entries.anthropicApiKey.existingSecret is set: the value comes from secrets.entries.anthropicApiKey.existingSecret'),
        );
    });

    it("a secret config key no entry reads; an entry no service receives", () => {
        assert.equal(
            message(() => undefined, ["anthropicApiKey", "jwtSecret", "smtpPassword"]),
            lines(
                "smtpPassword: given a secret value; expected a plain value: secrets belong only in the secret catalog's config keys (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey, jwtSecret; secrets.entries declares more), each set with pulumi config set --secret",
            ),
        );
        assert.equal(
            message((v) => (v.secrets.entries.smtpPassword = { existingSecret: { name: "smtp", key: "password" } })),
            lines("secrets.entries.smtpPassword: given an object with 1 key (existingSecret); expected nothing, because no service lists it in services.<name>.secrets: nothing would use it"),
        );
        assert.equal(
            message(() => undefined, ["anthropicApiKey", "jwtSecret", "appSecretKey"]),
            lines("appSecretKey: given a secret value; expected no value, because no service lists it in services.<name>.secrets or receives it by connectsTo.llmProviders and nothing would use it"),
        );
    });

    it("a remote ref without a store, or with a stack name no synced Secret can have", () => {
        const remote = (v: Values) => (v.secrets.entries.smtpPassword = { remoteRef: { key: "smtp", property: "password" } });
        const listed = (v: Values) => {
            remote(v);
            v.services.backend.secrets.push("smtpPassword");
        };
        assert.equal(
            message(listed),
            lines("secrets.store: given nothing; expected a SecretStore or ClusterSecretStore to create or reference, because secrets.entries.smtpPassword.remoteRef names a secret in the manager"),
        );
        assert.equal(message((v) => {
            listed(v);
            v.secrets.store = { create: false, name: "vault" };
        }), ok);
        const values = base();
        listed(values);
        values.secrets.store = { create: false, name: "vault" };
        values.namespace = { name: "team-a" };
        const upper = validateConfig({ project: "llm-platform", stack: "Team_A", values: { ...values, anthropicApiKey: "[secret]", jwtSecret: "[secret]" }, secretKeys: new Set(["anthropicApiKey", "jwtSecret"]) });
        assert.deepEqual(upper.problems.filter((p) => p.key.startsWith("secrets.")).map((p) => [p.key, p.expected]), [
            ["secrets.entries.smtpPassword.remoteRef", 'no remote ref with this stack name: the synced Secret "llm-platform-Team_A-app-secrets" would not be a valid object name'],
        ]);
    });

    it("existing-Secret entries with names and keys the API server would refuse", () => {
        assert.equal(
            message((v) => {
                v.secrets.entries.anthropicApiKey = { existingSecret: { name: "Anthropic_Credentials", key: "api key" } };
            }, ["jwtSecret"]),
            lines(
                'secrets.entries.anthropicApiKey.existingSecret.key: given a string of 7 characters; expected a Secret key such as "api-key"',
                "secrets.entries.anthropicApiKey.existingSecret.name: given a string of 21 characters; expected a Kubernetes object name (lowercase DNS subdomain) of at most 253 characters (a-z, 0-9, '-', '.') such as \"anthropic-credentials\"",
            ),
        );
    });

    it("an entry with two places, a name that is no config key, or a config key that is a section", () => {
        assert.equal(
            message((v) => (v.secrets.entries.jwtSecret = { configKey: "jwtSecret", existingSecret: { name: "jwt", key: "secret" } })),
            lines("secrets.entries.jwtSecret: given an object with 2 keys (configKey, existingSecret); expected one of configKey, remoteRef, existingSecret (where its value comes from), not configKey and existingSecret"),
        );
        assert.equal(
            message((v) => (v.secrets.entries = { jwtSecret: {}, JWT_SECRET: {} })),
            lines('secrets.entries.JWT_SECRET: given a string of 10 characters; expected a camelCase name of at most 63 characters such as "jwtSecret" (letters and digits, starting with a lowercase letter)'),
        );
        assert.equal(
            message((v) => (v.secrets.entries.jwtSecret = { configKey: "services" })),
            lines(
                // jwtSecret is no config key of the catalog any more: its entry reads "services".
                "jwtSecret: given a secret value; expected a plain value: secrets belong only in the secret catalog's config keys (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey; secrets.entries declares more), each set with pulumi config set --secret",
                'secrets.entries.jwtSecret.configKey: given "services"; expected a stack secret config key that is no section of the stack config (environment, namespace, networkPolicy, gateway, monitoring, llm, vectorDb, services, postgresql, redis, secrets, images, storageClass, domain, cluster, clusterDomain)',
            ),
        );
    });

    it("secrets.remoteRefs and secrets.existingSecret.keys name catalog entries that come from there", () => {
        assert.equal(
            message((v) => {
                v.secrets = {
                    source: "external-secrets",
                    store: { create: false, name: "vault" },
                    remoteRefs: { anthropicApiKey: { key: "llm/app" }, jwtSecret: { key: "jwt" }, jwtSecrt: { key: "llm/app", property: "jwt" } },
                    entries: { jwtSecret: { existingSecret: { name: "jwt", key: "secret" } } },
                };
            }, []),
            lines(
                'secrets.remoteRefs.jwtSecret: given an object with 1 key (key); expected nothing, because secrets.entries.jwtSecret.existingSecret says where jwtSecret comes from',
                "secrets.remoteRefs.jwtSecrt: given an object with 2 keys (key, property); expected an entry of the secret catalog (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey, jwtSecret), or one declared in secrets.entries",
            ),
        );
    });
});

/** The variables of a run's Deployment for a service, by name, to the Secret and key each is read from. */
function secretRefs(run: ProgramRun, service: string): Record<string, { name: string; key: string }> {
    const deployment = run.one("kubernetes:apps/v1:Deployment", `${service}-deployment`);
    const env: any[] = deployment.inputs.spec.template.spec.containers[0].env ?? [];
    return Object.fromEntries(env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom.secretKeyRef]));
}

describe("secret catalog under mocks: one catalog drives the Secret, the ExternalSecret and the env", () => {
    const frontend = { component: "frontend", image: frontendImage, securityContext: { preset: "web-server" }, metrics: { enabled: false }, connectsTo: frontendConnects };

    it("dev with a backend and a frontend: JWT_SECRET read by name from stack config, the provider key from its own existing Secret; the frontend reads none", async () => {
        // runProgram, not runStack: no anthropicApiKey is set, since the key comes from its own Secret.
        const run = await runProgram("dev", {
            set: {
                services: { orchestrator: { image: backendImage, secrets: ["anthropicApiKey", "jwtSecret", "appSecretKey"] }, web: frontend },
                secrets: { source: "pulumi", entries: { jwtSecret: {}, anthropicApiKey: { existingSecret: { name: "anthropic-credentials", key: "api-key" } } } },
            },
            secrets: { jwtSecret: fakeSecretValue("jwtSecret"), appSecretKey: fakeSecretValue("appSecretKey") },
        });
        const owned = run.one("kubernetes:core/v1:Secret", "app-secrets");
        assert.deepEqual(owned.inputs.stringData, { "jwt-secret": fakeSecretValue("jwtSecret"), "app-secret-key": fakeSecretValue("appSecretKey") });
        assert.deepEqual(owned.secretPaths, ["stringData"], "the values are secret Outputs, so the whole stringData is sent as a secret");
        assert.deepEqual(secretRefs(run, "orchestrator"), {
            DATABASE_PASSWORD: { name: "llm-platform-dev-postgresql-auth", key: "password" },
            REDIS_PASSWORD: { name: "llm-platform-dev-redis-auth", key: "redis-password" },
            ANTHROPIC_API_KEY: { name: "anthropic-credentials", key: "api-key" },
            JWT_SECRET: { name: "app-secrets-mock1234", key: "jwt-secret" },
            APP_SECRET_KEY: { name: "app-secrets-mock1234", key: "app-secret-key" },
        });
        assert.deepEqual(secretRefs(run, "web"), {});
        assert.deepEqual(run.outputs.appSecretNames, ["anthropic-credentials", "app-secrets-mock1234"]);
        assert.equal(run.outputs.appSecretName, "app-secrets-mock1234");
    });

    it("one entry synced by ESO beside stack config values: the ExternalSecret holds it alone, the owned Secret the rest", async () => {
        const run = await runStack("dev", {
            set: {
                services: { orchestrator: { image: backendImage, secrets: ["anthropicApiKey", "smtpPassword"] } },
                secrets: { source: "pulumi", store: { create: false, kind: "ClusterSecretStore", name: "org-vault" }, entries: { smtpPassword: { remoteRef: { key: "smtp/prod", property: "password" } } } },
            },
        });
        const synced = run.one("kubernetes:external-secrets.io/v1:ExternalSecret", "app-secrets");
        assert.equal(synced.inputs.metadata.name, "llm-platform-dev-app-secrets");
        assert.deepEqual(synced.inputs.spec.data, [{ secretKey: "smtp-password", remoteRef: { key: "smtp/prod", property: "password" } }]);
        assert.deepEqual(Object.keys(run.one("kubernetes:core/v1:Secret", "app-secrets").inputs.stringData), ["anthropic-api-key"]);
        assert.deepEqual(secretRefs(run, "orchestrator").SMTP_PASSWORD, { name: "llm-platform-dev-app-secrets", key: "smtp-password" });
    });

    it("a stack whose every entry is an existing Secret creates neither a Secret nor an ExternalSecret", async () => {
        const run = await runProgram("dev", { set: { secrets: { source: "pulumi", entries: { anthropicApiKey: { existingSecret: { name: "anthropic-credentials", key: "api-key" } } } } } });
        assert.deepEqual(run.ofType("kubernetes:core/v1:Secret").filter((s) => s.name === "app-secrets"), []);
        assert.deepEqual(run.ofType("kubernetes:external-secrets.io/v1:ExternalSecret"), []);
        assert.deepEqual(secretRefs(run, "orchestrator").ANTHROPIC_API_KEY, { name: "anthropic-credentials", key: "api-key" });
    });

    it("a stack secret config key only the catalog knows is read by name, and refused before any resource when missing", async () => {
        const set = { services: { orchestrator: { image: backendImage, secrets: ["anthropicApiKey", "encryptionKey"] } }, secrets: { entries: { encryptionKey: {} } } };
        const run = await runStack("dev", { set, secrets: { encryptionKey: "enc-0123456789" } });
        assert.equal(run.one("kubernetes:core/v1:Secret", "app-secrets").inputs.stringData["encryption-key"], "enc-0123456789");
        const { error, resources } = await runProgramExpectingError("dev", { set, secrets: { anthropicApiKey: fakeSecretValue("anthropicApiKey") } });
        assert.equal(error.message, lines("encryptionKey: given nothing; expected a secret, because services.orchestrator.secrets lists it: pulumi config set --secret encryptionKey <value>").replace('"test"', '"dev"'));
        assert.deepEqual(resources, []);
    });

    it("AppSecrets refuses entries synced from the manager without the ExternalSecret's target", async () => {
        await installMocks("test");
        assert.throws(
            () => new AppSecrets("app-secrets", { entries: [{ name: "a", env: "A", dataKey: "a", source: { kind: "external-secrets", remoteRef: { key: "a" } } }], namespace: "ns", instance: "i", partOf: "p" }),
            /AppSecrets: entries synced from the secret manager need args.externalSecret/,
        );
    });
});
