// F. Schedules: 1,000 schedules at "1s" for 30 s (÷ 10 with --quick). Fires against the fire
// times in the window (none may be missed), lateness (the fire's instance queued after its fire
// time, database clock), engine CPU per fire, and duplicates (a fire time with two instances:
// must be 0). No peer.
import pg from "pg";
import { scheduleWorkflow } from "../../src/client/schedules.js";
import { type BenchContext, type ScenarioResult, scaled } from "../context.js";
import { percentile, perStep, round } from "../metrics.js";
import { BenchTick } from "../workflows.js";

export async function scenarioF(ctx: BenchContext): Promise<ScenarioResult> {
  await ctx.engine();
  const n = scaled(ctx, 1000, 10);
  const seconds = ctx.scale < 1 ? 3 : 30;
  const c = new pg.Client(ctx.url);
  await c.connect();
  try {
    await c.query("delete from waymark_schedules");
    ctx.progress.note(`  F registering ${n} schedules at "1s" ...`);
    for (let i = 0; i < n; i++)
      await scheduleWorkflow(BenchTick, {
        scheduleName: `bench-${i}`,
        schedule: "1s",
        inputs: [i],
        overlap: "allow",
      });
    const s0 = await ctx.counters.snap();
    // Counted: the fire times in [t0, t0 + seconds − 1): exactly seconds − 1 per schedule (an
    // interval is anchored where it was registered), all due a second before the pause.
    const t0 = (await c.query<{ t: Date }>("select now() as t")).rows[0]?.t as Date;
    ctx.progress.note(`  F ${n} schedules firing for ${seconds} s ...`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await c.query("update waymark_schedules set paused = true");
    const s1 = await ctx.counters.snap();
    const cost = await ctx.counters.delta(s0, s1);
    const rows = await c.query<{ key: string; late_ms: number }>(
      `select idempotency_key as key,
              extract(epoch from created_at - split_part(idempotency_key, '@', 2)::timestamptz) * 1000 as late_ms
         from waymark_instances where idempotency_key like 'schedule:bench-%'
          and split_part(idempotency_key, '@', 2)::timestamptz >= $1
          and split_part(idempotency_key, '@', 2)::timestamptz < $1 + $2 * interval '1 second'`,
      [t0, seconds - 1],
    );
    const keys = new Set(rows.rows.map((r) => r.key));
    const late = rows.rows.map((r) => Number(r.late_ms));
    await c.query("delete from waymark_schedules");
    return {
      scenario: "F",
      fires: rows.rows.length,
      expected_fires: n * (seconds - 1),
      duplicates: rows.rows.length - keys.size,
      lateness_p50_ms: round(percentile(late, 0.5), 1),
      lateness_p99_ms: round(percentile(late, 0.99), 1),
      ...perStep(cost, Math.max(1, rows.rows.length)),
      n,
      seconds,
    };
  } finally {
    await c.end();
  }
}
