// The runner's wake-up signal: notify() wakes every loop; notifyOne() hands one piece of news to
// one loop, and is never lost when no loop is waiting at that moment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Wakeup } from "../../src/runner/Wakeup.js";

/** Resolves to "woken" or "timeout" after `ms`. */
async function outcome(p: Promise<void>, started: number, ms: number): Promise<string> {
  await p;
  return performance.now() - started < ms - 5 ? "woken" : "timeout";
}

test("notifyOne wakes exactly one of two waiting loops", async () => {
  const w = new Wakeup();
  const t = performance.now();
  const a = outcome(w.wait(200), t, 200);
  const b = outcome(w.wait(200), t, 200);
  w.notifyOne();
  assert.deepEqual((await Promise.all([a, b])).sort(), ["timeout", "woken"]);
});

test("notifyOne with no loop waiting: the next wait returns at once, the one after does not", async () => {
  const w = new Wakeup();
  w.notifyOne();
  const t = performance.now();
  assert.equal(await outcome(w.wait(200), t, 200), "woken");
  const t2 = performance.now();
  assert.equal(await outcome(w.wait(100), t2, 100), "timeout");
});

test("notify wakes every waiting loop, and a loop marked before it returns at once", async () => {
  const w = new Wakeup();
  const mark = w.mark();
  const t = performance.now();
  const a = outcome(w.wait(200), t, 200);
  const b = outcome(w.wait(200), t, 200);
  w.notify();
  assert.deepEqual(await Promise.all([a, b]), ["woken", "woken"]);
  const t2 = performance.now();
  assert.equal(await outcome(w.wait(200, mark), t2, 200), "woken");
});
