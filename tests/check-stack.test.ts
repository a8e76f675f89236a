/**
 * `npm run check` (scripts/check-stack.ts): a stack file checked through the program's own
 * validation and components under mocks, with no CLI, cluster or passphrase. It prints the one
 * report and fails on any problem; on success, what a preview would create. Secrets are stand-ins,
 * never printed.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { check, stackFilesOf } from "../scripts/check-stack";
import { fakeSecretValue, projectRoot } from "./mocks";

/** A copy of a stack file of the project, changed by `edit` on its text, in a scratch directory. */
function editedCopy(stack: string, edit: (text: string) => string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "check-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, edit(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")));
    return file;
}

async function checked(file: string): Promise<{ valid: boolean; lines: string[] }> {
    const lines: string[] = [];
    const valid = await check(file, (line) => lines.push(...line.split("\n")));
    return { valid, lines };
}

describe("npm run check: a stack file checked without a cluster", () => {
    it("with no argument, every stack file of the project (the ESC example is no stack file)", () => {
        assert.deepEqual(stackFilesOf([])!.map((f) => path.basename(f)), ["Pulumi.dev.yaml", "Pulumi.pr.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
        assert.deepEqual(stackFilesOf(["--stack", "prod", "--file", "x/Pulumi.y.yaml"]), [path.join(projectRoot, "Pulumi.prod.yaml"), path.resolve("x/Pulumi.y.yaml")]);
        assert.equal(stackFilesOf(["--stack"]), undefined);
        assert.equal(stackFilesOf(["prod"]), undefined);
    });

    it("prod is valid: the summary counts each group's objects, with its charts", async () => {
        const { valid, lines } = await checked(path.join(projectRoot, "Pulumi.prod.yaml"));
        assert.equal(valid, true);
        assert.match(lines[0], /^Pulumi\.prod\.yaml \(stack prod\): valid\. A preview would create [0-9]+ resources \(each of the 2 charts adds its own objects\):$/);
        const groups = Object.fromEntries(lines.slice(1).map((l) => l.trim().split(/\s{2,}/)));
        assert.deepEqual(Object.keys(groups).sort(), ["app-secrets", "dashboards", "destroy-guard", "namespace", "orchestrator", "postgresql", "redis", "secret-store"]);
        assert.match(groups.orchestrator, /\bDeployment 1\b/);
        assert.match(groups.postgresql, /Chart \(postgresql 17\.1\.0\) 1/);
    });

    it("dev needs its API key from the user: a stand-in is used and named, never its value", async () => {
        const { valid, lines } = await checked(path.join(projectRoot, "Pulumi.dev.yaml"));
        assert.equal(valid, true);
        assert.equal(lines[lines.length - 1], "  Not in the file, so stand-ins were used: anthropicApiKey. Set it before a preview: pulumi config set --secret --stack dev anthropicApiKey");
        assert.ok(!lines.join("\n").includes(fakeSecretValue("anthropicApiKey")));
    });

    it("one mistake is the one problem, and the check fails", async () => {
        const file = editedCopy("prod", (text) => text.replace(/^( +tag:) .*$/m, "$1 1.4.2:rc1"));
        assert.ok(fs.readFileSync(file, "utf8").includes("tag: 1.4.2:rc1"), "the copy has the mistake");
        const { valid, lines } = await checked(file);
        assert.equal(valid, false);
        assert.deepEqual(lines, [`${file}: Stack config of "prod" has 1 problem:`, '  - services.orchestrator.image.tag: given "1.4.2:rc1"; expected an image tag such as "1.4.2"']);
    });

    it("a missing file is said so", async () => {
        assert.deepEqual(await checked("/nonexistent/Pulumi.x.yaml"), { valid: false, lines: ["/nonexistent/Pulumi.x.yaml: no such file"] });
    });

    it("as a command: exit 1 on a problem, 2 on a usage error, 0 for the stack files", () => {
        const run = (...args: string[]) => spawnSync(process.execPath, ["-r", "./scripts/register-ts.cjs", "scripts/check-stack.ts", ...args], { cwd: projectRoot, encoding: "utf8" });
        const broken = editedCopy("staging", (text) => text.replace(/^( +llm-platform:environment:) staging$/m, "$1 prod"));
        assert.ok(fs.readFileSync(broken, "utf8").includes("llm-platform:environment: prod"), "the copy has the mistake");
        const failed = run("--file", broken);
        assert.equal(failed.status, 1, failed.stderr);
        assert.match(failed.stdout, /^ {2}- environment: /m);
        assert.equal(run("--stak", "prod").status, 2);
        const ok = run("--stack", "staging", "--stack", "prod");
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    });
});
