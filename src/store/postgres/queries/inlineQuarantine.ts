// Actions no runner runs in its own process (0007_inline_quarantine.sql).
import type { Queryable } from "./types.js";

/** How long a note keeps an action out of runner processes. */
export const QUARANTINE_MS = 24 * 3_600_000;

export interface QuarantineNote {
  action: string;
  /** The runner whose process died while running it. */
  worker: string | null;
  reason: string;
}

export async function quarantineInlineActions(
  db: Queryable,
  notes: QuarantineNote[],
): Promise<void> {
  if (notes.length === 0) return;
  // One row per action (the last note wins): an upsert may not touch a row twice in one statement.
  const rows = [...new Map(notes.map((n) => [n.action, n])).values()];
  await db.query({
    name: "waymark_quarantine_inline",
    text: `insert into waymark_inline_quarantine (action_name, worker, reason)
           select * from unnest($1::text[], $2::text[], $3::text[])
           on conflict (action_name) do update
             set worker = excluded.worker, reason = excluded.reason, noted_at = now()`,
    values: [rows.map((n) => n.action), rows.map((n) => n.worker), rows.map((n) => n.reason)],
  });
}

/** Actions noted within QUARANTINE_MS. */
export async function quarantinedInlineActions(db: Queryable): Promise<Set<string>> {
  const res = await db.query<{ action_name: string }>({
    name: "waymark_quarantined_inline",
    text: `select action_name from waymark_inline_quarantine
           where noted_at > now() - $1 * interval '1 millisecond'`,
    values: [QUARANTINE_MS],
  });
  return new Set(res.rows.map((r) => r.action_name));
}
