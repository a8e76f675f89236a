/**
 * The seed charts' knobs of issue #27: feature flags, profiles, optional data stores, the
 * stack-wide storage class and domain, the PDB that comes with autoscaling. Each one's objects,
 * and each mistake with its exact message.
 */
import { strict as assert } from "assert";
import { disruptionBudgetOf, serviceSchema, ServiceConfig } from "../application/service.schema";
import { configMapData, featureFlagSettings, PlatformContext } from "../application/application.specs";
import { featureEnvName, programEnvNames } from "../lib/builtin-secrets";
import { readStackConfig, runStack } from "./mocks";
import { reportOf, stagingBase, Values } from "./config-harness";

const service = (overrides: Record<string, unknown> = {}): ServiceConfig =>
    serviceSchema.parse({ image: { repository: "ghcr.io/acme/web", tag: "1.0.0" }, ...overrides });
const context: PlatformContext = { environment: "staging", llmProviders: [], vectorDb: { type: "none", providerEnvNames: false } };
const message = (edit: (v: Values) => void): string => reportOf(stagingBase, edit);
const servicesOf = (stack: "dev" | "staging" | "prod"): Values => structuredClone(readStackConfig(stack).values["llm-platform:services"] as Values);
const stagingServices = (): Values => structuredClone(readStackConfig("staging").values["llm-platform:services"] as Values);

describe("feature flags (services.<name>.features, #27 item 4)", () => {
    it("camelCase, kebab-case and snake_case names become FEATURE_<UPPER_SNAKE>", () => {
        assert.deepEqual(
            ["compression", "rateLimiting", "rate-limiting", "rate_limiting", "HTTPCache", "v2Api", "a1"].map(featureEnvName),
            ["FEATURE_COMPRESSION", "FEATURE_RATE_LIMITING", "FEATURE_RATE_LIMITING", "FEATURE_RATE_LIMITING", "FEATURE_HTTP_CACHE", "FEATURE_V2_API", "FEATURE_A1"],
        );
    });

    it("the seed's four flags reach the ConfigMap as true|false, beside the other settings", () => {
        const flags = { compression: true, rateLimiting: false, metrics: true, tracing: false };
        assert.deepEqual(featureFlagSettings(flags), { FEATURE_COMPRESSION: "true", FEATURE_RATE_LIMITING: "false", FEATURE_METRICS: "true", FEATURE_TRACING: "false" });
        const data = configMapData(service({ features: flags, connectsTo: { postgresql: false, redis: false } }), context);
        assert.deepEqual([data.FEATURE_COMPRESSION, data.FEATURE_RATE_LIMITING, data.LOG_LEVEL], ["true", "false", "info"]);
    });

    it("no variable the program sets starts with FEATURE_, so no flag can hide one", () => {
        assert.deepEqual(programEnvNames.filter((name) => name.startsWith("FEATURE_")), []);
    });

    it("no flags: no FEATURE_ variable", () => {
        assert.deepEqual(Object.keys(configMapData(service(), context)).filter((k) => k.startsWith("FEATURE_")), []);
    });

    it("a flag change changes the ConfigMap's data, and the pods read the auto-named ConfigMap, so a change makes a new one and rolls them", async () => {
        const on = stagingServices();
        on.orchestrator.features = { compression: true };
        const off = stagingServices();
        off.orchestrator.features = { compression: false };
        const a = await runStack("staging", { set: { services: on } });
        const b = await runStack("staging", { set: { services: off } });
        const configMapOf = (run: typeof a) => run.one("kubernetes:core/v1:ConfigMap", "orchestrator-config");
        assert.equal(configMapOf(a).inputs.data.FEATURE_COMPRESSION, "true");
        assert.equal(configMapOf(b).inputs.data.FEATURE_COMPRESSION, "false");
        for (const run of [a, b]) {
            // No fixed name: the provider replaces the ConfigMap under a new name when its data changes.
            assert.equal(configMapOf(run).inputs.metadata.name, undefined);
            const pod = run.one("kubernetes:apps/v1:Deployment", "orchestrator-deployment").inputs.spec.template.spec;
            assert.deepEqual(pod.containers[0].envFrom, [{ configMapRef: { name: "orchestrator-config-mock1234" } }]);
        }
    });

    it("a flag name is letters, digits, '-' and '_', starting with a letter", () => {
        assert.equal(
            message((v) => { v.services.api.features = { "1st": true, "rate limiting": true, ok: "yes" }; }),
            "Stack config of \"test\" has 3 problems:\n" +
            "  - services.api.features.1st: given \"1st\"; expected a flag name such as \"rateLimiting\": letters, digits, '-' and '_', starting with a letter, at most 100 characters\n" +
            "  - services.api.features.ok: given \"yes\"; expected a boolean\n" +
            "  - services.api.features.rate limiting: given \"rate limiting\"; expected a flag name such as \"rateLimiting\": letters, digits, '-' and '_', starting with a letter, at most 100 characters",
        );
    });

    it("two flags that fold to one variable are refused, naming the first", () => {
        assert.equal(
            message((v) => { v.services.api.features = { rateLimiting: true, "rate-limiting": false }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.features.rate-limiting: given \"rate-limiting\"; expected a flag whose variable no other flag has: services.api.features.rateLimiting is already FEATURE_RATE_LIMITING",
        );
    });

    it("a flag may not hide a variable of the service's env", () => {
        assert.equal(
            message((v) => { v.services.api.env = { FEATURE_COMPRESSION: "gzip" }; v.services.api.features = { compression: true }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.features.compression: given \"compression\"; expected a flag whose variable services.api.env doesn't set too: both write FEATURE_COMPRESSION",
        );
    });
});

describe("a PodDisruptionBudget that comes with autoscaling (#27 item 6)", () => {
    const autoscaled = (pdb: Record<string, unknown> = {}) => service({ autoscaling: { enabled: true, minReplicas: 2 }, podDisruptionBudget: pdb });

    it("autoscaling on and no budget configured: maxUnavailable 1", () => {
        assert.deepEqual(disruptionBudgetOf(autoscaled()), { maxUnavailable: 1 });
    });

    it("autoscaling on with a budget given but `enabled` unset: that budget", () => {
        assert.deepEqual(disruptionBudgetOf(autoscaled({ minAvailable: 1 })), { minAvailable: 1, maxUnavailable: undefined });
    });

    it("enabled: false turns it off, even with autoscaling", () => {
        assert.equal(disruptionBudgetOf(autoscaled({ enabled: false })), undefined);
    });

    it("without autoscaling, none unless enabled (as before)", () => {
        assert.equal(disruptionBudgetOf(service()), undefined);
        assert.equal(disruptionBudgetOf(service({ podDisruptionBudget: { minAvailable: 1 } })), undefined);
        assert.deepEqual(disruptionBudgetOf(service({ replicas: 3, podDisruptionBudget: { enabled: true, minAvailable: 1 } })), { minAvailable: 1, maxUnavailable: undefined });
    });

    it("the program: an autoscaled service without a budget gets a PDB of maxUnavailable 1; enabled: false, none", async () => {
        const on = servicesOf("dev");
        on.orchestrator.autoscaling = { enabled: true, minReplicas: 2, maxReplicas: 4 };
        const withBudget = await runStack("dev", { set: { services: on } });
        const pdb = withBudget.one("kubernetes:policy/v1:PodDisruptionBudget", "orchestrator-pdb").inputs;
        assert.deepEqual([pdb.spec.maxUnavailable, pdb.spec.minAvailable], [1, undefined]);
        on.orchestrator.podDisruptionBudget = { enabled: false };
        const without = await runStack("dev", { set: { services: on } });
        assert.deepEqual(without.ofType("kubernetes:policy/v1:PodDisruptionBudget"), []);
    });

    it("the rule that the budget stay below the HPA minimum holds for a budget given without `enabled`", () => {
        assert.equal(
            message((v) => { v.services.api.autoscaling = { enabled: true, minReplicas: 2 }; v.services.api.podDisruptionBudget = { minAvailable: 2 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.podDisruptionBudget.minAvailable: given 2; expected fewer pods than services.api.autoscaling.minReplicas (2), or the budget blocks every eviction and node drain",
        );
        assert.equal(
            message((v) => { v.services.api.autoscaling = { enabled: true }; v.services.api.podDisruptionBudget = { minAvailable: 1, maxUnavailable: 1 }; }),
            "Stack config of \"test\" has 1 problem:\n" +
            "  - services.api.podDisruptionBudget: given {\"minAvailable\":1,\"maxUnavailable\":1}; expected exactly one of minAvailable or maxUnavailable",
        );
    });
});
