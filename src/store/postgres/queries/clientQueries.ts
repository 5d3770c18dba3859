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

/** Cancels a non-terminal instance in one statement: bumps the fence (so a runner holding it
 *  commits nothing), abandons its queued and running calls, and notifies waiters. Returns false
 *  when the instance was already terminal. */
export async function cancelInstance(
  db: Queryable,
  id: string,
  errorJson: string,
): Promise<boolean> {
  const res = await db.query<{ cancelled: boolean }>({
    name: "waymark_cancel_instance",
    text: `with old as (
             select id, local_calls, lease_owner, lease_expires_at, updated_at from waymark_instances
             where id = $1 and status not in ('completed', 'failed', 'cancelled')
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
             where instance_id in (select id from upd) and status in ('queued', 'running')
             returning 1
           ),
           n as (select pg_notify('${CHANNEL_DONE}', ${donePayloadSql("upd")}) from upd)
           select exists (select 1 from upd) as cancelled, (select count(*) from calls) + (select count(*) from n) as side`,
    values: [id, errorJson],
  });
  return res.rows[0]?.cancelled === true;
}
