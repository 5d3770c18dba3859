// E. Signals and child workflows. Round trip: start a workflow that waits for a signal, send it,
// wait for the result (one at a time, so each is a latency) → p50/p99. Fan-out: one workflow
// starting 1,000 child workflows under Promise.all, then a sum → wall time.
import { type BenchContext, type ScenarioResult, scaled, withDeadline } from "../context.js";
import { percentile, perStep, round } from "../metrics.js";
import { BenchChildren, BenchSignal } from "../workflows.js";

async function roundTrip(i: number): Promise<number> {
  const t0 = performance.now();
  const h = await new BenchSignal().start();
  await h.signal("go", i);
  const out = await h.result();
  if (out !== i) throw new Error(`E: the signal round trip returned ${String(out)}, expected ${i}`);
  return performance.now() - t0;
}

async function children(width: number): Promise<void> {
  const items = Array.from({ length: width }, (_, i) => i);
  const out = await new BenchChildren().run(items);
  const expect = (width * (width + 1)) / 2;
  if (out !== expect)
    throw new Error(`E: ${width} children returned ${String(out)}, expected ${expect}`);
}

export async function scenarioE(ctx: BenchContext): Promise<ScenarioResult> {
  await ctx.engine();
  const n = scaled(ctx, 200, 10);
  const width = scaled(ctx, 1000, 10);
  ctx.progress.note("  E warm-up (20 round trips, 50 children)");
  await withDeadline(
    ctx,
    (async () => {
      for (let i = 0; i < 20; i++) await roundTrip(i);
      await children(50);
    })(),
    60_000,
    "E warm-up",
  );
  const lat: number[] = [];
  ctx.progress.start(`E ${n} signal round trips`, n);
  await withDeadline(
    ctx,
    (async () => {
      for (let i = 0; i < n; i++) {
        lat.push(await roundTrip(i));
        ctx.progress.tick();
      }
    })(),
    120_000,
    "E round trips",
  );
  ctx.progress.end();
  const s0 = await ctx.counters.snap();
  ctx.progress.note(`  E ${width} child workflows ...`);
  const t0 = performance.now();
  await withDeadline(ctx, children(width), 180_000, "E children");
  const wall = performance.now() - t0;
  const s1 = await ctx.counters.snap();
  const cost = await ctx.counters.delta(s0, s1);
  return {
    scenario: "E",
    signal_p50_ms: round(percentile(lat, 0.5), 2),
    signal_p99_ms: round(percentile(lat, 0.99), 2),
    children_wall_ms: round(wall),
    ...perStep(cost, 2 * width + 2),
    n,
    width,
  };
}
