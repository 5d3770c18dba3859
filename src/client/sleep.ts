import { type Duration, durationMs } from "./retry.js";

/** Durable sleep. In a workflow body the compiler turns `await sleep(d)` into a durable timer
 *  (the instance is parked in Postgres); called anywhere else it is an ordinary delay. */
export function sleep(duration: Duration): Promise<void> {
  const ms = durationMs(duration);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
