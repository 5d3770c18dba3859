// Poison cases fail the instance once, with a readable reason, and never crash-loop.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { useE2eEngine } from "./fixtures/e2eEngine.js";

// Poison cases may leave the engine exiting non-zero on SIGTERM: that code is not asserted here.
const e2e = useE2eEngine(
  { WAYMARK_STEP_BUDGET: "5000", WAYMARK_UNSERVED_ACTION_GRACE_MS: "1500" },
  false,
);
let flows: typeof import("./fixtures/flows.js");

before(async () => {
  flows = await import("./fixtures/flows.js");
});

const failures = (id: string) =>
  e2e.engine
    .log()
    .split("\n")
    .filter((l) => l.includes(`instance ${id} failed`)).length;

test("an action no worker serves fails the instance after the grace period, naming the action", async () => {
  const t0 = Date.now();
  const h = await new flows.UnservedWorkflow().start(1);
  await assert.rejects(h.result(), (e: Error) => {
    assert.equal(e.name, "WorkflowFailedError");
    assert.match(e.message, /no workers serve action `unservedAction`/);
    return true;
  });
  const ms = Date.now() - t0;
  assert.ok(ms >= 1500, `not before the grace period (${ms} ms)`);
  assert.ok(ms < 6000, `soon after the grace period (${ms} ms)`);
  assert.equal(await h.status(), "failed");
  assert.match(e2e.engine.log(), /no workers serve action\(s\) `unservedAction`/);
});

test("a property read of null fails the instance once with a reason", async () => {
  const h = await new flows.NullPropertyWorkflow().start();
  await assert.rejects(h.result(), (e: Error) => {
    assert.equal(e.name, "WorkflowFailedError");
    assert.match(e.message, /missing|null/);
    return true;
  });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await h.status(), "failed");
  assert.equal(failures(h.id), 1, "failed exactly once, no crash loop");
});

test("a runaway loop is stopped by the step budget and fails once", async () => {
  const h = await new flows.RunawayLoopWorkflow().start();
  await assert.rejects(h.result(), (e: Error) => {
    assert.equal(e.name, "WorkflowFailedError");
    assert.match(e.message, /step/i);
    return true;
  });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(failures(h.id), 1, "failed exactly once, no crash loop");
  // The engine is still healthy.
  assert.equal(await new flows.SleepThenActWorkflow().run(10, 1), 3);
});
