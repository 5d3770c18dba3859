// Housekeeping against a real Postgres: dead row versions of the hot tables are vacuumed once
// they pass the threshold (the machine's server may run with autovacuum off), one process at a
// time, and never below it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { Housekeeper, tablesToVacuum } from "../../src/runner/Housekeeper.js";
import { loadConfig } from "../../src/store/config.js";
import { PostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { closePools } from "../../src/store/postgres/pool.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
let store: PostgresStore;
let admin: pg.Client;
before(async () => {
  db = await createTestDb();
  store = new PostgresStore(db.url, 4);
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
after(async () => {
  await admin.end();
  await closePools();
  await db.drop();
});

async function dead(table: string): Promise<number> {
  const h = await store.tableHealth();
  return h.find((t) => t.table === table)?.dead ?? -1;
}

/** Waits until the cumulative statistics show at least `min` dead versions (they are flushed
 *  by backends about once a second). */
async function untilDead(table: string, min: number): Promise<number> {
  const end = Date.now() + 15_000;
  for (;;) {
    const n = await dead(table);
    if (n >= min || Date.now() > end) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("the threshold: more than 10,000 dead versions and more than 10 % of the live rows", () => {
  assert.deepEqual(
    tablesToVacuum([
      { table: "waymark_instances", live: 1_000, dead: 10_001 },
      { table: "waymark_action_calls", live: 1_000, dead: 9_999 },
      { table: "waymark_action_attempts", live: 1_000_000, dead: 50_000 },
    ]),
    ["waymark_instances"],
  );
});

test("a runner's housekeeping vacuums a bloated instance table and leaves a clean one alone", async () => {
  const v = await store.registerVersion("hk", "v1", {});
  await admin.query(
    `insert into waymark_instances (version_id, workflow_name, input)
     select $1, 'hk', '[]' from generate_series(1, 2000)`,
    [v],
  );
  // An indexed column changes (as on every claim): no HOT update, so page pruning cannot
  // reclaim these versions; only a vacuum can.
  for (let i = 0; i < 7; i++)
    await admin.query("update waymark_instances set status = $1", [i % 2 ? "waiting" : "queued"]);
  const before = await untilDead("waymark_instances", 12_000);
  assert.ok(before >= 12_000, `dead versions before: ${before}`);

  const hk = new Housekeeper(store, { ...loadConfig(), vacuumIntervalMs: 60_000 });
  await hk.tick();
  assert.equal(hk.stats.vacuums, 1, "one vacuum");
  const afterVacuum = await dead("waymark_instances");
  assert.ok(afterVacuum < 1_000, `dead versions after: ${afterVacuum} (before ${before})`);

  await hk.tick();
  assert.equal(hk.stats.vacuums, 1, "below the threshold nothing is vacuumed");
});

test("one process at a time: while another holds the vacuum lock, vacuumTables skips", async () => {
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  try {
    await holder.query("select pg_advisory_lock($1)", [0x776d766163]);
    assert.equal(await store.vacuumTables(["waymark_instances"]), false);
    await holder.query("select pg_advisory_unlock($1)", [0x776d766163]);
    assert.equal(await store.vacuumTables(["waymark_instances"]), true);
  } finally {
    await holder.end();
  }
});

test("only the engine's hot tables are ever vacuumed (names never come from input)", async () => {
  assert.equal(await store.vacuumTables(["pg_class; drop table waymark_instances"]), true);
  const rows = await admin.query("select count(*)::int as n from waymark_instances");
  assert.ok(rows.rows[0].n >= 0, "the table is still there");
});
