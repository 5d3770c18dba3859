// Error values the engine itself records (as opposed to errors thrown by actions or raised by
// the interpreter). They reach workflows and clients as ordinary ErrorValues.
import type { ErrorValue } from "../runtime/types.js";

function make(name: string, message: string, extra: Record<string, unknown> = {}): ErrorValue {
  return { name, message, stack: `${name}: ${message}`, classChain: [name, "Error"], ...extra };
}

/** A queued action that no live worker serves, after the grace period. */
export function unservedActionError(action: string, graceMs: number): ErrorValue {
  return make(
    "UnservedActionError",
    `no workers serve action \`${action}\`: no live worker registered it within ${graceMs}ms ` +
      "(start workers with a module that defines it, e.g. WAYMARK_USER_MODULE=./src/actions.ts)",
    { action },
  );
}

/** A worker died (stopped renewing its lease) while running an attempt. */
export function workerLostError(
  action: string,
  attempt: number,
  maxAttempts: number,
  worker: string | null,
): ErrorValue {
  return make(
    "WorkerLostError",
    `the worker running action \`${action}\` (attempt ${attempt} of ${maxAttempts}) stopped renewing its lease` +
      (worker ? ` (worker ${worker})` : ""),
    { action, attempt },
  );
}

/** The instance could not be run at all (its IR failed to load, the interpreter crashed…). */
export function workflowInternalError(reason: string): ErrorValue {
  return make("WorkflowInternalError", reason);
}

export function cancelledError(): ErrorValue {
  return make("WorkflowCancelled", "the workflow was cancelled");
}
