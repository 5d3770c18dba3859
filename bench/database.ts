// The bench's own database: dropped and created for every run, on the server of the base URL.
import pg from "pg";

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(baseUrl, "postgres") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops (forcing off any session) and creates `database`; returns its URL. */
export async function recreateDatabase(baseUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`bad database name ${database}`);
  await admin(baseUrl, async (c) => {
    await c.query(`drop database if exists ${database} with (force)`);
    await c.query(`create database ${database}`);
  });
  return withDatabase(baseUrl, database);
}

/** Empties the tables a run fills (new, empty relation files). Nothing may be in flight. */
export async function truncateRunTables(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("truncate waymark_instances, waymark_action_calls, waymark_action_attempts");
  } finally {
    await c.end();
  }
}

export async function dropDatabase(baseUrl: string, database: string): Promise<void> {
  await admin(baseUrl, (c) => c.query(`drop database if exists ${database} with (force)`));
}

/** Server facts printed with the figures. */
export async function serverSettings(baseUrl: string): Promise<Record<string, string>> {
  return admin(baseUrl, async (c) => {
    const { rows } = await c.query<{ name: string; value: string }>(
      `select name, current_setting(name) as value from pg_settings
        where name in ('server_version','fsync','synchronous_commit','shared_buffers','max_connections')
        order by name`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  });
}
