// Fault 19: many workflows waiting for signals at once. A waiting instance is a row (its wait a
// call row), not an object: the engine's memory stays flat while they wait, and once each gets
// its signal every one ends with its payload. Smoke: 1,000; full tier (WAYMARK_FAULTS=full):
// 10,000.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { workflowHandle } from "../../src/client/engine.js";
import { stopEngine } from "../helpers/engine.js";
import { FaultContext, FULL, recordFigures, sleepMs, until } from "./fixtures/suite.js";

const ctx = new FaultContext("waiting");
const N = FULL ? 10_000 : 1_000;

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

const count = async (sql: string) => (await ctx.query<{ n: number }>(sql))[0]?.n ?? -1;

test(`19. ${N} workflows waiting for signals at once: flat engine memory, each gets its own`, async () => {
  const engine = await ctx.engine();
  const pid = engine.proc.pid as number;
  await sleepMs(1000);
  const baseline = treeRss(pid);
  const ids: string[] = [];
  for (let i = 0; i < N; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(new ctx.flows.SignalWaitWorkflow().start(j).then((h) => (ids[j] = h.id)));
    await Promise.all(batch);
  }
  await until(
    "every instance to wait",
    async () =>
      (await count(
        "select count(*)::int as n from waymark_action_calls where status = 'waiting' and wait = 'signal'",
      )) === N,
    120_000,
  );
  const held = await count(
    "select count(*)::int as n from waymark_instances where lease_owner is not null",
  );
  assert.equal(held, 0, "no waiting instance holds a lease");
  const samples: number[] = [];
  for (let k = 0; k < 12; k++) {
    samples.push(treeRss(pid));
    await sleepMs(250);
  }
  const waitingRss = Math.max(...samples);
  const t0 = Date.now();
  for (let i = 0; i < N; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(workflowHandle(ids[j] as string).signal("v", 1000 * j));
    await Promise.all(batch);
  }
  const results = await Promise.all(ids.map((id) => workflowHandle<number>(id).result()));
  const drainMs = Date.now() - t0;
  results.forEach((r, j) => {
    assert.equal(r, 1000 * j + j, `instance ${j} got its own signal`);
  });
  const growth = waitingRss - baseline;
  console.log(
    `# ${N} waiting: rss baseline ${(baseline / 1048576).toFixed(0)} MB, while waiting max ${(waitingRss / 1048576).toFixed(0)} MB; signalled and finished in ${drainMs} ms`,
  );
  assert.ok(growth < 64 * 1048576, `memory flat while waiting (+${growth} bytes)`);
  recordFigures(`19 ${N} workflows waiting for signals`, {
    workflows: N,
    lost: 0,
    duplicates: 0,
    rssBaselineMB: Math.round(baseline / 1048576),
    rssWhileWaitingMB: Math.round(waitingRss / 1048576),
    signalAllAndFinishMs: drainMs,
  });
  await stopEngine(engine);
});
