// `npm run demo`: runs every seed workflow (examples/workflows.ts) durably, end to end, on the
// default database — the embedded Postgres under ./.waymark/ unless WAYMARK_DATABASE_URL is set —
// and prints `Workflow(input) → result` for each, checked against the expected result.
//
//   npm run demo                           all seed workflows
//   npm run demo -- --crash-after-sleep    also: SIGKILL the engine and stop the database while a
//                                          DurableSleepWorkflow sleeps, restart both, watch it finish
//
// The engine is a separate process group (`waymark start-workers --module examples/actions.ts`),
// as in production; this process is the client. Exit code 0 only when every result matched.
// Everything the demo starts is stopped at the end (the embedded server too, if nothing else
// uses it).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { closeWaymark, describeDatabase, type Workflow, workflowHandle } from "waymark";
import * as wf from "./workflows.js";

const BIN = fileURLToPath(new URL("../bin/waymark.mjs", import.meta.url));
const ACTIONS = fileURLToPath(new URL("./actions.ts", import.meta.url));
const crashAfterSleep = process.argv.includes("--crash-after-sleep");

/** [workflow, inputs, expected result] — the same table as examples/README.md. */
const CASES: [typeof Workflow, unknown[], unknown][] = [
  [
    wf.SequentialChainWorkflow,
    ["hello"],
    { original: "hello", step1: "HELLO", step2: "OLLEH", step3: "**OLLEH**" },
  ],
  [wf.ParallelMathWorkflow, [5], { inputNumber: 5, factorial: 120, fibonacci: 5, errors: [] }],
  [
    wf.ParallelMathWorkflow,
    [-1],
    {
      inputNumber: -1,
      factorial: null,
      fibonacci: null,
      errors: ["factorial of a negative number: -1", "fibonacci of a negative number: -1"],
    },
  ],
  [
    wf.WelcomeEmailWorkflow,
    [
      [
        { email: "a@x.io", active: true },
        { email: "b@x.io", active: false },
        { email: "broken", active: true },
      ],
    ],
    { attempted: 2, delivered: 1 },
  ],
  [wf.ConditionalBranchWorkflow, [80], { value: 80, tier: "high" }],
  [wf.ConditionalBranchWorkflow, [50], { value: 50, tier: "medium" }],
  [wf.ConditionalBranchWorkflow, [10], { value: 10, tier: "low" }],
  [
    wf.GuardFallbackWorkflow,
    ["ada"],
    { user: "ada", noteCount: 2, summary: "wrote the first program; met Babbage" },
  ],
  [wf.GuardFallbackWorkflow, ["bob"], { user: "bob", noteCount: 0, summary: "no notes found" }],
  [
    wf.LoopProcessingWorkflow,
    [["a", "b", "c"]],
    { count: 3, processed: ["processed:a", "processed:b", "processed:c"] },
  ],
  [wf.WhileLoopWorkflow, [3], { target: 3, final: 3, iterations: 3 }],
  [
    wf.ErrorHandlingWorkflow,
    [false],
    { attempted: true, recovered: false, message: "success: ok" },
  ],
  [
    wf.ErrorHandlingWorkflow,
    [true],
    { attempted: true, recovered: true, message: "recovered: IntentionalError was caught" },
  ],
  [
    wf.LoopExceptionWorkflow,
    [["a", "bad-b", "c", "bad-d"]],
    { total: 4, processed: ["processed:a", "processed:c"], errorCount: 2 },
  ],
  [wf.DurableSleepWorkflow, [1], { seconds: 1, sleptLongEnough: true }],
  [wf.DripWorkflow, [3, 10], ["iteration 1", "iteration 2", "iteration 3"]],
  [wf.LoopReturnWorkflow, [[4, 8, 15, 16], 15], { found: true, value: 15, checked: 3 }],
  [wf.LoopReturnWorkflow, [[4, 8], 99], { found: false, value: null, checked: 2 }],
];

const show = (v: unknown) =>
  inspect(v, { depth: null, breakLength: Number.POSITIVE_INFINITY, colors: false });

interface Engine {
  proc: ChildProcess;
  log(): string;
}

/** `waymark start-workers` in its own process group; resolves once its workers serve actions. */
async function startEngine(): Promise<Engine> {
  const proc = spawn(process.execPath, [BIN, "start-workers", "--module", ACTIONS], {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WAYMARK_WORKER_COUNT: process.env.WAYMARK_WORKER_COUNT ?? "2" },
  });
  let text = "";
  proc.stdout?.on("data", (d: Buffer) => (text += d));
  proc.stderr?.on("data", (d: Buffer) => (text += d));
  const workers = Number(process.env.WAYMARK_WORKER_COUNT ?? "2");
  const deadline = Date.now() + 60_000;
  while ((text.match(/started worker:/g) ?? []).length < workers) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(-proc.pid, "SIGKILL");
      throw new Error(`the engine did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, log: () => text };
}

function signalGroup(e: Engine, signal: NodeJS.Signals): void {
  try {
    if (e.proc.pid !== undefined) process.kill(-e.proc.pid, signal);
  } catch {
    // already gone
  }
}

async function stopEngine(e: Engine, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (e.proc.exitCode !== null || e.proc.signalCode !== null) return;
  const exited = new Promise((r) => e.proc.once("exit", r));
  signalGroup(e, signal);
  await exited;
}

async function runCase(cls: typeof Workflow, args: unknown[], expected: unknown): Promise<boolean> {
  const call = `${cls.name}(${args.map(show).join(", ")})`;
  const t0 = Date.now();
  try {
    const out = await (new (
      cls as unknown as new () => { run(...a: unknown[]): Promise<unknown> }
    )().run(...args) as Promise<unknown>);
    const ms = Date.now() - t0;
    try {
      assert.deepEqual(out, expected);
      console.log(`✓ ${call} → ${show(out)}  (${ms} ms)`);
      return true;
    } catch {
      console.log(`✗ ${call} → ${show(out)}  expected ${show(expected)}`);
      return false;
    }
  } catch (e) {
    console.log(`✗ ${call} threw ${(e as Error).message}`);
    return false;
  }
}

/** Sleep, kill -9 the engine and stop the database mid-sleep, restart both, get the result. */
async function crashDuringSleep(engine: Engine): Promise<{ ok: boolean; engine: Engine }> {
  const seconds = 4;
  console.log(`\n--crash-after-sleep: DurableSleepWorkflow(${seconds}) survives a crash mid-sleep`);
  const handle = await new wf.DurableSleepWorkflow().start(seconds);
  const deadline = Date.now() + 30_000;
  while ((await handle.status()) !== "sleeping") {
    if (Date.now() > deadline) throw new Error("the workflow never reached its sleep");
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`  instance ${handle.id} is sleeping; SIGKILL the engine's process group`);
  await stopEngine(engine, "SIGKILL");
  await closeWaymark(); // our connections closed: the embedded server stops (nobody uses it)
  console.log(
    process.env.WAYMARK_DATABASE_URL
      ? "  engine killed (external database left running)"
      : "  engine killed and the embedded Postgres stopped: nothing of the workflow is in memory",
  );
  await new Promise((r) => setTimeout(r, 1000));
  console.log("  restarting the engine (and the database, from ./.waymark/)");
  const restarted = await startEngine();
  const out = await workflowHandle(handle.id).result();
  const ok = (out as { sleptLongEnough?: boolean }).sleptLongEnough === true;
  console.log(
    `${ok ? "✓" : "✗"} DurableSleepWorkflow(${seconds}) → ${show(out)}  (woke after the restart)`,
  );
  return { ok, engine: restarted };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  console.log(`database: ${describeDatabase()}`);
  let engine = await startEngine();
  console.log(
    `engine: waymark start-workers (pid ${engine.proc.pid}), ready in ${Date.now() - t0} ms\n`,
  );
  let passed = 0;
  let total = 0;
  try {
    for (const [cls, args, expected] of CASES) {
      total++;
      if (await runCase(cls, args, expected)) passed++;
    }
    if (crashAfterSleep) {
      total++;
      const r = await crashDuringSleep(engine);
      engine = r.engine;
      if (r.ok) passed++;
    }
  } catch (e) {
    console.error(`demo failed: ${(e as Error).stack}\nengine log:\n${engine.log()}`);
    return 1;
  } finally {
    await stopEngine(engine);
    await closeWaymark();
  }
  console.log(
    `\n${passed}/${total} workflows returned the expected results in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return passed === total ? 0 : 1;
}

process.exitCode = await main();
