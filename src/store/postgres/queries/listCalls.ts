// Read-only view for `waymark status <id>`: one instance's action calls with their counters.
import type { Queryable } from "./types.js";

export interface CallSummary {
  callId: number;
  action: string;
  status: string;
  /** Executions charged so far (every attempt, charged before it starts). */
  attempts: number;
  /** How many of `attempts` were lost with their worker or runner. */
  lost: number;
  /** Not an action: "signal" (action = its name), "sleep" or "child" (action = its workflow). */
  wait: string | null;
  success: boolean | null;
  result: unknown;
}

/** The calls of instance `id` in call order. Calls a runner is running in its own process have
 *  a row once their outcome is recorded. */
export async function listCalls(db: Queryable, id: string): Promise<CallSummary[]> {
  const res = await db.query<CallSummary>(
    `select call_id as "callId", action_name as action, status, attempts,
            lost_attempts as lost, wait, success, result
       from waymark_action_calls where instance_id = $1 order by call_id`,
    [id],
  );
  return res.rows;
}
