// A. Sequential: a workflow of 3 no-op actions. Throughput: 2,000 instances with 32 in flight
// (cost counters cover this phase only); latency: 200 instances one at a time, end to end
// (queue → result seen by the client through NOTIFY).
import {
  type BenchContext,
  runPool,
  type ScenarioResult,
  scaled,
  withDeadline,
} from "../context.js";
import { percentile, perStep, round } from "../metrics.js";
import { BenchSequential } from "../workflows.js";

export const STEPS_PER_WF = 3;

async function one(i: number): Promise<void> {
  const out = await new BenchSequential().run(i);
  if (out !== i + STEPS_PER_WF) throw new Error(`A: run(${i}) returned ${String(out)}`);
}

export async function scenarioA(ctx: BenchContext): Promise<ScenarioResult> {
  await ctx.engine();
  const n = scaled(ctx, 2000);
  const conc = 32;
  const latN = scaled(ctx, 200, 10);

  // Warm-up: JIT, pool connections, plan caches, first index pages.
  const warm = scaled(ctx, 200, 10);
  ctx.progress.start("A warm-up", warm);
  await withDeadline(
    ctx,
    runPool(warm, conc, async (i) => {
      await one(i);
      ctx.progress.tick();
    }),
    60_000,
    "A warm-up",
  );
  ctx.progress.end();

  const s0 = await ctx.counters.snap();
  ctx.progress.start(`A throughput (${conc} in flight)`, n);
  const t0 = performance.now();
  await withDeadline(
    ctx,
    runPool(n, conc, async (i) => {
      await one(i);
      ctx.progress.tick();
    }),
    120_000,
    "A throughput",
  );
  const wall = performance.now() - t0;
  ctx.progress.end();
  const s1 = await ctx.counters.snap();
  const cost = await ctx.counters.delta(s0, s1);

  const lat: number[] = [];
  ctx.progress.start("A latency (one at a time)", latN);
  for (let i = 0; i < latN; i++) {
    const t = performance.now();
    await withDeadline(ctx, one(i), 30_000, `A latency run ${i}`);
    lat.push(performance.now() - t);
    ctx.progress.tick();
  }
  ctx.progress.end();

  const steps = n * STEPS_PER_WF;
  return {
    scenario: "A",
    wf_per_s: round(n / (wall / 1000)),
    steps_per_s: round(steps / (wall / 1000)),
    lat_p50_ms: round(percentile(lat, 0.5), 2),
    lat_p95_ms: round(percentile(lat, 0.95), 2),
    lat_p99_ms: round(percentile(lat, 0.99), 2),
    wall_ms: round(wall),
    ...perStep(cost, steps),
    xacts_per_wf: round(cost.commits / n, 2),
    wal_bytes_per_wf: Math.round(cost.walBytes / n),
    n,
    concurrency: conc,
    lat_n: latN,
  };
}
