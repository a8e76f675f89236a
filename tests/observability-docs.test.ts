import { strict as assert } from "assert";
import { alertCatalog, runbookAnchor } from "../lib/alert-catalog";
import { readDoc, renderAlertDocs, withGeneratedBlock } from "./observability-docs";

describe("docs/observability.md stays true", () => {
    it("its alert table and runbooks are the ones the catalog renders (rewrite: tests/update-observability-docs.ts)", () => {
        const doc = readDoc();
        assert.equal(doc, withGeneratedBlock(doc, renderAlertDocs()), "docs/observability.md is stale: run node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts");
    });

    it("every alert has a row and a runbook section its runbook_url points at", () => {
        const doc = readDoc();
        for (const alert of alertCatalog) {
            assert.ok(doc.includes(`| [${alert.name}](#${runbookAnchor(alert.name)}) |`), alert.name);
            assert.ok(doc.includes(`\n### ${alert.name}\n`), alert.name);
        }
    });
});
