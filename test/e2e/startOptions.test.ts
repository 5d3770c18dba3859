// Start options on a real engine: idempotency keys (one instance per key, decided in SQL, also
// across processes; a reused key with another input refused), startAfter, priority; bad options
// refused at the call site.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { before, test } from "node:test";
import { promisify } from "node:util";
import pg from "pg";
import { IdempotencyKeyConflictError } from "../../src/client/startOptions.js";
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

test("an idempotency key names one instance: same id and result while it runs and after it ended", async () => {
  const key = `order-${Date.now()}`;
  const [a, b] = await Promise.all([
    new flows.ChargeWorkflow({ idempotencyKey: key }).start(21),
    new flows.ChargeWorkflow({ idempotencyKey: key }).start(21),
  ]);
  assert.equal(a.id, b.id);
  assert.equal(await a.result(), 42);
  const later = await new flows.ChargeWorkflow({ idempotencyKey: key }).start(21);
  assert.equal(later.id, a.id, "after it ended too");
  assert.equal(await later.result(), 42);
  assert.equal(await new flows.ChargeWorkflow({ idempotencyKey: key }).run(21), 42);
  const failedKey = `${key}-f`;
  await assert.rejects(new flows.ChargeWorkflow({ idempotencyKey: failedKey }).run(-3), /declined/);
  await assert.rejects(
    new flows.ChargeWorkflow({ idempotencyKey: failedKey }).run(-3),
    /amount -3 declined/,
    "the same error again",
  );
  const rows = await query<{ n: number }>(
    "select count(*)::int as n from waymark_instances where idempotency_key = any($1::text[])",
    [[key, failedKey]],
  );
  assert.equal(rows[0]?.n, 2);
});

test("a reused key with another input is refused, naming both inputs' hashes", async () => {
  const key = `mismatch-${Date.now()}`;
  const h = await new flows.ChargeWorkflow({ idempotencyKey: key }).start(1);
  await assert.rejects(new flows.ChargeWorkflow({ idempotencyKey: key }).start(2), (e: Error) => {
    assert.ok(e instanceof IdempotencyKeyConflictError);
    assert.match(
      e.message,
      new RegExp(
        `idempotency key "${key}" of workflow "chargeworkflow" already names instance ${h.id}, started with another input \\(sha256 [0-9a-f]{12}…; this start's input: sha256 [0-9a-f]{12}…\\)`,
      ),
    );
    return true;
  });
});

test("50 concurrent starts with one key from 5 processes make exactly one instance", async () => {
  const key = `multi-${Date.now()}`;
  const script = new URL("./fixtures/startKeyed.ts", import.meta.url).pathname;
  const run = () =>
    promisify(execFile)(
      process.execPath,
      ["--conditions=waymark-dev", "--import", "tsx", script, key, "5"],
      { env: { ...process.env, WAYMARK_DATABASE_URL: e2e.db.url, WAYMARK_LOG_LEVEL: "warn" } },
    );
  const outs = await Promise.all(Array.from({ length: 5 }, run));
  const ids = outs.flatMap((o) => JSON.parse(o.stdout.trim()) as string[]);
  assert.equal(ids.length, 50);
  assert.equal(new Set(ids).size, 1, "one id for all 50");
  const rows = await query<{ n: number }>(
    "select count(*)::int as n from waymark_instances where idempotency_key = $1",
    [key],
  );
  assert.equal(rows[0]?.n, 1);
});

test("startAfter: queued now, started no earlier (a duration or a Date)", async () => {
  const t0 = Date.now();
  const a = await new flows.ChargeWorkflow({ startAfter: "1200ms" }).start(1);
  const b = await new flows.ChargeWorkflow({ startAfter: new Date(Date.now() + 800) }).start(2);
  assert.equal(await a.status(), "queued");
  assert.equal(await a.result(), 2);
  assert.equal(await b.result(), 4);
  assert.ok(Date.now() - t0 >= 1200, "not before its start time");
  const rows = await query<{ id: string; waited: number }>(
    `select id::text, extract(epoch from started_at - created_at) * 1000 as waited
       from waymark_instances where id = any($1::bigint[]) order by id`,
    [[a.id, b.id]],
  );
  assert.ok(rows[0]!.waited >= 1200, `a started ${rows[0]!.waited} ms after it was queued`);
  assert.ok(rows[1]!.waited >= 700, `b started ${rows[1]!.waited} ms after it was queued`);
});

test("priority: a priority-10 instance due with a flood of priority-0 ones is claimed first", async () => {
  const at = new Date(Date.now() + 1500);
  const flood = await Promise.all(
    Array.from({ length: 300 }, (_, i) => new flows.ChargeWorkflow({ startAfter: at }).start(i)),
  );
  const urgent = await new flows.ChargeWorkflow({ startAfter: at, priority: 10 }).start(1000);
  assert.equal(await urgent.result(), 2000);
  await Promise.all(flood.map((h) => h.result()));
  const rows = await query<{ id: string }>(
    `select id::text from waymark_instances where id = any($1::bigint[]) order by started_at, id`,
    [[...flood.map((h) => h.id), urgent.id]],
  );
  const rank = rows.findIndex((r) => r.id === urgent.id);
  assert.ok(rank < 64, `claimed within the first claim batch (rank ${rank} of 301)`);
});

test("bad start options are refused at the call site, nothing written", () => {
  assert.throws(
    () => new flows.ChargeWorkflow({ priority: -1 }),
    /new ChargeWorkflow\(options\): priority must be a whole number from 0/,
  );
  assert.throws(
    () => new flows.ChargeWorkflow({ idempotencyKey: "" }),
    /idempotencyKey must be a non-empty string/,
  );
  assert.throws(() => new flows.ChargeWorkflow({ startAfter: "soon" }), /startAfter: /);
  assert.throws(
    () => new flows.ChargeWorkflow({ retries: 3 } as never),
    /unknown option "retries" \(start options are idempotencyKey, priority and startAfter\)/,
  );
});
