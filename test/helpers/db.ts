// Database per test file: a migrated template `waymark_tpl` is created once (rebuilt when the
// migrations change), and each test file gets `create database wm_<random> template waymark_tpl`,
// dropped afterwards.
//
// Which server (decided once per run by scripts/run-tests.mjs, which exports the answer as
// WAYMARK_TEST_DATABASE_URL to every test file): WAYMARK_TEST_DATABASE_URL if set; else the
// server on 127.0.0.1:5432 if it answers (and WAYMARK_TEST_NO_SERVER is unset); else an
// embedded server in .waymark-test/ shared by all test files. A test file run directly with
// `node --test` and no URL resolves the same way itself (testDatabaseUrl()).
import { createHash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ensureEmbeddedPostgres } from "../../src/store/embedded/index.js";
import { listMigrations, migrate } from "../../src/store/postgres/migrate.js";

export const SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
/** The embedded server's directory for tests (never the user's ./.waymark). */
export const TEST_EMBEDDED_DIR = fileURLToPath(new URL("../../.waymark-test", import.meta.url));

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  c.on("error", () => undefined);
  try {
    await c.connect();
    await c.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

let chosen: Promise<string> | undefined;
let embedded: { stop(): Promise<void> } | undefined;

/** The base URL (an admin database on the chosen server); see the header for the order. */
export function testDatabaseUrl(): Promise<string> {
  chosen ??= (async () => {
    const env = process.env.WAYMARK_TEST_DATABASE_URL;
    if (env) return env;
    if (!process.env.WAYMARK_TEST_NO_SERVER && (await answers(SERVER_URL))) return SERVER_URL;
    // Kept for the life of this process; scripts/run-tests.mjs stops it after the run.
    const e = await ensureEmbeddedPostgres({ dir: TEST_EMBEDDED_DIR });
    embedded = e;
    return e.url;
  })();
  return chosen;
}

/** Gives up this process's use of the embedded test server (it stops when no one else uses it). */
export async function releaseTestDatabase(): Promise<void> {
  await embedded?.stop();
  embedded = undefined;
}

/** The base URL as known synchronously (set by scripts/run-tests.mjs); prefer testDatabaseUrl(). */
export const BASE_URL = process.env.WAYMARK_TEST_DATABASE_URL ?? SERVER_URL;
const TEMPLATE = "waymark_tpl";
/** Serializes template creation and copies across concurrently running test files. */
const TEMPLATE_LOCK = 7_265_902_114;

export function urlFor(db: string, base = BASE_URL): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

function migrationsHash(): string {
  const h = createHash("sha256");
  for (const m of listMigrations()) h.update(m.name).update(m.sql);
  return h.digest("hex").slice(0, 16);
}

async function ensureTemplate(admin: pg.Client): Promise<void> {
  const hash = migrationsHash();
  const res = await admin.query<{ c: string | null }>(
    "select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1",
    [TEMPLATE],
  );
  if (res.rows[0]?.c === hash) return;
  if (res.rows.length > 0) await admin.query(`drop database ${TEMPLATE} with (force)`);
  await admin.query(`create database ${TEMPLATE}`);
  const c = new pg.Client({ connectionString: urlFor(TEMPLATE, await testDatabaseUrl()) });
  await c.connect();
  try {
    await migrate(c);
  } finally {
    await c.end();
  }
  await admin.query(`comment on database ${TEMPLATE} is '${hash}'`);
}

export interface TestDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates a fresh migrated database; pass `migrated: false` for an empty one. */
export async function createTestDb(opts: { migrated?: boolean } = {}): Promise<TestDb> {
  const name = `wm_${randomBytes(6).toString("hex")}`;
  const base = await testDatabaseUrl();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query("select pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    try {
      if (opts.migrated === false) await admin.query(`create database ${name}`);
      else {
        await ensureTemplate(admin);
        await admin.query(`create database ${name} template ${TEMPLATE}`);
      }
    } finally {
      await admin.query("select pg_advisory_unlock($1)", [TEMPLATE_LOCK]);
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: urlFor(name, base),
    async drop() {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
