// Schedules on real engines: a "1s" interval with two engines fires once per fire time; pause,
// resume, delete; overlap "skip" with a slow workflow; catch-up after the engines were stopped;
// refusals with nothing stored.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  scheduleWorkflow,
} from "../../src/client/schedules.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";
import { useE2eEngine } from "./fixtures/e2eEngine.js";

const e2e = useE2eEngine();
let flows: typeof import("./fixtures/signalFlows.js");
let second: EngineProcess | undefined;
const MODULE = fileURLToPath(new URL("./fixtures/workerModule.ts", import.meta.url));

before(async () => {
  flows = await import("./fixtures/signalFlows.js");
  second = await startEngine({ databaseUrl: e2e.db.url, modules: [MODULE] });
});
after(async () => {
  if (second) await stopEngine(second);
});

async function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  const c = new pg.Client(e2e.db.url);
  await c.connect();
  try {
    return (await c.query<R>(sql, values)).rows;
  } finally {
    await c.end();
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const firesOf = async (name: string) =>
  query<{ key: string; status: string }>(
    `select idempotency_key as key, status from waymark_instances
      where idempotency_key like $1 order by id`,
    [`schedule:${name}@%`],
  );

test('a "1s" interval with two engines fires N±1 times in N s, never twice for one fire time', async () => {
  await scheduleWorkflow(flows.TickWorkflow, {
    scheduleName: "every-second",
    schedule: "1s",
    inputs: ["tick"],
    overlap: "allow",
  });
  await sleep(6000);
  await pauseSchedule(flows.TickWorkflow, "every-second");
  const fires = await firesOf("every-second");
  assert.ok(fires.length >= 5 && fires.length <= 7, `${fires.length} fires in 6 s`);
  assert.equal(new Set(fires.map((f) => f.key)).size, fires.length, "one instance per fire time");
  const [s] = (await listSchedules()).filter((x) => x.scheduleName === "every-second");
  assert.equal(s?.paused, true);
  assert.equal(s?.fires, fires.length);
  assert.equal(s?.workflow, "tickworkflow");
  await sleep(2000);
  assert.equal((await firesOf("every-second")).length, fires.length, "paused: no more fires");
  await resumeSchedule(flows.TickWorkflow, "every-second");
  await sleep(2500);
  const resumed = (await firesOf("every-second")).length;
  assert.ok(resumed >= fires.length + 1, "fires again after resume, without a burst");
  assert.ok(resumed <= fires.length + 4, `no catch-up of the paused fires (${resumed})`);
  await deleteSchedule(flows.TickWorkflow, "every-second");
  assert.equal((await listSchedules()).filter((x) => x.scheduleName === "every-second").length, 0);
  await assert.rejects(
    deleteSchedule(flows.TickWorkflow, "every-second"),
    /no schedule "every-second" for workflow "tickworkflow"/,
  );
});

test('overlap "skip": no new instance while the last one runs', async () => {
  await scheduleWorkflow(flows.SlowTickWorkflow, {
    scheduleName: "slow",
    schedule: "1s",
    inputs: [3000],
  });
  await sleep(5500);
  await deleteSchedule(flows.SlowTickWorkflow, "slow");
  const fires = await firesOf("slow");
  assert.ok(
    fires.length >= 1 && fires.length <= 2,
    `${fires.length} runs of a 3 s workflow in 5.5 s`,
  );
  const rows = await query<{ n: number }>(
    `select count(*)::int as n from waymark_instances a join waymark_instances b
       on a.id < b.id and a.workflow_name = 'slowtickworkflow' and b.workflow_name = 'slowtickworkflow'
      where b.created_at < coalesce(a.finished_at, now())`,
  );
  assert.equal(rows[0]?.n, 0, "no two runs overlap");
});

test('catch-up after the engines were stopped for 24 fires: one run (default), all with "all"', async () => {
  await stopEngine(second as EngineProcess);
  second = undefined;
  await stopEngine(e2e.engine);
  await scheduleWorkflow(flows.TickWorkflow, {
    scheduleName: "cu-one",
    schedule: "1s",
    inputs: ["a"],
    overlap: "allow",
  });
  await scheduleWorkflow(flows.TickWorkflow, {
    scheduleName: "cu-all",
    schedule: "1s",
    inputs: ["b"],
    overlap: "allow",
    catchUp: "all",
  });
  // Make the passed fire times old (missed, not on time): 5 fires due 20 s ago.
  await query(
    "update waymark_schedules set next_fire_at = now() - interval '24 seconds' where schedule_name like 'cu-%'",
  );
  const restart = Date.now();
  e2e.engine = await startEngine({ databaseUrl: e2e.db.url, modules: [MODULE] });
  await sleep(1500);
  await pauseSchedule(flows.TickWorkflow, "cu-one");
  await pauseSchedule(flows.TickWorkflow, "cu-all");
  const paused = Date.now();
  const one = await firesOf("cu-one");
  const all = await firesOf("cu-all");
  // Fire times from the key `schedule:<name>@<ISO time>`: a second or more before the restart =
  // missed (the latest passed one at the first tick can be up to 1 s old).
  const missed = (fs: { key: string }[]) =>
    fs.filter((f) => Date.parse(f.key.slice(f.key.indexOf("@") + 1)) < restart - 1000).length;
  // "one": the missed fire times collapse into the latest one; after that one run per second
  // until the pause (how long the engine took to start and the pause took is measured, not
  // assumed: a loaded machine starts an engine in seconds).
  assert.equal(missed(one), 0, `catchUp one: no run per missed fire time (${one.length} in all)`);
  const seconds = Math.ceil((paused - restart) / 1000);
  assert.ok(
    one.length >= 1 && one.length <= seconds + 1,
    `catchUp one: ${one.length} runs in the ${seconds} s since the restart`,
  );
  assert.ok(missed(all) >= 23, `catchUp all: ${missed(all)} runs for the 23+ missed fire times`);
  assert.equal(new Set(all.map((f) => f.key)).size, all.length);
});

test("a bad schedule is refused with nothing stored", async () => {
  const before = (await listSchedules()).length;
  await assert.rejects(
    scheduleWorkflow(flows.TickWorkflow, { scheduleName: "bad", schedule: "every day" }),
    /scheduleWorkflow\(TickWorkflow, …\): schedule "every day": a cron expression has 5 fields/,
  );
  await assert.rejects(
    scheduleWorkflow(flows.TickWorkflow, {
      scheduleName: "bad",
      schedule: "0 9 * * 1",
      timezone: "Mars/Base",
    }),
    /unknown timezone "Mars\/Base"/,
  );
  await assert.rejects(
    scheduleWorkflow(flows.TickWorkflow, {
      scheduleName: "bad",
      schedule: "1h",
      inputs: ["a", "b", "c"],
    }),
    /argument/,
  );
  class NotAWorkflow {
    async run() {
      return 1;
    }
  }
  await assert.rejects(
    // @ts-expect-error: not a @workflow class
    scheduleWorkflow(NotAWorkflow, { scheduleName: "bad", schedule: "1h" }),
    /scheduleWorkflow\(cls, options\): cls must be a @workflow class/,
  );
  assert.equal((await listSchedules()).length, before);
});

test("`waymark schedules` lists, pauses, resumes and deletes", async () => {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const bin = new URL("../../bin/waymark.mjs", import.meta.url).pathname;
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, "schedules", ...args], {
      env: { ...process.env, WAYMARK_DATABASE_URL: e2e.db.url, WAYMARK_LOG_LEVEL: "warn" },
    });
  await scheduleWorkflow(flows.TickWorkflow, {
    scheduleName: "weekly",
    schedule: "0 9 * * 1",
    timezone: "Europe/Paris",
    inputs: ["w"],
  });
  const list = await cli("list");
  assert.match(list.stdout, /^WORKFLOW\s+NAME\s+SCHEDULE\s+TIMEZONE\s+NEXT FIRE/m);
  assert.match(
    list.stdout,
    /^tickworkflow\s+weekly\s+0 9 \* \* 1\s+Europe\/Paris\s+\d{4}-\d\d-\d\dT(07|08):00:00\.000Z/m,
  );
  assert.equal(
    (await cli("pause", "tickworkflow", "weekly")).stdout.trim(),
    "paused tickworkflow/weekly",
  );
  assert.match((await cli("list")).stdout, /weekly\s+0 9 \* \* 1\s+Europe\/Paris\s+\(paused\)/);
  assert.equal(
    (await cli("resume", "tickworkflow", "weekly")).stdout.trim(),
    "resumed tickworkflow/weekly",
  );
  assert.equal(
    (await cli("delete", "tickworkflow", "weekly")).stdout.trim(),
    "deleted tickworkflow/weekly",
  );
  await assert.rejects(
    cli("delete", "tickworkflow", "weekly"),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /no schedule "weekly" for workflow "tickworkflow"/);
      return true;
    },
  );
});

test("jitter: each fire's instance starts up to the jitter after its fire time", async () => {
  await scheduleWorkflow(flows.TickWorkflow, {
    scheduleName: "jittered",
    schedule: "1s",
    inputs: ["j"],
    overlap: "allow",
    jitter: "800ms",
  });
  await sleep(5000);
  await deleteSchedule(flows.TickWorkflow, "jittered");
  await sleep(1000);
  // Queued at the fire, started after its jitter (no jitter: within milliseconds).
  const rows = await query<{ delay: number }>(
    `select extract(epoch from started_at - created_at) * 1000 as delay
       from waymark_instances where idempotency_key like 'schedule:jittered@%'`,
  );
  assert.ok(rows.length >= 4, `${rows.length} fires`);
  const delays = rows.map((r) => Number(r.delay));
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  assert.ok(
    delays.every((d) => d >= 0 && d < 1300),
    `delays ${delays.map(Math.round)} within the jitter`,
  );
  assert.ok(mean > 100, `mean delay ${Math.round(mean)} ms: the starts are spread by the jitter`);
});
