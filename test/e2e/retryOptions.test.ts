// Retry options written with shorthand and spreads take effect on a real engine: the number of
// executions (counted in the ledger, not in the engine's tables) is the one each instance's
// policy gives.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { useE2eEngine } from "./fixtures/e2eEngine.js";

const e2e = useE2eEngine();
let flows: typeof import("./fixtures/optionFlows.js");
let ledger: typeof import("./fixtures/ledger.js");

before(async () => {
  flows = await import("./fixtures/optionFlows.js");
  ledger = await import("./fixtures/ledger.js");
});

const attemptsOf = (tag: string) =>
  ledger
    .readLedger(e2e.ledger)
    .filter((l) => l.tag === tag && l.event === "start")
    .map((l) => l.attempt);

test("`new RetryPolicy({ attempts })` from a run() parameter: each instance runs its own count", async () => {
  const run = Date.now();
  const [two, four] = await Promise.all([
    new flows.ShorthandAttemptsWorkflow().run(`short2-${run}`, 2),
    new flows.ShorthandAttemptsWorkflow().run(`short4-${run}`, 4),
  ]);
  assert.equal(two, `caught: attempt 2 of short2-${run} failed`);
  assert.equal(four, `caught: attempt 4 of short4-${run} failed`);
  assert.deepEqual(attemptsOf(`short2-${run}`), [1, 2], "exactly 2 executions");
  assert.deepEqual(attemptsOf(`short4-${run}`), [1, 2, 3, 4], "exactly 4 executions");
});

test("`{ retry: { ...TWICE } }`: a spread of a module constant is the policy", async () => {
  const tag = `spread-${Date.now()}`;
  assert.equal(
    await new flows.SpreadPolicyWorkflow().run(tag),
    `caught: attempt 2 of ${tag} failed`,
  );
  assert.deepEqual(attemptsOf(tag), [1, 2], "exactly 2 executions");
});
