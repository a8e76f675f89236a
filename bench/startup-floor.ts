/**
 * The floor of start-up under mocks: a program of one component. bench/startup.mjs runs it through
 * e2e/render.ts with a stack's config and arguments (`--program bench/startup-floor.ts <stack> ...`),
 * so that the floor holds everything of that stack's run but the program itself (Node,
 * @pulumi/pulumi, the mocks, reading the stack file and the overrides), and subtracts it from the
 * stack's start-up to give the program's own part.
 *
 *   RENDER_TIMING=<file> node -r ./scripts/register-ts.cjs e2e/render.ts --program bench/startup-floor.ts prod <overrides>
 */
import * as pulumi from "@pulumi/pulumi";

export const floor = new pulumi.ComponentResource("llm-platform:bench:Floor", "floor").urn;
