// Applies the numbered, forward-only migrations in ./sql. Safe when several processes start at
// once: everything runs in one transaction under a transaction-scoped advisory lock, so a
// second process waits, then sees the migrations table already filled and applies nothing.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";

const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), "sql");
/** Arbitrary constant key for pg_advisory_xact_lock; shared by every Waymark process. */
const MIGRATION_LOCK_KEY = 7_265_902_113;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(SQL_DIR)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      id: Number(f.slice(0, 4)),
      name: f,
      sql: readFileSync(join(SQL_DIR, f), "utf8"),
    }));
}

/** Returns the names of the migrations applied by this call (empty when up to date). */
export async function migrate(client: pg.Pool | pg.Client | pg.PoolClient): Promise<string[]> {
  const conn =
    "connect" in client && "totalCount" in client ? await (client as pg.Pool).connect() : client;
  const applied: string[] = [];
  try {
    await conn.query("begin");
    await conn.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await conn.query(
      `create table if not exists waymark_migrations (
         id integer primary key, name text not null, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      (await conn.query<{ id: number }>("select id from waymark_migrations")).rows.map((r) => r.id),
    );
    for (const m of listMigrations()) {
      if (done.has(m.id)) continue;
      await conn.query(m.sql);
      await conn.query("insert into waymark_migrations (id, name) values ($1, $2)", [m.id, m.name]);
      applied.push(m.name);
    }
    await conn.query("commit");
  } catch (e) {
    await conn.query("rollback").catch(() => {});
    throw e;
  } finally {
    if (conn !== client) (conn as pg.PoolClient).release();
  }
  return applied;
}
