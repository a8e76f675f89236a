/**
 * Rewrites the who-talks-to-whom tables of docs/network.md from the cyclonus matrix of each
 * documented stack (tests/network-matrix.test.ts checks they match):
 *   node -r ./scripts/register-ts.cjs tests/update-network-docs.ts
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./mocks";
import { connectivityMatrix, documentedStacks, matrixVariations, talkTable, withTables } from "./network-matrix";
import { toolPath } from "./toolchain";

async function main(): Promise<void> {
    const cyclonus = toolPath("cyclonus");
    if (!cyclonus) throw new Error("cyclonus is not built: run scripts/toolchain/build.sh cyclonus");
    const tables: Record<string, string> = {};
    for (const stack of documentedStacks) {
        const run = await matrixVariations[stack].run();
        tables[stack] = talkTable(connectivityMatrix(cyclonus, { run, coTenant: matrixVariations[stack].coTenant }), run.outputs.namespaceName as string);
    }
    const file = path.join(projectRoot, "docs", "network.md");
    fs.writeFileSync(file, withTables(fs.readFileSync(file, "utf8"), tables));
    console.log(`docs/network.md: tables of ${documentedStacks.join(", ")}`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
