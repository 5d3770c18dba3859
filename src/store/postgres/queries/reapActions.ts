// Finds calls that need the runner's attention because no worker will complete them:
// running calls whose lease expired (the worker died) and queued calls that no live worker
// serves. The caller decides the outcome and applies it with completeActions (fenced), so a
// worker that comes back to life or claims the call meanwhile wins or loses cleanly.
import type { Queryable } from "./types.js";

export interface StrandedCall {
  instanceId: string;
  callId: number;
  action: string;
  attempts: number;
  /** How many of `attempts` were lost (0009_lost_attempts.sql). */
  lostAttempts: number;
  policy: unknown;
  worker: string | null;
  /** Whether the process named by `worker` still heartbeats (expired leases only): a call whose
   *  lease lapsed while its process lives was lost some other way (a lost answer, a stall). */
  workerLive?: boolean;
}

type Row = {
  instance_id: string;
  call_id: number;
  action_name: string;
  attempts: number;
  lost_attempts: number;
  policy: unknown;
  worker: string | null;
  worker_live?: boolean;
};
const toCall = (r: Row): StrandedCall => ({
  instanceId: r.instance_id,
  callId: r.call_id,
  action: r.action_name,
  attempts: r.attempts,
  lostAttempts: r.lost_attempts,
  policy: r.policy,
  worker: r.worker,
  ...(r.worker_live === undefined ? {} : { workerLive: r.worker_live }),
});

/** Running calls whose lease expired; `liveMs` is how recent a heartbeat of the call's worker
 *  (or of the runner standing for it) must be for it to count as alive. */
export async function findExpiredActionLeases(
  db: Queryable,
  limit: number,
  liveMs: number,
): Promise<StrandedCall[]> {
  const res = await db.query<Row>({
    name: "waymark_find_expired_action_leases",
    text: `select c.instance_id, c.call_id, c.action_name, c.attempts, c.lost_attempts, c.policy, c.worker,
             exists (select 1 from waymark_workers w
                     where w.id = c.worker and w.heartbeat_at > now() - $2 * interval '1 millisecond')
               as worker_live
           from waymark_action_calls c
           where c.status = 'running' and c.lease_expires_at < now()
           order by c.lease_expires_at limit $1`,
    values: [limit, liveMs],
  });
  return res.rows.map(toCall);
}

/** Queued calls due for longer than `graceMs` whose action no live worker (heartbeat within
 *  `liveMs`) lists. Nothing is reported while a worker process is still starting (loading the
 *  user's modules: its actions are not known yet), so a restart never fails calls it will serve. */
export async function findUnservedActions(
  db: Queryable,
  graceMs: number,
  liveMs: number,
  limit: number,
): Promise<StrandedCall[]> {
  const res = await db.query<Row>({
    name: "waymark_find_unserved_actions",
    text: `select c.instance_id, c.call_id, c.action_name, c.attempts, c.lost_attempts, c.policy, c.worker
           from waymark_action_calls c
           where c.status = 'queued' and c.scheduled_at < now() - $1 * interval '1 millisecond'
             and not exists (
               select 1 from waymark_workers w
               where w.kind = 'worker' and w.heartbeat_at > now() - $2 * interval '1 millisecond'
                 and c.action_name = any(w.actions))
             and not exists (
               select 1 from waymark_workers s
               where s.kind = 'starting' and s.heartbeat_at > now() - $2 * interval '1 millisecond')
           order by c.scheduled_at limit $3`,
    values: [graceMs, liveMs, limit],
  });
  return res.rows.map(toCall);
}
