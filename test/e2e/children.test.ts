// Child workflows on a real engine: each child is its own instance (row, id, result), started
// once per parent call; failures cross the boundary with their class chain; fan-out under
// Promise.allSettled; recursion; cancelling a parent cancels its running children.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import pg from "pg";
import { workflowHandle } from "../../src/client/engine.js";
import { useE2eEngine } from "./fixtures/e2eEngine.js";

const e2e = useE2eEngine();
let flows: typeof import("./fixtures/signalFlows.js");

before(async () => {
  flows = await import("./fixtures/signalFlows.js");
});

async function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  const c = new pg.Client(e2e.db.url);
  await c.connect();
  try {
    return (await c.query<R>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("Promise.allSettled over 1,000 child workflows: each its own instance, failures as values", async () => {
  const amounts = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? -1 : i));
  const h = await new flows.BatchWorkflow().start(amounts);
  const out = await h.result();
  const total = amounts.filter((a) => a >= 0).reduce((s, a) => s + a * 2, 0);
  assert.deepEqual(out, { total, declined: 100 });
  const kids = await query<{ status: string; n: number; calls: number }>(
    `select status, count(*)::int as n, count(distinct parent_call_id)::int as calls
       from waymark_instances where parent_id = $1 group by status order by status`,
    [h.id],
  );
  assert.deepEqual(kids, [
    { status: "completed", n: 900, calls: 900 },
    { status: "failed", n: 100, calls: 100 },
  ]);
});

test("a failed child throws in the parent with its class chain: `instanceof` works across", async () => {
  assert.equal(await new flows.CatchChildWorkflow().run(21), 42);
  assert.equal(await new flows.CatchChildWorkflow().run(-5), "declined: amount -5 declined");
});

test("a workflow that starts itself recursively compiles and runs (each level its own instance)", async () => {
  const h = await new flows.FactorialWorkflow().start(6);
  assert.equal(await h.result(), 720);
  const depth = await query<{ n: number }>(
    `with recursive t(id) as (select $1::bigint union all
       select i.id from waymark_instances i join t on i.parent_id = t.id)
     select count(*)::int as n from t`,
    [h.id],
  );
  assert.equal(depth[0]?.n, 6);
});

test("cancelling a parent cancels its running children; a child's handle is reachable by id", async () => {
  const h = await new flows.ParentOfWaitersWorkflow().start(["a", "b", "c"]);
  await until("three waiting children", async () => {
    const r = await query<{ n: number }>(
      `select count(*)::int as n from waymark_instances i
        where parent_id = $1 and exists (select 1 from waymark_action_calls c
          where c.instance_id = i.id and c.status = 'waiting')`,
      [h.id],
    );
    return r[0]?.n === 3;
  });
  const [kid] = await query<{ id: string }>(
    "select id::text from waymark_instances where parent_id = $1 order by id limit 1",
    [h.id],
  );
  assert.equal(await workflowHandle(kid!.id).status(), "waiting");
  await h.cancel();
  await assert.rejects(h.result(), /cancelled/i);
  const states = await query<{ status: string }>(
    "select status from waymark_instances where parent_id = $1",
    [h.id],
  );
  assert.deepEqual(
    states.map((s) => s.status),
    ["cancelled", "cancelled", "cancelled"],
  );
  await assert.rejects(workflowHandle(kid!.id).result(), /cancelled/i);
});

test("a fail-fast Promise.all cancels the children it abandons", async () => {
  const h = await new flows.FailFastChildrenWorkflow().start("ff");
  assert.equal(await h.result(), "caught: amount -1 declined");
  await until("the abandoned child to be cancelled", async () => {
    const r = await query<{ status: string }>(
      "select status from waymark_instances where parent_id = $1 and workflow_name = 'waiterworkflow'",
      [h.id],
    );
    return r[0]?.status === "cancelled";
  });
  const [kid] = await query<{ error: { message: string } }>(
    "select error from waymark_instances where parent_id = $1 and workflow_name = 'waiterworkflow'",
    [h.id],
  );
  assert.match(kid!.error.message, /its parent no longer waits for it/);
});
