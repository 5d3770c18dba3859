// D. Queue drain: 20,000 queued no-op action calls, drained by the engine's workers.
//
// Shape (the engine queues actions only through workflows): 200 BenchFanOut instances × 100
// items = 20,000 `benchNoop` calls (+ 200 `benchSum` calls once each fan-out completes). To
// measure a drain of an already-full queue, as the graphile-worker peer does, the shared engine's
// worker processes are paused (SIGSTOP) while the runner dispatches every call, then resumed
// (SIGCONT). The drain time runs from the resume to the last `benchNoop` outcome recorded
// (finished_at, database clock); the cost counters cover the resume until all 200 workflows
// have returned (the runner delivering the outcomes is part of the drain's price).
//
// The engine runs with WAYMARK_INLINE_ACTIONS=0 here: a runner that runs the calls it dispatches
// itself would never queue them (it would run all 20,000 while the workers are paused, and the
// "drain" would measure nothing).
//
// The bench reads waymark_action_calls (and the local calls instance rows carry while their
// runner's own worker processes hold them: 0008_local_calls.sql) only to count dispatched calls,
// and waymark_action_calls to read finished_at.
import pg from "pg";
import { type BenchContext, type ScenarioResult, scaled, withDeadline } from "../context.js";
import { perStep, round, sleepMs } from "../metrics.js";
import { BenchFanOut } from "../workflows.js";

function workerPids(log: string): number[] {
  const byIndex = new Map<string, number>();
  for (const m of log.matchAll(/worker (\d+) started \(pid (\d+)\)/g))
    byIndex.set(m[1] as string, Number(m[2]));
  return [...byIndex.values()];
}

function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

export async function scenarioD(ctx: BenchContext): Promise<ScenarioResult> {
  const engine = await ctx.engine("queue");
  const instances = scaled(ctx, 200, 2);
  const width = 100;
  const total = instances * width;
  const items = Array.from({ length: width }, (_, i) => i);
  const expect = (width * (width + 1)) / 2;

  const db = new pg.Client({ connectionString: ctx.url });
  await db.connect();
  const pids = workerPids(engine.log());
  if (pids.length === 0) throw new Error("D: no worker pids in the start-workers log");
  signalAll(pids, "SIGSTOP");
  let resumed = false;
  try {
    const before = await countNoop(db);
    ctx.progress.start(`D dispatching ${total} actions (workers paused)`, total);
    const handles = await Promise.all(
      Array.from({ length: instances }, () => new BenchFanOut().start(items)),
    );
    const dispatchDeadline = performance.now() + 120_000;
    for (;;) {
      if (performance.now() > dispatchDeadline)
        throw new Error("D: the runner did not dispatch every call within 120 s");
      const queued = (await countNoop(db)) - before;
      ctx.progress.set(queued);
      if (queued >= total) break;
      await sleepMs(100);
    }
    ctx.progress.end();

    const s0 = await ctx.counters.snap();
    const t0 = await dbNowMs(db);
    const wall0 = performance.now();
    ctx.progress.start("D draining (workflows done)", instances);
    signalAll(pids, "SIGCONT");
    resumed = true;
    await withDeadline(
      ctx,
      Promise.all(
        handles.map(async (h) => {
          const r = await h.result();
          if (r !== expect) throw new Error(`D: fan-out returned ${String(r)}, expected ${expect}`);
          ctx.progress.tick();
        }),
      ),
      120_000,
      "D drain",
    );
    const wallAll = performance.now() - wall0;
    ctx.progress.end();
    const s1 = await ctx.counters.snap();
    const cost = await ctx.counters.delta(s0, s1);
    const { rows } = await db.query<{ last: number; n: string }>(
      `select extract(epoch from max(finished_at)) * 1000 as last, count(*) as n
         from waymark_action_calls where action_name = 'benchNoop' and finished_at is not null
          and instance_id = any($1::bigint[])`,
      [handles.map((h) => h.id)],
    );
    const drained = Number(rows[0]?.n ?? 0);
    if (drained !== total) throw new Error(`D: ${drained} of ${total} calls recorded`);
    const drainMs = Number(rows[0]?.last) - t0;
    const steps = total + instances;
    return {
      scenario: "D",
      steps_per_s: round(total / (drainMs / 1000)),
      wall_ms: round(drainMs),
      all_done_ms: round(wallAll),
      ...perStep(cost, steps),
      instances,
      width,
      actions: total,
    };
  } finally {
    if (!resumed) signalAll(pids, "SIGCONT");
    await db.end();
  }
}

async function countNoop(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `select (select count(*) from waymark_action_calls where action_name = 'benchNoop')
          + (select count(*) from waymark_instances i cross join lateral json_array_elements(i.local_calls) e
             where i.local_calls is not null and e->>'a' = 'benchNoop') as n`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function dbNowMs(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ ms: number }>(
    "select extract(epoch from clock_timestamp()) * 1000 as ms",
  );
  return Number(rows[0]?.ms);
}
