// Liveness rows of runner and worker processes, with the actions each worker serves.
import { CHANNEL_INSTANCES, type Queryable, runnersPayload } from "./types.js";

export async function heartbeatWorker(
  db: Queryable,
  id: string,
  kind: "worker" | "runner" | "starting",
  host: string,
  pid: number,
  actions: string[],
): Promise<void> {
  await db.query({
    name: "waymark_heartbeat_worker",
    text: `insert into waymark_workers (id, kind, host, pid, actions) values ($1, $2, $3, $4, $5::text[])
           on conflict (id) do update set heartbeat_at = now(), actions = excluded.actions`,
    values: [id, kind, host, pid, actions],
  });
}

export async function removeWorker(db: Queryable, id: string): Promise<void> {
  await db.query("delete from waymark_workers where id = $1", [id]);
}

/** Forgets processes that stopped heartbeating long ago (housekeeping, not correctness). */
export async function pruneWorkers(db: Queryable, olderThanMs: number): Promise<void> {
  await db.query(
    "delete from waymark_workers where heartbeat_at < now() - $1 * interval '1 millisecond'",
    [olderThanMs],
  );
}

/** Tells every runner that runner `id` joins (it heartbeated already) or leaves (it is
 *  stopping): they refresh their lists of runners now instead of at their next heartbeat, so
 *  that announced new instances are split among the runners there are (Runner.ownsFresh). */
export async function announceRunner(db: Queryable, id: string, leaving: boolean): Promise<void> {
  await db.query({
    name: "waymark_announce_runner",
    text: `select pg_notify('${CHANNEL_INSTANCES}', $1)`,
    values: [runnersPayload(id, leaving)],
  });
}

/** Ids of the runners that heartbeated within `liveMs`, in order (they share the new instances
 *  announced by notification: Runner.ownsFresh). */
export async function liveRunners(db: Queryable, liveMs: number): Promise<string[]> {
  const res = await db.query<{ id: string }>({
    name: "waymark_live_runners",
    text: `select id from waymark_workers
           where kind = 'runner' and heartbeat_at > now() - $1 * interval '1 millisecond'
           order by id`,
    values: [liveMs],
  });
  return res.rows.map((r) => r.id);
}

/** Actions served by live worker processes other than `excludeIds` (another host's workers, or
 *  another `start-workers` on this one). */
export async function liveWorkerActions(
  db: Queryable,
  excludeIds: string[],
  liveMs: number,
): Promise<Set<string>> {
  const res = await db.query<{ action: string }>({
    name: "waymark_live_worker_actions",
    text: `select distinct a as action from waymark_workers w, unnest(w.actions) a
           where w.kind = 'worker' and w.heartbeat_at > now() - $2 * interval '1 millisecond'
             and not (w.id = any($1::text[]))`,
    values: [excludeIds, liveMs],
  });
  return new Set(res.rows.map((r) => r.action));
}
