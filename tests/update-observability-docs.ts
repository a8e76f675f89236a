/**
 * Rewrites the generated alert table and runbook sections of docs/observability.md from the
 * alert catalog (lib/alert-catalog.ts):
 *   node -r ./scripts/register-ts.cjs tests/update-observability-docs.ts
 */
import * as fs from "fs";
import { docPath, readDoc, renderAlertDocs, withGeneratedBlock } from "./observability-docs";

fs.writeFileSync(docPath, withGeneratedBlock(readDoc(), renderAlertDocs()));
console.log(`${docPath}: alert table and runbooks regenerated`);
