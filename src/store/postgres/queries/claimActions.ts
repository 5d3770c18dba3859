// Claims queued action calls for one worker, only for the actions it serves.
//
// Locking: FOR UPDATE SKIP LOCKED so concurrent workers take disjoint calls without waiting.
// The attempt is charged here (attempts + 1), in the same statement that hands the call out,
// so an attempt always counts against the budget before the worker runs it (SPEC §5.2), even
// if the worker dies right after.
import type { Queryable } from "./types.js";

export interface ClaimedAction {
  instanceId: string;
  callId: number;
  action: string;
  args: unknown;
  policy: unknown;
  /** This attempt's number (1-based), already charged: every execution so far counts. */
  attempt: number;
  /** How many of the earlier attempts were lost (0009_lost_attempts.sql): `attempt -
   *  lostAttempts` is the attempt's number as the retry policy counts it. */
  lostAttempts: number;
}

export async function claimActions(
  db: Queryable,
  worker: string,
  actions: string[],
  limit: number,
  leaseMs: number,
): Promise<ClaimedAction[]> {
  if (limit <= 0 || actions.length === 0) return [];
  const res = await db.query<{
    instance_id: string;
    call_id: number;
    action_name: string;
    args: unknown;
    policy: unknown;
    attempts: number;
    lost_attempts: number;
  }>({
    name: "waymark_claim_actions",
    // Calls with a priority first, highest first (waymark_action_calls_urgent,
    // 0013_call_priority.sql), then the others by due time.
    text: `with urgent as (
             select instance_id, call_id from waymark_action_calls
             where status = 'queued' and priority > 0 and action_name = any($2::text[])
               and scheduled_at <= now()
             order by priority desc, scheduled_at
             limit $3
             for update skip locked
           ),
           rest as (
             select instance_id, call_id from waymark_action_calls
             where status = 'queued' and priority <= 0 and action_name = any($2::text[])
               and scheduled_at <= now()
             order by scheduled_at
             limit greatest(0, $3 - (select count(*) from urgent))
             for update skip locked
           ),
           picked as (select * from urgent union all select * from rest)
           update waymark_action_calls c set
             status = 'running', attempts = c.attempts + 1, worker = $1,
             lease_expires_at = now() + $4 * interval '1 millisecond', started_at = now()
           from picked
           where c.instance_id = picked.instance_id and c.call_id = picked.call_id
           returning c.instance_id, c.call_id, c.action_name, c.args, c.policy, c.attempts, c.lost_attempts`,
    values: [worker, actions, limit, leaseMs],
  });
  return res.rows.map((r) => ({
    instanceId: r.instance_id,
    callId: r.call_id,
    action: r.action_name,
    args: r.args,
    policy: r.policy,
    attempt: r.attempts,
    lostAttempts: r.lost_attempts,
  }));
}

/** Milliseconds until the next queued call of these actions becomes due (null: none queued). */
export async function nextActionDueMs(db: Queryable, actions: string[]): Promise<number | null> {
  const res = await db.query<{ ms: number | null }>({
    name: "waymark_next_action_due",
    // Postgres' greatest() ignores NULLs: without the case, an empty queue would read as
    // "due now" and the caller would poll in a busy loop.
    text: `select case when min(scheduled_at) is null then null
                  else greatest(0, extract(epoch from (min(scheduled_at) - now())) * 1000)::float8 end as ms
           from waymark_action_calls where status = 'queued' and action_name = any($1::text[])`,
    values: [actions],
  });
  return res.rows[0]?.ms ?? null;
}

/** Extends the leases of the calls this worker is running right now (heartbeat). Only the calls
 *  it names: a claim whose commit acknowledgement was lost (the worker saw an error and never ran
 *  the call) must not be kept alive by the heartbeat, or it would stay `running` forever; its
 *  lease expires and the reaper requeues it. */
export async function renewActionLeases(
  db: Queryable,
  worker: string,
  leaseMs: number,
  calls: { instanceId: string; callId: number }[],
): Promise<number> {
  if (calls.length === 0) return 0;
  const res = await db.query({
    name: "waymark_renew_action_leases",
    // SKIP LOCKED: a call row locked right now is being completed, reaped or abandoned; its
    // lease is moot once that commits, and renewed on the next heartbeat if it rolls back.
    // Waiting could deadlock against a completion locking the same rows in another order.
    text: `with mine as (
             select c.instance_id, c.call_id from waymark_action_calls c
             join unnest($3::bigint[], $4::int[]) as r(instance_id, call_id)
               on c.instance_id = r.instance_id and c.call_id = r.call_id
             -- coalesce: keeps the lookup on the primary key (see persistInstances.ts, Plans)
             where c.worker = $1 and coalesce(c.status, '') = 'running'
             for update of c skip locked
           )
           update waymark_action_calls c set lease_expires_at = now() + $2 * interval '1 millisecond'
           from mine where c.instance_id = mine.instance_id and c.call_id = mine.call_id`,
    values: [worker, leaseMs, calls.map((c) => c.instanceId), calls.map((c) => c.callId)],
  });
  return res.rowCount ?? 0;
}
