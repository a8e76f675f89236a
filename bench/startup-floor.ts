/**
 * The floor of start-up under mocks: e2e/render.ts's harness (tests/mocks.ts, so @pulumi/pulumi and
 * the YAML reader) with a program of one component and nothing else. bench/startup.mjs subtracts it
 * from the program's start-up to give the program's own part.
 *
 *   RENDER_TIMING=<file> node -r ./scripts/register-ts.cjs bench/startup-floor.ts
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle, writeStartupTiming } from "../tests/mocks";

async function main(): Promise<void> {
    await installMocks("dev");
    new pulumi.ComponentResource("llm-platform:bench:Floor", "floor");
    await settle();
    if (process.env.RENDER_TIMING) writeStartupTiming(process.env.RENDER_TIMING);
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
