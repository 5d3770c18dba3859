// Test environment ≡ engine: every fixture of test/fixtures/equivalence/<case>/input.ts, for each
// of its inputs, runs on a real `start-workers` process (real Postgres) and in
// createTestEnvironment() (memory, virtual clock). Both must end with the same outcome and the
// same call log: the same calls (id, action, arguments), each with the same status, number of
// attempts and result (an error compared by name, message and class chain).
//
// The instance's own calls are compared, and those of the child workflows it started (matched
// by their parent call, so ids may differ). A call abandoned on one side — its result no
// longer needed because a Promise.all or a concurrent run failed first — may have answered
// before that failure on the other side (when an action answers is real time): for it, only
// its place, action and arguments are compared.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { closeWaymark } from "../../src/client/engine.js";
import { WorkflowFailedError } from "../../src/client/errors.js";
import { ORIGINAL_RUN, type Workflow } from "../../src/client/workflow.js";
import { createTestEnvironment } from "../../src/testing/index.js";
import type { TestEnvironment } from "../../src/testing/TestEnvironment.js";
import { decodeValue, errorToValue } from "../../src/values/index.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";
import { firstDifference } from "../helpers/sameValue.js";

const ROOT = join(import.meta.dirname, "..", "fixtures", "equivalence");
const CASES = readdirSync(ROOT)
  .filter((name) => existsSync(join(ROOT, name, "input.ts")))
  .sort();

type WorkflowCtor = (new () => Workflow & {
  start(...args: unknown[]): Promise<{ id: string; result(): Promise<unknown> }>;
}) & { [ORIGINAL_RUN]?: unknown };

interface Fixture {
  cls: WorkflowCtor;
  inputs: unknown[][];
}

/** What is compared of one run: its outcome and its call tree. */
interface Run {
  outcome: { ok: true; value: unknown } | { ok: false; error: Record<string, unknown> };
  calls: LoggedCall[];
}
interface LoggedCall {
  /** The call's place: "3" for call 3 of the instance, "3/1" for call 1 of the child it started. */
  at: string;
  action: string;
  args: unknown;
  status: string;
  attempts: number;
  result: unknown;
}

let db: TestDb;
let engine: EngineProcess;
let client: pg.Client;
const fixtures = new Map<string, Fixture>();

/** An error compared by what a workflow can see of it (no stack, no worker-specific fields). */
function errorRecord(e: unknown): Record<string, unknown> {
  const v = errorToValue(e) as Record<string, unknown>;
  return { name: v.name, message: v.message, classChain: v.classChain };
}

const settledValue = (status: string, raw: unknown): unknown => {
  const v = decodeValue(raw as never);
  return status === "failed" ? errorRecord(v) : v;
};

async function onEngine(f: Fixture, args: unknown[]): Promise<Run> {
  const h = await new f.cls().start(...args);
  let outcome: Run["outcome"];
  try {
    outcome = { ok: true, value: await h.result() };
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
    outcome = { ok: false, error: errorRecord(e.error) };
  }
  const calls: LoggedCall[] = [];
  const visit = async (id: string, prefix: string) => {
    const rows = await client.query(
      `select call_id, action_name, args, status, attempts, result, wait
         from waymark_action_calls where instance_id = $1 order by call_id`,
      [id],
    );
    for (const r of rows.rows) {
      const at = `${prefix}${r.call_id}`;
      if (r.wait === "child") {
        const kid = await client.query(
          "select id::text from waymark_instances where parent_id = $1 and parent_call_id = $2",
          [id, r.call_id],
        );
        if (kid.rows[0]) await visit(kid.rows[0].id, `${at}/`);
        continue;
      }
      if (r.wait !== null) continue;
      calls.push({
        at,
        action: r.action_name,
        args: decodeValue(r.args),
        status: r.status,
        attempts: r.attempts,
        result: settledValue(r.status, r.result),
      });
    }
  };
  await visit(h.id, "");
  return { outcome, calls };
}

async function inMemory(env: TestEnvironment, f: Fixture, args: unknown[]): Promise<Run> {
  const start = env.start.bind(env) as (
    wf: unknown,
    ...a: unknown[]
  ) => ReturnType<TestEnvironment["start"]>;
  const h = await start(f.cls, ...args);
  let outcome: Run["outcome"];
  try {
    outcome = { ok: true, value: await h.result() };
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
    outcome = { ok: false, error: errorRecord(e.error) };
  }
  const calls: LoggedCall[] = [];
  const visit = (id: string, prefix: string) => {
    const rows = [...env.store.calls.values()]
      .filter((c) => c.instanceId === id)
      .sort((a, b) => a.callId - b.callId);
    for (const c of rows) {
      const at = `${prefix}${c.callId}`;
      if (c.wait === "child") {
        const kid = [...env.store.instances.values()].find(
          (w) => w.parentId === id && w.parentCallId === c.callId,
        );
        if (kid) visit(kid.id, `${at}/`);
        continue;
      }
      if (c.wait !== null) continue;
      calls.push({
        at,
        action: c.action,
        args: decodeValue(c.args as never),
        status: c.status,
        attempts: c.attempts,
        result: settledValue(c.status, c.result),
      });
    }
  };
  visit(h.id, "");
  return { outcome, calls };
}

/** Calls abandoned on either side: only where, what and with which arguments (see the header). */
function notNeeded(a: LoggedCall[], b: LoggedCall[]): void {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as LoggedCall;
    const y = b[i] as LoggedCall;
    if (x.status !== "abandoned" && y.status !== "abandoned") continue;
    for (const c of [x, y]) Object.assign(c, { status: "not needed", attempts: 0, result: null });
  }
}

before(async () => {
  db = await createTestDb();
  process.env.WAYMARK_DATABASE_URL = db.url;
  const modules = CASES.map((c) => join(ROOT, c, "input.ts"));
  engine = await startEngine({
    databaseUrl: db.url,
    modules,
    env: { WAYMARK_WORKER_COUNT: "1", WAYMARK_CONCURRENT_PER_WORKER: "128" },
  });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  for (const [i, name] of CASES.entries()) {
    const mod = (await import(pathToFileURL(modules[i] as string).href)) as Record<string, unknown>;
    const cls = Object.values(mod).find(
      (v): v is WorkflowCtor => typeof v === "function" && ORIGINAL_RUN in v,
    );
    assert.ok(cls && Array.isArray(mod.inputs), `${name}: a @workflow class and its inputs`);
    fixtures.set(name, { cls, inputs: mod.inputs as unknown[][] });
  }
});

after(async () => {
  await client?.end();
  await closeWaymark();
  if (engine) assert.equal(await stopEngine(engine), 0, "start-workers exits 0 on SIGTERM");
  await db?.drop();
});

test("every equivalence fixture with inputs is compared", () => {
  assert.ok(fixtures.size >= 30, `only ${fixtures.size} fixtures`);
});

for (const name of CASES) {
  test(`test environment ≡ engine: ${name}`, async () => {
    const f = fixtures.get(name);
    assert.ok(f, `${name} was not loaded`);
    const env = createTestEnvironment();
    const diffs: string[] = [];
    for (const args of f.inputs) {
      const [engined, memory] = await Promise.all([onEngine(f, args), inMemory(env, f, args)]);
      notNeeded(engined.calls, memory.calls);
      const d = firstDifference(engined, memory, "run");
      if (d !== null)
        diffs.push(`${f.cls.name}.run(${JSON.stringify(args)}): engine vs memory: ${d}`);
    }
    assert.deepEqual(diffs, []);
  });
}
