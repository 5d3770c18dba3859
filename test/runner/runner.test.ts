// The runner and a worker driven in-process against real Postgres with a hand-built IR
// (independent of the compiler): dispatch, retries with backoff, durable sleep, fan-out,
// fencing of a stale runner, and a deterministic failure recorded once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Expr, Program, Span, Stmt } from "../../src/ir/types.js";
import { Runner } from "../../src/runner/Runner.js";
import { loadConfig } from "../../src/store/config.js";
import { PostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { closePools } from "../../src/store/postgres/pool.js";
import { FRESH_GRACE_MS } from "../../src/store/postgres/queries/types.js";
import { decodeValue, encodeValue } from "../../src/values/index.js";
import { actionContext } from "../../src/worker/actionContext.js";
import type { ActionFn } from "../../src/worker/executeAction.js";
import { WorkerProcess } from "../../src/worker/WorkerProcess.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

const span: Span = { file: "t.ts", line: 1, column: 1, endLine: 1, endColumn: 1 };
const name = (n: string): Expr => ({ k: "name", name: n, span });
const lit = (v: number | string): Expr => ({ k: "lit", value: v, span });
const call = (action: string, args: Expr[], attempts?: number) => ({
  k: "call_action" as const,
  action,
  args,
  ...(attempts
    ? { retry: { k: "retry" as const, attempts: lit(attempts), backoff: lit(20), span } }
    : {}),
  span,
});
const program = (wf: string, params: string[], body: Stmt[]): Program => ({
  k: "program",
  format: 1,
  workflow: wf,
  className: wf,
  concurrent: false,
  entry: "run",
  functions: [
    {
      k: "function",
      name: "run",
      params: params.map((p) => ({
        k: "param",
        target: { k: "pname", name: p, span },
        rest: false,
        span,
      })),
      body,
      span,
    },
  ],
  span,
});

// run(n) { const a = await flaky(n) /* 3 attempts */; await sleep(100);
//          const ys = await Promise.all([double(a), double(1)]); return ys; }
const MAIN = program(
  "main",
  ["n"],
  [
    {
      k: "action",
      target: { k: "pname", name: "a", span },
      decl: "const",
      call: call("flaky", [name("n")], 3),
      span,
    },
    { k: "sleep", duration: lit(100), span },
    {
      k: "gather",
      mode: "all",
      target: { k: "pname", name: "ys", span },
      decl: "const",
      items: [
        { k: "gcall", call: call("double", [name("a")]), span },
        { k: "gcall", call: call("double", [lit(1)]), span },
      ],
      span,
    },
    { k: "return", value: name("ys"), span },
  ],
);
// run() { const v = await nothing(); return v.x; }  → TypeError, uncaught: fails once.
const BROKEN = program(
  "broken",
  [],
  [
    {
      k: "action",
      target: { k: "pname", name: "v", span },
      decl: "const",
      call: call("nothing", []),
      span,
    },
    {
      k: "return",
      value: {
        k: "member",
        object: name("v"),
        property: "x",
        optional: false,
        span,
      } as unknown as Expr,
      span,
    },
  ],
);

// run() { return await ghost(); }  — no worker serves `ghost`.
const GHOST = program(
  "ghost",
  [],
  [
    {
      k: "action",
      target: { k: "pname", name: "g", span },
      decl: "const",
      call: call("ghost", []),
      span,
    },
    { k: "return", value: name("g"), span },
  ],
);

let db: TestDb;
let store: PostgresStore;
let runner: Runner;
let worker: WorkerProcess;
const attemptsSeen: number[] = [];
const actions: Record<string, ActionFn> = {
  flaky: async (n: unknown) => {
    const { attempt } = actionContext();
    attemptsSeen.push(attempt);
    if (attempt < 3) throw new Error(`flaky attempt ${attempt}`);
    return (n as number) + 1;
  },
  double: async (x: unknown) => (x as number) * 2,
  nothing: async () => null,
};

before(async () => {
  db = await createTestDb();
  store = new PostgresStore(db.url);
  const cfg = {
    ...loadConfig(),
    databaseUrl: db.url,
    lockTtlMs: 2000,
    lockHeartbeatMs: 200,
    pollIntervalMs: 300,
    concurrentPerWorker: 8,
    unservedActionGraceMs: 400,
  };
  runner = new Runner({ store, config: cfg });
  worker = new WorkerProcess(store, cfg, {
    names: () => Object.keys(actions),
    get: (n) => (actions[n] ? { fn: actions[n] } : undefined),
  });
  await runner.start();
  await worker.start();
});
after(async () => {
  await worker.stop();
  await runner.stop();
  await closePools();
  await db.drop();
});

async function runToEnd(
  p: Program,
  args: unknown[],
): Promise<{ status: string; result: unknown; error: unknown }> {
  const v = await store.registerVersion(p.workflow, "v1", p);
  const id = await store.insertInstance(v, p.workflow, JSON.stringify(encodeValue(args)));
  for (let i = 0; i < 400; i++) {
    const row = await store.readInstance(id);
    if (row && ["completed", "failed", "cancelled"].includes(row.status))
      return {
        status: row.status,
        result: row.result === null ? null : decodeValue(row.result as never),
        error: row.error === null ? null : decodeValue(row.error as never),
      };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("instance did not finish");
}

test("runner + worker: retries with backoff, durable sleep, fan-out", async () => {
  const t0 = Date.now();
  const out = await runToEnd(MAIN, [5]);
  assert.equal(out.status, "completed", JSON.stringify(out.error));
  assert.deepEqual(out.result, [12, 2]);
  assert.deepEqual(attemptsSeen, [1, 2, 3]);
  assert.ok(Date.now() - t0 >= 100 + 20 + 40, "sleep and backoff were enforced");
});

test("a deterministic runtime error fails the instance once with a reason", async () => {
  const before = runner.stats.failed;
  const out = await runToEnd(BROKEN, []);
  assert.equal(out.status, "failed");
  assert.match(String((out.error as { message: string }).message), /null|x/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(runner.stats.failed - before, 1);
});

test("an action no live worker serves fails after the grace period, naming the action", async () => {
  const t0 = Date.now();
  const out = await runToEnd(GHOST, []);
  assert.equal(out.status, "failed");
  assert.match(
    String((out.error as { message: string }).message),
    /no workers serve action `ghost`/,
  );
  assert.ok(Date.now() - t0 >= 400);
});

test("an IR that fails to load fails the instance once", async () => {
  const bad = { ...MAIN, workflow: "badir", functions: [] } as Program;
  const out = await runToEnd(bad, [1]);
  assert.equal(out.status, "failed");
  assert.match(String((out.error as { message: string }).message), /invalid IR|run/);
});

/** run(n) { const a = await double(n); return a; } under workflow name `wf`. */
const doubling = (wf: string): Program =>
  program(
    wf,
    ["n"],
    [
      {
        k: "action",
        target: { k: "pname", name: "a", span },
        decl: "const",
        call: call("double", [name("n")]),
        span,
      },
      { k: "return", value: name("a"), span },
    ],
  );
const ONE = doubling("one");

test("two runners share 300 instances: each completes once, no duplicate dispatch", async () => {
  const SIMPLE = doubling("simple");
  const cfg = {
    ...loadConfig(),
    databaseUrl: db.url,
    lockTtlMs: 2000,
    lockHeartbeatMs: 200,
    pollIntervalMs: 300,
  };
  const second = new Runner({ store, config: cfg });
  await second.start();
  try {
    const v = await store.registerVersion("simple", "v1", SIMPLE);
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.insertInstance(v, "simple", JSON.stringify(encodeValue([i]))),
      ),
    );
    for (;;) {
      const r = await store.pool.query(
        "select count(*)::int as n from waymark_instances where id = any($1::bigint[]) and status = 'completed'",
        [ids],
      );
      if (r.rows[0].n === 300) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    console.log(
      `# in-process: 300 one-action workflows in ${ms.toFixed(0)} ms (${((300 / ms) * 1000).toFixed(0)} workflows/s)`,
    );
    const res = await store.pool.query(
      "select id, result from waymark_instances where id = any($1::bigint[])",
      [ids],
    );
    const byId = new Map(res.rows.map((r) => [r.id as string, decodeValue(r.result)]));
    assert.deepEqual(
      ids.map((id) => byId.get(id)),
      Array.from({ length: 300 }, (_, i) => i * 2),
    );
    const dup = await store.pool.query(
      "select count(*)::int as n from waymark_attempts where instance_id = any($1::bigint[])",
      [ids],
    );
    assert.equal(dup.rows[0].n, 300, "exactly one attempt per call");
    assert.ok(second.stats.advanced > 0 && runner.stats.advanced > 0, "both runners took work");
    // Started from their notification: by a write before the grace, when no claim can take them.
    const early = await store.pool.query(
      "select count(*)::int as n from waymark_instances where id = any($1::bigint[]) and started_at < created_at + $2 * interval '1 millisecond'",
      [ids, FRESH_GRACE_MS],
    );
    assert.equal(early.rows[0].n, 300, "all started from their notification");
  } finally {
    await second.stop();
  }
});

test("a new instance is started from its notification: its first write claims it", async () => {
  const v = await store.registerVersion("one", "v1", ONE);
  const id = await store.insertInstance(v, "one", JSON.stringify(encodeValue([21])));
  for (let i = 0; i < 200; i++) {
    const r = await store.readInstance(id);
    if (r?.status === "completed") break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const row = (
    await store.pool.query(
      `select status, result, extract(epoch from started_at - created_at) * 1000 < $2 as before_grace
       from waymark_instances where id = $1`,
      [id, FRESH_GRACE_MS],
    )
  ).rows[0];
  // A claim could not have taken it before the grace: the first write did.
  assert.deepEqual(row, { status: "completed", result: 42, before_grace: true });
});

test("an instance whose announcement nobody heard is claimed once the grace has passed", async () => {
  const v = await store.registerVersion("one", "v1", ONE);
  // Inserted as the engine inserts it, but its notification is lost (a runner reconnecting
  // its LISTEN, say): no runner starts it from there.
  const t0 = Date.now();
  const id = (
    await store.pool.query<{ id: string }>(
      `insert into waymark_instances (version_id, workflow_name, input, status, wake_at)
       values ($1, 'one', $2::json, 'queued', now() + $3 * interval '1 millisecond') returning id`,
      [v, JSON.stringify(encodeValue([5])), FRESH_GRACE_MS],
    )
  ).rows[0]?.id as string;
  let status = "";
  while (Date.now() - t0 < FRESH_GRACE_MS + 5000) {
    status = (await store.readInstance(id))?.status ?? "";
    if (status === "completed") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(status, "completed");
  const row = (
    await store.pool.query(
      `select result, extract(epoch from started_at - created_at) * 1000 >= $2 as after_grace
       from waymark_instances where id = $1`,
      [id, FRESH_GRACE_MS],
    )
  ).rows[0];
  assert.deepEqual(row, { result: 10, after_grace: true }, "claimed, after the grace");
});

test("fan-out stress: completions racing claims never strand an instance (lost wake-up regression)", async () => {
  // run(xs) { const ys = await Promise.all(xs.map((x) => double(x))); return ys; }
  const FAN = program(
    "fan",
    ["xs"],
    [
      {
        k: "gather",
        mode: "all",
        target: { k: "pname", name: "ys", span },
        decl: "const",
        items: [
          {
            k: "gspread",
            source: name("xs"),
            params: [{ k: "pname", name: "x", span }],
            call: call("double", [name("x")]),
            span,
          },
        ],
        span,
      },
      { k: "return", value: name("ys"), span },
    ],
  );
  const cfg = {
    ...loadConfig(),
    databaseUrl: db.url,
    lockTtlMs: 60_000,
    lockHeartbeatMs: 1000,
    pollIntervalMs: 60_000,
    concurrentPerWorker: 64,
  };
  // Long leases and polls: only correct wake-ups can finish this in time.
  const second = new Runner({ store, config: cfg, batchSize: 4 });
  const extraWorker = new WorkerProcess(store, cfg, {
    names: () => Object.keys(actions),
    get: (n) => (actions[n] ? { fn: actions[n] } : undefined),
  });
  await second.start();
  await extraWorker.start();
  try {
    const v = await store.registerVersion("fan", "v1", FAN);
    const xs = Array.from({ length: 150 }, (_, i) => i);
    const ids = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.insertInstance(v, "fan", JSON.stringify(encodeValue([xs]))),
      ),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await store.pool.query(
        "select count(*)::int as n from waymark_instances where id = any($1::bigint[]) and status = 'completed'",
        [ids],
      );
      if (r.rows[0].n === ids.length) break;
      if (Date.now() > deadline) {
        const stuck = await store.pool.query(
          `select i.id, i.status, i.wake_at, i.lease_owner,
                  (select count(*) from waymark_action_calls c where c.instance_id = i.id and not c.delivered and c.status = 'completed') as undelivered
           from waymark_instances i where id = any($1::bigint[]) and status <> 'completed'`,
          [ids],
        );
        assert.fail(`instances stranded: ${JSON.stringify(stuck.rows)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await store.pool.query(
      "select result from waymark_instances where id = any($1::bigint[])",
      [ids],
    );
    for (const row of res.rows)
      assert.deepEqual(
        decodeValue(row.result),
        xs.map((x) => x * 2),
      );
  } finally {
    await extraWorker.stop();
    await second.stop();
  }
});
