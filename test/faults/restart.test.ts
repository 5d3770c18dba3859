// Fault 3: Postgres restarts in the middle of a run. Smoke: the embedded server (its own data
// directory in a temp dir) is stopped and started under load. Full tier only: the machine's
// server on 5432 is restarted with pg_ctlcluster (it affects every user of that server), and
// is started again at the end even if the test fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pg from "pg";
import { type EmbeddedPostgres, ensureEmbeddedPostgres } from "../../src/store/embedded/index.js";
import { stopEngine } from "../helpers/engine.js";
import { FaultContext, FULL, percentile, recordFigures, sleepMs, until } from "./fixtures/suite.js";

const MAX = 5;

async function serverUp(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

test("3a. the embedded Postgres stops and starts under load", async () => {
  const ctx = new FaultContext("restart-embedded");
  const dir = mkdtempSync(join(tmpdir(), "wm-embedded-"));
  let pgHandle: EmbeddedPostgres | undefined = await ensureEmbeddedPostgres({ dir });
  const url = pgHandle.url;
  await ctx.setup();
  const original = ctx.db;
  ctx.db = { name: "postgres", url, drop: async () => {} };
  process.env.WAYMARK_DATABASE_URL = url;
  try {
    const engine = await ctx.engine({ env: { WAYMARK_QUERY_TIMEOUT_MS: "5000" } });
    const started = await ctx.startChains(FULL ? 100 : 16, FULL ? 8 : 4, 100, "emb");
    const downAt: number[] = [];
    const outages: number[] = [];
    for (let i = 0; i < (FULL ? 3 : 1); i++) {
      await sleepMs(400);
      const t = Date.now();
      await pgHandle.stop();
      pgHandle = undefined;
      await sleepMs(500);
      pgHandle = await ensureEmbeddedPostgres({ dir });
      assert.equal(pgHandle.url, url, "same port after the restart");
      outages.push(Date.now() - t);
      downAt.push(Date.now());
    }
    const figures = await ctx.checkChains(started, MAX, 60_000);
    const rec = ctx.recoveries(downAt);
    recordFigures("3a embedded Postgres stop/start", {
      ...figures,
      restarts: outages.length,
      outageMs: Math.max(...outages),
      recoveryP50Ms: percentile(rec, 50),
      recoveryP99Ms: percentile(rec, 99),
    });
    await stopEngine(engine);
  } finally {
    ctx.db = original;
    process.env.WAYMARK_DATABASE_URL = original.url;
    await ctx.teardown();
    await pgHandle?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

const cluster = () => {
  try {
    return readdirSync("/etc/postgresql")[0];
  } catch {
    return undefined;
  }
};
const pgctl = (action: string) =>
  spawnSync("pg_ctlcluster", ["--skip-systemctl-redirect", cluster() ?? "", "main", action], {
    encoding: "utf8",
  });

test("3b. the machine's Postgres restarts under load (full tier)", {
  skip: !FULL || !cluster(),
}, async () => {
  const ctx = new FaultContext("restart-local");
  await ctx.setup();
  try {
    const engine = await ctx.engine({ env: { WAYMARK_QUERY_TIMEOUT_MS: "5000" } });
    const started = await ctx.startChains(100, 8, 100, "loc");
    await sleepMs(1000);
    const t = Date.now();
    const r = pgctl("restart");
    assert.equal(r.status, 0, r.stderr);
    await until("the server to accept connections", () => serverUp(ctx.db.url));
    const upAt = Date.now();
    const figures = await ctx.checkChains(started, MAX, 120_000);
    const rec = ctx.recoveries([upAt]);
    recordFigures("3b local Postgres restart", {
      ...figures,
      restarts: 1,
      outageMs: upAt - t,
      recoveryP50Ms: percentile(rec, 50),
      recoveryP99Ms: percentile(rec, 99),
    });
    await stopEngine(engine);
  } finally {
    // Whatever happened, the machine's server is running when this test ends.
    if (!(await serverUp(ctx.db.url))) pgctl("start");
    await until("the server to be back", () => serverUp(ctx.db.url), 60_000);
    await ctx.teardown();
  }
});
