// Lint: typescript-eslint's recommended rules over the program, its tests, the policy pack and the
// deployments program. Type-checking itself is `npm run build` (tsc --noEmit).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "**/*.js", "**/*.mjs", ".tmp-*/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Test assertions and Kubernetes escape hatches work on untyped JSON.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "no-template-curly-in-string": "off",
            eqeqeq: ["error", "always"],
            "prefer-const": "error",
        },
    },
    {
        files: ["**/*.ts"],
        rules: {
            // Pulumi registers resources in constructors; `new X(...)` without a binding is the idiom.
            "no-new": "off",
        },
    },
    // The CommonJS scripts Node runs before any TypeScript (scripts/register-ts.cjs, program.cjs).
    {
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", exports: "writable", __dirname: "readonly", __filename: "readonly", process: "readonly", console: "readonly", performance: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    // The layers (ARCHITECTURE.md) are dependency-cruiser's (.dependency-cruiser.cjs, in `npm run lint`):
    // cycles, and which side imports which. Lint keeps the two imports of a package it refuses with a
    // fix in the editor, over the whole program.
    {
        files: ["index.ts", "{config,validation,lib,application,network,data-tier,secrets,observability,platform}/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": ["error", {
                paths: [
                    // The package's index loads every API group: ~70 ms of each start (docs/performance.md).
                    { name: "@pulumi/kubernetes", allowTypeImports: true, message: "import the API groups from platform/k8s.ts, not @pulumi/kubernetes's index, which loads all of them." },
                    { name: "zod", message: "import { z } from validation/zod.ts: it turns zod's JIT off before any schema is built." },
                ],
            }],
        },
    },
);
