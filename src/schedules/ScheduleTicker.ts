// Fires due schedules from an engine process (`start-workers` with a runner): a tick fires what
// is due, one transaction per BATCH (fireDueSchedules: rows locked SKIP LOCKED, so any number of
// engines share the work and none fires a fire time twice), then sleeps until the next fire
// time — at least MIN_TICK_MS (fires close together share a tick), at most MAX_TICK_MS (a
// schedule registered or resumed by another process is seen within it).
import type pg from "pg";
import { logger } from "../store/log.js";
import {
  type DueSchedule,
  type FirePlan,
  fireDueSchedules,
} from "../store/postgres/queries/schedules.js";
import { dueFires } from "./dueFires.js";
import { parseSchedule } from "./scheduleExpression.js";

const log = logger("schedules");
const MIN_TICK_MS = 50;
const MAX_TICK_MS = 250;
const BATCH = 500;

/** The fires of one due schedule: the catch-up policy, then overlap "skip" (no new instance
 *  while the last one runs; then at most one instance per tick). */
export function planFires(s: DueSchedule, now: Date): FirePlan {
  const expr = parseSchedule(s.expression, s.timezone);
  const d = dueFires(expr, s.nextFireAt, now, s.catchUp);
  if (s.overlap === "skip") {
    if (s.lastRunning)
      return { fires: [], skipped: d.dropped + d.fires.length, nextFireAt: d.nextFireAt };
    const last = d.fires.slice(-1);
    return {
      fires: last,
      skipped: d.dropped + d.fires.length - last.length,
      nextFireAt: d.nextFireAt,
    };
  }
  return { fires: d.fires, skipped: d.dropped, nextFireAt: d.nextFireAt };
}

export class ScheduleTicker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly keepHours: number,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.fire().then((idleMs) => {
        const wait = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, idleMs ?? MAX_TICK_MS));
        if (!this.stopped) this.timer = setTimeout(tick, wait);
      });
    };
    this.timer = setTimeout(tick, MIN_TICK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Fires until nothing is due; returns how long until the next fire time (null: none, or
   *  the database failed: retried at the next tick). */
  private async fire(): Promise<number | null> {
    try {
      for (;;) {
        const { started: n, idleMs } = await fireDueSchedules(
          this.pool,
          BATCH,
          this.keepHours,
          (s, now) => {
            try {
              return planFires(s, now);
            } catch (e) {
              // A schedule stored by an older version that this one cannot read: skip a day.
              log.warn(`schedule ${s.workflowName}/${s.scheduleName}: ${(e as Error).message}`);
              return { fires: [], skipped: 0, nextFireAt: new Date(now.getTime() + 86_400_000) };
            }
          },
        );
        if (n > 0) log.debug(`fired ${n} schedule instance(s)`);
        if (idleMs !== 0) return idleMs;
      }
    } catch (e) {
      log.warn(`firing schedules failed: ${(e as Error).message}`);
      return null;
    }
  }
}
