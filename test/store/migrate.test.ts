import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import pg from "pg";
import { listMigrations, migrate } from "../../src/store/postgres/migrate.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
before(async () => {
  db = await createTestDb({ migrated: false });
});
after(async () => {
  await db.drop();
});

function migrateInChild(url: string): Promise<{ code: number | null; out: string }> {
  const code = `import("${new URL("../../src/store/postgres/migrate.ts", import.meta.url).href}").then(async (m) => {
    const pg = (await import("pg")).default; const c = new pg.Client({ connectionString: process.env.URL });
    await c.connect(); const applied = await m.migrate(c); await c.end(); console.log(JSON.stringify(applied)); })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", code], {
      env: { ...process.env, URL: url },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (c) => resolve({ code: c, out }));
  });
}

test("two processes migrating at once apply each migration exactly once", async () => {
  const [a, b] = await Promise.all([migrateInChild(db.url), migrateInChild(db.url)]);
  assert.equal(a.code, 0, a.out);
  assert.equal(b.code, 0, b.out);
  const applied = [JSON.parse(a.out.trim()), JSON.parse(b.out.trim())] as string[][];
  const names = listMigrations().map((m) => m.name);
  // One process applied everything, the other found it done.
  assert.deepEqual(applied.flat().sort(), names.sort());
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const rows = (await c.query("select name from waymark_migrations order by id")).rows.map(
      (r) => r.name,
    );
    assert.deepEqual(rows, names);
    // Idempotent: a third run applies nothing.
    assert.deepEqual(await migrate(c), []);
    const t = await c.query("select to_regclass('waymark_instances') as t");
    assert.equal(t.rows[0].t, "waymark_instances");
  } finally {
    await c.end();
  }
});
