// Short sleeps waited out by the runner that started them (WAYMARK_HOLD_SLEEP_MS): the row keeps
// that runner's lease and the deadline; the instance resumes from memory at the deadline. If the
// runner is killed, another one resumes it once the lease lapses, never before the deadline; if
// it is stopped, it hands the leases back at once.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { stopEngine } from "../helpers/engine.js";
import { FaultContext, recordFigures, until } from "./fixtures/suite.js";

const ctx = new FaultContext("held-sleep");
const LEASE_MS = 4000; // sleeps up to half a lease (2 s) are held
const ENV = { WAYMARK_LOCK_TTL_MS: String(LEASE_MS), WAYMARK_LOCK_HEARTBEAT_MS: "500" };
const N = 20;

before(() => ctx.setup());
beforeEach(() => ctx.stopAll());
after(() => ctx.teardown());

type Row = {
  id: string;
  status: string;
  lease_owner: string | null;
  wake_at: Date | null;
  timer_due_at: Date | null;
  slept: number | null;
  /** lease_expires_at − timer_due_at. */
  margin_ms: number | null;
};

async function rows(ids: string[]): Promise<Row[]> {
  return ctx.query<Row>(
    `select id, status, lease_owner, wake_at, timer_due_at,
            (extract(epoch from finished_at - started_at) * 1000)::float8 as slept,
            (extract(epoch from lease_expires_at - timer_due_at) * 1000)::float8 as margin_ms
     from waymark_instances where id = any($1::bigint[]) order by id`,
    [ids],
  );
}

async function startSleepers(ms: number) {
  const hs = await Promise.all(
    Array.from({ length: N }, () => new ctx.flows.SleepWorkflow().start(ms)),
  );
  for (const h of hs) h.result().catch(() => {});
  return hs;
}

/** One snapshot in which every sleeper is parked (later reads may race its 1.5 s deadline). */
const allSleeping = async (ids: string[]) => {
  const rs = await rows(ids);
  return rs.every((r) => r.status === "sleeping" && r.timer_due_at !== null) && rs;
};

test("a short sleep is held by its runner (lease and deadline on the row) and resumes on time", async () => {
  const engine = await ctx.engine({ env: ENV });
  const hs = await startSleepers(1500);
  const ids = hs.map((h) => h.id);
  const during = await until("the sleepers to be parked", () => allSleeping(ids));
  for (const r of during) {
    assert.match(r.lease_owner ?? "", /^runner:/, "the runner that started the sleep holds it");
    assert.ok(r.wake_at !== null, "the deadline is stored for any runner, should this one die");
    // The lease ends 2 s after the deadline (not renewed): should this runner die, another one
    // resumes the sleeper about on time rather than a whole lease later.
    const m = r.margin_ms ?? Number.NaN;
    assert.ok(Math.abs(m - 2000) < 300, `lease − deadline ${m} ms`);
  }
  assert.deepEqual(
    await Promise.all(hs.map((h) => h.result())),
    hs.map(() => 1500),
  );
  const done = await rows(ids);
  const lateness = done.map((r) => (r.slept ?? Number.NaN) - 1500);
  assert.ok(
    lateness.every((x) => x >= 0),
    `none early: ${lateness.map((x) => x.toFixed(0))}`,
  );
  assert.ok(
    lateness.every((x) => x < 1000),
    `resumed on time: ${lateness.map((x) => x.toFixed(0))}`,
  );
  assert.ok(done.every((r) => r.lease_owner === null));
  recordFigures("held sleeps: lateness", {
    workflows: N,
    lost: 0,
    lateP50Ms: Math.round([...lateness].sort((a, b) => a - b)[N >> 1] ?? -1),
    lateMaxMs: Math.round(Math.max(...lateness)),
  });
  await stopEngine(engine);
});

test("SIGKILL the runner holding sleeps: another runner resumes them after the lease, none early", async () => {
  const doomed = await ctx.engine({ env: ENV });
  const hs = await startSleepers(1500);
  const ids = hs.map((h) => h.id);
  await until("the sleepers to be held", async () =>
    (await rows(ids)).every((r) => r.status === "sleeping" && r.lease_owner !== null),
  );
  doomed.killGroup("SIGKILL");
  await doomed.exited;
  const killedAt = Date.now();
  await ctx.engine({ env: ENV });
  // From the moment the replacement runs: what is left of the dead runner's leases, then one
  // claim (its loop waits for the lease expiry it reads from the database).
  const readyAt = Date.now();
  assert.deepEqual(
    await Promise.all(hs.map((h) => h.result())),
    hs.map(() => 1500),
  );
  const recoveredMs = Date.now() - killedAt;
  const afterReadyMs = Date.now() - readyAt;
  const done = await rows(ids);
  assert.ok(
    done.every((r) => (r.slept ?? 0) >= 1500),
    "none early",
  );
  assert.ok(
    afterReadyMs <= LEASE_MS + 3000,
    `resumed once the dead runner's leases lapsed (${afterReadyMs} ms after the replacement started)`,
  );
  recordFigures("held sleeps: runner SIGKILLed", {
    workflows: N,
    lost: 0,
    recoveredMs,
    afterReadyMs,
  });
});

test("SIGTERM the runner holding sleeps: it hands their leases back before it exits", async () => {
  const engine = await ctx.engine({ env: ENV });
  const hs = await startSleepers(1800);
  const ids = hs.map((h) => h.id);
  await until("the sleepers to be held", async () =>
    (await rows(ids)).every((r) => r.status === "sleeping" && r.lease_owner !== null),
  );
  const t0 = Date.now();
  await stopEngine(engine);
  const stopMs = Date.now() - t0;
  const after = await rows(ids);
  for (const r of after)
    if (r.status === "sleeping") {
      assert.equal(r.lease_owner, null, "a sleep still to come is parked, not held");
      assert.ok(r.wake_at !== null && r.timer_due_at !== null, "with its deadline");
    } else assert.equal(r.status, "completed", "or it was due and finished before the exit");
  assert.ok(
    after.some((r) => r.status === "sleeping"),
    "the stop came before the deadlines",
  );
  await ctx.engine({ env: ENV });
  assert.deepEqual(
    await Promise.all(hs.map((h) => h.result())),
    hs.map(() => 1800),
  );
  const done = await rows(ids);
  assert.ok(
    done.every((r) => (r.slept ?? 0) >= 1800),
    "none early",
  );
  recordFigures("held sleeps: runner stopped", { workflows: N, lost: 0, stopMs });
});
