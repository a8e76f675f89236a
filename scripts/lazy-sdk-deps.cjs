"use strict";
/**
 * Defers two dependencies of @pulumi/pulumi until something uses them: TypeScript's compiler and
 * npm's Arborist. The SDK's main module loads both when it is imported, for turning JavaScript
 * functions into code a resource carries (`pulumi.runtime.serializeFunction`, `computeCodePaths`:
 * the closures of callback functions such as AWS Lambda's). This program never does that, and
 * loading them was a third of a second of each preview's start (docs/performance.md).
 *
 * Where the SDK requires either, it gets a stand-in that loads the real module the first time
 * anything is read from it, so a program that does serialize a function still gets the real
 * modules, loaded then. Nothing else is changed: a module that can't be resolved fails as before,
 * at the require. tests/lazy-sdk-deps.test.ts holds the SDK to requiring them from these files
 * and serializes a function through the stand-ins.
 *
 * scripts/register-ts.cjs loads it first, so every run of the TypeScript has it (pulumi through
 * program.cjs, mocha, the e2e, the benchmarks); `node -r ./scripts/lazy-sdk-deps.cjs` gives it to
 * a JavaScript entry point (bench/run.sh's second engine floor).
 */
const Module = require("node:module");
const path = require("node:path");

/** The SDK's file that requires a module, and the module. */
const deferred = [
    { from: path.join("@pulumi", "pulumi", "runtime", "closure", "codePaths.js"), request: "@npmcli/arborist" },
    { from: path.join("@pulumi", "pulumi", "typescript-shim.js"), request: "typescript" },
];

/**
 * A stand-in for a module, loading it on first use. It says it is an ES module (`__esModule`)
 * without loading anything, so TypeScript's `__importStar` hands it on as it is instead of copying
 * every property (which would load the module at once).
 */
function standIn(load) {
    let loaded;
    const real = () => (loaded ??= load());
    const configurable = (descriptor) => descriptor && { ...descriptor, configurable: true };
    return new Proxy({}, {
        get: (_, key) => (key === "__esModule" && loaded === undefined ? true : Reflect.get(real(), key)),
        has: (_, key) => Reflect.has(real(), key),
        ownKeys: () => Reflect.ownKeys(real()),
        getOwnPropertyDescriptor: (_, key) => configurable(Reflect.getOwnPropertyDescriptor(real(), key)),
        set: (_, key, value) => Reflect.set(real(), key, value),
        defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
        deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
        getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    });
}

const load = Module._load;
Module._load = function loadDeferred(request, parent, isMain) {
    const from = parent?.filename;
    if (from && deferred.some((d) => d.request === request && from.endsWith(d.from))) {
        Module._resolveFilename(request, parent, isMain); // fails now, as the require would, if it can't be found
        return standIn(() => load.call(this, request, parent, isMain));
    }
    return load.apply(this, arguments);
};
