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

/** The Markdown files whose links and commands are checked: the README and every doc. */
const markdownFiles = ["README.md", ...fs.readdirSync(path.join(projectRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Markdown without its fenced code blocks, where `#` starts no heading. */
const unfenced = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "");

/** Markdown without its code, fenced or inline, where `](` is no link. */
const prose = (markdown: string) => unfenced(markdown).replace(/`[^`\n]*`/g, "``");

/** GitHub's anchor for a heading: lower-case, punctuation other than '-' and '_' removed, spaces to '-'. */
function githubSlug(heading: string): string {
    return heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings, a repeated one numbered as GitHub numbers it (`-1`, `-2`). */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    for (const [, text] of unfenced(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
        const slug = githubSlug(text);
        let anchor = slug;
        for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
        anchors.add(anchor);
    }
    return anchors;
}

/** The relative links of a Markdown file: its inline links' targets that are not URLs. */
function relativeLinks(markdown: string): string[] {
    return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

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

describe("README and docs/configuration.md stay true", () => {
    const readme = read("README.md");
    const reference = read("docs/configuration.md");

    it("the config error example in docs/configuration.md is what the program prints for it", () => {
        const block = /<!-- config-error-example -->\n```\n([\s\S]*?)\n```/.exec(reference);
        assert.ok(block, "docs/configuration.md lacks the config-error-example block");
        assert.equal(block[1], readmeExampleMessage());
    });

    it("docs/configuration.md documents every top-level config key", () => {
        for (const key of keysOf(configSchema)) assert.ok(reference.includes(`\`${key}`), `docs/configuration.md lacks \`${key}\``);
    });

    it("docs/configuration.md documents every networkPolicy key", () => {
        assert.ok(keysOf(configSchema.shape.networkPolicy).length > 5);
        for (const key of keysOf(configSchema.shape.networkPolicy)) assert.ok(reference.includes(`\`networkPolicy.${key}`), `docs/configuration.md lacks \`networkPolicy.${key}\``);
        for (const key of keysOf(networkPolicySchema.shape.kubernetesApi)) assert.ok(reference.includes(`\`networkPolicy.kubernetesApi.${key}\``), `docs/configuration.md lacks networkPolicy.kubernetesApi.${key}`);
    });

    it("docs/configuration.md documents every service key", () => {
        const service = (configSchema.shape.services._zod.def as any).innerType?._zod.def.valueType ?? (configSchema.shape.services._zod.def as any).valueType;
        for (const key of keysOf(service)) assert.ok(new RegExp(`\`${key}[.\`]|, \`${key}\``).test(reference), `docs/configuration.md lacks service key \`${key}\``);
    });

    it("documents every data-tier key in docs/data-tier.md", () => {
        const doc = read("docs/data-tier.md");
        for (const store of ["postgresql", "redis"] as const) {
            for (const key of keysOf(configSchema.shape[store])) assert.ok(doc.includes(key), `docs/data-tier.md lacks ${store}.${key}`);
        }
    });

    it("names only npm scripts and files that exist", () => {
        const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
        for (const file of markdownFiles) {
            for (const [, name] of read(file).matchAll(/npm run ([a-z0-9:-]+)/g)) assert.ok(scripts[name], `${file} runs missing npm script ${name}`);
            for (const [, script] of read(file).matchAll(/\.\/(scripts\/[a-z-]+\.sh)/g)) assert.ok(fs.existsSync(path.join(projectRoot, script)), `${file} names missing ${script}`);
        }
        for (const [, link] of readme.matchAll(/\]\(((?:docs|policy|deployments|examples)[^)#]*)/g)) assert.ok(fs.existsSync(path.join(projectRoot, link)), `README links missing ${link}`);
    });

    it("every relative link of README.md and docs/*.md resolves to a file, and every #anchor to a heading of its file", () => {
        const anchors = new Map<string, Set<string>>();
        const anchorsIn = (file: string) => anchors.get(file) ?? anchors.set(file, anchorsOf(read(file))).get(file)!;
        let checked = 0;
        for (const file of markdownFiles) {
            for (const link of relativeLinks(read(file))) {
                const [target, anchor] = link.split("#", 2);
                const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(target)));
                assert.ok(fs.existsSync(path.join(projectRoot, resolved)), `${file} links ${link}: no ${resolved}`);
                if (anchor !== undefined && resolved.endsWith(".md")) {
                    assert.ok(anchorsIn(resolved).has(anchor), `${file} links ${link}: ${resolved} has no heading whose anchor is #${anchor} (it has ${[...anchorsIn(resolved)].join(", ")})`);
                }
                checked++;
            }
        }
        assert.ok(checked > 50, `only ${checked} links found: the link pattern is broken`);
    });

    it("the anchors follow GitHub's rules", () => {
        assert.equal(githubSlug("Service (`services.<name>.…`)"), "service-servicesname");
        assert.equal(githubSlug("Delivery: pull requests, Pulumi Deployments, policy"), "delivery-pull-requests-pulumi-deployments-policy");
        assert.equal(githubSlug("`helm.v4.Chart` rather than `helm.v3.Release`"), "helmv4chart-rather-than-helmv3release");
        assert.equal(githubSlug("Where entries come from: `secrets.source`"), "where-entries-come-from-secretssource");
        assert.deepEqual([...anchorsOf("# A\n## b c\n```\n# not a heading\n```\n### A\n")], ["a", "b-c", "a-1"]);
    });

    it("README.md and docs/configuration.md each list every section of theirs in their contents", () => {
        for (const [file, text] of [["README.md", readme], ["docs/configuration.md", reference]]) {
            const contents = /^## Contents\n([\s\S]*?)^## /m.exec(text);
            assert.ok(contents, `${file} has no contents`);
            const listed = new Set([...contents[1].matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]));
            for (const [, heading] of unfenced(text).matchAll(/^## +(.+)$/gm)) {
                if (heading !== "Contents") assert.ok(listed.has(githubSlug(heading)), `${file}'s contents lack ${heading}`);
            }
        }
    });

    it("README.md and docs/configuration.md name no source path under config/ or components/ (ARCHITECTURE.md says where things are)", () => {
        for (const [file, text] of [["README.md", readme], ["docs/configuration.md", reference]]) {
            const paths = [...text.matchAll(/(?<![\w./-])(?:config|components)\/[\w./*-]*/g)].map((m) => m[0]);
            assert.deepEqual(paths, [], `${file} names source paths`);
        }
    });

    it("README.md stays a five-minute read, and the config reference lives in docs/configuration.md", () => {
        const lines = readme.split("\n").length;
        assert.ok(lines <= 280, `README.md has ${lines} lines`);
        assert.ok(!readme.includes("<!-- config-error-example -->") && !/^#+ Service \(`services/m.test(readme), "README holds the config reference again");
    });

    it("the test command .ci/run runs is the README's", () => {
        assert.ok(readme.includes("./scripts/test.sh"));
        assert.ok(read(".ci/run").includes("./scripts/test.sh"));
    });
});
