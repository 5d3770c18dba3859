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

/** An attempt was lost: its worker (or the runner running it) stopped before recording an
 *  outcome. `outcome` says what became of the call: re-run, or failed because the action opted
 *  out (`onLost: "fail"`) or because it lost more attempts than WAYMARK_MAX_LOST_ATTEMPTS. */
export function workerLostError(l: {
  action: string;
  attempt: number;
  /** Lost attempts of the call, this one included. */
  lost: number;
  maxLost: number;
  worker: string | null;
  how: string;
  outcome: "rerun" | "onLostFail" | "budget";
}): ErrorValue {
  const where = l.worker ? `${l.worker} ` : "its worker ";
  const head = `attempt ${l.attempt} of action \`${l.action}\` was lost: ${where}${l.how}`;
  const tail =
    l.outcome === "rerun"
      ? `; running it again (lost attempt ${l.lost}, WAYMARK_MAX_LOST_ATTEMPTS=${l.maxLost})`
      : l.outcome === "onLostFail"
        ? '; not run again: the action is defined with onLost: "fail"'
        : `; ${l.lost} attempts of this call were lost, more than WAYMARK_MAX_LOST_ATTEMPTS=${l.maxLost}` +
          " (an action that kills its worker every time?); its attempts are in waymark_attempts";
  return make("WorkerLostError", head + tail, {
    action: l.action,
    attempt: l.attempt,
    lostAttempts: l.lost,
    worker: l.worker,
  });
}

/** The instance could not be run at all (its IR failed to load, the interpreter crashed…). */
export function workflowInternalError(reason: string): ErrorValue {
  return make("WorkflowInternalError", reason);
}

export function cancelledError(): ErrorValue {
  return make("WorkflowCancelled", "the workflow was cancelled");
}

/** A child workflow whose parent stopped waiting for it (a fail-fast gather failed first, or
 *  the parent ended). */
export function abandonedChildError(): ErrorValue {
  return make(
    "WorkflowCancelled",
    "the workflow was cancelled: its parent no longer waits for it (a Promise.all it was part of failed first)",
  );
}
