// What a schedule's expression means: a cron expression (5 or 6 fields, with its timezone; the
// croner library computes fire times, with Vixie-cron rules across DST changes) or an interval
// ("30s", "1h", a number of milliseconds).
//
// DST, for a cron time in a timezone with daylight saving: a time inside the skipped hour fires
// once, at the end of the gap (02:30 on a spring-forward night fires at 03:00); a time inside the
// repeated hour fires once, at its first occurrence.
import { Cron } from "croner";
import { parseDuration } from "../runtime/parseDuration.js";

/** "30s", "1h30m", "500ms": an interval (a cron expression has spaces between its fields). */
const INTERVAL = /^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d)\s*)+$/;

export interface ScheduleExpression {
  kind: "cron" | "interval";
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
}

/** Throws an Error that says what is wrong and how to write it. */
export function parseSchedule(expression: string | number, timezone: string): ScheduleExpression {
  checkTimezone(timezone);
  if (typeof expression === "number" || INTERVAL.test(expression)) {
    let ms: number;
    try {
      ms = parseDuration(expression);
    } catch (e) {
      throw new Error(`schedule "${expression}": ${(e as Error).message}`);
    }
    if (!(ms >= 1000)) throw new Error(`schedule "${expression}": an interval must be at least 1s`);
    return { kind: "interval", next: (after) => new Date(after.getTime() + ms) };
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw new Error(
      `schedule "${expression}": a cron expression has 5 fields (minute hour day month weekday) or 6 (with seconds first), or write an interval such as "30s" or "1h"`,
    );
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
  } catch (e) {
    throw new Error(`schedule "${expression}": ${(e as Error).message}`);
  }
  if (cron.nextRun(new Date()) === null)
    throw new Error(`schedule "${expression}": it never fires`);
  return {
    kind: "cron",
    next: (after) => {
      const d = cron.nextRun(after);
      if (!d)
        throw new Error(`schedule "${expression}" has no fire time after ${after.toISOString()}`);
      return d;
    },
  };
}

function checkTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new Error(
      `unknown timezone "${tz}": use an IANA name such as "UTC", "Europe/Paris" or "America/New_York"`,
    );
  }
}
