/**
 * Where the tests find the pinned Bitnami charts' files, which the project never holds: the
 * reference copies of values.yaml and its schema (in CI too), and, on a machine that has them, the
 * charts themselves, unpacked, to render their templates.
 */
import * as path from "path";
import { projectRoot } from "./mocks";

/** The reference copies, <chart>/<version>/{Chart.yaml,values.yaml}: $BITNAMI_REFERENCE_DIR, else ../shared/bitnami from the project root. */
export const referenceRoot = process.env.BITNAMI_REFERENCE_DIR ?? path.resolve(projectRoot, "..", "shared", "bitnami");

/**
 * The pinned charts unpacked, <chart>/ with its charts/common (e.g. `helm pull
 * oci://registry-1.docker.io/bitnamicharts/postgresql --version 17.1.0 --untar -d "$dir"`):
 * $BITNAMI_CHARTS_DIR; unset, the tests that render them are skipped.
 */
export const chartsRoot: string | undefined = process.env.BITNAMI_CHARTS_DIR;
