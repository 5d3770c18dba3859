import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { closePools, getPool } from "../../src/store/postgres/pool.js";
import type { LocalRecord } from "../../src/store/postgres/queries/persistInstances.js";
import { VersionConflictError } from "../../src/store/postgres/queries/registerVersion.js";
import {
  CHANNEL_INSTANCES,
  FRESH_GRACE_MS,
  parseFreshPayload,
} from "../../src/store/postgres/queries/types.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
let store: PostgresStore;
before(async () => {
  db = await createTestDb();
  store = new PostgresStore(db.url, 20);
});
after(async () => {
  await closePools();
  await db.drop();
});

const policy = JSON.stringify({
  maxAttempts: 3,
  exceptionTypes: null,
  backoff: { initialMs: 0, multiplier: 2, maxMs: 0 },
  timeoutMs: null,
});

/** Queues an instance as a claim finds it once nobody started it from its notification:
 *  the insert delays an announced instance's wake-up by FRESH_GRACE_MS (types.ts); this is
 *  that grace, passed. */
async function insertDue(v: string, name: string, inputJson: string): Promise<string> {
  const id = await store.insertInstance(v, name, inputJson);
  await getPool(db.url).query("update waymark_instances set wake_at = now() where id = $1", [id]);
  return id;
}

/** A parked instance write: waiting, no timer, one step. */
function waiting(id: string, fence: string, state = "s", awaited?: number) {
  return {
    id,
    fence,
    status: "waiting" as const,
    state,
    resultJson: null,
    errorJson: null,
    timerId: null,
    sleepMs: null,
    stepsAdded: 1,
    ...(awaited === undefined ? {} : { awaited }),
  };
}

/** The outcome of a local call as the runner records it: completed at attempt 1 unless told. */
function localRecord(
  instanceId: string,
  callId: number,
  more: Partial<LocalRecord> = {},
): LocalRecord {
  return {
    instanceId,
    callId,
    attempt: 1,
    kind: "completed",
    success: true,
    resultJson: "1",
    delayMs: 0,
    worker: "R",
    startedAt: null,
    action: "x",
    argsJson: "[]",
    policyJson: null,
    ...more,
  };
}

test("a version is immutable: same IR is accepted again, a different IR is an error", async () => {
  const id1 = await store.registerVersion("wf", "v1", { b: 1, a: [1, 2] });
  const id2 = await store.registerVersion("wf", "v1", { a: [1, 2], b: 1 });
  assert.equal(id1, id2);
  await assert.rejects(
    store.registerVersion("wf", "v1", { a: [1, 3], b: 1 }),
    VersionConflictError,
  );
  const id3 = await store.registerVersion("wf", "v2", { a: 1 });
  assert.notEqual(id3, id1);
});

test("concurrent claims with SKIP LOCKED never hand one instance to two runners", async () => {
  const v = await store.registerVersion("claimwf", "v1", {});
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) ids.add(await insertDue(v, "claimwf", "[]"));
  const owners = Array.from({ length: 8 }, (_, i) => `runner-${i}`);
  const claimed = await Promise.all(owners.map((o) => store.claimInstances(o, 40, 60_000)));
  const all = claimed.flat().map((c) => c.id);
  assert.equal(new Set(all).size, all.length, "no instance claimed twice");
  const more = await store.claimInstances("late", 500, 60_000);
  assert.equal(all.length + more.length, 200, "all claimable exactly once");
  assert.equal(
    (await store.claimInstances("later", 500, 60_000)).length,
    0,
    "leased rows are not reclaimable",
  );
});

test("fencing: after a lease expires and another runner reclaims, the stale runner writes nothing", async () => {
  const v = await store.registerVersion("fencewf", "v1", {});
  const id = await insertDue(v, "fencewf", "[]");
  const [a] = (await store.claimInstances("A", 10, 50)).filter((c) => c.id === id);
  assert.ok(a);
  await new Promise((r) => setTimeout(r, 120));
  const [b] = (await store.claimInstances("B", 10, 60_000)).filter((c) => c.id === id);
  assert.ok(b, "expired lease is reclaimed");
  assert.equal(Number(b.fence), Number(a.fence) + 1);
  const write = (fence: string, state: string) => ({
    instances: [waiting(id, fence, state)],
    dispatch: [
      { instanceId: id, callId: 1, action: `act_${state}`, argsJson: "[]", policyJson: policy },
    ],
    delivered: [],
    abandon: [],
  });
  const stale = await store.persistInstances(write(a.fence, "stale"));
  assert.equal(stale.size, 0);
  const calls0 = await store.pool.query(
    "select count(*)::int as n from waymark_action_calls where instance_id = $1",
    [id],
  );
  assert.equal(calls0.rows[0].n, 0, "stale runner dispatched nothing");
  const fresh = await store.persistInstances(write(b.fence, "fresh"));
  assert.deepEqual([...fresh], [id]);
  const row = await store.pool.query(
    "select state, lease_owner from waymark_instances where id = $1",
    [id],
  );
  assert.equal(row.rows[0].state, "fresh");
  assert.equal(row.rows[0].lease_owner, null);
  // Re-dispatching the same call id is an insert-if-absent no-op.
  const [c] = (await store.claimInstances("C", 10, 60_000)).filter((x) => x.id === id);
  assert.equal(c, undefined, "a parked instance waiting on actions is not runnable");
});

test("action claims charge the attempt first; completions are fenced on (call, attempt, running)", async () => {
  const v = await store.registerVersion("actwf", "v1", {});
  const id = await insertDue(v, "actwf", "[]");
  const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(inst);
  await store.persistInstances({
    instances: [waiting(id, inst.fence)],
    dispatch: [{ instanceId: id, callId: 7, action: "x", argsJson: "[1]", policyJson: policy }],
    delivered: [],
    abandon: [],
  });
  assert.equal(
    (await store.claimActions("w1", ["y"], 10, 60_000)).length,
    0,
    "only served actions are claimed",
  );
  const [call] = await store.claimActions("w1", ["x"], 10, 60_000);
  assert.ok(call);
  assert.equal(call.attempt, 1);
  const done = {
    instanceId: id,
    callId: 7,
    attempt: 1,
    kind: "completed" as const,
    success: true,
    resultJson: "42",
    delayMs: 0,
    worker: "w1",
    startedAt: new Date(),
  };
  assert.equal(await store.completeActions([done]), 1);
  assert.equal(await store.completeActions([done]), 0, "duplicate completion changes nothing");
  const outcomes = await store.loadOutcomes([id]);
  assert.deepEqual(outcomes, [{ instanceId: id, callId: 7, success: true, result: 42 }]);
  const [again] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(again, "the completion woke the instance");
});

test("a wait over several calls wakes its instance once all have outcomes, or at a failure", async () => {
  const v = await store.registerVersion("fanwf", "v1", {});
  const id = await insertDue(v, "fanwf", "[]");
  const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(inst);
  const park = (fence: string, awaited: number, delivered: number[], dispatch: number[]) =>
    store.persistInstances({
      instances: [waiting(id, fence, "s", awaited)],
      dispatch: dispatch.map((callId) => ({
        instanceId: id,
        callId,
        action: "fan",
        argsJson: "[]",
        policyJson: policy,
      })),
      delivered: delivered.map((callId) => ({ instanceId: id, callId })),
      abandon: [],
    });
  const claimMine = async (owner: string) =>
    (await store.claimInstances(owner, 100, 60_000)).filter((c) => c.id === id);
  const claimed = new Map<number, number>(); // call id → attempt
  const finish = async (callId: number, success = true) => {
    for (const x of await store.claimActions("w", ["fan"], 100, 60_000))
      if (x.instanceId === id) claimed.set(x.callId, x.attempt);
    const c = { attempt: claimed.get(callId) };
    assert.ok(c.attempt, `call ${callId} claimed`);
    return store.completeActions([
      {
        instanceId: id,
        callId,
        attempt: c.attempt as number,
        kind: success ? "completed" : "failed",
        success,
        resultJson: success ? String(callId) : '{"name":"E"}',
        delayMs: 0,
        worker: "w",
        startedAt: new Date(),
      },
    ]);
  };
  assert.deepEqual([...(await park(inst.fence, 3, [], [1, 2, 3]))], [id]);
  await finish(1);
  await finish(2);
  assert.deepEqual(await claimMine("R1"), [], "2 of 3 outcomes: not woken");
  await finish(3);
  const [woken] = await claimMine("R2");
  assert.ok(woken, "3 of 3: woken");

  // While the runner holds it, call 4's outcome is recorded before the runner parks the instance
  // again awaiting calls 4 and 5 (it did not see that outcome): one more outcome must wake it.
  assert.equal((await store.loadOutcomes([id])).length, 3);
  await park(woken.fence, 2, [1, 2, 3], [4, 5]);
  const [held] = await claimMine("R3");
  assert.equal(held, undefined);
  // Re-claim by lease expiry is not needed here: simulate a runner that holds the row while the
  // completion lands, by claiming an expired lease first.
  await store.pool.query(
    "update waymark_instances set wake_at = now(), lease_owner = null where id = $1",
    [id],
  );
  const [h] = await claimMine("R4");
  assert.ok(h);
  await finish(4); // recorded while held; the holder parks without having seen it
  await park(h.fence, 2, [], []);
  assert.deepEqual(await claimMine("R5"), [], "1 of 2 outcomes recorded: not woken");
  await finish(5);
  const [again] = await claimMine("R6");
  assert.ok(again, "the outcome recorded while held counted: woken at the second");
  const outcomes = await store.loadOutcomes([id]);
  assert.deepEqual(
    outcomes.map((o) => o.callId),
    [4, 5],
  );

  // A failure wakes a fail-fast wait at once.
  await park(again.fence, 3, [4, 5], [6, 7, 8]);
  await finish(6, false);
  const [failed] = await claimMine("R7");
  assert.ok(failed, "a failed call wakes the instance before the others finish");
  const row = await store.pool.query(
    "select calls_done, calls_absorbed, calls_awaited from waymark_instances where id = $1",
    [id],
  );
  assert.deepEqual(row.rows[0], { calls_done: 6, calls_absorbed: 5, calls_awaited: 3 });
});

test("the history keeps retried attempts; the settling one is the call row; waymark_attempts shows all", async () => {
  const v = await store.registerVersion("histwf", "v1", {});
  const id = await insertDue(v, "histwf", "[]");
  const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(inst);
  await store.persistInstances({
    instances: [waiting(id, inst.fence)],
    dispatch: [{ instanceId: id, callId: 1, action: "h", argsJson: "[]", policyJson: policy }],
    delivered: [],
    abandon: [],
  });
  const attempt = async (kind: "retry" | "completed", resultJson: string) => {
    const [call] = await store.claimActions("w1", ["h"], 10, 60_000);
    assert.ok(call, `attempt of kind ${kind} claimed`);
    const applied = await store.completeActions([
      {
        instanceId: id,
        callId: 1,
        attempt: call.attempt,
        kind,
        success: kind === "completed",
        resultJson,
        delayMs: 0,
        worker: "w1",
        startedAt: new Date(),
      },
    ]);
    assert.equal(applied, 1);
    return call.attempt;
  };
  assert.equal(await attempt("retry", '{"message":"boom"}'), 1);
  assert.equal(await attempt("completed", '"ok"'), 2);
  const history = (
    await store.pool.query(
      "select attempt, success from waymark_action_attempts where instance_id = $1",
      [id],
    )
  ).rows;
  assert.deepEqual(history, [{ attempt: 1, success: false }], "only the retried attempt");
  const all = (
    await store.pool.query(
      "select attempt, success, result from waymark_attempts where instance_id = $1 order by attempt",
      [id],
    )
  ).rows;
  assert.deepEqual(all, [
    { attempt: 1, success: false, result: { message: "boom" } },
    { attempt: 2, success: true, result: "ok" },
  ]);
});

test("a persist repeated after its answer was lost recognises its own committed write", async () => {
  const v = await store.registerVersion("lostwf", "v1", {});
  const id = await insertDue(v, "lostwf", "[]");
  const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(inst);
  // Step 1: dispatch call 1 to a local worker, keep the lease.
  const step1 = {
    instances: [{ ...waiting(id, inst.fence, "s1", 1), status: "running" as const, hold: true }],
    dispatch: [
      { instanceId: id, callId: 1, action: "x", argsJson: "[]", policyJson: policy, runAs: "L" },
    ],
    delivered: [],
    abandon: [],
    leaseMs: 60_000,
  };
  const first = await store.persistInstancesEx(step1);
  assert.deepEqual([...first.persisted], [id]);
  assert.deepEqual([...first.localStarted], [`${id}/1`]);
  // The same statement again (its answer "lost"): written, and call 1 still to be started.
  const again = await store.persistInstancesEx({ ...step1, repeat: true });
  assert.deepEqual([...again.persisted], [id], "the repeated write is reported as written");
  assert.deepEqual([...again.localStarted], [`${id}/1`], "the unstarted call is handed out");
  // Step 2: record call 1's outcome and dispatch call 2 locally, in one statement.
  const step2 = {
    instances: [{ ...waiting(id, inst.fence, "s2", 1), status: "running" as const, hold: true }],
    dispatch: [
      { instanceId: id, callId: 2, action: "x", argsJson: "[]", policyJson: policy, runAs: "L" },
    ],
    delivered: [],
    abandon: [],
    leaseMs: 60_000,
    records: [localRecord(id, 1, { worker: "L", policyJson: policy })],
  };
  assert.deepEqual([...(await store.persistInstancesEx(step2)).persisted], [id]);
  // Repeated: the recorded call is no longer running, so the fenced update does not match —
  // yet the row holds exactly this write, and call 2 (never started) is handed out again.
  const repeated = await store.persistInstancesEx({ ...step2, repeat: true });
  assert.deepEqual([...repeated.persisted], [id]);
  assert.deepEqual([...repeated.localStarted], [`${id}/2`]);
  const row = (
    await store.pool.query(
      "select state, steps::int as steps, lease_owner from waymark_instances where id = $1",
      [id],
    )
  ).rows[0];
  assert.deepEqual(row, { state: "s2", steps: 2, lease_owner: "R" }, "written once, still held");
  // A write this row does not hold (another state) with a call no longer running: dropped.
  const other = { ...step2, instances: [{ ...step2.instances[0], state: "s3" }] } as typeof step2;
  const dropped = await store.persistInstancesEx({ ...other, repeat: true });
  assert.equal(dropped.persisted.size, 0, "a write that never happened is not reported");
  assert.equal(dropped.localStarted.size, 0);
  // A later owner (fence bumped) makes the old runner's repeat a no-op even with equal state.
  await store.pool.query("update waymark_instances set fence = fence + 1 where id = $1", [id]);
  assert.equal(
    (await store.persistInstancesEx({ ...step2, repeat: true })).persisted.size,
    0,
    "fenced out",
  );
});

test("local calls live in the instance row until recorded, then as one settled call row each", async () => {
  const v = await store.registerVersion("localwf", "v1", {});
  const pool = getPool(db.url);
  const rows = async (id: string) =>
    (
      await pool.query(
        `select call_id, status, attempts, worker, delivered, args::text as args, success
         from waymark_action_calls where instance_id = $1 order by call_id`,
        [id],
      )
    ).rows;
  const id = await insertDue(v, "localwf", "[]");
  const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
  assert.ok(inst);
  // Two calls handed to local workers: the runner itself (R) and a worker of its tree (W).
  const args = '[1,{"b":1,"a":2}]';
  const dispatched = await store.persistInstancesEx({
    instances: [{ ...waiting(id, inst.fence, "s1", 2), status: "running" as const, hold: true }],
    dispatch: [
      { instanceId: id, callId: 1, action: "x", argsJson: args, policyJson: policy, runAs: "R" },
      { instanceId: id, callId: 2, action: "y", argsJson: "[]", policyJson: null, runAs: "W" },
    ],
    delivered: [],
    abandon: [],
    leaseMs: 60_000,
    owner: "R",
  });
  assert.deepEqual([...dispatched.localStarted].sort(), [`${id}/1`, `${id}/2`]);
  assert.deepEqual(await rows(id), [], "no call row while they run");
  const held = (
    await pool.query("select local_calls::text as l from waymark_instances where id = $1", [id])
  ).rows[0];
  assert.deepEqual(JSON.parse(held.l), [
    { c: 1, a: "x", x: [1, { b: 1, a: 2 }], p: JSON.parse(policy) },
    { c: 2, a: "y", x: [], w: "W" },
  ]);
  // Their outcomes (one final, one retry) recorded with the step that absorbed them.
  const record = {
    instances: [waiting(id, inst.fence, "s2", 1)],
    dispatch: [],
    delivered: [],
    abandon: [],
    records: [
      localRecord(id, 1, {
        resultJson: '"ok"',
        startedAt: new Date(),
        argsJson: args,
        policyJson: policy,
      }),
      localRecord(id, 2, {
        kind: "retry",
        success: false,
        resultJson: '{"message":"boom"}',
        worker: "W",
        startedAt: new Date(),
        action: "y",
      }),
    ],
  };
  assert.deepEqual([...(await store.persistInstancesEx(record)).persisted], [id]);
  assert.deepEqual(await rows(id), [
    {
      call_id: 1,
      status: "completed",
      attempts: 1,
      worker: "R",
      delivered: true,
      args,
      success: true,
    },
    {
      call_id: 2,
      status: "queued",
      attempts: 1,
      worker: "W",
      delivered: false,
      args: "[]",
      success: null,
    },
  ]);
  const history = (
    await pool.query(
      "select call_id, attempt, success from waymark_action_attempts where instance_id = $1",
      [id],
    )
  ).rows;
  assert.deepEqual(history, [{ call_id: 2, attempt: 1, success: false }]);
  const after = (
    await pool.query("select state, local_calls from waymark_instances where id = $1", [id])
  ).rows[0];
  assert.deepEqual(after, { state: "s2", local_calls: null });
  // The same outcomes with another state (a write this row does not hold): refused whole.
  const other = { ...record, instances: [waiting(id, inst.fence, "s3", 1)] };
  assert.equal((await store.persistInstancesEx(other)).persisted.size, 0);
});

test("a claim after the holder's lease lapsed, or a cancel, moves its local calls into call rows", async () => {
  const v = await store.registerVersion("localmove", "v1", {});
  const pool = getPool(db.url);
  const holdOne = async () => {
    const id = await insertDue(v, "localmove", "[]");
    const [inst] = (await store.claimInstances("R", 100, 60_000)).filter((c) => c.id === id);
    assert.ok(inst);
    const w = await store.persistInstancesEx({
      instances: [{ ...waiting(id, inst.fence, "s1", 1), status: "running" as const, hold: true }],
      dispatch: [
        { instanceId: id, callId: 1, action: "x", argsJson: "[7]", policyJson: null, runAs: "R" },
      ],
      delivered: [],
      abandon: [],
      leaseMs: 60_000,
      owner: "R",
    });
    assert.deepEqual([...w.persisted], [id]);
    return { id, fence: inst.fence };
  };
  const calls = async (id: string) =>
    (
      await pool.query(
        `select status, attempts, worker, args::text as args, lease_expires_at < now() as expired
         from waymark_action_calls where instance_id = $1`,
        [id],
      )
    ).rows;
  // The holder died: its lease lapses, another runner claims the instance.
  const dead = await holdOne();
  await pool.query(
    "update waymark_instances set lease_expires_at = now() - interval '1 second' where id = $1",
    [dead.id],
  );
  const taken = (await store.claimInstances("R2", 100, 60_000)).filter((c) => c.id === dead.id);
  assert.equal(taken.length, 1);
  assert.deepEqual(await calls(dead.id), [
    { status: "running", attempts: 1, worker: "R", args: "[7]", expired: true },
  ]);
  const stranded = await store.findExpiredActionLeases(100, 1000);
  assert.ok(
    stranded.some((c) => c.instanceId === dead.id && c.callId === 1 && c.worker === "R"),
    "the reaper finds the moved call (attempt 1 charged) and retries or fails it",
  );
  const row = (
    await pool.query("select local_calls, lease_owner from waymark_instances where id = $1", [
      dead.id,
    ])
  ).rows[0];
  assert.deepEqual(row, { local_calls: null, lease_owner: "R2" });
  // The old holder's late write is fenced out and inserts nothing.
  const late = await store.persistInstancesEx({
    instances: [waiting(dead.id, dead.fence, "s2", 0)],
    dispatch: [],
    delivered: [],
    abandon: [],
    records: [localRecord(dead.id, 1, { argsJson: "[7]" })],
  });
  assert.equal(late.persisted.size, 0);
  assert.equal((await calls(dead.id))[0].status, "running");
  // A cancel while the holder runs them: written abandoned.
  const cancelled = await holdOne();
  assert.equal(await store.cancelInstance(cancelled.id, '{"message":"stop"}'), true);
  assert.deepEqual(await calls(cancelled.id), [
    { status: "abandoned", attempts: 1, worker: "R", args: "[7]", expired: null },
  ]);
});

test("an insert announces the new instance with its input and delays its wake-up by the grace", async () => {
  const v = await store.registerVersion("annwf", "v1", {});
  const heard: string[] = [];
  const close = await store.listen([CHANNEL_INSTANCES], (_c, payload) => heard.push(payload));
  try {
    const small = await store.insertInstance(v, "annwf", '[{"a":1}]');
    const big = await store.insertInstance(v, "annwf", JSON.stringify(["x".repeat(8000)]));
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      heard.map((p) => parseFreshPayload(p)),
      [{ id: small, versionId: v, workflowName: "annwf", input: [{ a: 1 }] }, undefined],
      "the small one is announced whole; the large one is a plain wake-up",
    );
    const rows = (
      await store.pool.query<{ id: string; ahead_ms: number }>(
        "select id, extract(epoch from wake_at - created_at) * 1000 as ahead_ms from waymark_instances where id = any($1::bigint[]) order by id",
        [[small, big]],
      )
    ).rows;
    assert.equal(
      Math.round(rows[0]?.ahead_ms ?? -1),
      FRESH_GRACE_MS,
      "announced: due after the grace",
    );
    assert.equal(Math.round(rows[1]?.ahead_ms ?? -1), 0, "not announced: due at once");
    const claimed = (await store.claimInstances("R", 100, 60_000)).map((c) => c.id);
    assert.ok(!claimed.includes(small), "a claim leaves the announced instance to its first write");
    assert.ok(claimed.includes(big), "the unannounced one is claimable at once");
  } finally {
    await close();
  }
});

test("a fresh write claims the instance as inserted, once; not after a claim, a cancel or another fresh write", async () => {
  const v = await store.registerVersion("freshwf", "v1", {});
  const fresh = (id: string, owner: string, hold: boolean) => ({
    instances: [
      {
        ...waiting(id, "0", "s1", 1),
        status: (hold ? "running" : "waiting") as "waiting",
        hold,
        fresh: true,
      },
    ],
    dispatch: [],
    delivered: [],
    abandon: [],
    leaseMs: 60_000,
    owner,
  });
  const row = async (id: string) =>
    (
      await store.pool.query(
        `select status, state, fence::int as fence, lease_owner, lease_expires_at > now() as leased,
                wake_at, started_at is not null as started
         from waymark_instances where id = $1`,
        [id],
      )
    ).rows[0];

  const held = await store.insertInstance(v, "freshwf", "[]");
  assert.deepEqual([...(await store.persistInstancesEx(fresh(held, "A", true))).persisted], [held]);
  assert.deepEqual(await row(held), {
    status: "running",
    state: "s1",
    fence: 0,
    lease_owner: "A",
    leased: true,
    wake_at: null,
    started: true,
  });
  // Runner B heard the same notification (its list of runners disagreed): left out.
  assert.equal((await store.persistInstancesEx(fresh(held, "B", true))).persisted.size, 0);
  assert.equal((await row(held))?.lease_owner, "A", "B changed nothing");
  // A's next write goes on with fence 0, as any held write.
  const next = {
    ...fresh(held, "A", true),
    instances: [{ ...waiting(held, "0", "s2"), hold: true, status: "running" as const }],
  };
  assert.deepEqual([...(await store.persistInstancesEx(next)).persisted], [held]);

  const released = await store.insertInstance(v, "freshwf", "[]");
  await store.persistInstancesEx(fresh(released, "A", false));
  assert.deepEqual(await row(released), {
    status: "waiting",
    state: "s1",
    fence: 0,
    lease_owner: null,
    leased: null,
    wake_at: null,
    started: true,
  });

  const claimed = await insertDue(v, "freshwf", "[]");
  assert.ok((await store.claimInstances("C", 100, 60_000)).some((c) => c.id === claimed));
  assert.equal((await store.persistInstancesEx(fresh(claimed, "A", true))).persisted.size, 0);
  assert.equal((await row(claimed))?.lease_owner, "C", "claimed first: the fresh write is refused");

  const cancelled = await store.insertInstance(v, "freshwf", "[]");
  assert.equal(await store.cancelInstance(cancelled, '{"message":"stop"}'), true);
  assert.equal((await store.persistInstancesEx(fresh(cancelled, "A", true))).persisted.size, 0);
  assert.equal(
    (await row(cancelled))?.status,
    "cancelled",
    "cancelled first: the fresh write is refused",
  );
});

test("lease renewal skips a row locked by a write in flight (no wait, no deadlock), renews it after", async () => {
  const v = await store.registerVersion("renewwf", "v1", {});
  const ids = [await insertDue(v, "renewwf", "[]"), await insertDue(v, "renewwf", "[]")];
  const claimed = (await store.claimInstances("R", 10, 1000)).filter((c) => ids.includes(c.id));
  assert.equal(claimed.length, 2);
  const [busy, idle] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];
  const expiry = async (id: string) =>
    (
      await store.pool.query<{ s: number }>(
        "select extract(epoch from lease_expires_at - now())::float8 as s from waymark_instances where id = $1",
        [id],
      )
    ).rows[0]?.s ?? Number.NaN;
  // A persist statement of this runner holds `busy`'s row lock meanwhile.
  const writer = await store.pool.connect();
  try {
    await writer.query("begin");
    await writer.query("select 1 from waymark_instances where id = $1 for update", [busy.id]);
    const t0 = Date.now();
    const renewed = await store.renewInstanceLeases("R", [busy.id, idle.id], 60_000);
    assert.ok(Date.now() - t0 < 900, `renewal waited ${Date.now() - t0} ms for the locked row`);
    assert.deepEqual(renewed, [idle.id]);
    assert.ok((await expiry(idle.id)) > 50, "the unlocked row's lease is renewed");
    assert.ok((await expiry(busy.id)) < 2, "the locked row is left to its writer");
    await writer.query("commit");
  } finally {
    writer.release();
  }
  // Once the write is through, the next try renews it.
  assert.deepEqual(await store.renewInstanceLeases("R", [busy.id], 60_000), [busy.id]);
  assert.ok((await expiry(busy.id)) > 50, "renewed once the lock is gone");
});

test("quarantineInlineActions: several notes for one action in one call keep one row, the last note", async () => {
  await store.quarantineInlineActions([
    { action: "dupQuarantine", worker: "runner:a", reason: "first call" },
    { action: "dupQuarantine", worker: "runner:a", reason: "second call" },
    { action: "otherQuarantine", worker: "runner:a", reason: "third call" },
  ]);
  const rows = await getPool(db.url).query<{ action_name: string; reason: string }>(
    `select action_name, reason from waymark_inline_quarantine
     where action_name in ('dupQuarantine', 'otherQuarantine') order by action_name`,
  );
  assert.deepEqual(rows.rows, [
    { action_name: "dupQuarantine", reason: "second call" },
    { action_name: "otherQuarantine", reason: "third call" },
  ]);
  assert.ok((await store.quarantinedInlineActions()).has("dupQuarantine"));
});
