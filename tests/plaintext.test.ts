/**
 * Nothing in plaintext, for every stack and every secrets source: no secret value in a ConfigMap,
 * an annotation, a label, a stack output or any other resource input outside a Secret's data; the
 * Secrets' data and the generated passwords travel as secrets, so Pulumi encrypts them in state;
 * and with a secret manager the program holds no value at all.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, fakeSecretValue, pulumiSourceSecrets, readStackConfig, runProgram, runStackFile, stacks } from "./mocks";

type Values = Record<string, any>;
type Stack = (typeof stacks)[number];
type Source = "pulumi" | "external-secrets" | "existing";

const secretType = "kubernetes:core/v1:Secret";
const passwordType = "random:index/randomPassword:RandomPassword";
const externalSecretType = "kubernetes:external-secrets.io/v1:ExternalSecret";

/** A store for stacks whose file has none (dev), to switch them to external-secrets. */
const fallbackStore = { provider: "aws", aws: { region: "eu-west-1" } };

/** The stack file with its secrets source switched, and the secret config a user would then set. */
function withSource(stack: Stack, source: Source): { set: Values; secrets: Record<string, string> } {
    const values = readStackConfig(stack).values;
    const file: Values = structuredClone(values["llm-platform:secrets"] ?? {});
    const passwordsSynced = ["postgresql", "redis"].some((s) => (values[`llm-platform:${s}`] as Values | undefined)?.auth?.passwordSource === "external-secrets");
    const keys = Object.keys(pulumiSourceSecrets[stack]);
    const store = file.store ?? fallbackStore;
    const common = { refreshInterval: file.refreshInterval ?? "1h", rolloutOnChange: file.rolloutOnChange ?? "none" };
    switch (source) {
        case "pulumi":
            return { set: { secrets: { ...common, source, ...(passwordsSynced ? { store } : {}) } }, secrets: pulumiSourceSecrets[stack] };
        case "external-secrets":
            return { set: { secrets: { ...common, source, store, remoteRefs: Object.fromEntries(keys.map((k) => [k, { key: `llm-platform/${stack}`, property: k }])) } }, secrets: {} };
        case "existing":
            return {
                set: { secrets: { ...common, source, existingSecret: { name: "llm-keys", keys: Object.fromEntries(keys.map((k) => [k, k.toLowerCase()])) }, ...(passwordsSynced ? { store } : {}) } },
                secrets: {},
            };
    }
}

/** Every value that must never leave a Secret's data: the secret config values and the generated passwords. */
function secretValues(stack: Stack, run: ProgramRun): string[] {
    return [...Object.values(pulumiSourceSecrets[stack]), ...run.ofType(passwordType).map((p) => `generated-${p.name}-0123456789`), "plaintext-", "generated-"];
}

/** A resource's inputs without the data of a Secret, which is where values belong. */
function outsideSecretData(resource: { type: string; inputs: Values }): Values {
    return resource.type === secretType ? { ...resource.inputs, stringData: undefined, data: undefined } : resource.inputs;
}

for (const stack of stacks) {
    for (const source of ["pulumi", "external-secrets", "existing"] as const) {
        describe(`nothing in plaintext: ${stack}, secrets from ${source}`, () => {
            let run: ProgramRun;
            before(async () => {
                run = await runProgram(stack, withSource(stack, source));
            });

            it("no secret value in any ConfigMap, annotation, label or other input outside a Secret's data", () => {
                const values = secretValues(stack, run);
                for (const resource of run.resources) {
                    const text = JSON.stringify(outsideSecretData(resource));
                    for (const value of values) assert.ok(!text.includes(value), `${resource.type} ${resource.name} holds ${value}`);
                }
                const configMaps = run.ofType("kubernetes:core/v1:ConfigMap");
                assert.ok(configMaps.length > 0);
                const metadata = JSON.stringify(run.resources.map((r) => [r.inputs.metadata?.labels, r.inputs.metadata?.annotations, r.inputs.spec?.template?.metadata]));
                for (const value of values) assert.ok(!metadata.includes(value), `a label or annotation holds ${value}`);
            });

            it("no secret value in a stack output, and no output needs to be secret", async () => {
                const text = JSON.stringify(run.outputs);
                for (const value of secretValues(stack, run)) assert.ok(!text.includes(value), `outputs hold ${value}`);
                for (const [name, output] of Object.entries(run.rawOutputs)) assert.equal(await pulumi.isSecret(output), false, name);
            });

            it("every Secret's data and every generated password is sent as a secret, so state keeps it encrypted", () => {
                for (const secret of run.ofType(secretType)) {
                    for (const key of Object.keys(secret.inputs.stringData ?? {})) {
                        assert.ok(secret.secretPaths.includes(`stringData.${key}`) || secret.secretPaths.includes("stringData"), `${secret.name} ${key}`);
                    }
                    assert.equal(secret.inputs.data, undefined, `${secret.name}: only stringData, which is sent as secret`);
                }
                for (const password of run.ofType(passwordType)) assert.ok(password.options.additionalSecretOutputs.includes("result"), password.name);
            });

            it(source === "pulumi" ? "the app's keys are in the one Secret built from secret config" : "the program holds no application secret value: the Secret is ESO's or someone else's", () => {
                const appSecrets = run.ofType(secretType).filter((s) => s.name === "app-secrets");
                const synced = run.ofType(externalSecretType).filter((s) => s.name === "app-secrets");
                if (source === "pulumi") {
                    assert.equal(appSecrets.length, 1);
                    assert.deepEqual(Object.values(appSecrets[0].inputs.stringData).sort(), Object.values(pulumiSourceSecrets[stack]).sort());
                } else {
                    assert.deepEqual(appSecrets, []);
                    assert.equal(synced.length, source === "external-secrets" ? 1 : 0);
                    for (const secret of run.ofType(secretType)) {
                        for (const value of Object.values<string>(secret.inputs.stringData ?? {})) assert.ok(value.startsWith("generated-"), `${secret.name} holds only generated passwords`);
                    }
                }
            });
        });
    }
}

describe("nothing in plaintext: a stack's own secret entries (examples/backend-frontend.yaml: JWT_SECRET from stack config)", () => {
    let run: ProgramRun;
    const jwt = fakeSecretValue("jwtSecret");
    before(async () => {
        run = await runStackFile("examples/backend-frontend.yaml", { secrets: { jwtSecret: jwt } });
    });

    it("the entry's value is only in the Secret built from secret config, sent as a secret; nowhere else, not in an output", async () => {
        const owned = run.ofType(secretType).filter((s) => s.name === "app-secrets");
        assert.equal(owned.length, 1);
        assert.deepEqual(owned[0].inputs.stringData, { "jwt-secret": jwt });
        assert.ok(owned[0].secretPaths.includes("stringData"));
        for (const resource of run.resources) assert.ok(!JSON.stringify(outsideSecretData(resource)).includes(jwt), `${resource.type} ${resource.name} holds the value`);
        assert.ok(!JSON.stringify(run.outputs).includes(jwt));
        for (const [name, output] of Object.entries(run.rawOutputs)) assert.equal(await pulumi.isSecret(output), false, name);
    });
});
