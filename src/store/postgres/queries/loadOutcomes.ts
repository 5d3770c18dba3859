// Reads the final outcomes of action calls that the runner has not yet applied, for a batch of
// claimed instances. No lock: outcomes are immutable once final, and `delivered` is flipped only
// by the fenced persist of the instance's current lease holder.
import type { Queryable } from "./types.js";

export interface StoredOutcome {
  instanceId: string;
  callId: number;
  success: boolean;
  result: unknown;
}

export async function loadOutcomes(db: Queryable, instanceIds: string[]): Promise<StoredOutcome[]> {
  if (instanceIds.length === 0) return [];
  const res = await db.query<{
    instance_id: string;
    call_id: number;
    success: boolean;
    result: unknown;
  }>({
    name: "waymark_load_outcomes",
    text: `select instance_id, call_id, success, result from waymark_action_calls
           where instance_id = any($1::bigint[]) and not delivered and status in ('completed', 'failed')
           order by finished_at, call_id`,
    values: [instanceIds],
  });
  return res.rows.map((r) => ({
    instanceId: r.instance_id,
    callId: r.call_id,
    success: r.success,
    result: r.result,
  }));
}
