// Records the outcomes of action attempts in one statement (one implicit transaction):
// either requeues the call for a retry (scheduled_at = now() + backoff, database clock) or
// finalizes it with an explicit success flag, appends a retried attempt to the history, wakes the
// owning instances and notifies runners.
//
// Fencing: a completion matches (instance, call, attempt, expected status) — and, for the
// lease reaper, an expired lease — so a stale or duplicate completion (a worker that lost its
// lease, a call abandoned or cancelled meanwhile) changes nothing.
import { CHANNEL_ACTIONS, CHANNEL_INSTANCES, type Queryable } from "./types.js";

/** `release`: a call handed to a local worker that never started it (the worker is shutting
 *  down): back to the queue with its attempt given back (recorded by persistInstances only). */
export type CompletionKind = "completed" | "failed" | "retry" | "release";

export interface Completion {
  instanceId: string;
  callId: number;
  attempt: number;
  kind: CompletionKind;
  /** Success flag of this attempt. */
  success: boolean;
  /** Encoded value or error (JSON text). */
  resultJson: string;
  /** Backoff before the retry (kind "retry"). */
  delayMs: number;
  worker: string | null;
  startedAt: Date | null;
  /** This attempt was lost (its worker or runner gone, its lease lapsed), not thrown: counted in
   *  lost_attempts (0009_lost_attempts.sql) instead of against the retry policy. */
  lost?: boolean;
}

export interface CompleteOptions {
  /** Status the call must still be in: "running" (workers, reaper) or "queued" (unserved). */
  fromStatus?: "running" | "queued";
  /** Only when the call's lease has expired (the reaper; a live worker's call is left alone). */
  expiredOnly?: boolean;
}

/** Returns how many completions took effect. */
export async function completeActions(
  db: Queryable,
  items: Completion[],
  opts: CompleteOptions = {},
): Promise<number> {
  if (items.length === 0) return 0;
  const res = await db.query<{ applied: string }>({
    name: "waymark_complete_actions",
    text: `with input as (
             select * from unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::boolean[], $6::json[],
                                  $7::float8[], $8::text[], $9::timestamptz[], $12::boolean[])
               as t(instance_id, call_id, attempt, kind, success, result, delay_ms, worker, started_at, lost)
           ),
           upd as (
             update waymark_action_calls c set
               status = case i.kind when 'retry' then 'queued' else i.kind end,
               -- A retry with no backoff (a lost worker, a zero-delay policy) keeps its place in
               -- line: it was due before the calls queued since, so it is claimed before them.
               scheduled_at = case when i.kind = 'retry' and i.delay_ms > 0
                 then now() + i.delay_ms * interval '1 millisecond' else c.scheduled_at end,
               success = case when i.kind = 'retry' then null else i.success end,
               result = case when i.kind = 'retry' then null else i.result end,
               delivered = false,
               lost_attempts = c.lost_attempts + i.lost::int,
               lease_expires_at = null,
               finished_at = case when i.kind = 'retry' then null else now() end
             from input i
             where c.instance_id = i.instance_id and c.call_id = i.call_id and c.attempts = i.attempt
               -- coalesce: keeps the lookup on the primary key (see persistInstances.ts, Plans)
               and coalesce(c.status, '') = $10 and ($11::boolean = false or c.lease_expires_at < now())
             returning c.instance_id, c.call_id, i.attempt, i.kind, i.success, i.result, i.worker, i.started_at, i.lost
           ),
           hist as (
             insert into waymark_action_attempts (instance_id, call_id, attempt, worker, started_at, success, result, lost)
             select instance_id, call_id, attempt, worker, started_at, success, result, lost from upd
             -- Only an attempt that did not settle its call: the settling one is the call row
             -- (0006_lean_rows.sql; waymark_attempts shows both).
             where attempt > 0 and kind = 'retry'
             on conflict do nothing
             returning 1
           ),
           final as (
             select instance_id, count(*)::int as n, bool_or(not success) as any_failed
             from upd where kind <> 'retry' group by instance_id
           ),
           -- The instance row is ALWAYS written (no filter in WHERE on its columns): a filter
           -- would be checked against this statement's snapshot, and a runner claiming the
           -- instance concurrently (setting wake_at to null) would then park it with our outcome
           -- undelivered. Writing the row serializes with the claim: either the claim skips the
           -- locked row and later sees our outcome, or our update lands on the claimed row (the
           -- SET expressions read its latest version) and the runner's fenced persist keeps this
           -- wake-up. The wake rule (0005_wake_counters.sql): every awaited call has an outcome,
           -- or one failed.
           woken as (
             update waymark_instances w
             set calls_done = w.calls_done + f.n,
                 wake_at = case
                   when w.calls_done + f.n < w.calls_absorbed + w.calls_awaited and not f.any_failed
                     then w.wake_at
                   when w.wake_at is not null and w.wake_at <= now() then w.wake_at
                   else now() end
             from final f
             where w.id = f.instance_id and w.status not in ('completed', 'failed', 'cancelled')
             returning w.wake_at is not null and w.wake_at <= now() as due
           ),
           n_runner as (
             select pg_notify('${CHANNEL_INSTANCES}', '') where exists (select 1 from woken where due)
           ),
           n_worker as (
             select pg_notify('${CHANNEL_ACTIONS}', '') where exists (select 1 from upd where kind = 'retry')
           )
           select (select count(*) from upd) as applied,
                  (select count(*) from hist) + (select count(*) from woken)
                  + (select count(*) from n_runner) + (select count(*) from n_worker) as side_effects`,
    values: [
      items.map((x) => x.instanceId),
      items.map((x) => x.callId),
      items.map((x) => x.attempt),
      items.map((x) => x.kind),
      items.map((x) => x.success),
      items.map((x) => x.resultJson),
      items.map((x) => x.delayMs),
      items.map((x) => x.worker),
      items.map((x) => x.startedAt),
      opts.fromStatus ?? "running",
      opts.expiredOnly ?? false,
      items.map((x) => x.lost === true),
    ],
  });
  return Number(res.rows[0]?.applied ?? 0);
}
