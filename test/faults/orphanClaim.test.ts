// Regression (found by the commit-drop fault): a worker whose claim committed but whose
// acknowledgement was lost never runs the call; its heartbeat used to renew every `running`
// call it owned, so that call stayed `running` forever and its workflow never finished.
// The heartbeat now renews only the calls the worker is executing; the orphan's lease expires
// and the reaper's query finds it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { closePools } from "../../src/store/postgres/pool.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { sleepMs } from "./fixtures/suite.js";

let db: TestDb;
let store: PostgresStore;

before(async () => {
  db = await createTestDb();
  store = new PostgresStore(db.url, 2);
});
after(async () => {
  await closePools();
  await db?.drop();
});

test("a claimed call the worker never saw is not kept alive by its heartbeat", async () => {
  const v = await store.registerVersion("orphan", "1", { any: "ir" });
  const id = await store.insertInstance(v, "orphan", "[]");
  await store.pool.query(
    `insert into waymark_action_calls (instance_id, call_id, action_name, args, policy)
     values ($1, 1, 'a', '[]', '{"maxAttempts": 3}'), ($1, 2, 'a', '[]', '{"maxAttempts": 3}')`,
    [id],
  );
  const claimed = await store.claimActions("w1", ["a"], 2, 300);
  assert.equal(claimed.length, 2);
  const seen = claimed.filter((c) => c.callId === 1); // the ack of call 2 was "lost"
  for (let i = 0; i < 4; i++) {
    await sleepMs(150);
    assert.equal(await store.renewActionLeases("w1", 300, seen), 1, "only the executing call");
  }
  const expired = await store.findExpiredActionLeases(10, 10_000);
  assert.deepEqual(
    expired.map((c) => [c.instanceId, c.callId]),
    [[id, 2]],
    "the orphaned call's lease expired; the executing one is still held",
  );
});
