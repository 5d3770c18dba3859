// Fault 4: connections that reset, blackhole (half-open), slow down and drop right after a
// commit, through a TCP proxy between the engine processes and Postgres. The test's own client
// connects directly (it is the observer, not the subject).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stopEngine } from "../helpers/engine.js";
import { PgProxy } from "./fixtures/proxy.js";
import {
  FaultContext,
  FULL,
  failpointHits,
  LEASE_MS,
  percentile,
  recordFigures,
  sleepMs,
} from "./fixtures/suite.js";

const ctx = new FaultContext("network");
const MAX = 5;
const N = FULL ? 200 : 20;
const STEPS = FULL ? 8 : 4;
let proxy: PgProxy;

before(async () => {
  await ctx.setup();
  proxy = new PgProxy(Number(new URL(ctx.db.url).port || 5432));
  await proxy.start();
});
after(async () => {
  await ctx.teardown();
  await proxy?.close();
});

const viaProxy = () => ({
  databaseUrl: proxy.urlFor(ctx.db.url),
  env: { WAYMARK_QUERY_TIMEOUT_MS: "3000" },
});

test("4a. connection resets under load", async () => {
  proxy.mode = "pass";
  const engine = await ctx.engine(viaProxy());
  const started = await ctx.startChains(N, STEPS, 50, "reset");
  const times: number[] = [];
  for (let i = 0; i < (FULL ? 20 : 4); i++) {
    await sleepMs(300 + ctx.rand(300));
    times.push(Date.now());
    proxy.reset();
  }
  const figures = await ctx.checkChains(started, MAX);
  const rec = ctx.recoveries(times);
  recordFigures("4a connection resets", {
    ...figures,
    faults: times.length,
    resetSockets: proxy.stats.resets,
    recoveryP50Ms: percentile(rec, 50),
    recoveryP99Ms: percentile(rec, 99),
  });
  await stopEngine(engine);
});

test("4b. blackhole (half-open connections) for longer than the lease, then heal", async () => {
  proxy.mode = "pass";
  const engine = await ctx.engine(viaProxy());
  const started = await ctx.startChains(N, STEPS, 200, "bh");
  await sleepMs(150);
  proxy.mode = "blackhole";
  const holeMs = LEASE_MS + 1500;
  await sleepMs(holeMs);
  proxy.mode = "pass";
  const healedAt = Date.now();
  const figures = await ctx.checkChains(started, MAX, 60_000).catch(async (e) => {
    await ctx.dumpUnfinished(engine.log());
    throw e;
  });
  const rec = ctx.recoveries([healedAt]);
  recordFigures("4b blackhole (half-open)", {
    ...figures,
    blackholeMs: holeMs,
    recoveryP50Ms: percentile(rec, 50),
    recoveryP99Ms: percentile(rec, 99),
  });
  await stopEngine(engine);
});

test("4c. added latency (20 ms each way)", async () => {
  proxy.mode = "pass";
  proxy.latencyMs = 20;
  const engine = await ctx.engine(viaProxy());
  const started = await ctx.startChains(N, STEPS, 10, "lat");
  const figures = await ctx.checkChains(started, MAX);
  proxy.latencyMs = 0;
  recordFigures("4c latency 20 ms each way", figures);
  await stopEngine(engine);
});

test("4d. commit-drop: the write commits, the caller sees a dropped connection", async () => {
  proxy.mode = "pass";
  const engine = await ctx.engine(viaProxy());
  const started = await ctx.startChains(N, STEPS, 10, "cd");
  // Every engine write is one statement in an implicit transaction: its CommandComplete is the
  // commit acknowledgement. Drop some of them (COMMIT, UPDATE, INSERT and the CTE writes' SELECT).
  proxy.commitDrop(/^(COMMIT|UPDATE|INSERT|SELECT)/, 0.05);
  await sleepMs(FULL ? 20_000 : 3000);
  proxy.commitDrop(null);
  const figures = await ctx.checkChains(started, MAX).catch(async (e) => {
    await ctx.dumpUnfinished(engine.log());
    throw e;
  });
  assert.ok(proxy.stats.commitDrops > 0, "some acknowledgements were dropped");
  recordFigures("4d commit-drop", { ...figures, commitDrops: proxy.stats.commitDrops });
  await stopEngine(engine);
});

/** Runs chains on an engine whose runner loses the answer to some of its statements (a
 *  failpoint that throws right after the statement committed), with 20 s leases: an instance or
 *  call the runner loses track of would wait out that lease (the chains must finish well
 *  within it), and a call inserted for a local worker but never started would be reaped and
 *  retried (every call must run exactly once). */
async function lostAnswers(
  point: string,
  spec: string,
  prefix: string,
  env: Record<string, string> = {},
) {
  const leaseMs = 20_000;
  const engine = await ctx.engine({
    env: {
      ...env,
      WAYMARK_FAILPOINTS: `${point}=${spec}`,
      WAYMARK_LOCK_TTL_MS: String(leaseMs),
      WAYMARK_LOCK_HEARTBEAT_MS: "1000",
    },
  });
  const t0 = Date.now();
  const started = await ctx.startChains(N, STEPS, 10, prefix);
  const figures = await ctx.checkChains(started, 1, leaseMs - 5000).catch(async (e) => {
    await ctx.dumpUnfinished(engine.log());
    throw e;
  });
  const wallMs = Date.now() - t0;
  const lost = failpointHits(engine.log(), point).length;
  assert.ok(lost >= 1, `answers were lost (${lost})`);
  assert.doesNotMatch(engine.log(), /lease lost \(fence/, "no instance dropped by its own runner");
  const notes = await ctx.query("select action_name from waymark_inline_quarantine");
  assert.deepEqual(notes, [], "no action quarantined: no runner died");
  const retried = await ctx.query<{ n: number }>(
    "select count(*)::int as n from waymark_action_calls where attempts > 1 and instance_id = any($1::bigint[])",
    [started.map((x) => x.id)],
  );
  assert.equal(retried[0]?.n, 0, "no call retried");
  await stopEngine(engine);
  return { engine, figures: { ...figures, lostAnswers: lost, wallMs, leaseMs } };
}

test("4e. lost answers to the runner's writes: the statement is repeated, nothing waits out a lease", async () => {
  const { engine, figures } = await lostAnswers("after_persist_commit", "error:0.25", "lostw");
  assert.match(engine.log(), /repeating the statement/);
  recordFigures("4e lost persist answers", figures);
});

test("4f. lost answers to the runner's claims: it takes its instances back, nothing waits out a lease", async () => {
  // New instances are claimed (not started from their notification), so that claims happen.
  const { engine, figures } = await lostAnswers("after_claim_commit", "error*3", "lostc", {
    WAYMARK_FRESH_STARTS: "0",
  });
  assert.match(engine.log(), /took back \d+ instance\(s\) leased to this runner/);
  recordFigures("4f lost claim answers", figures);
});
