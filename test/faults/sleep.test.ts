// Fault 12: many workflows sleeping at once. Memory of the engine processes stays flat while they
// sleep (a sleeping instance is a row, not an object), every one wakes, none early, and the
// wake lateness p99 is ≤ 1 s. Smoke: 1,000; full tier (WAYMARK_FAULTS=full): 10,000.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { stopEngine } from "../helpers/engine.js";
import { FaultContext, FULL, percentile, recordFigures, sleepMs, until } from "./fixtures/suite.js";

const ctx = new FaultContext("sleep");
const N = FULL ? 10_000 : 1_000;
const LEAD_MS = FULL ? 40_000 : 6_000; // time to queue them all before the first wakes
const SPREAD_MS = FULL ? 20_000 : 3_000; // deadlines spread uniformly over this window

before(() => ctx.setup());
after(() => ctx.teardown());

/** Resident memory (bytes) of a process tree: the process and its direct children. */
function treeRss(pid: number): number {
  const rss = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  let total = rss(pid);
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    for (const k of kids) if (k) total += rss(Number(k));
  } catch {}
  return total;
}

test(`12. ${N} workflows sleeping at once`, async () => {
  const engine = await ctx.engine({ env: { WAYMARK_POLL_INTERVAL_MS: "1000" } });
  const pid = engine.proc.pid as number;
  await sleepMs(1000);
  const baseline = treeRss(pid);
  const t0 = Date.now();
  const ids: { id: string; ms: number }[] = [];
  const BATCH = 50;
  for (let i = 0; i < N; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      // Every deadline lies in [t0 + LEAD, t0 + LEAD + SPREAD).
      const ms = Math.max(100, t0 + LEAD_MS + ctx.rand(SPREAD_MS) - Date.now());
      batch.push(new ctx.flows.SleepWorkflow().start(ms).then((h) => ids.push({ id: h.id, ms })));
    }
    await Promise.all(batch);
  }
  const queuedMs = Date.now() - t0;
  assert.ok(queuedMs < LEAD_MS, `queued ${N} in ${queuedMs} ms, before the first deadline`);
  await until(
    "every instance to be parked",
    async () =>
      (
        await ctx.query<{ n: number }>(
          "select count(*)::int as n from waymark_instances where status = 'sleeping'",
        )
      )[0]?.n === N,
    LEAD_MS,
  );
  const samples: number[] = [];
  while (Date.now() < t0 + LEAD_MS - 200) {
    samples.push(treeRss(pid));
    await sleepMs(250);
  }
  const sleepingRss = Math.max(...samples);
  await until(
    "every instance to wake and finish",
    async () =>
      (
        await ctx.query<{ n: number }>(
          "select count(*)::int as n from waymark_instances where status <> 'completed'",
        )
      )[0]?.n === 0,
    LEAD_MS + SPREAD_MS + 30_000,
  );
  const rows = await ctx.query<{ id: string; slept: number }>(
    "select id, (extract(epoch from finished_at - started_at) * 1000)::float8 as slept from waymark_instances",
  );
  const wanted = new Map(ids.map((x) => [x.id, x.ms]));
  const lateness = rows.map((r) => r.slept - (wanted.get(r.id) ?? Number.NaN));
  const early = lateness.filter((x) => !(x >= 0)).length;
  assert.equal(rows.length, N, "every accepted workflow is there");
  assert.equal(early, 0, "no sleep woke early");
  const p50 = percentile(lateness, 50);
  const p99 = percentile(lateness, 99);
  const max = Math.max(...lateness);
  const growth = sleepingRss - baseline;
  console.log(
    `# ${N} sleepers: rss baseline ${(baseline / 1048576).toFixed(0)} MB, while sleeping max ${(sleepingRss / 1048576).toFixed(0)} MB; lateness p50 ${p50.toFixed(0)} p99 ${p99.toFixed(0)} max ${max.toFixed(0)} ms`,
  );
  assert.ok(p99 <= 1000, `wake lateness p99 ${p99} ms ≤ 1 s`);
  assert.ok(growth < 64 * 1048576, `memory flat while sleeping (+${growth} bytes)`);
  recordFigures(`12 ${N} sleeping workflows`, {
    workflows: N,
    lost: 0,
    duplicates: 0,
    early,
    wakeLatenessP50Ms: Math.round(p50),
    wakeLatenessP99Ms: Math.round(p99),
    wakeLatenessMaxMs: Math.round(max),
    rssBaselineMB: Math.round(baseline / 1048576),
    rssWhileSleepingMB: Math.round(sleepingRss / 1048576),
  });
  await stopEngine(engine);
});
