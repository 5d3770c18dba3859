// Engine ≡ JavaScript: every fixture of test/fixtures/equivalence/<case>/input.ts runs on a real
// `start-workers` process (real Postgres, the compiled IR, actions in the engine) and, for the
// same inputs, as plain JavaScript (the class's undecorated `run`, kept by @workflow under
// ORIGINAL_RUN, called on an instance with the actions as ordinary async functions). The two
// outcomes must be the same value, or the same error (name, message, class chain, own fields).
//
// The boundary: inputs and results cross the value codec (src/values/codec.ts) in the engine,
// so the plain run gets a codec copy of its inputs and its result is passed through the codec
// too. The codec is lossless for every value SPEC §4 allows (-0, NaN, ±Infinity, undefined
// properties, bigint, Date, Map, Set keep what they are), so the comparison is strict
// (test/helpers/sameValue.ts: Object.is on numbers, key order, own undefined ≠ missing). What
// the codec does change is never compared: an Error instance becomes a record (errors are
// compared as records, without `stack`), and shared references become copies. Values a
// workflow turns into JSON itself (`JSON.stringify(-0)` is "0") change the same way on both
// sides, so they compare exactly.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { closeWaymark } from "../../src/client/engine.js";
import { WorkflowFailedError } from "../../src/client/errors.js";
import { ORIGINAL_RUN, type Workflow } from "../../src/client/workflow.js";
import { decodeValue, encodeValue, errorToValue } from "../../src/values/index.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";
import { firstDifference } from "../helpers/sameValue.js";

const ROOT = join(import.meta.dirname, "..", "fixtures", "equivalence");
const CASES = readdirSync(ROOT)
  .filter((name) => existsSync(join(ROOT, name, "input.ts")))
  .sort();

type Outcome = { ok: true; value: unknown } | { ok: false; error: Record<string, unknown> };
type WorkflowCtor = (new () => Workflow & { run(...args: unknown[]): Promise<unknown> }) & {
  [ORIGINAL_RUN]?: (...args: unknown[]) => Promise<unknown>;
};

interface Fixture {
  name: string;
  cls: WorkflowCtor;
  inputs: unknown[][];
}

let db: TestDb;
let engine: EngineProcess;
const fixtures = new Map<string, Fixture>();

const copy = <T>(v: T): T => decodeValue(encodeValue(v)) as T;

/** A one-line rendering for failure messages (bigint and undefined shown, not dropped). */
function brief(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    typeof x === "bigint" ? `${x}n` : x === undefined ? "<undefined>" : x,
  );
}

function errorRecord(e: unknown): Record<string, unknown> {
  const { stack: _stack, ...rest } = errorToValue(e);
  return rest;
}

async function plainOutcome(f: Fixture, args: unknown[]): Promise<Outcome> {
  const body = f.cls[ORIGINAL_RUN];
  assert.ok(body, `${f.name}: @workflow kept no original run`);
  try {
    const value = await body.apply(new f.cls(), copy(args));
    return { ok: true, value: decodeValue(encodeValue(value, "the workflow result")) };
  } catch (e) {
    return { ok: false, error: errorRecord(e) };
  }
}

async function engineOutcome(f: Fixture, args: unknown[]): Promise<Outcome> {
  try {
    return { ok: true, value: await new f.cls().run(...args) };
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
    return { ok: false, error: errorRecord(e.error) };
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
  for (const [i, name] of CASES.entries()) {
    const mod = (await import(pathToFileURL(modules[i] as string).href)) as Record<string, unknown>;
    const classes = Object.values(mod).filter(
      (v): v is WorkflowCtor => typeof v === "function" && ORIGINAL_RUN in v,
    );
    assert.equal(classes.length, 1, `${name}: exactly one @workflow class per fixture`);
    assert.ok(Array.isArray(mod.inputs) && mod.inputs.length > 0, `${name}: exports inputs`);
    fixtures.set(name, {
      name,
      cls: classes[0] as WorkflowCtor,
      inputs: mod.inputs as unknown[][],
    });
  }
});

after(async () => {
  await closeWaymark();
  if (engine) assert.equal(await stopEngine(engine), 0, "start-workers exits 0 on SIGTERM");
  await db?.drop();
});

test("there are at least 30 equivalence fixtures", () => {
  assert.ok(CASES.length >= 30, `only ${CASES.length} fixtures`);
});

for (const name of CASES) {
  test(`engine ≡ JavaScript: ${name}`, async () => {
    const f = fixtures.get(name);
    assert.ok(f, `${name} was not loaded`);
    const diffs = await Promise.all(
      f.inputs.map(async (args) => {
        const [plain, engined] = await Promise.all([plainOutcome(f, args), engineOutcome(f, args)]);
        const d = firstDifference(plain, engined, "outcome");
        if (d === null) return null;
        const call = `${f.cls.name}.run(${brief(args)})`;
        return plain.ok === engined.ok
          ? `${call}: plain JS vs engine: ${d}`
          : `${call}: plain JS ${brief(plain)} vs engine ${brief(engined)}`;
      }),
    );
    assert.deepEqual(
      diffs.filter((d) => d !== null),
      [],
    );
  });
}
