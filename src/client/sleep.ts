import { parseDuration } from "../runtime/parseDuration.js";
import type { Duration } from "./retry.js";

/** Durable sleep. In a workflow body the compiler turns `await sleep(d)` into a durable timer
 *  (the instance is parked in Postgres); called anywhere else it is an ordinary delay. Both
 *  read the duration alike: the engine's parser (compounds such as "1h30m" included), and a
 *  negative duration sleeps for 0 ms, as setTimeout does. */
export function sleep(duration: Duration): Promise<void> {
  const ms = Math.max(0, parseDuration(duration));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
