/**
 * How tests find the command-line tools that scripts/toolchain/build.sh builds (promtool,
 * cyclonus, actionlint, kubectl, …) and what they do when one is missing.
 *
 * The cache layout and the pinned versions are written down once, in scripts/toolchain/env.sh and
 * versions.sh: a tool is looked up by sourcing env.sh in bash, which puts the built tools on PATH
 * ahead of the machine's own, and asking bash where the command is.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { projectRoot } from "./suite";

/** The tools the tests run: looked up together, as one bash sources env.sh once for all of them. */
const testTools = ["promtool", "sloth", "amtool", "cyclonus", "helm"];

/**
 * Where the lookups are shared: mocha's main process loads tests/hooks.ts, which looks the tools up
 * before the parallel workers start, and each worker inherits the answer instead of sourcing env.sh
 * itself (~0.2 s a lookup).
 */
const sharedKey = "LLM_PLATFORM_TEST_TOOL_PATHS";

/** What one bash that sources env.sh says: the toolchain cache (versions.sh's TOOLCHAIN_CACHE) and each tool's path. */
interface Lookup {
    cache: string | null;
    tools: Record<string, string | null>;
}

let found: Lookup | undefined;

/**
 * The absolute path of `name`: the one scripts/toolchain/build.sh built, else the one on PATH;
 * undefined when there is neither (or bash can't source scripts/toolchain/env.sh).
 */
export function toolPath(name: string): string | undefined {
    found ??= shared();
    if (!Object.hasOwn(found.tools, name)) Object.assign(found.tools, lookup([name]).tools);
    return found.tools[name] ?? undefined;
}

/** The test tools' paths, as the process's environment has them or as looked up now (and then put there for child processes). */
export function sharedToolPaths(): Record<string, string | null> {
    return shared().tools;
}

function shared(): Lookup {
    const inherited = process.env[sharedKey];
    if (inherited) return JSON.parse(inherited) as Lookup;
    const result = lookup(testTools);
    process.env[sharedKey] = JSON.stringify(result);
    return result;
}

function lookup(names: string[]): Lookup {
    let lines: string[] = [];
    try {
        lines = execFileSync("bash", ["-c", 'source scripts/toolchain/env.sh >/dev/null 2>&1; printf \'%s\\n\' "$TOOLCHAIN_CACHE"; for n in "$@"; do printf \'%s\\n\' "$(command -v -- "$n")"; done', "bash", ...names], {
            cwd: projectRoot,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        }).split("\n");
    } catch {
        // bash or env.sh failed: every tool is missing.
    }
    const absolute = (line: string | undefined) => (line && path.isAbsolute(line) ? line : null);
    return { cache: absolute(lines[0]), tools: Object.fromEntries(names.map((name, i) => [name, absolute(lines[i + 1])])) };
}

/**
 * What to say when `name` is missing, the one message every skip and failure of a missing tool
 * gives: where it was looked for (PATH and the toolchain cache as scripts/toolchain/versions.sh
 * resolves it, LLM_PLATFORM_TOOLCHAIN included) and the command that builds it. `buildTarget` is
 * build.sh's name for it (kubectl: kubernetes).
 */
export function notBuilt(name: string, buildTarget: string = name): string {
    found ??= shared();
    const where = found.cache ? `neither on PATH nor in the toolchain cache ${found.cache}` : "not on PATH (and bash could not source scripts/toolchain/env.sh)";
    return `${name} is ${where}; build it with scripts/toolchain/build.sh ${buildTarget}`;
}

/**
 * Whether a missing tool fails the run instead of skipping its tests: in CI (CI=true), which
 * builds the toolchain before the unit tests (.ci/run), unless TOOLCHAIN_TESTS_ALLOW_MISSING=1
 * says this CI doesn't build it (the GitHub checks job).
 */
export function toolsRequired(): boolean {
    return process.env.CI === "true" && process.env.TOOLCHAIN_TESTS_ALLOW_MISSING !== "1";
}

/**
 * A mocha suite for tests that run `name`; `fn` gets the tool's path. With the tool missing, the
 * suite is skipped and its title says how to build the tool, or, when tools are required, it
 * holds one failing test that says the same.
 */
export function describeWithTool(name: string, title: string, fn: (tool: string) => void, buildTarget: string = name): void {
    const tool = toolPath(name);
    if (tool) {
        describe(title, () => fn(tool));
    } else if (toolsRequired()) {
        describe(title, () => {
            it(`needs ${name}`, () => {
                throw new Error(`${notBuilt(name, buildTarget)}; CI builds the toolchain before the unit tests, so it must be there`);
            });
        });
    } else {
        describe.skip(`${title} — skipped: ${notBuilt(name, buildTarget)}`, () => fn(name));
    }
}
