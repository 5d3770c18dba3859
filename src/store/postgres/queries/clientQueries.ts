// Client-side reads and the cancel write.
import { moveLocalCallsSql } from "./localCalls.js";
import { CHANNEL_DONE, donePayloadSql, type Queryable } from "./types.js";

export interface InstanceOutcome {
  status: string;
  result: unknown;
  error: unknown;
}

export async function readInstance(
  db: Queryable,
  id: string,
): Promise<InstanceOutcome | undefined> {
  const res = await db.query<InstanceOutcome>({
    name: "waymark_read_instance",
    text: "select status, result, error from waymark_instances where id = $1",
    values: [id],
  });
  return res.rows[0];
}

/** The cancel of every unfinished instance under the roots `roots` selects (the roots and
 *  their descendants, child workflows at any depth), in one statement: bumps their fences (so a
 *  runner holding one commits nothing), moves their local calls out as abandoned, abandons their
 *  queued, running and waiting calls, and notifies waiters. Each cancelled child settles its
 *  parent's call (the trigger of 0010_signals_children.sql). `error` is the JSON parameter. */
function cancelTreeSql(roots: string, error: string): string {
  return `with recursive tree (id) as (
             ${roots}
             union
             select c.id from waymark_instances c join tree t on c.parent_id = t.id
           ),
           -- Call rows first, then instance rows: the lock order of completions and settled
           -- waits (0014_lock_order.sql). A call a completion holds is waited for, and skipped
           -- below if it ended meanwhile.
           call_locks as (
             select 1 from waymark_action_calls
             where instance_id in (select id from tree) and status in ('queued', 'running', 'waiting')
             order by instance_id, call_id
             for update
           ),
           old as (
             select id, local_calls, lease_owner, lease_expires_at, updated_at from waymark_instances
             where id in (select id from tree) and status not in ('completed', 'failed', 'cancelled')
               and (select count(*) from call_locks) >= 0
             order by id
             for update
           ),
           upd as (
             update waymark_instances i set status = 'cancelled', fence = i.fence + 1, wake_at = null,
               lease_owner = null, lease_expires_at = null, error = ${error}, local_calls = null,
               finished_at = now(), updated_at = now()
             from old where i.id = old.id
             returning i.id, i.status, i.result, i.error
           ),
           moved as (${moveLocalCallsSql("old", true)}),
           calls as (
             update waymark_action_calls set status = 'abandoned',
               lease_expires_at = null, finished_at = now()
             where instance_id in (select id from upd) and status in ('queued', 'running', 'waiting')
             returning 1
           ),
           n as (select pg_notify('${CHANNEL_DONE}', ${donePayloadSql("upd")}) from upd)`;
}

/** Cancels a non-terminal instance and its unfinished descendants (see cancelTreeSql). Returns
 *  false when the instance was already terminal. */
export async function cancelInstance(
  db: Queryable,
  id: string,
  errorJson: string,
): Promise<boolean> {
  const res = await db.query<{ cancelled: boolean }>({
    name: "waymark_cancel_instance",
    text: `${cancelTreeSql("select $1::bigint", "$2::json")}
           select exists (select 1 from upd where id = $1) as cancelled, (select count(*) from calls) + (select count(*) from n) as side`,
    values: [id, errorJson],
  });
  return res.rows[0]?.cancelled === true;
}

/** Cancels the unfinished child workflows started by these calls (a fail-fast gather abandoned
 *  them), with their descendants. Returns how many instances it cancelled. */
export async function cancelChildrenOf(
  db: Queryable,
  calls: { instanceId: string; callId: number }[],
  errorJson: string,
): Promise<number> {
  if (calls.length === 0) return 0;
  const res = await db.query<{ n: string }>({
    name: "waymark_cancel_children",
    text: `${cancelTreeSql(
      `select i.id from waymark_instances i
               join unnest($1::bigint[], $2::int[]) as r(parent_id, call_id)
                 on i.parent_id = r.parent_id and i.parent_call_id = r.call_id`,
      "$3::json",
    )}
           select (select count(*) from upd) as n, (select count(*) from calls) + (select count(*) from n) as side`,
    values: [calls.map((c) => c.instanceId), calls.map((c) => c.callId), errorJson],
  });
  return Number(res.rows[0]?.n ?? 0);
}
