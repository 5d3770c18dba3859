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

/** Cancels a non-terminal instance and its unfinished descendants (child workflows, at any
 *  depth) in one statement: bumps their fences (so a runner holding one commits nothing),
 *  abandons their queued, running and waiting calls, and notifies waiters. Returns false when
 *  the instance was already terminal. Each cancelled child settles its parent's call
 *  (the trigger of 0010_signals_children.sql). */
export async function cancelInstance(
  db: Queryable,
  id: string,
  errorJson: string,
): Promise<boolean> {
  const res = await db.query<{ cancelled: boolean }>({
    name: "waymark_cancel_instance",
    text: `with recursive tree (id) as (
             select $1::bigint
             union
             select c.id from waymark_instances c join tree t on c.parent_id = t.id
           ),
           old as (
             select id, local_calls, lease_owner, lease_expires_at, updated_at from waymark_instances
             where id in (select id from tree) and status not in ('completed', 'failed', 'cancelled')
             order by id
             for update
           ),
           upd as (
             update waymark_instances i set status = 'cancelled', fence = i.fence + 1, wake_at = null,
               lease_owner = null, lease_expires_at = null, error = $2::json, local_calls = null,
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
           n as (select pg_notify('${CHANNEL_DONE}', ${donePayloadSql("upd")}) from upd)
           select exists (select 1 from upd where id = $1) as cancelled, (select count(*) from calls) + (select count(*) from n) as side`,
    values: [id, errorJson],
  });
  return res.rows[0]?.cancelled === true;
}
