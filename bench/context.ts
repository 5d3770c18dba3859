// What every scenario receives from bench/run.ts.
import type { EngineProcess } from "./engineProcess.js";
import type { PgCounters } from "./metrics.js";
import type { Progress } from "./progress.js";

export interface ScenarioResult {
  scenario: "A" | "B" | "C" | "D";
  [field: string]: unknown;
}

export interface BenchContext {
  /** URL of the bench database. */
  url: string;
  database: string;
  counters: PgCounters;
  progress: Progress;
  /** Multiplies every instance count (1 for the real bench; --quick uses 0.1). */
  scale: number;
  /** The shared `start-workers` process (runner + workers), started on first use. */
  engine(): Promise<EngineProcess>;
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
