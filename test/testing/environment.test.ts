// waymark/testing: the in-memory environment's clock, mocks, call log, failures, timeouts and
// lost workers — each checked against what the engine does (SPEC §5, docs/reliability.md).
import assert from "node:assert/strict";
import { test } from "node:test";
import { actionContext } from "waymark";
import { createTestEnvironment } from "waymark/testing";
import {
  BareStepWorkflow,
  DeadlineWorkflow,
  ForeverWorkflow,
  FragileWorkflow,
  fetchRate,
  fragileStep,
  MonthlyRateWorkflow,
  RateWorkflow,
  ReminderWorkflow,
  slowStep,
} from "./fixtures/flows.js";

const T0 = Date.parse("2026-03-02T08:00:00Z");

test("run() skips a three-day sleep at once; the clock ends at the wake-up", async () => {
  const env = createTestEnvironment({ now: T0 });
  env.mockAction(fetchRate, async () => 1.08);
  const t = Date.now();
  assert.equal(await env.run(ReminderWorkflow, 3), 1.08);
  assert.ok(Date.now() - t < 500);
  assert.equal(env.now().getTime(), T0 + 3 * 86_400_000);
  assert.equal(env.calls(fetchRate)[0]?.attempts[0]?.startedAt?.getTime(), T0 + 3 * 86_400_000);
});

test('sleep("30d") and three retries an hour apart finish in milliseconds of real time', async () => {
  const env = createTestEnvironment({ now: T0 });
  env.mockAction(fetchRate, async () => {
    if (actionContext().attempt < 4) throw new Error("not yet");
    return 0.9;
  });
  const t = Date.now();
  assert.equal(await env.run(MonthlyRateWorkflow, "CHF"), 0.9);
  const wall = Date.now() - t;
  assert.ok(wall < 500, `${wall} ms`);
  const HOUR = 3_600_000;
  assert.equal(env.now().getTime(), T0 + 30 * 24 * HOUR + 3 * HOUR);
  assert.deepEqual(
    env.calls(fetchRate)[0]?.attempts.map((a) => ((a.startedAt?.getTime() ?? 0) - T0) / HOUR - 720),
    [0, 1, 2, 3],
  );
});

test("advance() moves the clock by exactly its duration; status shows where the workflow is", async () => {
  const env = createTestEnvironment({ now: T0 });
  env.mockAction(fetchRate, async () => 2);
  const h = await env.start(ReminderWorkflow, 3);
  assert.equal(await h.status(), "sleeping");
  await env.advance("2d");
  assert.equal(await h.status(), "sleeping");
  assert.equal(env.calls(fetchRate).length, 0);
  await env.advance("1d");
  assert.equal(await h.status(), "completed");
  assert.equal(env.now().getTime(), T0 + 3 * 86_400_000);
  assert.equal(await h.result(), 2);
  assert.throws(() => env.advance(-1000), /only moves forward/);
});

test("retries wait out their backoff on the virtual clock; every attempt is in the call log", async () => {
  const env = createTestEnvironment({ now: T0 });
  env.mockAction(fetchRate, async (c: string) => {
    const { attempt } = actionContext();
    if (attempt < 3) throw new Error(`rate service down (attempt ${attempt})`);
    return `${c}:1.1`;
  });
  assert.equal(await env.run(RateWorkflow, "EUR"), "EUR:1.1");
  const [call] = env.calls(fetchRate);
  assert.equal(call?.status, "completed");
  assert.deepEqual(
    call?.attempts.map((a) => [a.attempt, a.outcome, (a.startedAt?.getTime() ?? 0) - T0]),
    [
      [1, "failed", 0],
      [2, "failed", 60_000],
      [3, "completed", 180_000],
    ],
  );
  assert.equal(call?.attempts[0]?.error?.message, "rate service down (attempt 1)");
  assert.equal(call?.result, "EUR:1.1");

  // Exhausted: 4 attempts, then the workflow's catch.
  env.mockAction(fetchRate, async () => {
    throw new TypeError("bad currency");
  });
  assert.equal(await env.run(RateWorkflow, "XXX"), "fallback: bad currency");
  const last = env.calls(fetchRate).at(-1);
  assert.deepEqual(
    last?.attempts.map((a) => a.outcome),
    ["failed", "failed", "failed", "failed"],
  );
  assert.equal(last?.error?.name, "TypeError");
});

test("a hanging action times out at its virtual deadline: ActionTimeout, its signal aborted", async () => {
  const env = createTestEnvironment({ now: T0 });
  const aborted: string[] = [];
  env.mockAction(fetchRate, () => {
    const { signal, attempt } = actionContext();
    signal.addEventListener("abort", () => aborted.push(`${attempt}:${signal.reason?.name}`));
    return env.hang();
  });
  const t = Date.now();
  assert.match(String(await env.run(DeadlineWorkflow, "EUR")), /^timed out: .*30000 ?ms/);
  assert.ok(Date.now() - t < 500);
  assert.deepEqual(aborted, ["1:ActionTimeout", "2:ActionTimeout"]);
  assert.equal(env.now().getTime(), T0 + 60_000);
  const [call] = env.calls(fetchRate);
  assert.deepEqual(
    call?.attempts.map((a) => [a.outcome, a.error?.name]),
    [
      ["failed", "ActionTimeout"],
      ["failed", "ActionTimeout"],
    ],
  );
  // Answering before the deadline: no timeout.
  env.mockAction(fetchRate, async () => 3);
  assert.equal(await env.run(DeadlineWorkflow, "EUR"), 3);
});

test("a lost worker re-runs a bare action; the result is the fault-free one", async () => {
  const env = createTestEnvironment();
  // Inside the action: its worker dies on the first attempt.
  env.mockAction(slowStep, (x: number) =>
    actionContext().attempt === 1 ? env.loseWorker() : Promise.resolve(x * 10),
  );
  assert.equal(await env.run(BareStepWorkflow, 4), 41);
  const [call] = env.calls(slowStep);
  assert.equal(call?.lostAttempts, 1);
  assert.deepEqual(
    call?.attempts.map((a) => [a.attempt, a.outcome]),
    [
      [1, "lost"],
      [2, "completed"],
    ],
  );
  assert.equal(call?.attempts[0]?.error?.name, "WorkerLostError");

  // From the test: a call that hangs until its worker is lost.
  env.mockAction(slowStep, (x: number) =>
    actionContext().attempt === 1 ? env.hang() : Promise.resolve(x * 10),
  );
  const h = await env.start(BareStepWorkflow, 5);
  const running = env.calls(slowStep).filter((c) => c.status === "running");
  assert.equal(running.length, 1);
  assert.equal(await env.loseWorker(running[0] as (typeof running)[0]), 1);
  assert.equal(await h.result(), 51);
  await assert.rejects(
    () => env.loseWorker(slowStep) as Promise<number>,
    /no attempt of action `slowStep` is running/,
  );
});

test('lost attempts are bounded: past maxLostAttempts, or for onLost: "fail", the call fails', async () => {
  const env = createTestEnvironment({ maxLostAttempts: 2 });
  env.mockAction(slowStep, () => env.loseWorker());
  await assert.rejects(env.run(BareStepWorkflow, 1), (e: Error) => {
    assert.equal(e.name, "WorkflowFailedError");
    assert.match(e.message, /WorkerLostError/);
    assert.match(
      e.message,
      /3 attempts of this call were lost, more than WAYMARK_MAX_LOST_ATTEMPTS=2/,
    );
    return true;
  });
  assert.equal(env.calls(slowStep)[0]?.attempts.length, 3);

  let runs = 0;
  env.mockAction(fragileStep, () => {
    runs++;
    return env.loseWorker();
  });
  await assert.rejects(env.run(FragileWorkflow, 1), /onLost: "fail"/);
  assert.equal(runs, 1, 'an onLost: "fail" action never runs twice');
});

test("an action neither registered nor mocked fails its call with the fix", async () => {
  const env = createTestEnvironment();
  env.mockAction("slowStep", async (x: number) => x);
  assert.equal(await env.run(BareStepWorkflow, 2), 3, "a mock by name");
  await assert.rejects(env.run(ReminderWorkflow, 0), /fetchRate\(EUR\) must be mocked/);
  assert.throws(
    () => env.mockAction((async () => 1) as never, async () => 2),
    /pass an action made with action\(\.\.\.\) or its name/,
  );
});

test("the clock waits for a running action, and names it when it runs too long in real time", async () => {
  const env = createTestEnvironment({ actionRealTimeoutMs: 200 });
  env.mockAction(slowStep, async (x: number) => {
    await new Promise((r) => setTimeout(r, 30));
    return x;
  });
  assert.equal(await env.run(BareStepWorkflow, 7), 8, "a slow answer is awaited, not skipped");
  env.mockAction(slowStep, () => new Promise(() => {}));
  await assert.rejects(
    env.run(BareStepWorkflow, 7),
    /action `slowStep` \(instance \d+, call \d+\) has run for 200 ms of real time.*env\.hang\(\)/,
  );
});

test("a workflow that cannot finish says what it waits for instead of hanging", async () => {
  const env = createTestEnvironment();
  env.mockAction(slowStep, () => env.hang());
  await assert.rejects(
    env.run(BareStepWorkflow, 1),
    /workflow instance \d+ cannot finish: nothing is scheduled to happen \(instance \d+: action `slowStep` \(call \d+\) hangs with no timeout/,
  );
  // Its step budget ends a workflow that loops forever, as on the engine…
  await assert.rejects(env.run(ForeverWorkflow), /StepBudgetExceeded/);
  // …and the clock's own bound ends the test when the budget is out of reach.
  const patient = createTestEnvironment({ stepBudget: 1e9, maxClockMoves: 500 });
  await assert.rejects(
    patient.run(ForeverWorkflow),
    /moved its clock 500 times without the workflow ending/,
  );
});

test("environments are independent: each its own clock, store and mocks, in parallel", async () => {
  const results = await Promise.all(
    [1, 2, 3, 4].map(async (n) => {
      const env = createTestEnvironment({ now: T0 });
      env.mockAction(fetchRate, async () => n);
      const out = await env.run(ReminderWorkflow, n);
      return { out, days: (env.now().getTime() - T0) / 86_400_000, calls: env.calls().length };
    }),
  );
  assert.deepEqual(
    results,
    [1, 2, 3, 4].map((n) => ({ out: n, days: n, calls: 1 })),
  );
});
