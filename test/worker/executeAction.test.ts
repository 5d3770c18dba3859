import assert from "node:assert/strict";
import { test } from "node:test";
import type { ConcretePolicy } from "../../src/runtime/types.js";
import type { ClaimedAction } from "../../src/store/Store.js";
import { decodeValue } from "../../src/values/index.js";
import { actionContext } from "../../src/worker/actionContext.js";
import { executeAction } from "../../src/worker/executeAction.js";

const policy = (p: Partial<ConcretePolicy>): ConcretePolicy => ({
  maxAttempts: 1,
  exceptionTypes: null,
  backoff: { initialMs: 100, multiplier: 2, maxMs: 1000 },
  timeoutMs: null,
  ...p,
});
const claimed = (p: ConcretePolicy, attempt = 1, lostAttempts = 0): ClaimedAction => ({
  instanceId: "1",
  callId: 3,
  action: "a",
  args: [],
  policy: p,
  attempt,
  lostAttempts,
});
const never = new AbortController().signal;

test("a timeout records ActionTimeout, aborts the attempt's signal, and a catch-all policy does not retry it", async () => {
  let aborted: unknown;
  const fn = () =>
    new Promise((_, reject) => {
      const { signal } = actionContext();
      signal.addEventListener("abort", () => {
        aborted = signal.reason;
        reject(signal.reason);
      });
    });
  const t0 = Date.now();
  const c = await executeAction(
    claimed(policy({ maxAttempts: 3, timeoutMs: 50 })),
    fn,
    [],
    "w",
    never,
  );
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(c.kind, "failed");
  assert.equal((aborted as Error).name, "ActionTimeout");
  const err = decodeValue(JSON.parse(c.resultJson)) as { name: string; classChain: string[] };
  assert.equal(err.name, "ActionTimeout");
  const named = await executeAction(
    claimed(policy({ maxAttempts: 3, timeoutMs: 50, exceptionTypes: ["ActionTimeout"] })),
    fn,
    [],
    "w",
    never,
  );
  assert.equal(named.kind, "retry");
  assert.equal(named.delayMs, 100);
});

test("errors carry an explicit failure flag and retry by class chain; values are encoded", async () => {
  class MyErr extends Error {}
  const fail = async () => {
    throw new MyErr("boom");
  };
  const r = await executeAction(
    claimed(policy({ maxAttempts: 2, exceptionTypes: ["MyErr"] })),
    fail,
    [],
    "w",
    never,
  );
  assert.deepEqual([r.kind, r.success], ["retry", false]);
  const last = await executeAction(
    claimed(policy({ maxAttempts: 2, exceptionTypes: ["MyErr"] }), 2),
    fail,
    [],
    "w",
    never,
  );
  assert.equal(last.kind, "failed");
  const other = await executeAction(
    claimed(policy({ maxAttempts: 2, exceptionTypes: ["Other"] })),
    fail,
    [],
    "w",
    never,
  );
  assert.equal(other.kind, "failed");
  // A value shaped like an error is still a success.
  const ok = await executeAction(
    claimed(policy({})),
    async () => ({ name: "E", message: "m", classChain: ["E"] }),
    [],
    "w",
    never,
  );
  assert.deepEqual([ok.kind, ok.success], ["completed", true]);
  const date = await executeAction(
    claimed(policy({})),
    async () => new Map([[1n, new Date(5)]]),
    [],
    "w",
    never,
  );
  assert.deepEqual(decodeValue(JSON.parse(date.resultJson)), new Map([[1n, new Date(5)]]));
  // An unserializable result is a failure, not a silent {}.
  const bad = await executeAction(
    claimed(policy({})),
    async () => ({ f: () => 1 }),
    [],
    "w",
    never,
  );
  assert.equal(bad.kind, "failed");
  assert.match(JSON.stringify(JSON.parse(bad.resultJson)), /function/);
});

test("lost attempts do not count against the policy: attempt 3 after 2 lost ones is the policy's first", async () => {
  const boom = async () => {
    throw new Error("boom");
  };
  const p = policy({ maxAttempts: 2 });
  const afterLost = await executeAction(claimed(p, 3, 2), boom, [], "w", never);
  assert.equal(afterLost.kind, "retry", "the first thrown attempt of a policy of 2 is retried");
  assert.equal(afterLost.delayMs, 100, "backoff of the policy's first attempt");
  const second = await executeAction(claimed(p, 4, 2), boom, [], "w", never);
  assert.equal(second.kind, "failed", "the policy's second thrown attempt is its last");
  const noLost = await executeAction(claimed(p, 3, 0), boom, [], "w", never);
  assert.equal(noLost.kind, "failed", "without lost attempts, attempt 3 is past a policy of 2");
});
