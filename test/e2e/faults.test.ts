// Crash recovery with real signals: SIGKILL a worker child mid-action, SIGKILL the runner
// between an action's completion and the next dispatch, and take every process down while a
// workflow sleeps. Executions are counted from an independent ledger file.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { closeWaymark } from "../../src/client/engine.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, FAST_ENV, startEngine, stopEngine } from "../helpers/engine.js";
import { type LedgerLine, readLedger } from "./fixtures/ledger.js";

const LEDGER = join(mkdtempSync(join(tmpdir(), "wm-faults-")), "ledger.jsonl");
process.env.WAYMARK_TEST_LEDGER = LEDGER;
const MODULE = fileURLToPath(new URL("./fixtures/workerModule.ts", import.meta.url));
const LEASE_MS = Number(FAST_ENV.WAYMARK_LOCK_TTL_MS);

let db: TestDb;
let flows: typeof import("./fixtures/flows.js");
const engines: EngineProcess[] = [];

const start = async (args: string[] = [], env: Record<string, string> = {}) => {
  const e = await startEngine({
    databaseUrl: db.url,
    modules: [MODULE],
    env: { WAYMARK_TEST_LEDGER: LEDGER, ...env },
    args,
  });
  engines.push(e);
  return e;
};
const lines = (tag: string, event?: LedgerLine["event"]) =>
  readLedger(LEDGER).filter((l) => l.tag === tag && (event === undefined || l.event === event));
async function until<T>(
  what: string,
  f: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  db = await createTestDb();
  process.env.WAYMARK_DATABASE_URL = db.url;
  flows = await import("./fixtures/flows.js");
});
after(async () => {
  await closeWaymark();
  for (const e of engines) await stopEngine(e, 3000);
  await db?.drop();
});

test("SIGKILL of a worker child mid-action: the workflow completes, the action ran at most once more", async () => {
  const engine = await start([], { WAYMARK_INLINE_ACTIONS: "0" }); // actions in worker children
  const tag = `wk-${Date.now()}`;
  const handle = await new flows.CrashStepWorkflow().start(tag, 2000);
  const first = await until("first attempt to start", () => lines(`${tag}-a`, "start")[0]);
  const killedAt = Date.now();
  process.kill(first.pid, "SIGKILL");
  const result = await handle.result();
  const doneAt = Date.now();
  assert.deepEqual(result, [`${tag}-a:done`, `${tag}-b:done`]);
  const starts = lines(`${tag}-a`, "start");
  assert.deepEqual(
    starts.map((l) => l.attempt),
    [1, 2],
    "killed attempt 1, then exactly one more execution (attempt 2)",
  );
  assert.notEqual(starts[1]?.pid, first.pid);
  assert.equal(lines(`${tag}-b`, "start").length, 1);
  const recovery = (starts[1]?.t ?? 0) - killedAt;
  console.log(
    `# worker SIGKILL: retry started ${recovery} ms after the kill (lease ${LEASE_MS} ms); result after ${doneAt - killedAt} ms`,
  );
  assert.ok(recovery <= LEASE_MS + 2000, `recovery ${recovery} ms within lease + 2 s`);
  await until("the pool to respawn the child", () => engine.workerPids().length === 2);
  assert.match(engine.log(), /exited \(code null, signal SIGKILL\); respawning/);
  await stopEngine(engine);
});

test("SIGKILL of the runner between an action's completion and the next dispatch: no duplicate outcome", async () => {
  const workers = await start(["--no-runner"]);
  const runner = await start(["--no-workers"]);
  const tag = `rn-${Date.now()}`;
  const handle = await new flows.CrashStepWorkflow().start(tag, 800);
  await until("step a to start", () => lines(`${tag}-a`, "start")[0]);
  runner.killGroup("SIGKILL");
  const killedAt = Date.now();
  await runner.exited;
  await until("step a to finish", () => lines(`${tag}-a`, "end")[0]);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const calls = await until("the outcome of step a to be recorded", async () => {
      const r = await c.query(
        "select call_id, status, delivered from waymark_action_calls where instance_id = $1 order by call_id",
        [handle.id],
      );
      return r.rows[0]?.status === "completed" ? r.rows : undefined;
    });
    assert.equal(calls.length, 1, "no runner: step b not dispatched yet");
    assert.equal(calls[0].delivered, false);
    const restartedAt = Date.now();
    const runner2 = await start(["--no-workers"]);
    assert.deepEqual(await handle.result(), [`${tag}-a:done`, `${tag}-b:done`]);
    console.log(
      `# runner SIGKILL: down ${restartedAt - killedAt} ms; result ${Date.now() - restartedAt} ms after the new runner started`,
    );
    assert.equal(lines(`${tag}-a`, "start").length, 1, "step a ran once");
    assert.equal(lines(`${tag}-b`, "start").length, 1, "step b ran once");
    const attempts = await c.query(
      "select call_id, count(*)::int as n from waymark_attempts where instance_id = $1 group by call_id order by call_id",
      [handle.id],
    );
    assert.deepEqual(
      attempts.rows.map((r) => r.n),
      [1, 1],
      "one recorded outcome per step",
    );
    await stopEngine(runner2);
  } finally {
    await c.end();
  }
  await stopEngine(workers);
});

test("a workflow sleeping 3 s while every process is down for 5 s completes after restart", async () => {
  const engine = await start();
  const t0 = Date.now();
  const handle = await new flows.SleepThenActWorkflow().start(3000, 5);
  await until("the instance to sleep", async () => (await handle.status()) === "sleeping");
  engine.killGroup("SIGKILL");
  await engine.exited;
  await new Promise((r) => setTimeout(r, 5000));
  const restartedAt = Date.now();
  await start();
  const readyAt = Date.now();
  assert.equal(await handle.result(), 7);
  const now = Date.now();
  console.log(
    `# sleep across a full outage: engine up ${readyAt - restartedAt} ms after restart, result ${now - readyAt} ms later (total ${now - t0} ms)`,
  );
  assert.ok(now - t0 >= 3000, "never early");
  assert.ok(now - readyAt < 3000, "picked up promptly once the engine is up");
});
