// The embedded default database: a real PostgreSQL under <dir>/pgdata shared by processes.
// This file is also its own child process (EMBEDDED_TEST_ROLE), so the multi-process cases
// exercise real separate processes. Works as root (the server then runs as 'postgres').
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ensureEmbeddedPostgres } from "../../src/store/embedded/index.js";

const SELF = fileURLToPath(import.meta.url);
const role = process.env.EMBEDDED_TEST_ROLE;

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

function postmasterPid(dir: string): number | undefined {
  const f = join(dir, "pgdata", "postmaster.pid");
  return existsSync(f) ? Number(readFileSync(f, "utf8").split("\n")[0]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startedAt(url: string): Promise<string> {
  const [r] = await query<{ t: string }>(url, "select pg_postmaster_start_time()::text as t");
  return r!.t;
}

if (role === "writer") {
  // Inserts its rows, then keeps its connection open until every writer has inserted, so the
  // writers provably hold connections to the one server at the same time.
  const dir = process.env.EMBEDDED_TEST_DIR!;
  const total = Number(process.env.EMBEDDED_TEST_TOTAL);
  const h = await ensureEmbeddedPostgres({ dir });
  const c = new pg.Client(h.url);
  await c.connect();
  await c.query("create table if not exists shared_rows(pid int, i int)");
  for (let i = 0; i < 50; i++)
    await c.query("insert into shared_rows values ($1, $2)", [process.pid, i]);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [r] = (await c.query("select count(*)::int as n from shared_rows")).rows;
    if (r.n >= total) break;
    if (Date.now() > deadline) throw new Error(`saw only ${r.n} of ${total} rows`);
    await new Promise((res) => setTimeout(res, 20));
  }
  const [s] = (await c.query("select pg_postmaster_start_time()::text as t")).rows;
  await c.end();
  process.stdout.write(JSON.stringify({ url: h.url, started: s.t }) + "\n");
  await h.stop();
} else if (role === "hang") {
  const h = await ensureEmbeddedPostgres({ dir: process.env.EMBEDDED_TEST_DIR! });
  process.stdout.write(JSON.stringify({ url: h.url }) + "\n");
  setInterval(() => undefined, 1000); // until SIGKILLed
} else {
  const root = mkdtempSync(join(tmpdir(), "waymark-embedded-"));
  // When we are root the server runs as 'postgres', which must be able to enter the directory.
  chmodSync(root, 0o755);
  after(() => {
    // Tests stop their servers; this is a safety net so no postmaster outlives the run.
    for (const name of readdirSync(root)) {
      const pid = postmasterPid(join(root, name));
      if (pid && alive(pid)) process.kill(pid, "SIGQUIT");
    }
    rmSync(root, { recursive: true, force: true });
  });

  function child(r: string, dir: string, env: Record<string, string> = {}): ChildProcess {
    return spawn(process.execPath, ["--conditions=waymark-dev", "--import", "tsx", SELF], {
      env: { ...process.env, ...env, EMBEDDED_TEST_ROLE: r, EMBEDDED_TEST_DIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  function firstLine(c: ChildProcess): Promise<Record<string, string>> {
    return new Promise((res, rej) => {
      let out = "";
      let err = "";
      c.stderr!.on("data", (d) => {
        err += d;
      });
      c.stdout!.on("data", (d) => {
        out += d;
        const nl = out.indexOf("\n");
        if (nl >= 0) res(JSON.parse(out.slice(0, nl)));
      });
      c.once("exit", (code) => rej(new Error(`child exited ${code} before answering: ${err}`)));
    });
  }

  function exitCode(c: ChildProcess): Promise<number | null> {
    return new Promise((res) => {
      if (c.exitCode !== null) res(c.exitCode);
      else c.once("exit", (code) => res(code));
    });
  }

  test("start, write, stop, start again: data and port are kept", async () => {
    const dir = join(root, "restart");
    const first = await ensureEmbeddedPostgres({ dir });
    assert.match(first.url, /^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    await query(first.url, "create table kept(v text)");
    await query(first.url, "insert into kept values ($1), ($2)", ["a", "b"]);
    const pid = postmasterPid(dir);
    assert.ok(pid && alive(pid), "a postmaster runs on <dir>/pgdata");
    await first.stop();
    assert.equal(alive(pid), false, "stop() shut the server down (no other client)");
    assert.equal(postmasterPid(dir), undefined);
    await first.stop(); // idempotent

    const second = await ensureEmbeddedPostgres({ dir });
    assert.equal(second.url, first.url, "same port and credentials after a restart");
    const rows = await query<{ v: string }>(second.url, "select v from kept order by v");
    assert.deepEqual(
      rows.map((r) => r.v),
      ["a", "b"],
    );
    await second.stop();
    // The password is required: trust auth would let any local user in.
    const noPassword = second.url.replace(/postgres:[^@]+@/, "postgres@");
    await ensureEmbeddedPostgres({ dir }).then(async (h) => {
      await assert.rejects(query(noPassword, "select 1"), /password/);
      await h.stop();
    });
  });

  test("two processes start and use one server at once; the last one out stops it", async () => {
    const dir = join(root, "shared");
    const env = { EMBEDDED_TEST_TOTAL: "100" };
    const a = child("writer", dir, env);
    const b = child("writer", dir, env);
    const [ra, rb] = await Promise.all([firstLine(a), firstLine(b)]);
    assert.deepEqual([await exitCode(a), await exitCode(b)], [0, 0]);
    assert.equal(ra.url, rb.url, "both found the same server");
    assert.equal(ra.started, rb.started, "exactly one postmaster was started");
    assert.equal(postmasterPid(dir), undefined, "the last process to stop shut it down");
    const h = await ensureEmbeddedPostgres({ dir });
    const rows = await query<{ pid: number; n: number }>(
      h.url,
      "select pid, count(*)::int as n from shared_rows group by pid order by pid",
    );
    assert.deepEqual(
      rows.map((r) => r.n),
      [50, 50],
    );
    await h.stop();
  });

  test("a SIGKILLed owner leaves a server that the next process reuses", async () => {
    const dir = join(root, "killed-owner");
    const c = child("hang", dir);
    const { url } = await firstLine(c);
    const before = await startedAt(url!);
    c.kill("SIGKILL");
    await exitCode(c);
    assert.ok(existsSync(join(dir, "clients", String(c.pid))), "its registration is stale");

    const h = await ensureEmbeddedPostgres({ dir });
    assert.equal(h.url, url);
    assert.equal(await startedAt(h.url), before, "reused, not restarted");
    const pid = postmasterPid(dir)!;
    await h.stop();
    assert.equal(alive(pid), false, "a dead process's registration does not keep the server up");
  });

  test("a SIGKILLed postmaster and a stale lock file are recovered; committed data survives", async () => {
    const dir = join(root, "killed-server");
    const h1 = await ensureEmbeddedPostgres({ dir });
    await query(h1.url, "create table durable(v int)");
    await query(h1.url, "insert into durable values (42)");
    const before = await startedAt(h1.url);
    const pid = postmasterPid(dir)!;
    process.kill(pid, "SIGKILL");
    while (alive(pid)) await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      existsSync(join(dir, "pgdata", "postmaster.pid")),
      "stale postmaster.pid left behind",
    );
    // A lock held by a process that no longer exists.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(join(dir, "lock"), String(dead));

    const t0 = Date.now();
    const h2 = await ensureEmbeddedPostgres({ dir });
    assert.ok(Date.now() - t0 < 20_000, "did not wait for the stale lock to time out");
    assert.notEqual(await startedAt(h2.url), before, "a new postmaster was started");
    const rows = await query<{ v: number }>(h2.url, "select v from durable");
    assert.deepEqual(rows, [{ v: 42 }]);
    await h1.stop();
    assert.ok(postmasterPid(dir), "h2 still holds the server");
    await h2.stop();
    assert.equal(postmasterPid(dir), undefined);
  });
}
