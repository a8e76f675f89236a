"use strict";
// The program Pulumi runs (Pulumi.yaml `main`): index.ts through the repository's TypeScript loader,
// as the main program does (../program.cjs).
require("../scripts/register-ts.cjs");
module.exports = require("./index.ts");
