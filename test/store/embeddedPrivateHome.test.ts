// As root, with the Waymark home inside a directory only root can enter (mode 0700, as any
// `mktemp -d` or a checkout under /root), the embedded default works with no flags: the server
// runs as OS user 'postgres', and the cluster lives in a directory of its own that that user can
// reach (/var/lib/waymark/<project>-<hash>/), named in the startup line. Real processes:
// `start-workers` and a client script, each spawned with tsx.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { ClusterLocation } from "../../src/store/embedded/clusterLocation.js";
import { ensureEmbeddedPostgres } from "../../src/store/embedded/index.js";
import { startEngine, stopEngine } from "../helpers/engine.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLIENT = fileURLToPath(new URL("./fixtures/privateHomeClient.ts", import.meta.url));
const MODULE = fileURLToPath(new URL("../../examples/workflows.ts", import.meta.url));
const CHAIN = { original: "hello", step1: "HELLO", step2: "OLLEH", step3: "**OLLEH**" };
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Private directories made here, and the cluster directories found for them. */
const privateDirs: string[] = [];
const clusterDirs = new Set<string>();

function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wm-private-"));
  chmodSync(dir, 0o700);
  privateDirs.push(dir);
  return dir;
}

/** The postmaster of a cluster directory, if one runs. */
function postmasterOf(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

after(() => {
  // Tests stop their servers; this is a safety net so no postmaster outlives the run.
  for (const dir of clusterDirs) {
    const pid = postmasterOf(join(dir, "pgdata"));
    if (pid) process.kill(pid, "SIGQUIT");
    rmSync(dir, { recursive: true, force: true });
  }
  for (const dir of privateDirs) rmSync(dir, { recursive: true, force: true });
});

function runClient(args: string[], home: string): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYMARK_HOME: home };
  delete env.WAYMARK_DATABASE_URL;
  const child = spawn(
    process.execPath,
    ["--conditions=waymark-dev", "--import", "tsx", CLIENT, ...args],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

async function q(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

function resultOf(out: string): unknown {
  const json = out.match(/^result (.*)$/m)?.[1];
  return json === undefined ? undefined : JSON.parse(json);
}

test("a 0700 home as root: a workflow runs, the data lives outside it, survives a restart, and the server stops with the last process", {
  skip: !asRoot && "the relocation happens only as root",
  timeout: 180_000,
}, async () => {
  const dir = privateDir();
  const home = join(dir, ".waymark");
  const engineEnv = { WAYMARK_HOME: home };

  const first = await startEngine({ databaseUrl: "", modules: [MODULE], env: engineEnv });
  let cluster = "";
  try {
    // The startup line says where the data is, and why.
    const [, at] = (await first.waitFor(
      /database: embedded Postgres under (?:\S+), its data in (\S+)\//,
    )) as string[];
    cluster = at as string;
    clusterDirs.add(cluster);
    assert.match(
      first.log(),
      new RegExp(
        `database: embedded Postgres under ${home}/, its data in ${cluster}/ \\(OS user 'postgres' cannot enter ${dir}\\)`,
      ),
    );
    assert.equal(dirname(cluster), "/var/lib/waymark");
    assert.ok(
      !realpathSync(cluster).startsWith(realpathSync(dir)),
      "the data is not in the 0700 dir",
    );
    assert.ok(existsSync(join(cluster, "pgdata", "PG_VERSION")), "the cluster is there");
    const postgresUid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    assert.equal(statSync(join(cluster, "pgdata")).uid, postgresUid, "owned by 'postgres'");
    assert.equal(
      lstatSync(join(home, "pgdata")).isSymbolicLink(),
      true,
      "<home>/pgdata points at it",
    );
    assert.equal(readlinkSync(join(home, "pgdata")), join(cluster, "pgdata"));
    assert.equal(statSync(dir).mode & 0o777, 0o700, "the private directory stays private");
    const server = postmasterOf(join(cluster, "pgdata"));
    assert.ok(server, "a postmaster runs on the cluster");
    assert.match(
      readFileSync(`/proc/${server}/cmdline`, "utf8"),
      new RegExp(`-D\\0${cluster}/pgdata\\0`),
    );

    const run = await runClient(["start"], home);
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(resultOf(run.out), CHAIN, run.out);
    const id = run.out.match(/^id (\S+)$/m)?.[1];
    assert.ok(id, run.out);

    assert.equal(await stopEngine(first), 0, `start-workers exits 0:\n${first.log().slice(-2000)}`);
    assert.equal(postmasterOf(join(cluster, "pgdata")), undefined, "the last one out stopped it");
    assert.deepEqual(readdirSync(join(home, "clients")), [], "no registration left");

    // A second start maps the same home to the same cluster: the instance is still there.
    const second = await startEngine({ databaseUrl: "", modules: [MODULE], env: engineEnv });
    try {
      assert.match(second.log(), new RegExp(`its data in ${cluster}/ `));
      const again = await runClient(["result", id as string], home);
      assert.equal(again.code, 0, again.out);
      assert.deepEqual(resultOf(again.out), CHAIN, "the first run's result was kept");
    } finally {
      assert.equal(await stopEngine(second), 0, second.log().slice(-2000));
    }
    assert.equal(postmasterOf(join(cluster, "pgdata")), undefined, "stopped cleanly again");
  } finally {
    await stopEngine(first);
  }
});

test("two private homes never share a cluster, and rm -rf of a home resets its cluster", {
  skip: !asRoot && "the relocation happens only as root",
  timeout: 120_000,
}, async () => {
  const homeA = join(privateDir(), ".waymark");
  const homeB = join(privateDir(), ".waymark");
  // A's server is left running by a process that exited without giving it up.
  const left = await runClient(["leave"], homeA);
  assert.equal(left.code, 0, left.out);
  const a = JSON.parse(left.out.match(/^location (.*)$/m)?.[1] ?? "null") as ClusterLocation;
  const dirA = a.external?.dir as string;
  assert.ok(dirA, left.out);
  clusterDirs.add(dirA);
  const orphan = postmasterOf(a.dataDir);
  assert.ok(orphan, "A's server still runs");
  assert.equal(readFileSync(join(dirA, "project"), "utf8").trim(), realpathSync(homeA));

  const b = await ensureEmbeddedPostgres({ dir: homeB });
  const dirB = b.location.external?.dir as string;
  clusterDirs.add(dirB);
  try {
    assert.ok(dirB && dirB !== dirA, `two clusters: ${dirA} ${dirB}`);
    assert.deepEqual(await q(b.url, "select to_regclass('only_here') as t"), [{ t: null }]);
  } finally {
    await b.stop();
  }
  assert.ok(postmasterOf(a.dataDir), "stopping B's server left A's running");

  // Reset while its server still runs (the documented `rm -rf .waymark`): the next start stops
  // the orphaned server, deletes its cluster and makes a fresh one in the same place.
  rmSync(homeA, { recursive: true, force: true });
  const fresh = await ensureEmbeddedPostgres({ dir: homeA });
  try {
    assert.equal(fresh.location.external?.dir, dirA, "the same home maps to the same place");
    assert.notEqual(postmasterOf(a.dataDir), orphan, "the orphaned server was stopped");
    assert.deepEqual(await q(fresh.url, "select to_regclass('only_here') as t"), [{ t: null }]);
  } finally {
    await fresh.stop();
  }
  assert.equal(postmasterOf(fresh.location.dataDir), undefined, "the last one out stopped it");
});
