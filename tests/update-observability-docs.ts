/**
 * Rewrites the generated alert table and runbook sections of docs/observability.md from the
 * alert catalog (lib/alert-catalog.ts), and its SLO rules from observability/slo.specs.ts:
 *   node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts
 */
import * as fs from "fs";
import { docPath, readDoc, renderAlertDocs, withGeneratedBlock } from "./observability-docs";
import { renderSloDocs, withSloBlock } from "./slo-docs";

fs.writeFileSync(docPath, withSloBlock(withGeneratedBlock(readDoc(), renderAlertDocs()), renderSloDocs()));
console.log(`${docPath}: alert table, runbooks and SLO rules regenerated`);
