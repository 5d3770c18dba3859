// Every workflow of examples/extras.ts in the in-memory test environment (`waymark/testing`):
// retries, timeouts, fan-out, sleeps, per-item try/finally, early return, helpers, value round
// trips and concurrent mode, with the same results as on the engine (test/e2e/examples.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { actionContext } from "waymark";
import { createTestEnvironment } from "waymark/testing";
import { double, hangUntilAborted, isTarget, slowValue } from "./actions.js";
import * as ex from "./extras.js";

test("RetryCounterWorkflow: attempts 1 and 2 fail, 3 of the allowed 4 succeeds", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(ex.RetryCounterWorkflow, "x"), { label: "x", attempt: 3 });
  assert.deepEqual(
    env.calls("flakyUntilThird")[0]?.attempts.map((a) => a.outcome),
    ["failed", "failed", "completed"],
  );
});

test("TimeoutProbeWorkflow: ActionTimeout at the 200 ms deadline, retried only when named", async () => {
  const env = createTestEnvironment();
  // The real action waits for its signal; here an attempt that never answers stands in for it.
  env.mockAction(hangUntilAborted, async (succeedOn: number) => {
    const { attempt } = actionContext();
    return attempt >= succeedOn ? `done on attempt ${attempt}` : env.hang();
  });
  const start = env.now().getTime();
  assert.equal(await env.run(ex.TimeoutProbeWorkflow, true), "done on attempt 2");
  assert.equal(env.now().getTime() - start, 210, "200 ms deadline + 10 ms backoff");
  assert.equal(await env.run(ex.TimeoutProbeWorkflow, false), "timed out: ActionTimeout");
  assert.deepEqual(
    env.calls(hangUntilAborted).map((c) => c.attempts.map((a) => a.error?.name ?? a.outcome)),
    [["ActionTimeout", "completed"], ["ActionTimeout"]],
  );
});

test("WideFanOutWorkflow: 1,000 parallel calls, then the sum; an empty fan-out", async () => {
  const env = createTestEnvironment();
  assert.equal(await env.run(ex.WideFanOutWorkflow, 1000), 1_001_000);
  assert.equal(env.calls(double).length, 1000);
  assert.equal(await env.run(ex.WideFanOutWorkflow, 0), 0);
});

test("SleepLoopWorkflow: three durable sleeps, on the virtual clock", async () => {
  const env = createTestEnvironment({ now: 0 });
  assert.equal(await env.run(ex.SleepLoopWorkflow, 3, 3_600_000), 3);
  assert.equal(env.now().getTime(), 3 * 3_600_000);
});

test("TryPerItemWorkflow, EarlyReturnWorkflow, HelperMethodsWorkflow", async () => {
  const env = createTestEnvironment();
  assert.deepEqual(await env.run(ex.TryPerItemWorkflow, ["a", "bad-b", "c"]), {
    results: ["processed:a", "failed:bad-b", "processed:c"],
    finallyRuns: 3,
  });
  assert.deepEqual(
    await env.run(
      ex.EarlyReturnWorkflow,
      [
        [1, 2],
        [3, 4],
      ],
      3,
    ),
    { row: 1, col: 0 },
  );
  assert.equal(env.calls(isTarget).length, 3, "stopped after the third cell");
  assert.equal(await env.run(ex.EarlyReturnWorkflow, [[1, 2]], 9), null);
  assert.equal(await env.run(ex.HelperMethodsWorkflow, "ada"), "*HELLO ADA*");
  assert.equal(await env.run(ex.HelperMethodsWorkflow, "ada", "hi"), "*HI ADA*");
});

test("ValueRoundTripWorkflow: Dates, bigints, Maps, Sets and undefined survive", async () => {
  const env = createTestEnvironment();
  const input = {
    when: new Date(0),
    big: 2n ** 70n,
    map: new Map([["a", 1]]),
    set: new Set([1, 2]),
    missing: undefined,
    nested: { list: [1, undefined, { d: new Date(1) }] },
  };
  const out = (await env.run(ex.ValueRoundTripWorkflow, input)) as {
    echoed: unknown;
    again: unknown;
  };
  assert.deepStrictEqual(out.echoed, input);
  assert.deepStrictEqual(out.again, input);
  assert.deepStrictEqual(env.calls("echoValue")[0]?.args, [input]);
  await assert.rejects(
    () => env.run(ex.ValueRoundTripWorkflow, { cb: () => 1 } as never),
    /function/,
  );
});

test("ConcurrentWorkflow overlaps its two calls; SequentialTwinWorkflow does not", async () => {
  const env = createTestEnvironment();
  let inFlight = 0;
  let peak = 0;
  env.mockAction(slowValue, async (label: string) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return { label, finishedAt: 0 };
  });
  assert.equal(await env.run(ex.ConcurrentWorkflow, 300), "a+b");
  assert.equal(peak, 2, "both calls ran at once");
  peak = 0;
  assert.equal(await env.run(ex.SequentialTwinWorkflow, 300), "a+b");
  assert.equal(peak, 1, "one after the other");
});
