// What every scenario receives from bench/run.ts.
import type { EngineProcess } from "./engineProcess.js";
import type { PgCounters } from "./metrics.js";
import type { Progress } from "./progress.js";

export interface ScenarioResult {
  scenario: "A" | "B" | "C" | "D" | "E" | "F";
  [field: string]: unknown;
}

export type EngineVariant = "default" | "queue";

export interface BenchContext {
  /** URL of the bench database. */
  url: string;
  database: string;
  counters: PgCounters;
  progress: Progress;
  /** Multiplies every instance count (1 for the real bench; --quick uses 0.1). */
  scale: number;
  /** The shared `start-workers` process (runner + workers), started on first use. `"queue"`:
   *  one whose runner runs no action itself (WAYMARK_INLINE_ACTIONS=0), so that every call
   *  goes to a worker process; the shared process is replaced when the variant changes. */
  engine(variant?: EngineVariant): Promise<EngineProcess>;
}

/** Runs `total` jobs with at most `conc` in flight. */
export async function runPool(
  total: number,
  conc: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(conc, total) }, worker));
}

export function scaled(ctx: BenchContext, n: number, min = 1): number {
  return Math.max(min, Math.round(n * ctx.scale));
}

/** Waits for `work`, but fails after `ms` with a description of the instances that are stuck
 *  (a lost wake-up in the engine would otherwise hang the bench forever). */
export async function withDeadline<T>(
  ctx: BenchContext,
  work: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void stuckReport(ctx.url).then(
        (report) => reject(new Error(`${what} did not finish within ${ms} ms; ${report}`)),
        (e: Error) => reject(new Error(`${what} did not finish within ${ms} ms (${e.message})`)),
      );
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stuckReport(url: string): Promise<string> {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{
      id: string;
      status: string;
      wake_at: Date | null;
      undelivered: string;
      lease_owner: string | null;
      calls: string;
    }>(
      `select i.id, i.status, i.wake_at, i.lease_owner, i.calls_done || '/' || i.calls_absorbed || '/' || i.calls_awaited as counters,
              (select string_agg(s || ':' || n, ',') from (select status as s, count(*) as n
                 from waymark_action_calls a where a.instance_id = i.id group by 1) x) as calls,
              (select count(*) from waymark_action_calls a
                where a.instance_id = i.id and not a.delivered and a.status in ('completed', 'failed')) as undelivered
         from waymark_instances i
        where i.status not in ('completed', 'failed', 'cancelled')
        order by i.id limit 20`,
    );
    if (rows.length === 0) return "no unfinished instance in the database";
    return `unfinished instances (first 20): ${rows
      .map(
        (r) =>
          `#${r.id} ${r.status} wake_at=${r.wake_at ? r.wake_at.toISOString() : "null"} undelivered_outcomes=${r.undelivered} lease=${r.lease_owner ?? "none"} calls=${r.calls} done/absorbed/awaited=${(r as { counters?: string }).counters}`,
      )
      .join("; ")}`;
  } finally {
    await c.end();
  }
}
