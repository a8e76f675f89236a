// The layers of the program (ARCHITECTURE.md, issue 24), checked by dependency-cruiser in `npm run lint`.
// A module's side is told by its folder and its file name, never by a list of today's files:
//   lib/          the leaf: imports nothing of the program but policy/secret-detection.ts
//   validation/   the config side's kit (zod.ts, the only importer of "zod"): imports lib/ only
//   config/       the front door (loadConfig, the root schema and resolver), for index.ts only
//   a concern folder (application/, delivery/, network/, data-tier/, secrets/, observability/, platform/):
//     *.schema.ts, *.rules.ts, *.resolve.ts   config side
//     *.args.ts                               the contract: types only
//     everything else, index.ts included      deploy side
// tests/, e2e/, bench/, deployments/ and releases/ (the release tool) are cruised for cycles; the layer rules are the program's.
"use strict";

const concern = "(application|delivery|network|data-tier|secrets|observability|platform)";
const configSideName = "[.](schema|rules|resolve)[.]ts$";
const argsName = "[.]args[.]ts$";
/** Modules that are not the program: cycles are refused there too, the layer rules are not theirs. */
const outsideProgram = "^(tests|e2e|bench|deployments|releases|scripts)/";

// ---- The rules.

const noCircular = {
    name: "no-circular",
    severity: "error",
    comment: "Import cycle, `import type` included: one value import away from modules that see each other half-initialised. Move what both need to where it belongs (a *.args.ts, a *.schema.ts or lib/).",
};
const frontDoor = {
    name: "config-is-the-front-door",
    severity: "error",
    comment: "config/ is the front door, for index.ts (and tests, e2e, bench, deployments, releases): a concern imports the concern's own *.schema.ts, *.rules.ts, *.resolve.ts or *.args.ts instead.",
    from: { pathNot: ["^index[.]ts$", "^config/", outsideProgram] },
};
const configSide = ["^validation/", "^config/", `^${concern}/.*${configSideName}`];
const deploySide = { path: `^${concern}/`, pathNot: [configSideName, argsName] };

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
        forbidden: [
            { ...noCircular, from: {}, to: { circular: true } },
            {
                name: "lib-is-the-leaf",
                severity: "error",
                comment: "lib/ is the leaf: it imports nothing of the program but policy/secret-detection.ts. Move what it needs into lib/.",
                from: { path: "^lib/" },
                to: { pathNot: ["^lib/", "^policy/secret-detection[.]ts$", "(^|/)node_modules/"], dependencyTypesNot: ["core"] },
            },
            {
                name: "validation-imports-lib-only",
                severity: "error",
                comment: "validation/ is the config side's kit: it imports lib/ and itself only.",
                from: { path: "^validation/" },
                to: { pathNot: ["^validation/", "^lib/", "(^|/)node_modules/"], dependencyTypesNot: ["core"] },
            },
            {
                name: "config-side-never-deploy-side",
                severity: "error",
                comment: "The config side (config/, validation/, *.schema.ts, *.rules.ts, *.resolve.ts) never imports the deploy side (components, *.specs.ts, *.values.ts, a concern's index.ts): move the shared helper to lib/, or the type to a *.args.ts.",
                from: { path: configSide },
                to: deploySide,
            },
            {
                name: "args-are-types-only",
                severity: "error",
                comment: "A *.args.ts is the components' contract, types only: every import in it is `import type`.",
                from: { path: `^${concern}/.*${argsName}` },
                to: { dependencyTypesNot: ["type-only"] },
            },
            {
                name: "deploy-side-imports-config-types-only",
                severity: "error",
                comment: "The deploy side imports the config side (validation/, *.schema.ts, *.rules.ts, *.resolve.ts) by `import type` only: values come from lib/ or from the component's args.",
                from: deploySide,
                to: { path: configSide, dependencyTypesNot: ["type-only"] },
            },
            {
                name: "zod-only-through-validation",
                severity: "error",
                comment: "Only validation/zod.ts imports \"zod\" (it turns zod's JIT off before any schema is built): import { z } from validation/zod.ts.",
                from: { pathNot: ["^validation/zod[.]ts$", outsideProgram] },
                to: { path: "(^|/)node_modules/zod/" },
            },
            {
                name: "index-only-wires",
                severity: "error",
                comment: "index.ts only wires: it imports ./config (the front door) and the concern folders' index.ts, nothing else.",
                from: { path: "^index[.]ts$" },
                to: { pathNot: ["^config/index[.]ts$", `^${concern}/index[.]ts$`] },
            },
            {
                name: "nothing-imports-the-program",
                severity: "error",
                comment: "index.ts is the program: no module of it imports index.ts (tests may).",
                from: { pathNot: outsideProgram },
                to: { path: "^index[.]ts$" },
            },
            { ...frontDoor, to: { path: "^config/" } },
        ],
        options: {
            // `import type` counts: a type-only cycle is one value import away from a half-initialised module.
            tsPreCompilationDeps: true,
            tsConfig: { fileName: "tsconfig.json" },
            doNotFollow: { path: "(^|/)node_modules/" },
            exclude: { path: ["^bin/", "^[.]tmp-"] },
            moduleSystems: ["es6", "cjs"],
        },
};
