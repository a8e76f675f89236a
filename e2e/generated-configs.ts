/**
 * Prints a handful of generated valid stack configs (tests/config-arbitraries.ts, fixed seed) as
 * JSON, for the e2e's server-side dry run: what validation passes, the API server must accept.
 *
 *   node -r ./scripts/register-ts.cjs e2e/generated-configs.ts [count] [seed]
 */
import fc from "fast-check";
import { generatedSecrets, validConfig } from "../tests/config-arbitraries";

const count = Number(process.argv[2] ?? 4);
const seed = Number(process.argv[3] ?? 20261121);
const configs = fc.sample(validConfig, { seed, numRuns: count }).map((config, i) => ({
    ...config,
    // Each in a namespace of its own, so the dry runs don't meet each other's objects.
    namespace: { ...config.namespace, name: `e2e-generated-${i}` },
}));
// Each config's secrets, set with `pulumi config set --secret`: the stack's own entries vary per config.
process.stdout.write(JSON.stringify({ seed, secrets: configs.map(generatedSecrets), configs }) + "\n");
