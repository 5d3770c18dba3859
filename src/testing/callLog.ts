// The call log of the test environment: every action call its workflows made, with each
// attempt and how it ended, read from the store's call rows (the same columns as
// waymark_action_calls and waymark_attempts).
import type { ErrorValue } from "../runtime/types.js";
import { decodeValue } from "../values/index.js";
import type { CallRow } from "./memory/tables.js";

export interface AttemptRecord {
  /** 1-based; every execution counts, lost ones included. */
  attempt: number;
  outcome: "completed" | "failed" | "lost" | "running";
  /** When it started, on the environment's clock. */
  startedAt: Date | null;
  /** The value it returned (outcome "completed"). */
  value?: unknown;
  /** The error it threw, or why it was lost (outcome "failed" / "lost"). */
  error?: ErrorValue;
}

export interface CallRecord {
  instanceId: string;
  callId: number;
  action: string;
  args: unknown[];
  /** queued (e.g. waiting out a retry backoff) | running | completed | failed | abandoned. */
  status: "queued" | "running" | "completed" | "failed" | "abandoned";
  attempts: AttemptRecord[];
  /** Attempts whose worker was lost (they do not count against the retry policy). */
  lostAttempts: number;
  /** The call's result (status "completed"). */
  result?: unknown;
  /** The call's final error (status "failed"). */
  error?: ErrorValue;
}

export function callRecord(c: CallRow): CallRecord {
  const attempts: AttemptRecord[] = c.history.map((h) => {
    const a: AttemptRecord = {
      attempt: h.attempt,
      outcome: h.lost ? "lost" : h.success ? "completed" : "failed",
      startedAt: h.startedAt === null ? null : new Date(h.startedAt),
    };
    const v = decodeValue(h.result as never);
    if (h.success) a.value = v;
    else a.error = v as ErrorValue;
    return a;
  });
  const status = c.status === "waiting" ? "running" : c.status;
  const r: CallRecord = {
    instanceId: c.instanceId,
    callId: c.callId,
    action: c.action,
    args: decodeValue(c.args as never) as unknown[],
    status,
    attempts,
    lostAttempts: c.lostAttempts,
  };
  // The attempt the row itself holds: running, or the one that settled the call.
  const lastLogged = attempts.at(-1)?.attempt ?? 0;
  if (
    c.attempts > lastLogged &&
    (status === "running" || status === "completed" || status === "failed")
  ) {
    const a: AttemptRecord = {
      attempt: c.attempts,
      outcome: status === "running" ? "running" : status,
      startedAt: c.startedAt === null ? null : new Date(c.startedAt),
    };
    if (status !== "running") {
      const v = decodeValue(c.result as never);
      if (status === "completed") a.value = v;
      else a.error = v as ErrorValue;
      // A call failed by its last lost attempt (WorkerLostError) was lost, not thrown.
      if (
        status === "failed" &&
        c.lostAttempts > attempts.filter((x) => x.outcome === "lost").length
      )
        a.outcome = "lost";
    }
    attempts.push(a);
  }
  if (status === "completed") r.result = decodeValue(c.result as never);
  if (status === "failed") r.error = decodeValue(c.result as never) as ErrorValue;
  return r;
}
