// B. Fan-out: one workflow, Promise.all over 1,000 no-op actions, then one aggregating action.
// Wall time from queueing to the result.
import { type BenchContext, type ScenarioResult, scaled, withDeadline } from "../context.js";
import { perStep, round } from "../metrics.js";
import { BenchFanOut } from "../workflows.js";

async function fan(width: number): Promise<number> {
  const items = Array.from({ length: width }, (_, i) => i);
  const out = await new BenchFanOut().run(items);
  const expect = (width * (width + 1)) / 2; // Σ (i + 1)
  if (out !== expect)
    throw new Error(`B: fan-out of ${width} returned ${String(out)}, expected ${expect}`);
  return out;
}

export async function scenarioB(ctx: BenchContext): Promise<ScenarioResult> {
  await ctx.engine();
  const width = scaled(ctx, 1000, 10);
  ctx.progress.note(`  B warm-up (fan-out ${Math.min(100, width)})`);
  await withDeadline(ctx, fan(Math.min(100, width)), 60_000, "B warm-up");

  const s0 = await ctx.counters.snap();
  ctx.progress.note(`  B fan-out of ${width} ...`);
  const t0 = performance.now();
  await withDeadline(ctx, fan(width), 120_000, "B fan-out");
  const wall = performance.now() - t0;
  const s1 = await ctx.counters.snap();
  const cost = await ctx.counters.delta(s0, s1);
  const steps = width + 1;
  return {
    scenario: "B",
    wall_ms: round(wall),
    steps_per_s: round(steps / (wall / 1000)),
    ...perStep(cost, steps),
    width,
  };
}
