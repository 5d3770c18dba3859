import type { Duration } from "./retry.js";

export interface SignalWaitOptions {
  /** Required: after this long the wait resolves to `null`. */
  timeout: Duration;
}

/** Waits for the next signal named `name` sent to this workflow instance (one sent before the
 *  wait is kept), or `null` once `timeout` passes. A workflow-body form: the compiler turns it
 *  into a durable wait (the instance holds no memory and no lease while it waits). Send one with
 *  `handle.signal(name, payload)`, `workflowHandle(id).signal(…)` or `waymark signal`. */
export function waitForSignal<T = unknown>(
  name: string,
  options: SignalWaitOptions,
): Promise<T | null> {
  void options;
  return Promise.reject(
    new Error(
      `waitForSignal("${name}") waits inside a workflow's run() only, where the compiler makes it a durable wait; to send a signal, call handle.signal("${name}", payload)`,
    ),
  );
}
