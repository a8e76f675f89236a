/**
 * What a restore needs in the clone it runs from, as pure decisions (tests/releases.test.ts): the
 * release's commit, fetched when the clone lacks it (a CI or Pulumi Deployments checkout may be
 * shallow), and the name of the stack file it writes there. workspace.ts runs them.
 */

/** The environment the fetch reads: GitHub's token, and git config already passed through the environment. */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `git` arguments that bring `commit` into a clone that lacks it. A shallow clone gets that
 * one commit (the worktree needs no history); a full clone gets it with its history, since
 * `--depth` would make a developer's clone shallow.
 */
export function fetchCommitArgs(commit: string, shallow: boolean): string[] {
    return ["fetch", ...(shallow ? ["--depth=1"] : []), "--no-tags", "origin", commit];
}

/**
 * The fetch's extra environment: where `GITHUB_TOKEN` is set (Pulumi Deployments sets it to the
 * GitHub App's token for the source repository), an HTTP header for github.com only, the way
 * actions/checkout authenticates, passed as git config through the environment
 * (`GIT_CONFIG_COUNT`, git 2.31+) so the token never appears on a command line; appended to any
 * such config the environment already holds.
 */
export function fetchEnv(env: Env): Record<string, string> {
    const token = env.GITHUB_TOKEN;
    if (!token) return {};
    const count = Number(env.GIT_CONFIG_COUNT ?? "0");
    const index = Number.isInteger(count) && count > 0 ? count : 0;
    return {
        GIT_CONFIG_COUNT: String(index + 1),
        [`GIT_CONFIG_KEY_${index}`]: "http.https://github.com/.extraheader",
        [`GIT_CONFIG_VALUE_${index}`]: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    };
}

/** Why the restore can't check `commit` out, for the report: the clone lacks it and git's last word on the fetch. */
export function unfetchedReason(commit: string, root: string, shallow: boolean, gitError: string): string {
    const said = gitError.split("\n").map((l) => l.trim()).filter((l) => l !== "").at(-1) ?? "no output";
    return `commit ${commit} is not in the ${shallow ? "shallow " : ""}clone at ${root}, and \`git ${fetchCommitArgs(commit, shallow).join(" ")}\` could not bring it: ${said}`;
}

/** The stack file of `stack`: `Pulumi.<name>.yaml` by the stack's own name, also when given as `<org>/<project>/<name>` (as the CLI names it). */
export function stackFileName(stack: string): string {
    return `Pulumi.${stack.split("/").at(-1)}.yaml`;
}
