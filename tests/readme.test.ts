import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { configSchema } from "../config/schema";
import { formatProblems } from "../validation/problem";
import { validateConfig } from "../config/validate";
import { networkPolicySchema } from "../network/network.schema";
import { projectRoot, readStackConfig } from "./mocks";

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");

/** The keys of an object schema, through defaults and optionals. */
function keysOf(schema: z.core.$ZodType): string[] {
    let current = schema;
    for (;;) {
        const def = current._zod.def as { innerType?: z.core.$ZodType; shape?: Record<string, unknown> };
        if (def.shape) return Object.keys(def.shape);
        if (!def.innerType) return [];
        current = def.innerType;
    }
}

/** The prod stack's config with a misspelt key, a blocking PDB and a password pasted Helm-style. */
function readmeExampleMessage(): string {
    const values = Object.fromEntries(Object.entries(readStackConfig("prod").values).map(([k, v]) => [k.replace(/^llm-platform:/, ""), structuredClone(v)])) as Record<string, any>;
    const orchestrator = values.services.orchestrator;
    orchestrator.autoscalling = { enabled: true };
    orchestrator.podDisruptionBudget.minAvailable = 5;
    values.postgresql.auth.password = "S3cr3t-pa55word";
    const { problems } = validateConfig({ project: "llm-platform", stack: "prod", values, secretKeys: new Set() });
    return formatProblems("prod", problems);
}

describe("README stays true", () => {
    const readme = read("README.md");

    it("the config error example is what the program prints for it", () => {
        const block = /<!-- config-error-example -->\n```\n([\s\S]*?)\n```/.exec(readme);
        assert.ok(block, "README lacks the config-error-example block");
        assert.equal(block[1], readmeExampleMessage());
    });

    it("documents every top-level config key", () => {
        for (const key of keysOf(configSchema)) assert.ok(readme.includes(`\`${key}`), `README lacks \`${key}\``);
    });

    it("documents every networkPolicy key", () => {
        assert.ok(keysOf(configSchema.shape.networkPolicy).length > 5);
        for (const key of keysOf(configSchema.shape.networkPolicy)) assert.ok(readme.includes(`\`networkPolicy.${key}`), `README lacks \`networkPolicy.${key}\``);
        for (const key of keysOf(networkPolicySchema.shape.kubernetesApi)) assert.ok(readme.includes(`\`networkPolicy.kubernetesApi.${key}\``), `README lacks networkPolicy.kubernetesApi.${key}`);
    });

    it("documents every service key", () => {
        const service = (configSchema.shape.services._zod.def as any).innerType?._zod.def.valueType ?? (configSchema.shape.services._zod.def as any).valueType;
        for (const key of keysOf(service)) assert.ok(new RegExp(`\`${key}[.\`]|, \`${key}\``).test(readme), `README lacks service key \`${key}\``);
    });

    it("documents every data-tier key in docs/data-tier.md", () => {
        const doc = read("docs/data-tier.md");
        for (const store of ["postgresql", "redis"] as const) {
            for (const key of keysOf(configSchema.shape[store])) assert.ok(doc.includes(key), `docs/data-tier.md lacks ${store}.${key}`);
        }
    });

    it("names only npm scripts and files that exist", () => {
        const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
        for (const [, name] of readme.matchAll(/npm run ([a-z0-9:-]+)/g)) assert.ok(scripts[name], `README runs missing npm script ${name}`);
        for (const [, file] of readme.matchAll(/\.\/(scripts\/[a-z-]+\.sh)/g)) assert.ok(fs.existsSync(path.join(projectRoot, file)), `README names missing ${file}`);
        for (const [, link] of readme.matchAll(/\]\(((?:docs|policy|deployments|examples)[^)#]*)/g)) assert.ok(fs.existsSync(path.join(projectRoot, link)), `README links missing ${link}`);
    });

    it("the test command .ci/run runs is the README's", () => {
        assert.ok(readme.includes("./scripts/test.sh"));
        assert.ok(read(".ci/run").includes("./scripts/test.sh"));
    });
});
