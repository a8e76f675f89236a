/**
 * Mocha's root hooks (.mocharc.json requires this file): they tell tests/mocks.ts which test is
 * running, so that a test evaluating one config twice without `{ fresh: true }` fails instead of
 * comparing a shared evaluation with itself.
 *
 * The Node processes tests start share the loader's V8 code cache (NODE_COMPILE_CACHE), so each
 * doesn't compile TypeScript's compiler and the SDK anew: the suite is CPU-bound on 2 cores. For the
 * same reason the test tools are looked up here, once: mocha's main process loads this file before
 * it starts the parallel workers, which inherit the paths (tests/toolchain.ts).
 */
import * as path from "path";
import { currentTest } from "./suite";
import { sharedToolPaths } from "./toolchain";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cacheRoot } = require("../scripts/register-ts.cjs") as { cacheRoot?: string };
if (cacheRoot) process.env.NODE_COMPILE_CACHE ??= path.join(cacheRoot, "v8");
sharedToolPaths();

export const mochaHooks = {
    beforeEach(): void {
        currentTest.id++;
        currentTest.running = true;
    },
    afterEach(): void {
        currentTest.running = false;
    },
};
