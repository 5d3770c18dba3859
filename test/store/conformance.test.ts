// The Store contract, one suite run against both backends: PostgresStore on a real database and
// MemoryStore (waymark/testing's store). Every case drives the store the way the runner, the
// workers and the client do, and asserts only what the engine relies on — so the in-memory test
// environment cannot drift from the engine.
//
// The clock: Postgres reads now() of the server, so a deadline there is waited out in real
// time; the memory store's clock is moved by the same amount. New instances: the Postgres
// insert announces an instance to the runners and delays its claim by FRESH_GRACE_MS (a runner
// that heard it starts it at once); `due(id)` ends that grace, the memory store has none.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { closePools, getPool } from "../../src/store/postgres/pool.js";
import type {
  CallWrite,
  InstanceWrite,
} from "../../src/store/postgres/queries/persistInstances.js";
import { CHANNEL_DONE } from "../../src/store/postgres/queries/types.js";
import type { Completion, Store } from "../../src/store/Store.js";
import { MemoryStore } from "../../src/testing/memory/MemoryStore.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

interface Backend {
  name: string;
  store: Store;
  /** Lets `ms` pass on the store's clock. */
  pass(ms: number): Promise<void>;
  /** Makes an instance claimable now: ends a new one's announcement grace (see the header),
   *  or wakes a waiting one, as an outcome would. */
  due(id: string): Promise<void>;
}

let db: TestDb;
let pgStore: PostgresStore;
const clock = { ms: Date.parse("2026-05-01T00:00:00Z") };
const memory = new MemoryStore(() => clock.ms);

before(async () => {
  db = await createTestDb();
  pgStore = new PostgresStore(db.url, 10);
});
after(async () => {
  await pgStore.close();
  await closePools();
  await db.drop();
});

const backends: Backend[] = [
  {
    name: "postgres",
    get store() {
      return pgStore;
    },
    pass: (ms) => new Promise((r) => setTimeout(r, ms + 20)),
    due: async (id) => {
      await getPool(db.url).query("update waymark_instances set wake_at = now() where id = $1", [
        id,
      ]);
    },
  },
  {
    name: "memory",
    store: memory,
    pass: async (ms) => {
      clock.ms += ms + 20;
    },
    due: async (id) => {
      const w = memory.instances.get(id);
      if (w) w.wakeAt = clock.ms;
    },
  },
];

const POLICY = JSON.stringify({
  maxAttempts: 3,
  exceptionTypes: null,
  backoff: { initialMs: 0, multiplier: 2, maxMs: 0 },
  timeoutMs: null,
});
const IR = { program: "conformance" };
let seq = 0;

function write(id: string, fence: string, over: Partial<InstanceWrite> = {}): InstanceWrite {
  return {
    id,
    fence,
    status: "waiting",
    state: "s",
    resultJson: null,
    errorJson: null,
    timerId: null,
    sleepMs: null,
    stepsAdded: 1,
    ...over,
  };
}

function call(instanceId: string, callId: number, over: Partial<CallWrite> = {}): CallWrite {
  return { instanceId, callId, action: "act", argsJson: "[1]", policyJson: POLICY, ...over };
}

function done(
  instanceId: string,
  callId: number,
  attempt: number,
  over: Partial<Completion> = {},
): Completion {
  return {
    instanceId,
    callId,
    attempt,
    kind: "completed",
    success: true,
    resultJson: JSON.stringify(`r${callId}`),
    delayMs: 0,
    worker: "w",
    startedAt: new Date(),
    ...over,
  };
}

for (const b of backends) {
  describe(`Store contract: ${b.name}`, () => {
    const s = () => b.store;
    /** A new claimed instance of a fresh workflow name (so claims see only it). */
    async function claimedInstance(input = "[]") {
      const name = `wf${++seq}`;
      const v = await s().registerVersion(name, "1", IR);
      const id = await s().insertInstance(v, name, input);
      await b.due(id);
      const [inst] = (await s().claimInstances("r1", 100, 30_000)).filter((c) => c.id === id);
      assert.ok(inst, "the new instance is claimable");
      return { id, v, name, inst };
    }
    async function claimOne(id: string) {
      return (await s().claimInstances("r1", 100, 30_000)).find((c) => c.id === id);
    }
    async function claimCalls(action: string) {
      return s().claimActions("w", [action], 100, 30_000);
    }

    test("versions: one id per (name, version); the IR round-trips; the newest is latest", async () => {
      const name = `ver${++seq}`;
      const a = await s().registerVersion(name, "1", { x: [1, "two"] });
      assert.equal(await s().registerVersion(name, "1", { x: [1, "two"] }), a);
      const c = await s().registerVersion(name, "2", { x: 3 });
      assert.notEqual(c, a);
      assert.deepEqual(await s().loadVersion(a), { name, version: "1", ir: { x: [1, "two"] } });
      assert.equal(await s().latestVersionId(name), c);
      assert.equal(await s().latestVersionId(`${name}-none`), undefined);
      // The newest by registration, past ten versions too (ids compared as numbers).
      let newest = c;
      for (let k = 3; k <= 12; k++) newest = await s().registerVersion(name, String(k), { k });
      assert.equal(await s().latestVersionId(name), newest);
    });

    test("a claim leases and fences; a stale fence writes nothing; the outcome is readable", async () => {
      const { id, inst } = await claimedInstance('[{"$wm":"undef"}]');
      assert.equal(inst.state, null);
      assert.deepEqual(inst.input, [{ $wm: "undef" }]);
      assert.equal((await s().readInstance(id))?.status, "running");
      assert.equal(await claimOne(id), undefined, "leased: not claimed twice");
      const stale = await s().persistInstances({
        instances: [
          write(id, String(Number(inst.fence) - 1), {
            status: "completed",
            state: null,
            resultJson: "1",
          }),
        ],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      assert.equal(stale.size, 0);
      const seen: string[] = [];
      const stop = await s().listen([CHANNEL_DONE], (_c, p) => seen.push(p));
      const ok = await s().persistInstances({
        instances: [
          write(id, inst.fence, { status: "completed", state: null, resultJson: '{"n":7}' }),
        ],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      assert.deepEqual([...ok], [id]);
      assert.deepEqual(await s().readInstance(id), {
        status: "completed",
        result: { n: 7 },
        error: null,
      });
      for (let i = 0; i < 50 && !seen.some((p) => p.split(" ")[0] === id); i++)
        await new Promise((r) => setTimeout(r, 10));
      await stop();
      assert.ok(
        seen.some((p) => p.split(" ")[0] === id),
        "waiters are notified with the id",
      );
      assert.equal(await s().readInstance("987654321"), undefined);
    });

    test("calls: each claim charges an attempt; completions are fenced; the wake rule", async () => {
      const { id, inst } = await claimedInstance();
      const action = `a${seq}`;
      await s().persistInstances({
        instances: [write(id, inst.fence, { awaited: 2 })],
        dispatch: [call(id, 1, { action }), call(id, 2, { action })],
        delivered: [],
        abandon: [],
      });
      const claimed = await claimCalls(action);
      assert.deepEqual(
        claimed.map((c) => [c.callId, c.attempt, c.args]),
        [
          [1, 1, [1]],
          [2, 1, [1]],
        ],
      );
      assert.equal(
        await s().completeActions([done(id, 1, 2)]),
        0,
        "another attempt's answer is dropped",
      );
      assert.equal(await s().completeActions([done(id, 1, 1)]), 1);
      assert.equal(await s().completeActions([done(id, 1, 1)]), 0, "settled once");
      assert.equal(await claimOne(id), undefined, "one of two awaited outcomes: still asleep");
      assert.equal(await s().completeActions([done(id, 2, 1)]), 1);
      const again = await claimOne(id);
      assert.ok(again, "both outcomes: woken");
      const outs = await s().loadOutcomes([id]);
      assert.deepEqual(
        outs.map((o) => [o.callId, o.success, o.result]),
        [
          [1, true, "r1"],
          [2, true, "r2"],
        ],
      );
      await s().persistInstances({
        instances: [write(id, again.fence)],
        dispatch: [],
        delivered: outs.map((o) => ({ instanceId: id, callId: o.callId })),
        abandon: [],
      });
      assert.deepEqual(await s().loadOutcomes([id]), [], "delivered outcomes are not loaded again");
    });

    test("a failure wakes its instance at once; a retry is queued again after its backoff", async () => {
      const { id, inst } = await claimedInstance();
      const action = `a${seq}`;
      await s().persistInstances({
        instances: [write(id, inst.fence, { awaited: 2 })],
        dispatch: [call(id, 1, { action }), call(id, 2, { action })],
        delivered: [],
        abandon: [],
      });
      await claimCalls(action);
      await s().completeActions([
        done(id, 1, 1, { kind: "retry", success: false, resultJson: '{"name":"E"}', delayMs: 150 }),
      ]);
      assert.deepEqual(await claimCalls(action), [], "not before its backoff");
      const due = await s().nextActionDueMs([action]);
      assert.ok(due !== null && due > 0 && due <= 150, `next action due in ${due} ms`);
      await b.pass(150);
      const [retry] = await claimCalls(action);
      assert.deepEqual([retry?.callId, retry?.attempt], [1, 2]);
      await s().completeActions([
        done(id, 2, 1, { kind: "failed", success: false, resultJson: '{"name":"E2"}' }),
      ]);
      assert.ok(await claimOne(id), "a failure wakes the instance before the other outcome");
      assert.deepEqual(
        (await s().loadOutcomes([id])).map((o) => [o.callId, o.success, o.result]),
        [[2, false, { name: "E2" }]],
      );
    });

    test("lost attempts are counted apart from thrown ones", async () => {
      const { id, inst } = await claimedInstance();
      const action = `a${seq}`;
      await s().persistInstances({
        instances: [write(id, inst.fence, { awaited: 1 })],
        dispatch: [call(id, 1, { action })],
        delivered: [],
        abandon: [],
      });
      await claimCalls(action);
      await s().completeActions([
        done(id, 1, 1, { kind: "retry", success: false, resultJson: "{}", lost: true }),
      ]);
      const [second] = await claimCalls(action);
      assert.deepEqual([second?.attempt, second?.lostAttempts], [2, 1]);
    });

    test("sleeps: a parked instance is claimable at its deadline, with its timer due", async () => {
      const { id, inst } = await claimedInstance();
      await s().persistInstances({
        instances: [write(id, inst.fence, { status: "sleeping", timerId: 4, sleepMs: 120 })],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      assert.equal(await claimOne(id), undefined);
      const wake = await s().nextInstanceWakeMs();
      assert.ok(wake !== null && wake <= 120, `next wake-up in ${wake} ms`);
      await b.pass(120);
      const woke = await claimOne(id);
      assert.deepEqual([woke?.timerId, woke?.timerDue], [4, true]);
    });

    test("signals: refused to unknown and ended instances; kept, then delivered oldest first", async () => {
      const { id, inst } = await claimedInstance();
      assert.equal(await s().sendSignal("987654321", "go", "1"), "missing");
      assert.equal(await s().sendSignal(id, "go", '"first"'), "sent");
      assert.equal(await s().sendSignal(id, "go", '"second"'), "sent");
      await s().persistInstances({
        instances: [write(id, inst.fence, { awaited: 2 })],
        dispatch: [
          call(id, 1, {
            action: "go",
            argsJson: "[]",
            policyJson: null,
            wait: "signal",
            timeoutMs: 60_000,
          }),
          call(id, 2, {
            action: "go",
            argsJson: "[]",
            policyJson: null,
            wait: "signal",
            timeoutMs: 60_000,
          }),
        ],
        delivered: [],
        abandon: [],
      });
      assert.equal(await s().deliverSignals([id]), 2);
      const woke = await claimOne(id);
      assert.ok(woke, "both waits settled: woken");
      assert.deepEqual(
        (await s().loadOutcomes([id])).map((o) => [o.callId, o.success, o.result]),
        [
          [1, true, "first"],
          [2, true, "second"],
        ],
      );
      await s().persistInstances({
        instances: [write(id, woke.fence, { status: "completed", state: null, resultJson: "0" })],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      assert.equal(await s().sendSignal(id, "go", "1"), "completed");
    });

    test("a wait past its deadline settles with its stored result (null for a signal)", async () => {
      const { id, inst } = await claimedInstance();
      await s().persistInstances({
        instances: [write(id, inst.fence, { awaited: 1 })],
        dispatch: [
          call(id, 1, {
            action: "late",
            argsJson: "[]",
            policyJson: null,
            wait: "signal",
            timeoutMs: 100,
          }),
        ],
        delivered: [],
        abandon: [],
      });
      assert.equal(await s().expireWaits(100), 0, "not yet");
      await b.pass(100);
      assert.ok((await s().expireWaits(100)) >= 1);
      assert.ok(await claimOne(id));
      assert.deepEqual(
        (await s().loadOutcomes([id])).map((o) => [o.callId, o.success, o.result]),
        [[1, true, null]],
      );
      // A signal kept before the wait existed is delivered by the sweep.
      const k = await claimedInstance();
      assert.equal(await s().sendSignal(k.id, "kept", '"k"'), "sent");
      await s().persistInstances({
        instances: [write(k.id, k.inst.fence, { awaited: 1 })],
        dispatch: [
          call(k.id, 1, {
            action: "kept",
            argsJson: "[]",
            policyJson: null,
            wait: "signal",
            timeoutMs: 60_000,
          }),
        ],
        delivered: [],
        abandon: [],
      });
      assert.ok((await s().deliverKeptSignals(100)) >= 1);
      assert.deepEqual(
        (await s().loadOutcomes([k.id])).map((o) => o.result),
        ["k"],
      );
    });

    test("children: one child per call, its outcome settles the parent's wait; cancel is a tree", async () => {
      const p = await claimedInstance();
      const childName = `child${seq}`;
      const cv = await s().registerVersion(childName, "1", IR);
      const kid = call(p.id, 1, {
        action: childName,
        argsJson: '["in"]',
        policyJson: null,
        wait: "child",
        childVersionId: cv,
      });
      await s().persistInstances({
        instances: [write(p.id, p.inst.fence, { awaited: 1 })],
        dispatch: [kid],
        delivered: [],
        abandon: [],
      });
      await s().persistInstances({ instances: [], dispatch: [kid], delivered: [], abandon: [] });
      const kids = (await s().claimInstances("r1", 100, 30_000)).filter(
        (c) => c.workflowName === childName,
      );
      assert.equal(kids.length, 1, "one child, however often its call is written");
      const k = kids[0] as (typeof kids)[0];
      assert.deepEqual(k.input, ["in"]);
      await s().persistInstances({
        instances: [
          write(k.id, k.fence, { status: "completed", state: null, resultJson: '"kid-result"' }),
        ],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      assert.ok(await claimOne(p.id), "the child's end wakes its parent");
      assert.deepEqual(
        (await s().loadOutcomes([p.id])).map((o) => [o.callId, o.success, o.result]),
        [[1, true, "kid-result"]],
      );

      // A parent cancelled while its child waits: both cancelled, once.
      const q = await claimedInstance();
      const kid2 = call(q.id, 1, {
        action: childName,
        argsJson: "[]",
        policyJson: null,
        wait: "child",
        childVersionId: cv,
      });
      await s().persistInstances({
        instances: [write(q.id, q.inst.fence, { awaited: 1 })],
        dispatch: [kid2],
        delivered: [],
        abandon: [],
      });
      const [k2] = (await s().claimInstances("r1", 100, 30_000)).filter(
        (c) => c.workflowName === childName,
      );
      assert.ok(k2);
      assert.equal(await s().cancelInstance(q.id, '{"name":"WorkflowCancelled"}'), true);
      assert.equal(await s().cancelInstance(q.id, '{"name":"WorkflowCancelled"}'), false);
      assert.equal((await s().readInstance(k2.id))?.status, "cancelled");
      assert.deepEqual((await s().readInstance(q.id))?.error, { name: "WorkflowCancelled" });
      assert.equal(await s().sendSignal(k2.id, "x", "1"), "cancelled");
    });

    test("abandoned calls are never run; cancelChildrenOf cancels the children they started", async () => {
      const p = await claimedInstance();
      const action = `a${seq}`;
      const childName = `child${seq}`;
      const cv = await s().registerVersion(childName, "1", IR);
      await s().persistInstances({
        instances: [write(p.id, p.inst.fence, { awaited: 2 })],
        dispatch: [
          call(p.id, 1, { action }),
          call(p.id, 2, {
            action: childName,
            argsJson: "[]",
            policyJson: null,
            wait: "child",
            childVersionId: cv,
          }),
        ],
        delivered: [],
        abandon: [],
      });
      const [k] = (await s().claimInstances("r1", 100, 30_000)).filter(
        (c) => c.workflowName === childName,
      );
      assert.ok(k);
      await s().persistInstances({
        instances: [write(k.id, k.fence)],
        dispatch: [],
        delivered: [],
        abandon: [],
      });
      await b.due(p.id);
      const w = await claimOne(p.id);
      assert.ok(w);
      await s().persistInstances({
        instances: [write(p.id, w.fence)],
        dispatch: [],
        delivered: [],
        abandon: [
          { instanceId: p.id, callId: 1 },
          { instanceId: p.id, callId: 2 },
        ],
      });
      assert.deepEqual(await claimCalls(action), [], "an abandoned call is not claimed");
      assert.equal(
        await s().cancelChildrenOf([{ instanceId: p.id, callId: 2 }], '{"name":"Gone"}'),
        1,
      );
      assert.deepEqual(await s().readInstance(k.id), {
        status: "cancelled",
        result: null,
        error: { name: "Gone" },
      });
    });

    test("start options: one instance per key; priority first; a delay holds the claim", async () => {
      const name = `opt${++seq}`;
      const v = await s().registerVersion(name, "1", IR);
      const row = { idempotencyKey: "k", inputHash: "h1", priority: 0, delayMs: 0, keepHours: 24 };
      const a = await s().startInstance(v, name, "[1]", row);
      const b2 = await s().startInstance(v, name, "[1]", row);
      assert.equal(a.inserted, true);
      assert.deepEqual([b2.id, b2.inserted, b2.inputHash], [a.id, false, "h1"]);
      const low = await s().startInstance(v, name, "[2]", {
        priority: 0,
        delayMs: 0,
        keepHours: 24,
      });
      const high = await s().startInstance(v, name, "[3]", {
        priority: 7,
        delayMs: 0,
        keepHours: 24,
      });
      const later = await s().startInstance(v, name, "[4]", {
        priority: 9,
        delayMs: 150,
        keepHours: 24,
      });
      for (const id of [a.id, low.id, high.id]) await b.due(id);
      const order = (await s().claimInstances("r1", 100, 30_000))
        .filter((c) => c.workflowName === name)
        .map((c) => c.id);
      assert.equal(order[0], high.id, "priority first");
      assert.deepEqual(new Set(order), new Set([a.id, low.id, high.id]), "the delayed one waits");
      await b.pass(150);
      const [l] = (await s().claimInstances("r1", 100, 30_000)).filter(
        (c) => c.workflowName === name,
      );
      assert.equal(l?.id, later.id);
    });

    test("leases: renewals by their owner only", async () => {
      const { id } = await claimedInstance();
      assert.deepEqual(await s().renewInstanceLeases("r1", [id], 30_000), [id]);
      assert.deepEqual(await s().renewInstanceLeases("someone-else", [id], 30_000), []);
    });
  });
}
