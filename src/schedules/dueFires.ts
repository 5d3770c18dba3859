// Which fires of a due schedule run now, and when it fires next: a pure function of the
// schedule and the clock (tested with an injected one).
//
// Normally one fire time has passed at a tick (ticks are much shorter than the shortest
// interval, 1 s). When several have, the ones before the latest were missed (no engine ran):
// catchUp "one" (default) runs only the latest, "all" runs each (at most MAX_CATCH_UP, the
// latest ones), "none" runs the latest only if it is on time (within ON_TIME_MS), else nothing.
import type { ScheduleExpression } from "./scheduleExpression.js";

export const ON_TIME_MS = 10_000;
export const MAX_CATCH_UP = 1000;

export type CatchUp = "one" | "all" | "none";

export interface DueFires {
  /** Fire times to start an instance for, oldest first. */
  fires: Date[];
  /** Passed fire times not run. */
  dropped: number;
  nextFireAt: Date;
}

export function dueFires(
  expr: ScheduleExpression,
  nextFireAt: Date,
  now: Date,
  catchUp: CatchUp,
): DueFires {
  const passed: Date[] = [];
  let t = nextFireAt;
  while (t.getTime() <= now.getTime() && passed.length < 100_000) {
    passed.push(t);
    t = expr.next(t);
  }
  // Far behind (an interval of seconds over weeks of downtime): skip ahead from now.
  if (t.getTime() <= now.getTime()) t = expr.next(now);
  const latest = passed.at(-1);
  let run: Date[];
  if (!latest) run = [];
  else if (catchUp === "all") run = passed.slice(-MAX_CATCH_UP);
  else if (catchUp === "one") run = [latest];
  else run = now.getTime() - latest.getTime() < ON_TIME_MS ? [latest] : [];
  return { fires: run, dropped: passed.length - run.length, nextFireAt: t };
}
