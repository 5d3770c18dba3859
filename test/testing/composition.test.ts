// waymark/testing: signals, child workflows, start options and schedules in the in-memory
// environment behave as on the engine (SPEC §3, §5, §8; the e2e tests in test/e2e).
import assert from "node:assert/strict";
import { test } from "node:test";
import { IdempotencyKeyConflictError } from "waymark";
import { createTestEnvironment } from "waymark/testing";
import {
  ApprovalWorkflow,
  BatchWorkflow,
  CatchChildWorkflow,
  charge,
  FactorialWorkflow,
  FailFastChildrenWorkflow,
  MailboxWorkflow,
  ParentOfWaitersWorkflow,
  RaceWorkflow,
  SlowTickWorkflow,
  TickWorkflow,
} from "../e2e/fixtures/signalFlows.js";
import { DigestWorkflow, fetchRate } from "./fixtures/flows.js";

const T0 = Date.parse("2026-03-02T08:00:00Z");

test("signals: sent after the wait, before it (kept), or never (the timeout returns null)", async () => {
  const env = createTestEnvironment({ now: T0 });
  const h = await env.start(ApprovalWorkflow, "o-1", "3d");
  assert.equal(await h.status(), "waiting");
  await env.advance("1d");
  await h.signal("decision", { approved: true, by: "ada" });
  assert.deepEqual(await h.result(), { orderId: "o-1", approved: true, by: "ada" });
  assert.equal(env.now().getTime(), T0 + 86_400_000, "the signal ended the wait, not the timeout");

  const late = await env.start(ApprovalWorkflow, "o-2", "3d");
  assert.deepEqual(await late.result(), { orderId: "o-2", escalated: true });
  assert.equal(env.now().getTime(), T0 + 4 * 86_400_000, "the result skipped to the timeout");

  // Kept: 3 signals before the first wait, consumed in order, one per wait.
  const box = await env.start(MailboxWorkflow, 3);
  const early = env.handle(box.id);
  for (const i of [1, 2, 3]) await early.signal("item", i);
  assert.deepEqual(await box.result(), [1, 2, 3]);

  await assert.rejects(
    h.signal("decision", {}),
    /workflow instance \d+ is completed, so nothing can receive it/,
  );
  await assert.rejects(env.handle("999").signal("x"), /does not exist/);
  assert.deepEqual(await env.run(RaceWorkflow), { a: null, b: "noted:x", c: true });
});

test("child workflows: fan-out, failures by class, recursion, and a cancelled parent", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(BatchWorkflow, [1, -2, 3, -4, 5]), { total: 18, declined: 2 });
  assert.equal(env.instances("ChargeWorkflow".toLowerCase()).length, 5);
  assert.equal(await env.run(CatchChildWorkflow, -7), "declined: amount -7 declined");
  assert.equal(await env.run(FactorialWorkflow, 6), 720);
  assert.equal(await env.run(FailFastChildrenWorkflow, "t"), "caught: amount -1 declined");

  const wide = createTestEnvironment();
  wide.mockAction(charge, async (a: number) => a);
  const amounts = Array.from({ length: 1000 }, (_, i) => i);
  const t = Date.now();
  assert.deepEqual(await wide.run(BatchWorkflow, amounts), { total: 499_500, declined: 0 });
  console.log(`# 1,000 child workflows in the test environment: ${Date.now() - t} ms`);

  const parent = await env.start(ParentOfWaitersWorkflow, ["a", "b"]);
  const kids = env.instances().filter((i) => i.parentId === parent.id);
  assert.equal(kids.length, 2);
  assert.ok(kids.every((k) => k.status === "waiting"));
  await parent.cancel();
  assert.equal(await parent.status(), "cancelled");
  for (const k of kids) assert.equal(await env.handle(k.id).status(), "cancelled");
  await assert.rejects(parent.result(), /cancelled/);
});

test("idempotency keys: one instance per key; another input under it is refused", async () => {
  const env = createTestEnvironment({ now: T0, idempotencyHours: 24 });
  const a = await env.start(new TickWorkflow({ idempotencyKey: "k-1" }), "x");
  const b = await env.start(new TickWorkflow({ idempotencyKey: "k-1" }), "x");
  assert.equal(a.id, b.id);
  assert.equal(await b.result(), "noted:x");
  assert.equal(await env.run(new TickWorkflow({ idempotencyKey: "k-1" }), "x"), "noted:x");
  assert.equal(env.instances(TickWorkflow).length, 1);
  await assert.rejects(
    env.start(new TickWorkflow({ idempotencyKey: "k-1" }), "y"),
    IdempotencyKeyConflictError,
  );
  // Released WAYMARK_IDEMPOTENCY_HOURS after the instance ended.
  await env.advance("25h");
  const c = await env.start(new TickWorkflow({ idempotencyKey: "k-1" }), "y");
  assert.notEqual(c.id, a.id);
});

test("startAfter delays the first step; priority orders what is due at once", async () => {
  const env = createTestEnvironment({ now: T0 });
  const h = await env.start(new TickWorkflow({ startAfter: "2h" }), "later");
  assert.equal(await h.status(), "queued");
  await env.advance("1h59m");
  assert.equal(await h.status(), "queued");
  await env.advance("1m");
  assert.equal(await h.status(), "completed");
  await env.start(new TickWorkflow({ startAfter: "1m" }), "low");
  await env.start(new TickWorkflow({ startAfter: "1m", priority: 10 }), "high");
  await env.advance("1m");
  assert.deepEqual(
    env
      .calls("note")
      .slice(-2)
      .map((c) => c.args[0]),
    ["high", "low"],
  );
});

test('schedules: advance("1d") fires a daily schedule once; pause, resume, delete; overlap skip', async () => {
  const env = createTestEnvironment({ now: "2026-03-02T08:30:00Z" });
  env.mockAction(fetchRate, async () => 42);
  const next = await env.schedule(DigestWorkflow, {
    scheduleName: "daily",
    schedule: "0 9 * * *",
    timezone: "Europe/Paris",
    inputs: ["team-a"],
  });
  assert.equal(next.toISOString(), "2026-03-03T08:00:00.000Z");
  await env.advance("1d");
  const runs = env.instances(DigestWorkflow);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.status, "completed");
  assert.equal(await env.handle(runs[0]?.id as string).result(), "digest for team-a: 42");
  await env.advance("2d");
  assert.equal(env.instances(DigestWorkflow).length, 3, "one run per day");
  await env.pauseSchedule(DigestWorkflow, "daily");
  await env.advance("3d");
  assert.equal(env.instances(DigestWorkflow).length, 3);
  await env.resumeSchedule(DigestWorkflow, "daily");
  await env.advance("1d");
  assert.equal(env.instances(DigestWorkflow).length, 4);
  const [info] = env.listSchedules();
  assert.equal(info?.fires, 4);
  assert.equal(info?.lastStatus, "completed");
  await env.deleteSchedule(DigestWorkflow, "daily");
  await assert.rejects(env.deleteSchedule(DigestWorkflow, "daily"), /no schedule "daily"/);
  await assert.rejects(
    env.schedule(DigestWorkflow, { scheduleName: "bad", schedule: "61 * * * *" }),
    /scheduleWorkflow\(DigestWorkflow, …\)/,
  );

  // overlap "skip": a run that lasts 90 s skips the fire times while it runs.
  const slow = createTestEnvironment({ now: "2026-03-02T00:00:00Z" });
  await slow.schedule(SlowTickWorkflow, {
    scheduleName: "every-30s",
    schedule: "30s",
    inputs: [90_000],
  });
  await slow.advance("5m");
  const s = slow.listSchedules()[0];
  assert.equal(slow.instances(SlowTickWorkflow).length, 3, "fires at 0:30, 2:30, 4:30 only");
  assert.equal(s?.skipped, 7);
});
