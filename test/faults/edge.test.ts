// Faults 6–11 and 13: duplicate and late completions, actions that never return, non-Error
// throws, payload sizes, malformed input to run(), SQL metacharacters in names, a poison
// workflow and a crash-looping worker child. One engine for the file.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { EngineProcess } from "../helpers/engine.js";
import { readLedger } from "./fixtures/ledger.js";
import { FaultContext, FULL, recordFigures, until } from "./fixtures/suite.js";

const ctx = new FaultContext("edge");
let engine: EngineProcess;

before(async () => {
  await ctx.setup();
  // A 5 s lease: a worker encoding a 10 MB payload on a busy 2-core machine must not be
  // declared lost (these tests are not about recovery time).
  engine = await ctx.engine({
    env: { WAYMARK_LOCK_TTL_MS: "5000", WAYMARK_LOCK_HEARTBEAT_MS: "500" },
  });
});
after(() => ctx.teardown());

const count = async (sql: string, values: unknown[] = []) =>
  Number((await ctx.query<{ n: string }>(sql, values))[0]?.n ?? -1);

test("6. the same completion twice, and a completion for an attempt that already timed out", async () => {
  const { PostgresStore } = await import("../../src/store/postgres/PostgresStore.js");
  const store = new PostgresStore(ctx.db.url, 2);
  const v = await store.registerVersion("dup", "1", { ir: 1 });
  const id = await store.insertInstance(v, "dup", "[]");
  await ctx.query(
    `insert into waymark_action_calls (instance_id, call_id, action_name, args, policy)
     values ($1, 1, 'dupAction', '[]', '{"maxAttempts": 3}')`,
    [id],
  );
  const [a1] = await store.claimActions("w-test", ["dupAction"], 1, 60_000);
  assert.equal(a1?.attempt, 1);
  const base = { instanceId: id, callId: 1, worker: "w-test", startedAt: new Date(), delayMs: 0 };
  // Attempt 1 timed out: the worker requeued it for a retry; attempt 2 is claimed and running.
  const retried = await store.completeActions([
    { ...base, attempt: 1, kind: "retry", success: false, resultJson: '{"t":"timeout"}' },
  ]);
  assert.equal(retried, 1);
  const [a2] = await store.claimActions("w-test", ["dupAction"], 1, 60_000);
  assert.equal(a2?.attempt, 2);
  // The timed-out attempt 1 reports success late: rejected.
  const ok = (attempt: number) => ({
    ...base,
    attempt,
    kind: "completed" as const,
    success: true,
    resultJson: `"from attempt ${attempt}"`,
  });
  assert.equal(await store.completeActions([ok(1)]), 0, "late completion of attempt 1 rejected");
  // Attempt 2's completion delivered twice (a retried flush): recorded once.
  assert.equal(await store.completeActions([ok(2)]), 1);
  assert.equal(await store.completeActions([ok(2)]), 0, "duplicate delivery rejected");
  assert.equal(await store.completeActions([ok(2), ok(2)]), 0);
  const rows = await ctx.query<{ status: string; result: unknown }>(
    "select status, result from waymark_action_calls where instance_id = $1",
    [id],
  );
  assert.deepEqual(rows, [{ status: "completed", result: "from attempt 2" }]);
  assert.equal(
    await count("select count(*) as n from waymark_attempts where instance_id = $1 and success", [
      id,
    ]),
    1,
  );
  recordFigures("6 duplicate and late completions", {
    workflows: 1,
    lost: 0,
    duplicates: 0,
    duplicateDeliveriesRejected: 3,
    lateCompletionsRejected: 1,
  });
});

test("7. an action that never returns: the timeout aborts it, the retry policy applies", async () => {
  const wf = `hang-${ctx.seed}`;
  const t0 = Date.now();
  const out = (await new ctx.flows.HangWorkflow().run(wf)) as string;
  const ms = Date.now() - t0;
  assert.match(out, /^gave up: /);
  assert.match(out, /ActionTimeout|timed out/);
  const lines = readLedger(ctx.ledger).filter((l) => l.wf === wf);
  const starts = lines.filter((l) => l.event === "start").map((l) => l.attempt);
  const aborts = lines.filter((l) => l.event === "abort").map((l) => l.attempt);
  assert.deepEqual(starts, [1, 2, 3], "three attempts (policy: 3)");
  assert.deepEqual(aborts, [1, 2, 3], "each attempt's signal aborted it");
  for (const a of [1, 2, 3]) {
    const s = lines.find((l) => l.event === "start" && l.attempt === a)?.t ?? 0;
    const e = lines.find((l) => l.event === "abort" && l.attempt === a)?.t ?? 0;
    assert.ok(e - s >= 290 && e - s < 1500, `attempt ${a} aborted after ${e - s} ms (timeout 300)`);
    // The next attempt never overlaps the aborted one.
    const next = lines.find((l) => l.event === "start" && l.attempt === a + 1);
    if (next) assert.ok(next.t >= e, "no concurrent duplicate attempt");
  }
  recordFigures("7 action never returns (timeout 300 ms, 3 attempts)", {
    workflows: 1,
    lost: 0,
    duplicates: 0,
    maxStarts: starts.length,
    maxAttempts: 3,
    totalMs: ms,
  });
});

test("8. actions that throw non-Error values fail with a readable reason", async () => {
  const kinds = ["string", "object", "cyclic", "null", "undefined", "number"];
  const expected: Record<string, RegExp> = {
    string: /a plain string/,
    object: /42|plain object/,
    cyclic: /cycle/i,
    null: /null/,
    undefined: /undefined/,
    number: /7/,
  };
  for (const kind of kinds) {
    const h = await new ctx.flows.OddThrowWorkflow().start(kind);
    await assert.rejects(h.result(), (e: Error) => {
      assert.equal(e.name, "WorkflowFailedError");
      assert.match(e.message, expected[kind] as RegExp, `${kind}: ${e.message}`);
      return true;
    });
  }
  assert.doesNotMatch(engine.log(), /exited \(code/, "no worker child crashed");
  recordFigures("8 non-Error throws", { workflows: kinds.length, lost: 0, duplicates: 0 });
});

test("9. payloads from 1 KB to 10 MB round-trip; above the limit a clear error", async () => {
  const sizes = [1 << 10, 100 << 10, 1 << 20, 10 << 20];
  if (FULL) sizes.push(15 << 20);
  for (const bytes of sizes) {
    const arg = "y".repeat(bytes);
    const out = await new ctx.flows.PayloadWorkflow().run(bytes, arg);
    assert.deepEqual(out, [bytes, bytes], `${bytes} bytes`);
  }
  const before = await count("select count(*) as n from waymark_instances");
  await assert.rejects(
    new ctx.flows.PayloadWorkflow().start(1, "z".repeat(17 << 20)),
    /payload|too large|limit/i,
  );
  assert.equal(await count("select count(*) as n from waymark_instances"), before, "no row");
  // An action result above the limit fails the call with a clear reason.
  const h = await new ctx.flows.PayloadWorkflow().start(17 << 20, "");
  await assert.rejects(h.result(), /too large|limit/i);
  recordFigures("9 payloads 1 KB–10 MB; 17 MB refused", {
    workflows: sizes.length + 1,
    lost: 0,
    duplicates: 0,
    largestBytes: sizes[sizes.length - 1],
  });
});

test("10. malformed input to run(): clear error, no row written", async () => {
  const before = await count("select count(*) as n from waymark_instances");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const bad: unknown[][] = [[() => 1], [Symbol("s")], [cyclic], [new (class Foo {})()]];
  for (const args of bad)
    await assert.rejects(
      (new ctx.flows.SleepWorkflow().start as (...a: unknown[]) => Promise<unknown>)(...args),
      (e: Error) => {
        assert.match(e.message, /input|serializ|cannot|not supported|cycl/i, e.message);
        return true;
      },
    );
  // Wrong arity: more arguments than run() declares.
  await assert.rejects(
    (new ctx.flows.SleepWorkflow().start as (...a: unknown[]) => Promise<unknown>)(1, 2, 3),
    /run\(\) takes 1 argument\(s\), got 3/,
  );
  assert.equal(await count("select count(*) as n from waymark_instances"), before);
});

test("11. names with quotes, semicolons and SQL metacharacters round-trip; nothing injects", async () => {
  const s = `'); drop table waymark_instances; -- "$1" \\ ; select pg_sleep(10)`;
  assert.equal(await new ctx.flows.WeirdNameWorkflow().run(s), `echo:${s}`);
  const rows = await ctx.query<{ workflow_name: string; action_name: string }>(
    `select i.workflow_name, c.action_name from waymark_instances i
     join waymark_action_calls c on c.instance_id = i.id where i.workflow_name like 'wf''%'`,
  );
  assert.deepEqual(rows, [
    {
      workflow_name: `wf'; drop table waymark_instances; --"x"$1`,
      action_name: `it's; drop table waymark_instances; -- "x" $1 \\`,
    },
  ]);
  assert.ok((await count("select count(*) as n from waymark_instances")) > 0, "table intact");
});

test("13. a poison workflow fails once with a reason; a crash-looping child is respawned with backoff", async () => {
  const h = await new ctx.flows.OddThrowWorkflow().start("string");
  await assert.rejects(h.result(), /a plain string/);
  await new Promise((r) => setTimeout(r, 1000));
  const failures = engine
    .log()
    .split("\n")
    .filter((l) => l.includes(`instance ${h.id} failed`));
  assert.equal(failures.length, 1, "failed exactly once");
  const logStart = engine.log().length; // crashes of earlier tests are long past (backoff reset)
  const crash = await new ctx.flows.CrashLoopWorkflow().start();
  await assert.rejects(crash.result(), (e: Error) => {
    // A bare call: every crash is a lost attempt, re-run up to WAYMARK_MAX_LOST_ATTEMPTS (3).
    assert.match(e.message, /WorkerLostError/);
    assert.match(
      e.message,
      /4 attempts of this call were lost, more than WAYMARK_MAX_LOST_ATTEMPTS=3/,
    );
    return true;
  });
  const respawns = [
    ...engine.log().matchAll(/exited \(code 1, signal null\); respawning in (\d+)ms/g),
  ].map((m) => Number(m[1]));
  assert.ok(respawns.length >= 4, `children crashed and were respawned: ${respawns}`);
  // Backoff (WorkerPool): a child that crashes within 10 s of its start doubles its slot's
  // previous delay; one that ran longer starts again from 100 ms. Checked on every crash of
  // this test, from the log's timestamps.
  const lastStart = new Map<string, number>();
  const lastDelay = new Map<string, number>();
  let doubled = 0;
  for (const line of engine.log().slice(logStart).split("\n")) {
    const t = Date.parse(line.slice(0, 24));
    const started = /worker (\d+) started \(pid/.exec(line);
    if (started) lastStart.set(started[1] as string, t);
    const exited = /worker (\d+) \(pid \d+\) exited .*; respawning in (\d+)ms/.exec(line);
    if (!exited) continue;
    const slot = exited[1] as string;
    const delay = Number(exited[2]);
    const prev = lastDelay.get(slot);
    const since = lastStart.get(slot);
    if (prev !== undefined && since !== undefined && t - since < 9_000) {
      assert.equal(delay, Math.min(2 * prev, 10_000), `slot ${slot}: backoff doubles (${line})`);
      doubled++;
    } else if (since !== undefined && t - since > 11_000) {
      assert.equal(delay, 100, `slot ${slot}: a child that ran > 10 s starts over (${line})`);
    }
    lastDelay.set(slot, delay);
  }
  await until("the pool to be whole again", () => engine.workerPids().length === 2);
  recordFigures("13 poison workflow and crash-looping child", {
    workflows: 2,
    lost: 0,
    duplicates: 0,
    childCrashes: respawns.length,
    respawnDelaysMs: respawns.join("/"),
    backoffDoublings: doubled,
  });
});
