// The data tier's job pods against a real PostgreSQL: the backup CronJob's dump and pruning, the
// restore Job, the password sync. kwok runs no containers, so the cluster parts of the e2e never
// execute these scripts; here each runs as its container would (its command, its environment with
// the Secret keys resolved, its mounts mapped to scratch directories), against a server of the
// machine's PostgreSQL started for the test on 127.0.0.1 with password authentication, as the
// chart's primary has it. The Bitnami image is PostgreSQL 17; Debian 12's is 15, and the scripts
// use nothing 17 added.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

const require = createRequire(import.meta.url);
require("../scripts/register-ts.cjs");
const jobs = require("../data-tier/postgres-jobs.specs.ts");
const { postgresPort } = require("../lib/bitnami-charts.ts");

/** The newest PostgreSQL server of the machine: $PG_BINDIR, else Debian's /usr/lib/postgresql/<major>/bin. */
function serverBinDir() {
    if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
    const root = "/usr/lib/postgresql";
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
    return majors.map((v) => path.join(root, v, "bin")).find((dir) => fs.existsSync(path.join(dir, "initdb")));
}

const bindir = serverBinDir();
const missing = bindir ? undefined : "no PostgreSQL server (apt-get install postgresql, or PG_BINDIR=<dir with initdb, pg_ctl, pg_dump>)";
// In CI (.ci/run installs it) a missing server fails instead of skipping.
const skip = missing && process.env.CI !== "true" ? missing : false;

const base = { image: "registry.example.com/postgresql:17", imagePullSecrets: [] };
const superuserPassword = "super-Secret-1";
const appPassword = "app-Secret-1";
const secretValues = { "pg-auth/postgres-password": superuserPassword, "pg-auth/password": appPassword };
const app = { host: "postgresql-primary", database: "app", user: "app", password: { name: "pg-auth", key: "password" } };
const superuser = { ...app, user: "postgres", password: { name: "pg-auth", key: "postgres-password" } };

let server;

/** A free TCP port on 127.0.0.1. */
function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.once("error", reject);
        probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

/** A server binary's command line: as the postgres user when this is root (PostgreSQL refuses to run as root). */
function serverCommand(binary, args) {
    const file = path.join(bindir, binary);
    return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
}

function runServerCommand(binary, args) {
    const run = spawnSync(...serverCommand(binary, args), { encoding: "utf8" });
    assert.equal(run.status, 0, `${binary} ${args.join(" ")}: ${run.stdout}${run.stderr}`);
}

/** psql against the test server; its stdout, unaligned and tuples only. */
function psql(user, password, database, sql, { expectFailure = false } = {}) {
    const run = spawnSync(path.join(bindir, "psql"), ["--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, PGHOST: "127.0.0.1", PGPORT: String(server.port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database, PGCONNECT_TIMEOUT: "5" },
    });
    if (expectFailure) {
        assert.notEqual(run.status, 0, `expected psql to fail: ${sql}\n${run.stdout}`);
        return run.stderr;
    }
    assert.equal(run.status, 0, `${sql}\n${run.stderr}`);
    return run.stdout.trim();
}

/**
 * Runs a pod spec's container as the kubelet would, on this machine: its command, its env (Secret
 * keys resolved from `secretValues`, the primary's host and port pointed at the test server) and
 * its volume mounts mapped to directories under `scratch` (in the env's values and the script).
 */
function runContainer(container, scratch) {
    const mounts = Object.fromEntries(container.volumeMounts.map((m) => [m.mountPath, path.join(scratch, m.name)]));
    // One pass over every mount path (longest first), each only as a whole path segment.
    const paths = Object.keys(mounts).sort((a, b) => b.length - a.length).map((p) => p.replace(/[/.]/g, "\\$&"));
    const pattern = new RegExp(`(${paths.join("|")})(?=/|$|"|\\s)`, "g");
    const mapped = (text) => text.replace(pattern, (from) => mounts[from]);
    const env = { PATH: `${bindir}:${process.env.PATH}`, LANG: "C.UTF-8" };
    for (const e of container.env) {
        const value = e.valueFrom ? secretValues[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : e.value;
        assert.notEqual(value, undefined, `env ${e.name}: no value in the test's Secrets`);
        env[e.name] = mapped(value);
    }
    assert.equal(env.PGPORT, String(postgresPort), "the pod connects to the chart's port");
    Object.assign(env, { PGHOST: "127.0.0.1", PGPORT: String(server.port) });
    const [shell, flag, script] = container.command;
    assert.deepEqual([shell, flag], ["/bin/bash", "-c"]);
    return spawnSync(shell, [flag, mapped(script)], { encoding: "utf8", env });
}

/** A pod's one container (or its init container, the dump, when an uploader follows). */
function containerOf(pod, name) {
    const found = [...(pod.initContainers ?? []), ...pod.containers].find((c) => c.name === name);
    assert.ok(found, `no container ${name}`);
    return found;
}

const scratchDirs = [];

/** A pod's scratch: a directory per volume it mounts (tmp, backups), removed after the tests. */
function scratchDir(prefix) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratchDirs.push(dir);
    for (const sub of ["tmp", "backups"]) fs.mkdirSync(path.join(dir, sub));
    return dir;
}

/** Sets a file's modification time `hours` ago. */
function age(file, hours) {
    const when = new Date(Date.now() - hours * 3600 * 1000);
    fs.utimesSync(file, when, when);
}

describe("the data tier's job scripts against a real PostgreSQL", { skip }, () => {
    before(async () => {
        assert.ok(bindir, missing);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-platform-pg-"));
        if (process.getuid?.() === 0) {
            const idOf = (flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout);
            fs.chownSync(dir, idOf("-u"), idOf("-g"));
        }
        const pwfile = path.join(dir, "pwfile");
        fs.writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o644 });
        const data = path.join(dir, "data");
        const port = await freePort();
        server = { dir, data, port };
        runServerCommand("initdb", ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
        runServerCommand("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
        // As the chart sets it up: the application's role and database; the stack's extension created by the superuser.
        psql("postgres", superuserPassword, "postgres", `CREATE ROLE app LOGIN PASSWORD '${appPassword}'`);
        psql("postgres", superuserPassword, "postgres", "CREATE DATABASE app OWNER app");
        psql("postgres", superuserPassword, "app", "CREATE EXTENSION pgcrypto");
        psql("app", appPassword, "app", "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, digest text NOT NULL)");
        psql("app", appPassword, "app", "INSERT INTO items SELECT g, 'item ' || g, encode(digest('x' || g, 'sha256'), 'hex') FROM generate_series(1, 100) g");
        psql("app", appPassword, "app", "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL); INSERT INTO notes VALUES (1, 'before the dump')");
    });

    after(() => {
        if (server) {
            spawnSync(...serverCommand("pg_ctl", ["-D", server.data, "-m", "immediate", "stop"]));
            fs.rmSync(server.dir, { recursive: true, force: true });
        }
        for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });

    const backupSpec = { schedule: "0 3 * * *", retentionDays: 2, storage: { size: "1Gi" }, resources: { requests: {}, limits: {} } };
    let scratch;
    let dumpName;

    it("the backup dumps the database to <db>-<UTC time>.dump, leaves its name for the uploader, and prunes only its own old dumps", () => {
        scratch = scratchDir("llm-platform-backup-");
        const backups = path.join(scratch, "backups");
        const files = {
            "app-20200101T000000Z.dump": 3 * 24, // older than RETENTION_DAYS (2): deleted
            "app-20200102T000000Z.dump": 24, // a day old: kept
            "other-20200101T000000Z.dump": 3 * 24, // another database's: kept
            "app-20200101T000000Z.dump.partial": 25, // a run cut short over a day ago: deleted
            "app-20200103T000000Z.dump.partial": 1, // maybe still being written: kept
        };
        for (const [file, hours] of Object.entries(files)) {
            fs.writeFileSync(path.join(backups, file), "old");
            age(path.join(backups, file), hours);
        }
        const pod = jobs.backupPodSpec(base, app, backupSpec, "claim");
        const run = runContainer(containerOf(pod, "dump"), scratch);
        assert.equal(run.status, 0, run.stderr);
        const [, name] = /^dumped app to (app-\d{8}T\d{6}Z\.dump)$/m.exec(run.stdout) ?? [];
        assert.ok(name, run.stdout);
        dumpName = name;
        assert.equal(fs.readFileSync(path.join(scratch, "tmp", path.basename(jobs.latestDumpFile)), "utf8"), `${name}\n`);
        assert.deepEqual(fs.readdirSync(backups).sort(), [name, "app-20200102T000000Z.dump", "app-20200103T000000Z.dump.partial", "other-20200101T000000Z.dump"].sort());
        assert.match(run.stdout, /app-20200101T000000Z\.dump$/m, "the pruned dump is named in the log");
        const list = spawnSync(path.join(bindir, "pg_restore"), ["--list", path.join(backups, name)], { encoding: "utf8" });
        assert.equal(list.status, 0, list.stderr);
        assert.match(list.stdout, / TABLE public items app$/m);
        assert.match(list.stdout, / TABLE DATA public items app$/m);
        // The stack's extension is in the dump: the restore must leave it out (below).
        assert.match(list.stdout, /^\d+; \d+ \d+ EXTENSION - pgcrypto *$/m);
    });

    it("the restore brings back the chosen dump's data, as the application user, leaving the stack's extension alone", () => {
        assert.ok(dumpName, "needs the backup's dump");
        psql("app", appPassword, "app", "DELETE FROM items WHERE id > 10; UPDATE items SET name = 'changed' WHERE id = 1");
        assert.equal(psql("app", appPassword, "app", "SELECT count(*) FROM items"), "10");
        const run = runContainer(containerOf(jobs.restorePodSpec(base, app, dumpName, "claim"), "restore"), scratch);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), `restored ${dumpName} into app`);
        assert.equal(psql("app", appPassword, "app", "SELECT count(*) || ' ' || min(name) FILTER (WHERE id = 1) FROM items"), "100 item 1");
        assert.equal(psql("postgres", superuserPassword, "app", "SELECT e.extname || ' ' || r.rolname FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner WHERE e.extname = 'pgcrypto'"), "pgcrypto postgres");
        assert.equal(psql("app", appPassword, "app", "SELECT digest FROM items WHERE id = 7"), psql("app", appPassword, "app", "SELECT encode(digest('x7', 'sha256'), 'hex')"));
    });

    it("a restore that fails part-way changes nothing (one transaction, stopped at the first error)", () => {
        assert.ok(dumpName, "needs the backup's dump");
        psql("app", appPassword, "app", "UPDATE items SET name = 'after the dump' WHERE id <= 5; INSERT INTO notes VALUES (2, 'after the dump')");
        // An object of the dump the application user may not drop: --clean fails on it, after it
        // has dropped notes' primary key (objects are dropped in the reverse of the dump's order).
        psql("postgres", superuserPassword, "app", "ALTER TABLE items OWNER TO postgres; GRANT ALL ON items TO app");
        try {
            const run = runContainer(containerOf(jobs.restorePodSpec(base, app, dumpName, "claim"), "restore"), scratch);
            assert.notEqual(run.status, 0, run.stdout);
            assert.match(run.stderr, /must be owner of table items/);
            assert.equal(psql("app", appPassword, "app", "SELECT count(*) FROM items WHERE name = 'after the dump'"), "5");
            assert.equal(psql("app", appPassword, "app", "SELECT string_agg(body, ', ' ORDER BY id) FROM notes"), "before the dump, after the dump");
            assert.equal(psql("app", appPassword, "app", "SELECT string_agg(conname, ', ' ORDER BY conname) FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace"), "items_pkey, notes_pkey");
        } finally {
            psql("postgres", superuserPassword, "app", "ALTER TABLE items OWNER TO app");
        }
    });

    it("a restore of a file the claim doesn't hold fails, saying so and listing the claim", () => {
        assert.ok(dumpName, "needs the backup's dump");
        const run = runContainer(containerOf(jobs.restorePodSpec(base, app, "app-20990101T000000Z.dump", "claim"), "restore"), scratch);
        assert.equal(run.status, 1);
        assert.match(run.stderr, /^no dump app-20990101T000000Z\.dump in the claim$/m);
        assert.match(run.stderr, new RegExp(dumpName.replace(/\./g, "\\.")));
    });

    it("the password sync sets each role's password from its Secret key, whatever the name and the password hold", () => {
        const roles = [
            { role: "app", passwordKey: "password" },
            { role: `odd "role' name`, passwordKey: "odd-password" },
        ];
        psql("postgres", superuserPassword, "postgres", `CREATE ROLE "odd ""role' name" LOGIN PASSWORD 'before'`);
        const rotated = { app: `new 'app' "pw" \\ $HOME ;`, odd: "n3w:pass;word" };
        Object.assign(secretValues, { "pg-auth/password": rotated.app, "pg-auth/odd-password": rotated.odd });
        try {
            const run = runContainer(containerOf(jobs.passwordSyncPodSpec(base, superuser, roles), "password-sync"), scratchDir("llm-platform-sync-"));
            assert.equal(run.status, 0, run.stderr);
            assert.equal(run.stdout.trim().split("\n").pop(), `passwords set for: app odd "role' name`);
            assert.equal(psql("app", rotated.app, "app", "SELECT current_user"), "app");
            assert.equal(psql(`odd "role' name`, rotated.odd, "postgres", "SELECT current_user"), `odd "role' name`);
            assert.match(psql("app", appPassword, "app", "SELECT 1", { expectFailure: true }), /password authentication failed for user "app"/);
        } finally {
            secretValues["pg-auth/password"] = appPassword;
            psql("postgres", superuserPassword, "postgres", `ALTER ROLE app PASSWORD '${appPassword}'`);
        }
    });
});
