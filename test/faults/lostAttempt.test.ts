// Fault 17: lost attempts (0009_lost_attempts.sql). SIGKILL of every engine process while a
// bare action (no retry policy) runs: the workflow ends with the fault-free result, the
// interrupted step runs once more and no other step runs twice. A poison action that kills its
// worker every time still ends, after 1 + WAYMARK_MAX_LOST_ATTEMPTS attempts.
// Executions are counted from the independent ledger; the call rows must agree with it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, beforeEach, test } from "node:test";
import { promisify } from "node:util";
import { stopEngine } from "../helpers/engine.js";
import { chainHash } from "./fixtures/oracle.js";
import { FaultContext, LEASE_MS, recordFigures, until } from "./fixtures/suite.js";

const ctx = new FaultContext("lost");
const BIN = new URL("../../bin/waymark.mjs", import.meta.url).pathname;
/** `waymark status <args>` as a user runs it, on the suite's database. */
const status = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [BIN, "status", ...args], { env: process.env }))
    .stdout;
const N = 8;
const SLOW_MS = 4000;

before(() => ctx.setup());
beforeEach(() => ctx.stopAll());
after(() => ctx.teardown());

const MODES = [
  // The default: the runner runs the calls it dispatched in its own process (local calls, kept
  // in the instance row until their outcome is recorded).
  { tag: "inline", what: "in the runner's own process", env: {} },
  // Every call in a worker child process (call rows with leases).
  { tag: "children", what: "in worker children", env: { WAYMARK_INLINE_ACTIONS: "0" } },
] as const;

for (const mode of MODES) {
  test(`17. SIGKILL of every engine process mid bare action (${mode.what}): the fault-free result, only the interrupted step runs again`, async () => {
    const engine = await ctx.engine({ env: { ...mode.env } });
    const started: { id: string; wf: string; seed: number; result: Promise<unknown> }[] = [];
    for (let i = 0; i < N; i++) {
      const wf = `bare-${mode.tag}-${i}-${ctx.seed}`;
      const seed = ctx.rand(1_000_000);
      const h = await new ctx.flows.BareStepsWorkflow().start(wf, seed, SLOW_MS);
      const result = h.result();
      result.catch(() => {});
      started.push({ id: h.id, wf, seed, result });
    }
    const slowStarted = () =>
      new Set(
        ctx
          .lines()
          .filter((l) => l.step === 2 && l.event === "start")
          .map((l) => l.wf),
      );
    await until("every workflow's slow step to be running", () =>
      started.every((s) => slowStarted().has(s.wf)),
    );
    const pid = engine.proc.pid as number;
    engine.killGroup("SIGKILL");
    await engine.exited;
    await until("every process of the engine's group to be gone", () => {
      try {
        process.kill(-pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    const killedAt = Date.now();
    const mine = new Set(started.map((s) => s.wf));
    const ended = ctx.lines().filter((l) => mine.has(l.wf) && l.step === 2 && l.event === "end");
    assert.deepEqual(ended, [], "no slow step finished before the kill");

    await ctx.engine({ env: { ...mode.env } });
    const results = await Promise.all(started.map((s) => s.result));
    const recoveredMs = Date.now() - killedAt;
    for (const [i, s] of started.entries()) {
      const expected = chainHash(chainHash(chainHash(s.seed, 1), 2), 3);
      assert.equal(results[i], expected, `${s.wf}: the fault-free result`);
    }

    // The ledger: steps 1 and 3 ran once each; step 2 twice, as attempts 1 (killed) and 2.
    const lines = ctx.lines();
    for (const s of started) {
      const starts = (step: number) =>
        lines.filter((l) => l.wf === s.wf && l.step === step && l.event === "start");
      assert.equal(starts(1).length, 1, `${s.wf}: step 1 ran once`);
      assert.equal(starts(3).length, 1, `${s.wf}: step 3 ran once`);
      assert.deepEqual(
        starts(2).map((l) => l.attempt),
        [1, 2],
        `${s.wf}: the interrupted step ran again, as attempt 2`,
      );
    }

    // The call rows agree: the slow call has 2 attempts, 1 of them lost; the others 1 and 0.
    const rows = await ctx.query<{ call_id: number; attempts: number; lost: number }>(
      `select call_id, attempts, lost_attempts as lost from waymark_action_calls
       where instance_id = any($1::bigint[]) and status = 'completed' order by instance_id, call_id`,
      [started.map((s) => s.id)],
    );
    assert.equal(rows.length, 3 * N, "three completed calls per workflow");
    const perCall = rows.map((r) => `${r.attempts}/${r.lost}`);
    assert.deepEqual(
      perCall,
      started.flatMap(() => ["1/0", "2/1", "1/0"]),
      "attempts/lost per call: only the slow step lost one",
    );
    const history = await ctx.query<{ lost: boolean; name: string }>(
      `select h.lost, h.result ->> 'name' as name from waymark_attempts h
       where h.instance_id = any($1::bigint[]) and not h.success`,
      [started.map((s) => s.id)],
    );
    assert.equal(history.length, N, "one unsuccessful attempt per workflow");
    assert.ok(
      history.every((h) => h.lost && h.name === "WorkerLostError"),
      "each is a lost attempt",
    );
    recordFigures(`17 SIGKILL every engine process mid bare action (${mode.tag})`, {
      workflows: N,
      lost: 0,
      duplicates: 0,
      rerunSteps: N,
      leaseMs: LEASE_MS,
      recoveryMs: recoveredMs,
    });
  });
}

for (const mode of MODES) {
  test(`17. SIGKILL mid an \`onLost: "fail"\` action (${mode.what}): the workflow fails with the reason, the action never runs twice`, async () => {
    const engine = await ctx.engine({ env: { ...mode.env } });
    const wf = `charge-${mode.tag}-${ctx.seed}`;
    const h = await new ctx.flows.ChargeOnceWorkflow().start(wf, ctx.rand(1_000_000), SLOW_MS);
    const result = h.result();
    result.catch(() => {});
    await until("the charge to be running", () =>
      ctx.lines().some((l) => l.wf === wf && l.step === 2 && l.event === "start"),
    );
    engine.killGroup("SIGKILL");
    await engine.exited;
    await ctx.engine({ env: { ...mode.env } });
    await assert.rejects(result, (e: Error) => {
      assert.match(e.message, /WorkerLostError/);
      assert.match(
        e.message,
        /attempt 1 of action `chargeOnce` was lost: (worker|runner):\S+ .*not run again: the action is defined with onLost: "fail"/,
      );
      return true;
    });
    const starts = ctx.lines().filter((l) => l.wf === wf && l.step === 2 && l.event === "start");
    assert.equal(starts.length, 1, "the charge started once");
    const calls = await ctx.query<{ attempts: number; lost: number; status: string }>(
      "select attempts, lost_attempts as lost, status from waymark_action_calls where instance_id = $1 order by call_id",
      [h.id],
    );
    assert.deepEqual(calls, [
      { attempts: 1, lost: 0, status: "completed" },
      { attempts: 1, lost: 1, status: "failed" },
    ]);
    // The counters as `waymark status` shows them: on the instance's line and per call.
    const list = (await status("--limit", "50")).split("\n").find((l) => l.startsWith(`${h.id} `));
    assert.match(
      list ?? "",
      /^\d+\s+failed\s+chargeonceworkflow\s.*\s2 \(1 lost\)\s+WorkerLostError/,
    );
    const detail = await status(h.id);
    assert.match(detail, /attempts 2 \(1 lost\)/);
    assert.match(detail, /^CALL\s+ACTION\s+STATE\s+ATTEMPTS\s+LOST\s+OUTCOME$/m);
    assert.match(detail, /^1\s+chainStep\s+completed\s+1\s+0\s+\d+$/m);
    assert.match(
      detail,
      /^2\s+chargeOnce\s+failed\s+1\s+1\s+WorkerLostError: attempt 1 of action `chargeOnce` was lost/m,
    );
  });
}

test("17. WAYMARK_MAX_LOST_ATTEMPTS bounds a poison action: 0 fails the call at its first lost attempt", async () => {
  const engine = await ctx.engine({
    env: { WAYMARK_MAX_LOST_ATTEMPTS: "0", WAYMARK_INLINE_ACTIONS: "0" },
  });
  const h = await new ctx.flows.CrashLoopWorkflow().start();
  await assert.rejects(h.result(), (e: Error) => {
    assert.match(e.message, /WorkerLostError/);
    assert.match(
      e.message,
      /attempt 1 of action `crashWorker` was lost: worker:\S+ .*1 attempts of this call were lost, more than WAYMARK_MAX_LOST_ATTEMPTS=0/,
    );
    return true;
  });
  const calls = await ctx.query<{ attempts: number; lost: number; status: string }>(
    "select attempts, lost_attempts as lost, status from waymark_action_calls where instance_id = $1",
    [h.id],
  );
  assert.deepEqual(calls, [{ attempts: 1, lost: 1, status: "failed" }]);
  await stopEngine(engine);
});
