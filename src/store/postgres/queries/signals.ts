// Signals and the other waits of 0010_signals_children.sql: sending a signal, delivering kept
// signals to waits just dispatched, and settling waits whose deadline passed. Each is one call
// of a function defined in that migration (their invariants are stated there).
import type { Queryable } from "./types.js";

/** 'sent', or why nothing was written: 'missing' or the instance's terminal status. */
export type SendResult = "sent" | "missing" | "completed" | "failed" | "cancelled";

export async function sendSignal(
  db: Queryable,
  id: string,
  name: string,
  payloadJson: string,
): Promise<SendResult> {
  const res = await db.query<{ r: SendResult }>({
    name: "waymark_send_signal",
    text: "select waymark_send_signal($1, $2, $3::json) as r",
    values: [id, name, payloadJson],
  });
  return res.rows[0]?.r ?? "missing";
}

/** Pairs kept signals with the waiting signal calls of these instances; returns how many
 *  waits it settled. */
export async function deliverSignals(db: Queryable, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await db.query<{ n: number }>({
    name: "waymark_deliver_signals",
    text: "select waymark_deliver_signals($1::bigint[]) as n",
    values: [ids],
  });
  return res.rows[0]?.n ?? 0;
}

/** Delivers kept signals whose wait is written (for up to `limit` instances); returns how many
 *  waits it settled. */
export async function deliverKeptSignals(db: Queryable, limit: number): Promise<number> {
  const res = await db.query<{ n: number }>({
    name: "waymark_deliver_kept",
    text: "select waymark_deliver_kept($1) as n",
    values: [limit],
  });
  return res.rows[0]?.n ?? 0;
}

/** Settles up to `limit` waits whose deadline passed; returns how many. */
export async function expireWaits(db: Queryable, limit: number): Promise<number> {
  const res = await db.query<{ n: number }>({
    name: "waymark_expire_waits",
    text: "select waymark_expire_waits($1) as n",
    values: [limit],
  });
  return res.rows[0]?.n ?? 0;
}

/** The newest registered version of workflow `name`, if any. */
export async function latestVersionId(db: Queryable, name: string): Promise<string | undefined> {
  const res = await db.query<{ id: string }>({
    name: "waymark_latest_version",
    text: "select id::text from waymark_workflow_versions where name = $1 order by waymark_workflow_versions.id desc limit 1",
    values: [name],
  });
  return res.rows[0]?.id;
}
