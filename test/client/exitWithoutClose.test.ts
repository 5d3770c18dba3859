// A client script that awaits a workflow's result and never calls closeWaymark() ends by itself
// (idle connections do not hold the event loop), while a pending result() keeps it alive; the
// engine's processes are not affected. Real processes: `start-workers` and the script, each
// spawned with tsx, on the server (WAYMARK_DATABASE_URL) and on the embedded default.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./fixtures/noCloseScript.ts", import.meta.url));
const MODULE = fileURLToPath(new URL("../../examples/workflows.ts", import.meta.url));
const CHAIN = { original: "hello", step1: "HELLO", step2: "OLLEH", step3: "**OLLEH**" };
/** Exit after the last line was printed; a held event loop would never exit (the test then
 *  kills the script after SCRIPT_TIMEOUT_MS and fails). */
const EXIT_WITHIN_MS = 3000;
const SCRIPT_TIMEOUT_MS = 60_000;

interface ScriptRun {
  code: number | null;
  killed: boolean;
  result: unknown;
  /** Milliseconds from the script's last line to its exit. */
  exitLagMs: number;
  /** Milliseconds from spawn to the last line. */
  elapsedMs: number;
  pid: number;
  out: string;
}

/** Runs the script with `env` layered over ours (an undefined value removes a variable). */
function runScript(args: string[], env: Record<string, string | undefined>): Promise<ScriptRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    ["--conditions=waymark-dev", "--import", "tsx", SCRIPT, ...args],
    { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, SCRIPT_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      const exitedAt = Date.now();
      clearTimeout(timer);
      // Give the pipes a moment to drain after the exit event.
      setImmediate(() => {
        const printedAt = Number(out.match(/^printed-at (\d+)$/m)?.[1] ?? Number.NaN);
        const json = out.match(/^result (.*)$/m)?.[1];
        resolve({
          code,
          killed,
          result: json === undefined ? undefined : JSON.parse(json),
          exitLagMs: exitedAt - printedAt,
          elapsedMs: printedAt - t0,
          pid: child.pid ?? -1,
          out,
        });
      });
    });
  });
}

function assertEndedByItself(r: ScriptRun, expected: unknown): void {
  assert.equal(r.killed, false, `the script never exited by itself:\n${r.out}`);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(r.result, expected, r.out);
  assert.ok(
    r.exitLagMs >= 0 && r.exitLagMs < EXIT_WITHIN_MS,
    `exited ${r.exitLagMs} ms after printing its result (limit ${EXIT_WITHIN_MS} ms):\n${r.out}`,
  );
}

function assertEngineLive(e: EngineProcess): void {
  assert.equal(e.proc.exitCode, null, `start-workers exited:\n${e.log().slice(-2000)}`);
  assert.equal(e.proc.signalCode, null);
  assert.equal(e.workerPids().length, 2, "both worker children still run");
}

let db: TestDb;
let engine: EngineProcess;

before(async () => {
  db = await createTestDb();
  engine = await startEngine({ databaseUrl: db.url, modules: [MODULE] });
});

after(async () => {
  if (engine) assert.equal(await stopEngine(engine), 0, "start-workers exits 0 on SIGTERM");
  await db?.drop();
});

test("handle.result() as the last line, no closeWaymark(): prints and exits by itself", async () => {
  const r = await runScript(["start"], { WAYMARK_DATABASE_URL: db.url });
  assertEndedByItself(r, CHAIN);
  assertEngineLive(engine);
});

test("await new Wf().run(x) as the last line, no closeWaymark(): prints and exits by itself", async () => {
  const r = await runScript(["run"], { WAYMARK_DATABASE_URL: db.url });
  assertEndedByItself(r, CHAIN);
  assertEngineLive(engine);
});

test("a pending result keeps the script alive past the 5 s safety-net poll", async () => {
  // Both forms at once: a sleep of 6 s outlasts the client's safety-net poll, so the script is
  // kept alive by its waiter alone (no query in flight, the LISTEN connection unreferenced).
  const [a, b] = await Promise.all([
    runScript(["start", "6"], { WAYMARK_DATABASE_URL: db.url }),
    runScript(["run", "6"], { WAYMARK_DATABASE_URL: db.url }),
  ]);
  for (const r of [a, b]) {
    assertEndedByItself(r, { seconds: 6, sleptLongEnough: true });
    assert.ok(r.elapsedMs >= 6000, `the result came after the sleep (${r.elapsedMs} ms)`);
  }
  assertEngineLive(engine);
});

test("embedded default: the script exits, gives up its registration, and the server keeps serving the engine", {
  timeout: 180_000,
}, async (t) => {
  const home = join(mkdtempSync(join(tmpdir(), "wm-noclose-")), ".waymark");
  chmodSync(join(home, ".."), 0o755); // the server runs as 'postgres' when we are root
  const env = { WAYMARK_HOME: home, WAYMARK_DATABASE_URL: undefined };
  const embedded = await startEngine({
    databaseUrl: "", // empty: the engine resolves the embedded default under WAYMARK_HOME
    modules: [MODULE],
    env: { WAYMARK_HOME: home },
  });
  t.after(async () => {
    await stopEngine(embedded);
    rmSync(join(home, ".."), { recursive: true, force: true });
  });
  const postmaster = () =>
    Number(readFileSync(join(home, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
  const serverPid = postmaster();
  const r = await runScript(["start"], env);
  assertEndedByItself(r, CHAIN);
  assert.equal(existsSync(join(home, "clients", String(r.pid))), false, "registration given up");
  assertEngineLive(embedded);
  assert.equal(postmaster(), serverPid, "the same server still runs for the engine");
  // The next command after it works as usual.
  assertEndedByItself(await runScript(["run"], env), CHAIN);
  assert.deepEqual(readdirSync(join(home, "clients")).length, 1, "only the engine is registered");
  assert.equal(await stopEngine(embedded), 0);
  assert.equal(
    existsSync(join(home, "pgdata", "postmaster.pid")),
    false,
    "last one out stopped it",
  );
});
