// Every seed workflow of examples/workflows.ts in the in-memory test environment
// (`waymark/testing`): the same results as on the engine (test/e2e/examples.test.ts), with the
// call log, in milliseconds of real time however long the workflows sleep.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestEnvironment } from "waymark/testing";
import { getTimestamp, processItemMayFail, sendEmail } from "./actions.js";
import * as wf from "./workflows.js";

test("SequentialChainWorkflow: three steps in order, then the result", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(wf.SequentialChainWorkflow, "hello"), {
    original: "hello",
    step1: "HELLO",
    step2: "OLLEH",
    step3: "**OLLEH**",
  });
  assert.deepEqual(
    env.calls().map((c) => [c.action, c.args]),
    [
      ["stepUppercase", ["hello"]],
      ["stepReverse", ["HELLO"]],
      ["stepAddStars", ["OLLEH"]],
      ["buildChainResult", ["hello", "HELLO", "OLLEH", "**OLLEH**"]],
    ],
  );
});

test("ParallelMathWorkflow: both branches settle; failures become data", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(wf.ParallelMathWorkflow, 5), {
    inputNumber: 5,
    factorial: 120,
    fibonacci: 5,
    errors: [],
  });
  assert.deepEqual(await env.run(wf.ParallelMathWorkflow, -1), {
    inputNumber: -1,
    factorial: null,
    fibonacci: null,
    errors: ["factorial of a negative number: -1", "fibonacci of a negative number: -1"],
  });
  const failed = env.calls("computeFactorial").filter((c) => c.status === "failed");
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.error?.name, "RangeError");
});

test("WelcomeEmailWorkflow: only active users are mailed; a failed send is counted", async () => {
  const env = createTestEnvironment();
  const users = [
    { email: "a@x.io", active: true },
    { email: "b@x.io", active: false },
    { email: "broken", active: true },
  ];
  assert.deepEqual(await env.run(wf.WelcomeEmailWorkflow, users), { attempted: 2, delivered: 1 });
  assert.deepEqual(
    env.calls(sendEmail).map((c) => [c.args[0], c.status]),
    [
      ["a@x.io", "completed"],
      ["broken", "failed"],
    ],
  );
  // With the mail server mocked, every active user is delivered.
  env.mockAction(sendEmail, async (to: string) => ({ to, id: `m-${to}` }));
  assert.deepEqual(await env.run(wf.WelcomeEmailWorkflow, users), { attempted: 2, delivered: 2 });
  assert.deepEqual(await env.run(wf.WelcomeEmailWorkflow, []), { attempted: 0, delivered: 0 });
});

test("ConditionalBranchWorkflow and GuardFallbackWorkflow take the documented branches", async () => {
  const env = createTestEnvironment();
  for (const [v, tier] of [
    [80, "high"],
    [50, "medium"],
    [10, "low"],
  ] as const)
    assert.deepEqual(await env.run(wf.ConditionalBranchWorkflow, v), { value: v, tier });
  assert.deepEqual(await env.run(wf.GuardFallbackWorkflow, "ada"), {
    user: "ada",
    noteCount: 2,
    summary: "wrote the first program; met Babbage",
  });
  assert.deepEqual(await env.run(wf.GuardFallbackWorkflow, "bob"), {
    user: "bob",
    noteCount: 0,
    summary: "no notes found",
  });
  assert.equal(env.calls("summarizeNotes").length, 1, "no summary without notes");
});

test("loops: for-of, while, per-item catch, early return", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(wf.LoopProcessingWorkflow, ["a", "b", "c"]), {
    count: 3,
    processed: ["processed:a", "processed:b", "processed:c"],
  });
  assert.deepEqual(await env.run(wf.WhileLoopWorkflow, 3), { target: 3, final: 3, iterations: 3 });
  assert.deepEqual(await env.run(wf.LoopExceptionWorkflow, ["a", "bad-b", "c", "bad-d"]), {
    total: 4,
    processed: ["processed:a", "processed:c"],
    errorCount: 2,
  });
  assert.deepEqual(
    env.calls(processItemMayFail).map((c) => c.status),
    ["completed", "failed", "completed", "failed"],
  );
  assert.deepEqual(await env.run(wf.LoopReturnWorkflow, [4, 8, 15, 16], 15), {
    found: true,
    value: 15,
    checked: 3,
  });
  assert.equal(env.calls("matchesNeedle").length, 3, "the loop returned at the third item");
  assert.deepEqual(await env.run(wf.LoopReturnWorkflow, [4, 8], 99), {
    found: false,
    value: null,
    checked: 2,
  });
});

test("ErrorHandlingWorkflow: success path and caught failure", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(wf.ErrorHandlingWorkflow, false), {
    attempted: true,
    recovered: false,
    message: "success: ok",
  });
  assert.deepEqual(await env.run(wf.ErrorHandlingWorkflow, true), {
    attempted: true,
    recovered: true,
    message: "recovered: IntentionalError was caught",
  });
});

test("DurableSleepWorkflow: an hour of sleep on the virtual clock, in no real time", async () => {
  const env = createTestEnvironment({ now: "2026-01-01T00:00:00Z" });
  // The action reads a clock: in the environment, its clock.
  env.mockAction(getTimestamp, async () => env.now().getTime());
  const t0 = Date.now();
  assert.deepEqual(await env.run(wf.DurableSleepWorkflow, 3600), {
    seconds: 3600,
    sleptLongEnough: true,
  });
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(env.now().toISOString(), "2026-01-01T01:00:00.000Z");
  const [before, after] = env.calls(getTimestamp);
  assert.equal(after?.attempts[0]?.startedAt?.getTime(), Date.parse("2026-01-01T01:00:00Z"));
  assert.equal((after?.result as number) - (before?.result as number), 3_600_000);
});

test("DripWorkflow: a sleep before each iteration", async () => {
  const env = createTestEnvironment({ now: 0 });
  const h = await env.start(wf.DripWorkflow, 3, 60_000);
  assert.equal(await h.status(), "sleeping");
  await env.advance("1m");
  assert.deepEqual(
    env.calls("performLoopAction").map((c) => c.args),
    [[1]],
  );
  assert.deepEqual(await h.result(), ["iteration 1", "iteration 2", "iteration 3"]);
  assert.equal(env.now().getTime(), 180_000);
});
