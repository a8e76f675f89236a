"use strict";
// The program Pulumi runs (Pulumi.yaml `main`): index.ts, through scripts/register-ts.cjs, which
// transpiles each TypeScript file once per content and keeps it (docs/performance.md). Its exports
// are the stack outputs. Type-checking is `npm run build` (CI runs it).
require("./scripts/register-ts.cjs");
module.exports = require("./index.ts");
