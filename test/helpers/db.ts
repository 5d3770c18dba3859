// Database per test file: a migrated template `waymark_tpl` is created once (rebuilt when the
// migrations change), and each test file gets `create database wm_<random> template waymark_tpl`,
// dropped afterwards. Base URL from WAYMARK_TEST_DATABASE_URL.
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { listMigrations, migrate } from "../../src/store/postgres/migrate.js";

export const BASE_URL =
  process.env.WAYMARK_TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const TEMPLATE = "waymark_tpl";
/** Serializes template creation and copies across concurrently running test files. */
const TEMPLATE_LOCK = 7_265_902_114;

export function urlFor(db: string): string {
  const u = new URL(BASE_URL);
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
  const c = new pg.Client({ connectionString: urlFor(TEMPLATE) });
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
  const admin = new pg.Client({ connectionString: BASE_URL });
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
    url: urlFor(name),
    async drop() {
      const a = new pg.Client({ connectionString: BASE_URL });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
