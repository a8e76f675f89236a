import { strict as assert } from "assert";
import { closeMatch, described, formatProblems, Problem, unknownKeyExpectation } from "../validation/problem";
import { validateConfig } from "../config/validate";
import { externalDataStores, problemsOf, raw, Values } from "./config-harness";
import { parseQuantity, podsOf } from "../lib/quantity";
import { runProgramExpectingError, stacks, userSecrets } from "./mocks";


const baseService = () => ({ image: { repository: "ghcr.io/acme/api", tag: "1.0.0" } });
const base = (): Values => ({
    environment: "staging",
    services: { api: baseService() },
    ...externalDataStores(),
});

const problems = (edit: (v: Values) => void, secrets: string[] = []): Problem[] => problemsOf(base, edit, secrets);

function message(edit: (v: Values) => void, secrets: string[] = []): string {
    return formatProblems("test", problems(edit, secrets));
}

describe("config: schema", () => {
    it("a minimal config is valid and gets every default", () => {
        const result = validateConfig(raw(base()));
        assert.deepEqual(result.problems, []);
        const api = result.config!.services.api;
        assert.equal(api.replicas, 1);
        assert.deepEqual(api.ports, { http: 8080, metrics: 9090 });
        assert.deepEqual(api.strategy, { maxSurge: 1, maxUnavailable: 0 });
        assert.deepEqual(api.autoscaling.behavior, {
            scaleUp: { stabilizationWindowSeconds: 0, percent: 100, periodSeconds: 30, selectPolicy: "Max" },
            scaleDown: { stabilizationWindowSeconds: 300, percent: 50, periodSeconds: 60, selectPolicy: "Max" },
        });
        assert.equal(result.config!.namespace.name, undefined, "resolved by loadConfig to <project>-<stack>");
        assert.equal(result.config!.networkPolicy.enabled, true);
    });

    it("an unknown key is told the known key it is a typo of, and every known key when none is close", () => {
        assert.equal(closeMatch("replcas", ["replicas", "ports"]), "replicas");
        assert.equal(closeMatch("Replicas", ["replicas"]), "replicas");
        assert.equal(closeMatch("architecure", ["mode", "architecture"]), "architecture");
        // Two edits at most, and fewer than half the key: "for" is no typo of "xyz", nor "password" of "passwordSource".
        assert.equal(closeMatch("xyz", ["for"]), undefined);
        assert.equal(closeMatch("password", ["passwordSource", "username"]), undefined);
        assert.equal(closeMatch("anything", []), undefined);
        assert.equal(unknownKeyExpectation("rolle", ["region", "role"]), 'no such key; did you mean "role"?');
        assert.equal(unknownKeyExpectation("apiKey", ["enabled", "defaultModel"]), "no such key; known keys here: enabled, defaultModel");
    });

    it("a misspelt key (autoscalling) is an error naming the key it is a typo of", () => {
        assert.equal(
            message((v) => (v.services.api.autoscalling = { enabled: true })),
            'Stack config of "test" has 1 problem:\n' +
                '  - services.api.autoscalling: given an object with 1 key (enabled); expected no such key; did you mean "autoscaling"?',
        );
    });

    it("an unknown top-level key is an error", () => {
        assert.deepEqual(problems((v) => (v.replicas = 3)), [
            {
                key: "replicas",
                given: described("a number"),
                expected: "no such key; known keys here: environment, namespace, networkPolicy, gateway, monitoring, llm, vectorDb, services, postgresql, redis, secrets, images, storageClass, domain, cluster, clusterDomain",
            },
        ]);
    });

    it("wrong types and values name what is expected", () => {
        assert.equal(
            message((v) => {
                v.environment = "prod";
                v.services.api.replicas = "three";
                v.services.api.ports = { http: 70000 };
                v.services.api.resources = { limits: { memory: "4 GB" } };
            }),
            'Stack config of "test" has 4 problems:\n' +
                '  - environment: given "prod"; expected one of "development", "staging", "production"\n' +
                "  - services.api.ports.http: given 70000; expected a number <= 65535\n" +
                '  - services.api.replicas: given "three"; expected a number\n' +
                '  - services.api.resources.limits.memory: given "4 GB"; expected a quantity of bytes with a unit such as "512Mi", "4Gi" or "1G" (Ki, Mi, Gi, Ti: powers of 1024; k, M, G, T: of 1000)',
        );
    });

    it("a missing environment and no services are reported together", () => {
        assert.deepEqual(
            validateConfig(raw({ services: {} })).problems,
            [
                { key: "environment", given: undefined, expected: 'one of "development", "staging", "production"' },
                { key: "services", given: {}, expected: "at least one service" },
            ],
        );
    });

    it("service names must be DNS labels", () => {
        assert.deepEqual(problems((v) => (v.services = { Bad_Name: baseService() })), [
            { key: "services.Bad_Name", given: "Bad_Name", expected: "a lowercase DNS label starting with a letter of at most 63 characters (a-z, 0-9, '-') such as \"orchestrator\"" },
        ]);
    });
});

describe("config: cross-field rules", () => {
    it("autoscaling min <= max", () => {
        assert.equal(
            message((v) => (v.services.api.autoscaling = { enabled: true, minReplicas: 11, maxReplicas: 10 })),
            'Stack config of "test" has 1 problem:\n  - services.api.autoscaling.minReplicas: given 11; expected at most services.api.autoscaling.maxReplicas (10)',
        );
    });

    it("a PDB may not block every eviction: minAvailable below the HPA minimum", () => {
        assert.deepEqual(
            problems((v) => {
                v.services.api.autoscaling = { enabled: true, minReplicas: 3, maxReplicas: 10 };
                v.services.api.podDisruptionBudget = { enabled: true, minAvailable: 3 };
            }),
            [
                {
                    key: "services.api.podDisruptionBudget.minAvailable",
                    given: 3,
                    expected: "fewer pods than services.api.autoscaling.minReplicas (3), or the budget blocks every eviction and node drain",
                },
            ],
        );
    });

    it("a PDB may not block every eviction: minAvailable below the replica count, percentages rounded up", () => {
        assert.deepEqual(
            problems((v) => {
                v.services.api.replicas = 2;
                v.services.api.podDisruptionBudget = { enabled: true, minAvailable: "60%" };
            }),
            [
                {
                    key: "services.api.podDisruptionBudget.minAvailable",
                    given: "60%",
                    expected: "fewer pods than services.api.replicas (2), or the budget blocks every eviction and node drain",
                },
            ],
        );
        assert.deepEqual(problems((v) => {
            v.services.api.replicas = 2;
            v.services.api.podDisruptionBudget = { enabled: true, minAvailable: "50%" };
        }), []);
    });

    it("a PDB may not block every eviction: maxUnavailable of 0", () => {
        assert.deepEqual(problems((v) => (v.services.api.podDisruptionBudget = { enabled: true, maxUnavailable: 0 })), [
            { key: "services.api.podDisruptionBudget.maxUnavailable", given: 0, expected: "at least 1 pod, or the budget blocks every eviction and node drain" },
        ]);
    });

    it("a PDB takes exactly one of minAvailable and maxUnavailable", () => {
        assert.deepEqual(problems((v) => {
            v.services.api.replicas = 3;
            v.services.api.podDisruptionBudget = { enabled: true, minAvailable: 1, maxUnavailable: 1 };
        }), [
            { key: "services.api.podDisruptionBudget", given: { minAvailable: 1, maxUnavailable: 1 }, expected: "exactly one of minAvailable or maxUnavailable" },
        ]);
    });

    it("requests <= limits, for CPU and memory in any unit", () => {
        assert.equal(
            message((v) => (v.services.api.resources = { requests: { cpu: "1500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2048Mi" } })),
            'Stack config of "test" has 1 problem:\n  - services.api.resources.requests.cpu: given "1500m"; expected at most services.api.resources.limits.cpu (1)',
        );
    });

    it("production refuses mutable tags such as latest; a digest pins any tag", () => {
        assert.equal(
            message((v) => {
                v.environment = "production";
                v.services.api.image.tag = "latest";
            }),
            'Stack config of "test" has 1 problem:\n  - services.api.image.tag: given "latest"; expected an immutable release tag or a digest in production (mutable tags: latest, main, master, develop, dev, edge, nightly, stable, head)',
        );
        assert.deepEqual(problems((v) => {
            v.environment = "production";
            v.services.api.image = { repository: "ghcr.io/acme/api", tag: "latest", digest: `sha256:${"c".repeat(64)}` };
        }), []);
        assert.deepEqual(problems((v) => (v.services.api.image.tag = "latest")), [], "staging may run latest");
    });

    it("an image needs a tag or a digest", () => {
        assert.deepEqual(problems((v) => (v.services.api.image = { repository: "ghcr.io/acme/api" })), [
            { key: "services.api.image", given: { repository: "ghcr.io/acme/api", pullPolicy: "IfNotPresent" }, expected: "a tag or a digest" },
        ]);
    });

    it("a rollout must be able to make progress", () => {
        assert.deepEqual(problems((v) => (v.services.api.strategy = { maxSurge: 0, maxUnavailable: "0%" })), [
            { key: "services.api.strategy", given: { maxSurge: 0, maxUnavailable: "0%" }, expected: "maxSurge or maxUnavailable above 0, or no rollout can make progress" },
        ]);
    });

    it("an enabled Ingress needs a host", () => {
        assert.deepEqual(problems((v) => (v.services.api.ingress = { enabled: true })), [
            { key: "services.api.ingress.hosts", given: [], expected: "at least one host when ingress.enabled is true (or the stack's domain, which makes it <service>.<domain>)" },
        ]);
    });

    it("a service can only call other services of the stack", () => {
        assert.deepEqual(problems((v) => (v.services.api.connectsTo = { services: ["web", "api"] })), [
            { key: "services.api.connectsTo.services", given: "web", expected: "another service of this stack (none)" },
            { key: "services.api.connectsTo.services", given: "api", expected: "another service of this stack (none)" },
        ]);
    });

    it("the scrape timeout fits in the interval", () => {
        assert.deepEqual(problems((v) => (v.monitoring = { interval: "15s", scrapeTimeout: "30s" })), [
            { key: "monitoring.scrapeTimeout", given: "30s", expected: "at most monitoring.interval (15s)" },
        ]);
    });

    it("a vector DB needs its URL", () => {
        assert.deepEqual(problems((v) => (v.vectorDb = { type: "qdrant" })), [
            { key: "vectorDb.url", given: undefined, expected: 'a URL, because vectorDb.type is "qdrant"' },
        ]);
    });
});

describe("config: secrets", () => {
    it("an enabled LLM provider needs its key, set as a secret", () => {
        assert.deepEqual(problems((v) => (v.llm = { providers: { openai: { enabled: true } } })), [
            { key: "openaiApiKey", given: undefined, expected: "a secret, because llm.providers.openai.enabled is true: pulumi config set --secret openaiApiKey <value>" },
        ]);
        assert.deepEqual(problems((v) => (v.llm = { providers: { openai: { enabled: true } } }), ["openaiApiKey"]), []);
    });

    it("a key nothing would use is refused: every key has an effect", () => {
        assert.deepEqual(problems(() => undefined, ["cohereApiKey", "vectorDbApiKey"]), [
            { key: "cohereApiKey", given: described("a secret value"), expected: "no value, because llm.providers.cohere.enabled is false and nothing would use it" },
            { key: "vectorDbApiKey", given: described("a secret value"), expected: 'no value, because vectorDb.type is "none" and nothing would use it' },
        ]);
    });

    it("an API key set in plaintext is refused, without echoing it", () => {
        const found = problems((v) => {
            v.llm = { providers: { anthropic: { enabled: true } } };
            v.anthropicApiKey = "sk-ant-plaintext";
        });
        assert.deepEqual(found, [
            { key: "anthropicApiKey", given: described("a plaintext value"), expected: "a secret: pulumi config set --secret anthropicApiKey <value>" },
        ]);
        assert.ok(!formatProblems("test", found).includes("sk-ant-plaintext"));
    });

    it("secrets are refused inside other keys, where Pulumi would keep nested values in plaintext", () => {
        assert.deepEqual(problems(() => undefined, ["namespace"]), [
            {
                key: "namespace",
                given: described("a secret value"),
                expected:
                    "a plain value: secrets belong only in the secret catalog's config keys (anthropicApiKey, openaiApiKey, cohereApiKey, vectorDbApiKey, appSecretKey; secrets.entries declares more), each set with pulumi config set --secret",
            },
        ]);
    });
});

describe("config: quantities", () => {
    it("parses CPU and memory quantities", () => {
        assert.equal(parseQuantity("500m"), 0.5);
        assert.equal(parseQuantity("2"), 2);
        assert.equal(parseQuantity("4Gi"), 4 * 2 ** 30);
        assert.equal(parseQuantity("1G"), 1e9);
        assert.throws(() => parseQuantity("4 GB"), /"4 GB" is not a Kubernetes quantity/);
    });

    it("PDB percentages round up as Kubernetes does", () => {
        assert.equal(podsOf("50%", 5), 3);
        assert.equal(podsOf(2, 5), 2);
    });
});

describe("config: a bad stack config fails before any resource is registered", () => {
    for (const stack of stacks) {
        it(`${stack}: one error lists every problem, and no resource exists`, async () => {
            const { error, resources } = await runProgramExpectingError(stack, {
                set: { autoscalling: { enabled: true }, networkPolicy: { enabled: "yes" } },
                secrets: userSecrets[stack],
            });
            assert.equal(
                error.message,
                `Stack config of "${stack}" has 2 problems:\n` +
                    "  - autoscalling: given an object with 1 key (enabled); expected no such key; known keys here: environment, namespace, networkPolicy, gateway, monitoring, llm, vectorDb, services, postgresql, redis, secrets, images, storageClass, domain, cluster, clusterDomain\n" +
                    '  - networkPolicy.enabled: given "yes"; expected a boolean',
            );
            assert.deepEqual(resources, []);
        });
    }
});
