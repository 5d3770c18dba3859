// The engine's connections use generic plans only (plan_cache_mode=force_generic_plan, set by
// the pool: a custom plan of the persist statement costs ~3 ms of planning on every execution,
// more than running it). A generic plan is built at a statement's first execution on each
// connection — often on empty tables — and kept for the connection's life. This test builds
// every hot statement's generic plan on EMPTY tables and asserts that none of them reads the
// instance or call tables by a sequential scan: what is cheap on an empty table would be a scan
// of every row once the tables hold millions.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { ENGINE_SESSION_OPTIONS } from "../../src/store/postgres/pool.js";
import {
  claimActions,
  nextActionDueMs,
  renewActionLeases,
} from "../../src/store/postgres/queries/claimActions.js";
import {
  adoptInstances,
  claimInstances,
  nextInstanceWakeMs,
  renewInstanceLeases,
} from "../../src/store/postgres/queries/claimInstances.js";
import {
  cancelChildrenOf,
  cancelInstance,
  readInstance,
} from "../../src/store/postgres/queries/clientQueries.js";
import { completeActions } from "../../src/store/postgres/queries/completeActions.js";
import { insertInstances } from "../../src/store/postgres/queries/insertInstance.js";
import { loadOutcomes } from "../../src/store/postgres/queries/loadOutcomes.js";
import { persistInstancesEx } from "../../src/store/postgres/queries/persistInstances.js";
import {
  findExpiredActionLeases,
  findUnservedActions,
} from "../../src/store/postgres/queries/reapActions.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
let client: pg.Client;
before(async () => {
  db = await createTestDb();
  client = new pg.Client({ connectionString: db.url, options: ENGINE_SESSION_OPTIONS });
  await client.connect();
});
after(async () => {
  await client?.end();
  const { closePools } = await import("../../src/store/postgres/pool.js");
  await closePools();
  await db?.drop();
});

const completion = {
  instanceId: "1",
  callId: 1,
  attempt: 1,
  kind: "completed" as const,
  success: true,
  resultJson: "1",
  delayMs: 0,
  worker: "w",
  startedAt: null,
  action: "a",
  argsJson: "[]",
  policyJson: null,
};

const waiting = {
  id: "1",
  fence: "1",
  status: "waiting" as const,
  state: "s",
  resultJson: null,
  errorJson: null,
  timerId: null,
  sleepMs: null,
  stepsAdded: 1,
};

/** Each hot statement, run once on empty tables (which prepares it on this connection). */
const statements: [string, (c: pg.Client) => Promise<unknown>][] = [
  [
    "waymark_insert_instances",
    (c) => insertInstances(c, [{ versionId: "1", workflowName: "w", inputJson: "[]" }]),
  ],
  ["waymark_claim_instances", (c) => claimInstances(c, "r", 10, 1000)],
  ["waymark_adopt_instances", (c) => adoptInstances(c, "r", ["1"], 1000)],
  ["waymark_next_instance_wake", (c) => nextInstanceWakeMs(c)],
  ["waymark_renew_instance_leases", (c) => renewInstanceLeases(c, "r", ["1"], 1000)],
  ["waymark_load_outcomes", (c) => loadOutcomes(c, ["1"])],
  [
    "waymark_persist_instances_111111111",
    (c) =>
      persistInstancesEx(c, {
        repeat: true,
        owner: "r",
        instances: [waiting, { ...waiting, id: "2", fence: "0", fresh: true, hold: true }],
        dispatch: [
          { instanceId: "1", callId: 2, action: "a", argsJson: "[]", policyJson: null },
          { instanceId: "2", callId: 1, action: "a", argsJson: "[]", policyJson: null, runAs: "r" },
          {
            instanceId: "1",
            callId: 4,
            action: "s",
            argsJson: "[]",
            policyJson: null,
            wait: "signal",
            timeoutMs: 1000,
          },
          {
            instanceId: "1",
            callId: 5,
            action: "w",
            argsJson: "[]",
            policyJson: null,
            wait: "child",
            childVersionId: "1",
          },
        ],
        delivered: [{ instanceId: "1", callId: 1 }],
        abandon: [{ instanceId: "1", callId: 3 }],
        records: [completion],
      }),
  ],
  [
    "waymark_persist_instances_000000000",
    (c) =>
      persistInstancesEx(c, {
        instances: [waiting],
        dispatch: [],
        delivered: [],
        abandon: [],
      }),
  ],
  ["waymark_complete_actions", (c) => completeActions(c, [completion])],
  ["waymark_claim_actions", (c) => claimActions(c, "w", ["a"], 10, 1000)],
  ["waymark_next_action_due", (c) => nextActionDueMs(c, ["a"])],
  [
    "waymark_renew_action_leases",
    (c) => renewActionLeases(c, "w", 1000, [{ instanceId: "1", callId: 1 }]),
  ],
  ["waymark_find_expired_action_leases", (c) => findExpiredActionLeases(c, 10, 1000)],
  ["waymark_find_unserved_actions", (c) => findUnservedActions(c, 1000, 1000, 10)],
  ["waymark_read_instance", (c) => readInstance(c, "1")],
  ["waymark_cancel_instance", (c) => cancelInstance(c, "1", "{}")],
  ["waymark_cancel_children", (c) => cancelChildrenOf(c, [{ instanceId: "1", callId: 1 }], "{}")],
];

for (const [name, run] of statements) {
  test(`generic plan of ${name} on empty tables reads the hot tables by index`, async () => {
    // Executing it prepares it on this connection (even if it fails on these made-up keys).
    await run(client).catch(() => {});
    const prepared = await client.query<{ n: number }>(
      "select cardinality(parameter_types)::int as n from pg_prepared_statements where name = $1",
      [name],
    );
    assert.equal(prepared.rows.length, 1, `${name} is a named prepared statement`);
    const nulls = Array.from({ length: prepared.rows[0]?.n ?? 0 }, () => "null").join(", ");
    const plan = (
      await client.query<{ "QUERY PLAN": string }>(
        `explain execute ${name}${nulls ? `(${nulls})` : ""}`,
      )
    ).rows
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    const scans = plan
      .split("\n")
      .filter((l) => /Seq Scan on waymark_(instances|action_calls|action_attempts)\b/.test(l));
    assert.deepEqual(scans, [], `${name}:\n${plan}`);
  });
}

test("the engine's pool applies those session settings to every connection", async () => {
  const { getPool } = await import("../../src/store/postgres/pool.js");
  const pool = getPool(db.url, 3);
  const conns = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  try {
    for (const c of conns) {
      const r = await c.query<{ a: string; b: string; c: string }>(
        "select current_setting('plan_cache_mode') as a, current_setting('enable_seqscan') as b, current_setting('jit') as c",
      );
      assert.deepEqual(r.rows[0], { a: "force_generic_plan", b: "off", c: "off" });
    }
  } finally {
    for (const c of conns) c.release();
  }
});
