// Actions run in the runner's own process (src/worker/InlineExecutor.ts): which calls run there,
// which never do, and what happens when an action kills the process it runs in.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { FaultContext, recordFigures, until } from "./fixtures/suite.js";

const ctx = new FaultContext("inline");

before(() => ctx.setup());
beforeEach(() => ctx.stopAll());
after(() => ctx.teardown());

const exited = (p: { exitCode: number | null; signalCode: string | null }) =>
  p.exitCode !== null || p.signalCode !== null;

test("a runner runs the calls it dispatches in its own process, except inline: false and loop-holding actions", async () => {
  const engine = await ctx.engine();
  const runnerPid = engine.proc.pid;
  const h = await new ctx.flows.WhereWorkflow().start(60);
  const [plain, isolated, firstHold, secondHold] = (await h.result()) as number[];
  const children = engine.workerPids();
  assert.equal(plain, runnerPid, "a plain action ran in the runner's process");
  assert.ok(children.includes(isolated as number), "inline: false ran in a worker process");
  assert.equal(firstHold, runnerPid, "the loop-holding action's first call ran inline");
  assert.ok(
    children.includes(secondHold as number),
    `after holding the loop 60 ms it runs in worker processes (pid ${secondHold}, children ${children})`,
  );
  assert.match(
    engine.log(),
    /action `holdsLoop` held the runner's event loop for \d+ms before its first await; it runs in worker processes from now on/,
  );
  const rows = await ctx.query<{ action_name: string; worker: string }>(
    "select c.action_name, c.worker from waymark_action_calls c where c.instance_id = $1 order by c.call_id",
    [h.id],
  );
  assert.match(rows[0]?.worker ?? "", /^runner:/, "an inline call's worker is the runner");
  assert.match(rows[1]?.worker ?? "", /^worker:/, "an isolated call's worker is a worker process");
});

test("an action that kills the runner's process: retried in a worker process, kept out of runners from then on", async () => {
  const first = await ctx.engine();
  const wf = `exit-${ctx.seed}`;
  const h = await new ctx.flows.ExitOnceWorkflow().start(wf);
  await until("the runner's process to die", () => exited(first.proc));
  const killedAt = Date.now();
  const attempt1 = ctx.lines().find((l) => l.wf === wf && l.attempt === 1);
  assert.equal(attempt1?.pid, first.proc.pid, "attempt 1 ran in the runner's process");

  const second = await ctx.engine();
  const pid = (await h.result()) as number;
  const recoveredMs = Date.now() - killedAt;
  assert.notEqual(pid, second.proc.pid, "the retry did not run in the new runner's process");
  assert.ok(second.workerPids().includes(pid), "the retry ran in a worker process");
  const notes = await ctx.query<{ action_name: string; reason: string }>(
    "select action_name, reason from waymark_inline_quarantine",
  );
  assert.deepEqual(
    notes.map((n) => n.action_name),
    ["exitOnFirstAttempt"],
  );
  assert.match(notes[0]?.reason ?? "", /stopped renewing its lease while running call/);
  assert.match(second.log(), /a runner died while running action\(s\) `exitOnFirstAttempt`/);

  // A new call of the same action: its first attempt kills a worker process (respawned), not
  // the runner.
  const wf2 = `exit2-${ctx.seed}`;
  const pid2 = (await new ctx.flows.ExitOnceWorkflow().run(wf2)) as number;
  const a1 = ctx.lines().find((l) => l.wf === wf2 && l.attempt === 1);
  assert.notEqual(a1?.pid, second.proc.pid, "attempt 1 of the new call ran in a worker process");
  assert.ok(!exited(second.proc), "the runner survived");
  assert.notEqual(pid2, second.proc.pid);
  assert.match(second.log(), /exited \(code 1, signal null\); respawning/);
  recordFigures("inline: action kills the runner's process", { recoveredMs, lost: 0 });
});
