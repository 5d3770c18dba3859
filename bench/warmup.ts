// The warm-up of every new engine process, before its first scenario: the same work, in the same
// amounts, as the peer harness's warm-up of DBOS (../shared/bench/dbos/bench-dbos.mjs, WARMUP
// default 2,000): 2,000 three-action workflows with 32 in flight, 100 one at a time, one fan-out
// of 1,000. Both engines are then measured in their steady state — what a long-running engine
// process does — rather than while V8 is still compiling their hot code: with a 200-workflow
// warm-up, scenario A measured 2,840 actions/s and 0.29 ms of engine CPU per action; after
// 2,000, 4,180 and 0.14 ms (medians of three, alternating; docs/performance.md, sixth round).
import { type BenchContext, runPool, scaled, withDeadline } from "./context.js";
import { BenchFanOut, BenchSequential } from "./workflows.js";

export const WARMUP_WORKFLOWS = 2000;

export async function warmUp(ctx: BenchContext): Promise<void> {
  const n = scaled(ctx, WARMUP_WORKFLOWS, 10);
  ctx.progress.start("engine warm-up", n + 100);
  const one = async (i: number) => {
    const out = await new BenchSequential().run(i);
    if (out !== i + 3) throw new Error(`warm-up: run(${i}) returned ${String(out)}`);
    ctx.progress.tick();
  };
  await withDeadline(ctx, runPool(n, 32, one), 120_000, "engine warm-up");
  for (let i = 0; i < 100; i++) await withDeadline(ctx, one(i), 30_000, "engine warm-up");
  ctx.progress.end();
  const width = scaled(ctx, 1000, 10);
  const items = Array.from({ length: width }, (_, i) => i);
  const sum = await withDeadline(ctx, new BenchFanOut().run(items), 60_000, "engine warm-up");
  if (sum !== (width * (width + 1)) / 2) throw new Error(`warm-up: fan-out returned ${sum}`);
}
