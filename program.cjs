"use strict";
// The program Pulumi runs (Pulumi.yaml `main`): index.ts, through scripts/register-ts.cjs, which
// transpiles each TypeScript file once per content and keeps it (docs/performance.md). Its exports
// are the stack outputs. Type-checking is `npm run build` (CI runs it). scripts/lazy-sdk-deps.cjs
// comes first: it defers what the SDK loads for function serialization, which the program never uses.
require("./scripts/lazy-sdk-deps.cjs");
require("./scripts/register-ts.cjs");
module.exports = require("./index.ts");
