/**
 * Mocha's root hooks (.mocharc.json requires this file): they tell tests/mocks.ts which test is
 * running, so that a test evaluating one config twice without `{ fresh: true }` fails instead of
 * comparing a shared evaluation with itself.
 */
import { currentTest } from "./mocks";

export const mochaHooks = {
    beforeEach(): void {
        currentTest.id++;
        currentTest.running = true;
    },
    afterEach(): void {
        currentTest.running = false;
    },
};
