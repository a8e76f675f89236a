/**
 * What the suite's modules share without loading the SDK: mocha's main process loads tests/hooks.ts
 * (and through it tests/toolchain.ts) but runs no test, so neither imports tests/mocks.ts.
 */
import * as path from "path";

/** The repository's root. */
export const projectRoot = path.resolve(__dirname, "..");

/**
 * Which test is running (tests/hooks.ts moves it on), so that a test asking tests/mocks.ts twice
 * for one config without `fresh` is told: it compares an evaluation with itself, which proves nothing.
 */
export const currentTest = { id: 0, running: false };
