// Fault 18: child workflows across a runner crash. The runner is SIGKILLed right after the
// statement that parks a parent and inserts its children commits, or while that statement is on
// the wire: after a healthy runner takes over, each parent has exactly one child per call (the
// unique (parent_id, parent_call_id) index), every result is the fault-free one, and no child's
// step ran more than once except a lost attempt.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { stopEngine } from "../helpers/engine.js";
import { chainHash } from "./fixtures/oracle.js";
import { FaultContext, failpointHits, LEASE_MS, recordFigures, until } from "./fixtures/suite.js";

const ctx = new FaultContext("children");
const PARENTS = 6;
const KIDS = 5;

before(() => ctx.setup());
beforeEach(() => ctx.stopAll());
after(() => ctx.teardown());

for (const point of ["after_dispatch_commit", "mid_persist"] as const) {
  test(`18. SIGKILL the runner at ${point} of a parent starting children: one child per call, fault-free results`, async () => {
    const workers = await ctx.engine({ args: ["--no-runner"] });
    const doomed = await ctx.engine({
      args: ["--no-workers"],
      env: { WAYMARK_FAILPOINTS: `${point}=kill*1` },
    });
    const steps = Array.from({ length: KIDS }, (_, i) => i + 1);
    const started: { id: string; wf: string; seed: number; result: Promise<unknown> }[] = [];
    for (let i = 0; i < PARENTS; i++) {
      const wf = `kids-${point}-${i}-${ctx.seed}`;
      const seed = ctx.rand(1_000_000);
      const h = await new ctx.flows.ChildFanOutWorkflow().start(wf, steps, seed, 50);
      const result = h.result();
      result.catch(() => {});
      started.push({ id: h.id, wf, seed, result });
    }
    await until(
      `the runner to die at ${point}`,
      () => doomed.proc.exitCode !== null || doomed.proc.signalCode !== null,
    );
    assert.equal(failpointHits(doomed.log(), point).length, 1, `failpoint ${point} was hit`);
    assert.equal(doomed.proc.signalCode, "SIGKILL");
    const killedAt = Date.now();
    await ctx.engine({ args: ["--no-workers"] });
    const results = await Promise.all(started.map((s) => s.result));
    const recoveryMs = Date.now() - killedAt;
    for (const [i, s] of started.entries())
      assert.deepEqual(
        results[i],
        steps.map((k) => chainHash(s.seed, k)),
        `${s.wf}: the fault-free result`,
      );
    const kids = await ctx.query<{ parent: string; n: number; calls: number; done: number }>(
      `select parent_id::text as parent, count(*)::int as n, count(distinct parent_call_id)::int as calls,
              count(*) filter (where status = 'completed')::int as done
         from waymark_instances where parent_id = any($1::bigint[]) group by 1 order by 1`,
      [started.map((s) => s.id)],
    );
    assert.deepEqual(
      kids.map((k) => [k.n, k.calls, k.done]),
      started.map(() => [KIDS, KIDS, KIDS]),
      "exactly one completed child per parent call",
    );
    const lines = ctx.lines();
    let rerun = 0;
    for (const s of started)
      for (const k of steps) {
        const n = lines.filter((l) => l.wf === s.wf && l.step === k && l.event === "start").length;
        assert.ok(n >= 1 && n <= 2, `${s.wf} step ${k} started ${n} times`);
        rerun += n - 1;
      }
    recordFigures(`18 SIGKILL runner at ${point} of parents starting children`, {
      workflows: PARENTS * (KIDS + 1),
      lost: 0,
      duplicates: 0,
      rerunSteps: rerun,
      leaseMs: LEASE_MS,
      recoveryMs,
    });
    await stopEngine(workers);
  });
}
