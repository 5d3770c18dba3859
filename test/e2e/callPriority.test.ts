// Priority reaches the action queue: with the workers in another process than the runner
// (so every call goes through the queue in Postgres), the call of a priority-10 instance
// dispatched behind a flood of priority-0 calls is claimed before most of them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { closeWaymark } from "../../src/client/engine.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";

const MODULE = fileURLToPath(new URL("./fixtures/workerModule.ts", import.meta.url));
let flows: typeof import("./fixtures/signalFlows.js");
const e2e = {} as { db: TestDb };
const engines: EngineProcess[] = [];

before(async () => {
  e2e.db = await createTestDb();
  process.env.WAYMARK_DATABASE_URL = e2e.db.url;
  engines.push(
    await startEngine({
      databaseUrl: e2e.db.url,
      modules: [MODULE],
      args: ["--no-runner"],
      env: { WAYMARK_CONCURRENT_PER_WORKER: "2" },
    }),
    await startEngine({ databaseUrl: e2e.db.url, modules: [MODULE], args: ["--no-workers"] }),
  );
  flows = await import("./fixtures/signalFlows.js");
});
after(async () => {
  await closeWaymark();
  for (const e of engines) await stopEngine(e);
  await e2e.db?.drop();
});

test("a priority-10 instance's call is claimed before a flood of priority-0 calls queued earlier", async () => {
  const flood = await new flows.SlowBatchWorkflow().start(
    Array.from({ length: 200 }, (_, i) => i),
    20,
  );
  const c = new pg.Client(e2e.db.url);
  await c.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await c.query<{ n: number }>(
        "select count(*)::int as n from waymark_action_calls where status = 'queued'",
      );
      if ((r.rows[0]?.n ?? 0) > 150) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const urgent = await new flows.SlowBatchWorkflow({ priority: 10 }).start([0], 20);
    await urgent.result();
    const left = await c.query<{ n: number }>(
      "select count(*)::int as n from waymark_action_calls where instance_id = $1 and status = 'queued'",
      [flood.id],
    );
    assert.ok(
      (left.rows[0]?.n ?? 0) > 100,
      `the urgent call ran while ${left.rows[0]?.n} of the flood's 200 calls were still queued`,
    );
    const prio = await c.query<{ priority: number }>(
      "select priority from waymark_action_calls where instance_id = $1",
      [urgent.id],
    );
    assert.deepEqual(prio.rows, [{ priority: 10 }]);
    await flood.result();
  } finally {
    await c.end();
  }
});
