// What happens to an attempt that was lost — its worker or runner died, or its lease lapsed,
// before an outcome was recorded — as opposed to one that threw (0009_lost_attempts.sql).
//
// Invariants:
// - A lost attempt never counts against the retry policy: the policy bounds the attempts that
//   ran to an outcome (`attempts - lost_attempts`), whether the call is bare or not.
// - It is re-run (queued again at once, in its place in line) while the call has lost at most
//   `maxLost` attempts; the one past that budget, or any lost attempt of an action defined with
//   `onLost: "fail"`, fails the call with WorkerLostError. So an action that kills its worker
//   every time runs at most 1 + maxLost times and its workflow ends: it never loops.
import type { ConcretePolicy } from "../runtime/types.js";
import type { Completion } from "../store/Store.js";
import { encodeValue } from "../values/index.js";
import { workerLostError } from "./engineErrors.js";

export interface LostAttempt {
  instanceId: string;
  callId: number;
  action: string;
  /** The lost attempt's number (every execution counts). */
  attempt: number;
  /** Lost attempts of this call before this one. */
  lostBefore: number;
  policy: ConcretePolicy;
  /** Where it ran: the worker (or runner) id. */
  worker: string | null;
  /** How it was lost, e.g. "stopped renewing its lease". */
  how: string;
}

/** The fenced completion recording `l`: a re-run (kind "retry") or the call's failure. */
export function lostCompletion(l: LostAttempt, maxLost: number): Completion {
  const lost = l.lostBefore + 1;
  const rerun = l.policy.onLost !== "fail" && lost <= maxLost;
  const err = workerLostError({
    action: l.action,
    attempt: l.attempt,
    lost,
    maxLost,
    worker: l.worker,
    how: l.how,
    outcome: rerun ? "rerun" : l.policy.onLost === "fail" ? "onLostFail" : "budget",
  });
  return {
    instanceId: l.instanceId,
    callId: l.callId,
    attempt: l.attempt,
    kind: rerun ? "retry" : "failed",
    success: false,
    resultJson: JSON.stringify(encodeValue(err)),
    delayMs: 0,
    worker: l.worker,
    startedAt: null,
    lost: true,
  };
}
