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
);
