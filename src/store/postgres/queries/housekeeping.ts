// Keeps the engine's hot tables compact. Every step of a workflow leaves dead row versions in
// waymark_instances and waymark_action_calls (a few per action); left alone they pile up
// (hundreds of thousands within minutes at a few hundred workflows per second) and every claim,
// completion and index lookup walks them. Autovacuum handles this when it is on and tuned
// (0004 tunes it for these tables), but servers run with it off or lagging, so runners also
// vacuum these tables themselves once dead versions outnumber a threshold.
import type pg from "pg";
import type { Queryable } from "./types.js";

/** The tables with high update churn, vacuumed by the engine. */
export const HOT_TABLES = [
  "waymark_instances",
  "waymark_action_calls",
  "waymark_action_attempts",
] as const;

export interface TableHealth {
  table: string;
  live: number;
  dead: number;
}

/** Live and dead row versions of the hot tables (cumulative statistics: up to ~1 s stale). */
export async function tableHealth(db: Queryable): Promise<TableHealth[]> {
  const res = await db.query<{ relname: string; live: string; dead: string }>({
    name: "waymark_table_health",
    text: `select relname, n_live_tup as live, n_dead_tup as dead from pg_stat_user_tables
           where schemaname = current_schema() and relname = any($1::text[])`,
    values: [HOT_TABLES],
  });
  return res.rows.map((r) => ({ table: r.relname, live: Number(r.live), dead: Number(r.dead) }));
}

/** Advisory lock key (session level) so that one process at a time vacuums ("wmvacuum"). */
const VACUUM_LOCK = 0x776d766163;

/**
 * VACUUM (ANALYZE) `tables` unless another process holds the vacuum lock (returns false then).
 * VACUUM cannot run in a transaction block, so it runs on a dedicated pooled connection in
 * autocommit mode; it takes a SHARE UPDATE EXCLUSIVE lock, which concurrent reads and writes of
 * the engine do not conflict with.
 */
export async function vacuumTables(pool: pg.Pool, tables: readonly string[]): Promise<boolean> {
  const valid = tables.filter((t) => (HOT_TABLES as readonly string[]).includes(t));
  if (valid.length === 0) return true;
  const client = await pool.connect();
  try {
    const r = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [
      VACUUM_LOCK,
    ]);
    if (r.rows[0]?.ok !== true) {
      client.release();
      return false;
    }
    // Table names come from HOT_TABLES only (never from input). A large table may take longer
    // than the engine's query timeout: this statement gets its own (10 minutes).
    const vacuum = { text: `vacuum (analyze) ${valid.join(", ")}`, query_timeout: 600_000 };
    await client.query(vacuum as pg.QueryConfig); // query_timeout: per query in pg, not typed
    await client.query("select pg_advisory_unlock($1)", [VACUUM_LOCK]);
    client.release();
    return true;
  } catch (e) {
    // Discard the connection: closing it ends the session and with it the advisory lock.
    client.release(e as Error);
    throw e;
  }
}
