/**
 * The data stores' rules through Helm itself: the Bitnami charts render metrics.prometheusRule.rules
 * with `tpl`, which would expand (and break on) the alerts' own {{ $labels.pod }} placeholders
 * unless the program hands them over as template literals. `helm template` of a stand-in chart
 * that renders the rules the way the charts do (tests/fixtures/bitnami-prometheusrule) must give
 * back exactly the rules the program built, which the promtool suite checks.
 *
 * helm is not part of the project's toolchain: the test uses one on PATH or in the toolchain cache
 * (~/.cache/llm-platform/toolchain/helm-v<version>/bin), and is skipped, saying so, without one.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ProgramRun, projectRoot, runStack } from "./mocks";
import { ruleFilesOf } from "./rule-files";

function findHelm(): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (dir && fs.existsSync(path.join(dir, "helm"))) return path.join(dir, "helm");
    }
    const cache = process.env.LLM_PLATFORM_TOOLCHAIN ?? path.join(os.homedir(), ".cache", "llm-platform", "toolchain");
    const builds = fs.existsSync(cache) ? fs.readdirSync(cache).filter((d) => /^helm-v[0-9.]+$/.test(d)).sort() : [];
    const found = builds.map((d) => path.join(cache, d, "bin", "helm")).filter((f) => fs.existsSync(f));
    return found[found.length - 1];
}

const helm = findHelm();
const chart = path.join(projectRoot, "tests", "fixtures", "bitnami-prometheusrule");
const title = "the data stores' rules as Helm renders them (tpl) are the rules the program built";

(helm ? describe : describe.skip)(helm ? title : `${title} — skipped: no helm on PATH or in ~/.cache/llm-platform/toolchain/helm-v*/bin`, () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("prod");
    });

    for (const store of ["postgresql", "redis"]) {
        it(`prod: ${store}`, () => {
            const release = run.one("kubernetes:helm.sh/v4:Chart", `${store}-chart`);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-chart-rules-"));
            fs.writeFileSync(path.join(dir, "values.json"), JSON.stringify(release.inputs.values));
            const rendered = execFileSync(helm!, ["template", release.inputs.name, chart, "-f", path.join(dir, "values.json")], { encoding: "utf8" });
            const built = ruleFilesOf(run)[`${store}-chart.rules.yaml`];
            assert.ok(built.groups[0].rules.length >= 3);
            assert.deepStrictEqual(parseYaml(rendered.replace(/^---\n# Source: .*\n/m, "")), JSON.parse(JSON.stringify(built)));
        });
    }
});
