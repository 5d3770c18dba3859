/** A delay in milliseconds or a duration string ("500ms", "30s", "2m", "1h", "1d"). */
export type Duration = number | string;

export type Backoff = Duration | { initial?: Duration; multiplier?: number; max?: Duration };

export interface RetryPolicyInit {
  /** Total executions (first attempt included). Omitted: 100. */
  attempts?: number;
  /** Error classes (or class names) that are retried; omitted: any error except ActionTimeout. */
  exceptionTypes?: (string | (abstract new (...args: any[]) => Error))[];
  backoff?: Backoff;
}

/** Retry policy of an action call. Read statically by the compiler (inside `runAction`
 *  options or `action(fn, { retry })`); at JS level it is a plain value holder. */
export class RetryPolicy implements RetryPolicyInit {
  readonly attempts?: number;
  readonly exceptionTypes?: RetryPolicyInit["exceptionTypes"];
  readonly backoff?: Backoff;

  constructor(init: RetryPolicyInit = {}) {
    if (init.attempts !== undefined) {
      if (!Number.isInteger(init.attempts) || init.attempts < 1) {
        throw new RangeError(`RetryPolicy.attempts must be an integer >= 1, got ${init.attempts}`);
      }
      this.attempts = init.attempts;
    }
    if (init.exceptionTypes !== undefined) this.exceptionTypes = init.exceptionTypes;
    if (init.backoff !== undefined) this.backoff = init.backoff;
  }
}

export interface ActionOptions {
  retry?: RetryPolicy | RetryPolicyInit;
  timeout?: Duration;
  /** false: never run this action in a runner's own process, only in worker processes — for
   *  CPU-heavy or process-endangering work. Default true: a runner may run the calls it
   *  dispatches itself, without a hop (WAYMARK_INLINE_ACTIONS). */
  inline?: boolean;
  /** What happens to a call whose attempt is lost (its worker or runner killed, its lease
   *  lapsed) before an outcome was recorded. "retry" (the default): the attempt runs again,
   *  whatever the retry policy, up to WAYMARK_MAX_LOST_ATTEMPTS (3) times per call.
   *  "fail": the first lost attempt fails the call with WorkerLostError — for side effects that
   *  must not happen twice. Lost attempts never count against `retry.attempts`. Read by the
   *  compiler, on the definition (every call) or in `runAction` options (one call). */
  onLost?: "fail" | "retry";
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration; throws on anything else. */
export function durationMs(d: Duration): number {
  if (typeof d === "number" && Number.isFinite(d) && d >= 0) return d;
  const m = typeof d === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d) : null;
  if (!m) throw new TypeError(`invalid duration: ${JSON.stringify(d)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
