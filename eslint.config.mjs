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
    // The layers (ARCHITECTURE.md): index -> components -> lib, config -> lib; components may import
    // config's types only. A back-arrow is a lint error.
    {
        files: ["lib/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": ["error", {
                patterns: [{ regex: "^\\.\\./(config|components|index)(/|$)", message: "lib/ is the leaf: it imports neither config/ nor components/." }],
            }],
        },
    },
    {
        files: ["config/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": ["error", {
                patterns: [{ regex: "^\\.\\./(components|index)(/|$)", message: "config/ never imports components/: move the shared helper to lib/." }],
                paths: [{ name: "zod", message: "import { z } from \"./zod\" (config/zod.ts): it turns zod's JIT off before any schema is built." }],
            }],
        },
    },
    {
        files: ["components/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": ["error", {
                patterns: [
                    { regex: "^\\.\\./config(/|$)", allowTypeImports: true, message: "components/ import config's types only (import type): values come from lib/ or from their args." },
                    { regex: "^\\.\\./index$", message: "components/ never import the program." },
                ],
                // The package's index loads every API group: ~70 ms of each start (docs/performance.md).
                paths: [{ name: "@pulumi/kubernetes", allowTypeImports: true, message: "import the API groups from ./k8s (components/k8s.ts), not @pulumi/kubernetes's index, which loads all of them (scripts/codemod-k8s-imports.mjs rewrites it)." }],
            }],
        },
    },
);
