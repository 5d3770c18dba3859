// Parks a batch of advanced instances in ONE statement (one implicit transaction, one round
// trip): writes state, inserts dispatched action calls (insert-if-absent by (instance, call id),
// so a re-dispatch after a crash is harmless), marks applied outcomes delivered, abandons calls,
// releases the lease and notifies workers / waiting clients.
//
// Fencing: the instance update matches `id and fence`; every other write in the statement is
// restricted to instances that update touched, so a runner that lost its lease changes nothing.
// Wake-up: if an action outcome arrived while the instance was held (wake_at was set again by
// the completion), that wake-up is kept so the instance is promptly re-claimed.
import { CHANNEL_ACTIONS, CHANNEL_DONE, type InstanceStatus, type Queryable } from "./types.js";

export interface InstanceWrite {
  id: string;
  fence: string;
  status: InstanceStatus;
  state: string | null;
  /** Encoded result (completed) or error (failed), as JSON text. */
  resultJson: string | null;
  errorJson: string | null;
  /** Timer the instance is blocked on (null when not sleeping). */
  timerId: number | null;
  /** A new sleep to start now (database clock); null keeps the current deadline. */
  sleepMs: number | null;
  stepsAdded: number;
}

export interface CallWrite {
  instanceId: string;
  callId: number;
  action: string;
  argsJson: string;
  policyJson: string;
}

export interface CallRef {
  instanceId: string;
  callId: number;
}

export interface PersistBatch {
  instances: InstanceWrite[];
  dispatch: CallWrite[];
  delivered: CallRef[];
  abandon: CallRef[];
}

/** Returns the ids of the instances written (the others lost their lease: drop them). */
export async function persistInstances(db: Queryable, b: PersistBatch): Promise<Set<string>> {
  if (b.instances.length === 0) return new Set();
  const i = b.instances;
  const res = await db.query<{ persisted: string[] | null }>({
    name: "waymark_persist_instances",
    text: `with inst as (
             select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[],
                                  $7::int[], $8::float8[], $9::bigint[])
               as t(id, fence, status, state, result, error, timer_id, sleep_ms, steps_added)
           ),
           upd as (
             update waymark_instances w set
               status = inst.status,
               state = inst.state,
               result = inst.result,
               error = inst.error,
               steps = w.steps + inst.steps_added,
               timer_id = inst.timer_id,
               timer_due_at = case
                 when inst.sleep_ms is not null then now() + inst.sleep_ms * interval '1 millisecond'
                 when inst.timer_id is not null then w.timer_due_at
                 else null end,
               wake_at = case
                 when inst.status in ('completed', 'failed', 'cancelled') then null
                 when w.wake_at is not null then w.wake_at
                 when inst.sleep_ms is not null then now() + inst.sleep_ms * interval '1 millisecond'
                 when inst.timer_id is not null then w.timer_due_at
                 else null end,
               lease_owner = null,
               lease_expires_at = null,
               finished_at = case when inst.status in ('completed', 'failed', 'cancelled') then now() else null end,
               updated_at = now()
             from inst
             where w.id = inst.id and w.fence = inst.fence
             returning w.id, w.status
           ),
           calls as (
             insert into waymark_action_calls (instance_id, call_id, action_name, args, policy)
             select c.instance_id, c.call_id, c.action_name, c.args, c.policy
             from unnest($10::bigint[], $11::int[], $12::text[], $13::jsonb[], $14::jsonb[])
               as c(instance_id, call_id, action_name, args, policy)
             where c.instance_id in (select id from upd)
             on conflict (instance_id, call_id) do nothing
             returning 1
           ),
           delivered as (
             update waymark_action_calls a set delivered = true
             from unnest($15::bigint[], $16::int[]) as d(instance_id, call_id)
             where a.instance_id = d.instance_id and a.call_id = d.call_id
               and d.instance_id in (select id from upd)
             returning 1
           ),
           -- SKIP LOCKED: a call locked by a worker's completion or claim right now is left to
           -- it (its outcome arrives later and the interpreter ignores outcomes of abandoned
           -- calls). Waiting instead would invert the lock order of completions (call row, then
           -- instance row) and deadlock.
           to_abandon as (
             select a.instance_id, a.call_id from waymark_action_calls a
             join unnest($17::bigint[], $18::int[]) as d(instance_id, call_id)
               on a.instance_id = d.instance_id and a.call_id = d.call_id
             where a.status in ('queued', 'running') and d.instance_id in (select id from upd)
             for update of a skip locked
           ),
           abandoned as (
             update waymark_action_calls a set status = 'abandoned', lease_owner = null,
               lease_expires_at = null, finished_at = now()
             from to_abandon t
             where a.instance_id = t.instance_id and a.call_id = t.call_id
             returning 1
           ),
           n_actions as (
             select pg_notify('${CHANNEL_ACTIONS}', '') where exists (select 1 from calls)
           ),
           n_done as (
             select pg_notify('${CHANNEL_DONE}', id::text) from upd
             where status in ('completed', 'failed', 'cancelled')
           )
           select (select array_agg(id) from upd) as persisted,
                  (select count(*) from n_actions) + (select count(*) from n_done)
                  + (select count(*) from delivered) + (select count(*) from abandoned) as side_effects`,
    values: [
      i.map((x) => x.id),
      i.map((x) => x.fence),
      i.map((x) => x.status),
      i.map((x) => x.state),
      i.map((x) => x.resultJson),
      i.map((x) => x.errorJson),
      i.map((x) => x.timerId),
      i.map((x) => x.sleepMs),
      i.map((x) => x.stepsAdded),
      b.dispatch.map((c) => c.instanceId),
      b.dispatch.map((c) => c.callId),
      b.dispatch.map((c) => c.action),
      b.dispatch.map((c) => c.argsJson),
      b.dispatch.map((c) => c.policyJson),
      b.delivered.map((c) => c.instanceId),
      b.delivered.map((c) => c.callId),
      b.abandon.map((c) => c.instanceId),
      b.abandon.map((c) => c.callId),
    ],
  });
  return new Set(res.rows[0]?.persisted ?? []);
}
