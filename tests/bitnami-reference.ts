/**
 * Where the tests find the pinned Bitnami charts' files, which the project never holds: the
 * reference copies of values.yaml and its schema (in CI too), and, on a machine that has them, the
 * charts themselves, unpacked, to render their templates.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "./mocks";

/** The reference copies, <chart>/<version>/{Chart.yaml,values.yaml}: $BITNAMI_REFERENCE_DIR, else ../shared/bitnami from the project root. */
export const referenceRoot = process.env.BITNAMI_REFERENCE_DIR ?? path.resolve(projectRoot, "..", "shared", "bitnami");

/**
 * The pinned charts unpacked, <chart>/ with its charts/common (e.g. `helm pull
 * oci://registry-1.docker.io/bitnamicharts/postgresql --version 17.1.0 --untar -d "$dir"`):
 * $BITNAMI_CHARTS_DIR; unset, the tests that render them are skipped.
 */
export const chartsRoot: string | undefined = process.env.BITNAMI_CHARTS_DIR;

/**
 * A pinned chart's reference values.yaml, parsed. Where it is missing the calling test is skipped,
 * saying where to put it; with BITNAMI_REFERENCE_REQUIRED=1 (.ci/run, whose ../shared holds the
 * copies) a missing copy fails instead, so a contract test can't pass CI by not running.
 */
export function referenceValues(context: Mocha.Context, chart: { name: string; version: string }): Record<string, any> {
    const file = path.join(referenceRoot, chart.name, chart.version, "values.yaml");
    if (!fs.existsSync(file)) {
        const why =
            `no reference values.yaml at ${file}; put the chart's files in ../shared/bitnami/${chart.name}/${chart.version}/ ` +
            "or point BITNAMI_REFERENCE_DIR at a directory holding <chart>/<version>/values.yaml";
        if (process.env.BITNAMI_REFERENCE_REQUIRED === "1") throw new Error(`${why} (BITNAMI_REFERENCE_REQUIRED=1)`);
        console.log(`      skipped: ${why}`);
        context.skip();
    }
    return parseYaml(fs.readFileSync(file, "utf8"));
}
