// Liveness rows of runner and worker processes, with the actions each worker serves.
import type { Queryable } from "./types.js";

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
