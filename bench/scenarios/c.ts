// C. Durable sleep: 500 workflows, all queued at once, each sleeps 1 s then runs one action.
// Wall time from the first start to the last result, against the 1 s ideal.
import { type BenchContext, type ScenarioResult, scaled, withDeadline } from "../context.js";
import { perStep, round } from "../metrics.js";
import { BenchSleep } from "../workflows.js";

export const SLEEP_MS = 1000;

export async function scenarioC(ctx: BenchContext): Promise<ScenarioResult> {
  await ctx.engine();
  const n = scaled(ctx, 500, 10);
  // Warm-up: a few short sleeps (timer path, wake-up query plans).
  await withDeadline(
    ctx,
    Promise.all(Array.from({ length: 10 }, (_, i) => new BenchSleep().run(50, i))),
    60_000,
    "C warm-up",
  );

  const s0 = await ctx.counters.snap();
  ctx.progress.start(`C ${n} sleepers of ${SLEEP_MS} ms`, n);
  const t0 = performance.now();
  const handles = await Promise.all(
    Array.from({ length: n }, (_, i) => new BenchSleep().start(SLEEP_MS, i)),
  );
  const started = performance.now() - t0;
  const out = await withDeadline(
    ctx,
    Promise.all(
      handles.map(async (h, i) => {
        const r = await h.result();
        if (r !== i + 1) throw new Error(`C: sleeper ${i} returned ${String(r)}`);
        ctx.progress.tick();
        return r;
      }),
    ),
    120_000,
    "C sleepers",
  );
  const wall = performance.now() - t0;
  ctx.progress.end();
  const s1 = await ctx.counters.snap();
  const cost = await ctx.counters.delta(s0, s1);
  return {
    scenario: "C",
    wall_ms: round(wall),
    ideal_ms: SLEEP_MS,
    overhead_ms: round(wall - SLEEP_MS),
    start_all_ms: round(started),
    after_last_start_ms: round(wall - started),
    steps_per_s: round(out.length / (wall / 1000)),
    ...perStep(cost, out.length),
    n,
  };
}
