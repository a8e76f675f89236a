/**
 * The data stores' rules through Helm itself: the Bitnami charts render metrics.prometheusRule.rules
 * with `tpl`, which would expand (and break on) the alerts' own {{ $labels.pod }} placeholders
 * unless the program hands them over as template literals. `helm template` of a stand-in chart
 * that renders the rules the way the charts do (tests/fixtures/bitnami-prometheusrule) must give
 * back exactly the rules the program built, which the promtool suite checks.
 *
 * helm is found as every toolchain tool is (tests/toolchain.ts: the one scripts/toolchain/build.sh
 * built, else one on PATH); without one the suite is skipped with the message every missing tool gives.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ProgramRun, projectRoot, runStack } from "./mocks";
import { ruleFilesOf } from "./rule-files";
import { notBuilt, toolPath } from "./toolchain";

const helm = toolPath("helm");
const chart = path.join(projectRoot, "tests", "fixtures", "bitnami-prometheusrule");
const title = "the data stores' rules as Helm renders them (tpl) are the rules the program built";

(helm ? describe : describe.skip)(helm ? title : `${title} — skipped: ${notBuilt("helm")}`, () => {
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
