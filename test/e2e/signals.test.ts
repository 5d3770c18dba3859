// Signals on a real engine: a durable mailbox per instance. A signal sent before the wait is
// kept, signals of one name are consumed in order, a wait with no signal ends as `null` at its
// timeout, waits sit in gathers next to actions and sleeps, and signals to instances that
// cannot receive them are refused with nothing written.
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

const waiting = (id: string) => async () =>
  (
    await query(
      "select 1 from waymark_action_calls where instance_id = $1 and status = 'waiting'",
      [id],
    )
  ).length > 0;

test("a signal sent after the wait resumes the workflow with its payload", async () => {
  const h = await new flows.ApprovalWorkflow().start("o-1", "1h");
  await until("the wait to be written", waiting(h.id));
  const t0 = Date.now();
  await h.signal("decision", { approved: true, by: "ada" });
  assert.deepEqual(await h.result(), { orderId: "o-1", approved: true, by: "ada" });
  const ms = Date.now() - t0;
  assert.ok(ms < 2000, `resumed ${ms} ms after the signal (woken by NOTIFY, no polling delay)`);
  const rows = await query<{ status: string; locks: string }>(
    "select status, lease_owner as locks from waymark_instances where id = $1",
    [h.id],
  );
  assert.equal(rows[0]?.status, "completed");
});

test("a signal sent before the workflow reaches the wait is kept, never dropped", async () => {
  // The instance is queued and its first action has not run when the signal is accepted.
  const h = await new flows.ApprovalWorkflow().start("o-2", "1h");
  await workflowHandle(h.id).signal("decision", { approved: false, by: "bob" });
  assert.deepEqual(await h.result(), { orderId: "o-2", approved: false, by: "bob" });
  const sig = await query<{ n: number }>(
    "select count(*)::int as n from waymark_signals where instance_id = $1 and call_id is not null",
    [h.id],
  );
  assert.equal(sig[0]?.n, 1, "the signal is recorded as consumed by the wait");
});

test("no signal before the timeout: the wait resolves to null", async () => {
  const t0 = Date.now();
  const out = await new flows.ApprovalWorkflow().run("o-3", "700ms");
  const ms = Date.now() - t0;
  assert.deepEqual(out, { orderId: "o-3", escalated: true });
  assert.ok(ms >= 700, `never early (${ms} ms)`);
});

test("100 signals of one name are consumed in the order they were accepted, each once", async () => {
  const h = await new flows.MailboxWorkflow().start(100);
  // Half before the loop waits, half while it drains them.
  for (let i = 0; i < 50; i++) await h.signal("item", i);
  await until("the loop to wait", waiting(h.id));
  for (let i = 50; i < 100; i++) await h.signal("item", i);
  assert.deepEqual(
    await h.result(),
    Array.from({ length: 100 }, (_, i) => i),
  );
  const kept = await query<{ n: number }>(
    "select count(*)::int as n from waymark_signals where instance_id = $1 and call_id is null",
    [h.id],
  );
  assert.equal(kept[0]?.n, 0, "every signal consumed");
});

test("100 signals from 10 concurrent senders while the loop drains: each consumed once, in acceptance order", async () => {
  const h = await new flows.MailboxWorkflow().start(100);
  await until("the loop to wait", waiting(h.id));
  // Sends race each other and the runner's deliveries to waits it has just written.
  await Promise.all(
    Array.from({ length: 10 }, async (_, s) => {
      for (let i = 0; i < 10; i++) await h.signal("item", s * 10 + i);
    }),
  );
  const got = (await h.result()) as number[];
  const accepted = await query<{ payload: number }>(
    "select payload from waymark_signals where instance_id = $1 order by id",
    [h.id],
  );
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(
    got,
    accepted.map((r) => r.payload),
    "consumed in the order accepted",
  );
});

test("waitForSignal inside Promise.all next to an action and a sleep", async () => {
  const h = await new flows.RaceWorkflow().start();
  await h.signal("a", "hello");
  assert.deepEqual(await h.result(), { a: "hello", b: "noted:x", c: true });
});

test("a signal to an unknown, finished or cancelled instance is refused and writes nothing", async () => {
  await assert.rejects(
    workflowHandle("999999999").signal("decision", 1),
    /signal "decision" not sent: workflow instance 999999999 does not exist/,
  );
  const done = await new flows.ApprovalWorkflow().start("o-4", "1ms");
  await done.result();
  await assert.rejects(
    done.signal("decision", 1),
    /instance \d+ is completed, so nothing can receive it/,
  );
  const c = await new flows.ApprovalWorkflow().start("o-5", "1h");
  await c.cancel();
  await assert.rejects(c.signal("decision", 1), /is cancelled/);
  const rows = await query<{ n: number }>(
    "select count(*)::int as n from waymark_signals where instance_id = any($1::bigint[])",
    [[done.id, c.id]],
  );
  assert.equal(rows[0]?.n, 0, "nothing written");
  await assert.rejects(
    done.signal("decision", () => 1),
    /payload of signal "decision"/,
  );
});

test("`waymark signal <id> <name> [json]` sends one from the CLI; `waymark status <id>` shows the wait", async () => {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const bin = new URL("../../bin/waymark.mjs", import.meta.url).pathname;
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, WAYMARK_DATABASE_URL: e2e.db.url, WAYMARK_LOG_LEVEL: "warn" },
    });
  const h = await new flows.ApprovalWorkflow().start("o-cli", "1h");
  await until("the wait to be written", waiting(h.id));
  const st = await cli("status", h.id);
  assert.match(st.stdout, /^2\s+signal decision\s+waiting\s+0\s+0\s*$/m);
  const sent = await cli("signal", h.id, "decision", '{"approved": true, "by": "cli"}');
  assert.equal(sent.stdout.trim(), `sent decision to ${h.id}`);
  assert.deepEqual(await h.result(), { orderId: "o-cli", approved: true, by: "cli" });
  await assert.rejects(cli("signal", h.id, "decision"), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.match(
      e.stderr,
      new RegExp(`instance ${h.id} is completed: nothing can receive the signal`),
    );
    return true;
  });
  await assert.rejects(
    cli("signal", h.id, "decision", "{oops"),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /the payload is not JSON/);
      return true;
    },
  );
});
