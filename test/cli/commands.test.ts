// The engine commands as users run them (bin/waymark.mjs): run, status, cancel, dev, migrate,
// each command's --help, and errors that name the fix. One `start-workers` on a fresh database.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "waymark.mjs");
const WORKFLOWS = "examples/workflows.ts";

let db: TestDb;
let engine: EngineProcess;

function waymark(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, WAYMARK_DATABASE_URL: db.url, WAYMARK_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

before(async () => {
  db = await createTestDb();
  engine = await startEngine({
    databaseUrl: db.url,
    modules: [join(ROOT, "examples", "actions.ts")],
  });
});

after(async () => {
  if (engine) await stopEngine(engine);
  await db?.drop();
});

test("every command has --help", async () => {
  for (const cmd of ["dev", "start-workers", "run", "status", "cancel", "check", "ir", "migrate"]) {
    const r = await waymark([cmd, "--help"]);
    assert.equal(r.code, 0, `${cmd}: ${r.err}`);
    assert.match(r.out, new RegExp(`^waymark ${cmd}`), cmd);
  }
});

test("run: prints the result as JSON; bare words are strings, others JSON", async () => {
  const r = await waymark(["run", WORKFLOWS, "SequentialChainWorkflow", "hello"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    original: "hello",
    step1: "HELLO",
    step2: "OLLEH",
    step3: "**OLLEH**",
  });
  assert.match(r.err, /started SequentialChainWorkflow instance \d+/);
  const m = await waymark(["run", WORKFLOWS, "LoopReturnWorkflow", "[4,8,15,16]", "15"]);
  assert.deepEqual(JSON.parse(m.out), { found: true, value: 15, checked: 3 });
});

test("run: a failed workflow exits 1 with its error; an unknown class lists the exports", async () => {
  const bad = await waymark(["run", WORKFLOWS, "NoSuchWorkflow"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no workflow class "NoSuchWorkflow".*SequentialChainWorkflow/);
  const usage = await waymark(["run", WORKFLOWS]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /missing <Workflow>/);
});

test("run: an action no worker serves fails with an error that names the fix", async () => {
  const r = await waymark(["run", "test/e2e/fixtures/flows.ts", "UnservedWorkflow", "1"], {
    WAYMARK_UNSERVED_ACTION_GRACE_MS: "1500",
  });
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /no workers serve action `unservedAction`.*WAYMARK_USER_MODULE/);
});

test("status and cancel: a sleeping instance is listed, cancelled once, then reported", async () => {
  const started = await waymark(["run", WORKFLOWS, "DurableSleepWorkflow", "60", "--no-wait"]);
  assert.equal(started.code, 0, started.err);
  const id = started.out.trim();
  assert.match(id, /^\d+$/);
  let line = "";
  for (let i = 0; i < 50 && !/sleeping/.test(line); i++) {
    const s = await waymark(["status", "--limit", "5"]);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /^ID\s+STATE\s+WORKFLOW\s+CREATED\s+TIME\s+STEPS\s+ATTEMPTS/m);
    assert.match(s.out, /live: 1 runner\(s\), 2 worker process\(es\) serving \d+ action\(s\)/);
    line = s.out.split("\n").find((l) => l.startsWith(`${id} `)) ?? "";
    if (!/sleeping/.test(line)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(
    line,
    new RegExp(`^${id}\\s+sleeping\\s+durablesleepworkflow\\s+.*wakes in \\d+\\.\\ds`),
  );
  const c = await waymark(["cancel", id]);
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out.trim(), `cancelled ${id}`);
  const again = await waymark(["cancel", id]);
  assert.equal(again.code, 1);
  assert.match(again.err, new RegExp(`instance ${id} is already cancelled`));
  const missing = await waymark(["cancel", "999999999"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /does not exist/);
  const one = await waymark(["status", id]);
  assert.equal(one.code, 0, one.err);
  assert.match(
    one.out,
    new RegExp(`^${id}  cancelled  durablesleepworkflow  created .* attempts 1$`, "m"),
  );
  assert.match(
    one.out,
    /^CALL\s+ACTION\s+STATE\s+ATTEMPTS\s+LOST\s+OUTCOME\n1\s+getTimestamp\s+completed\s+1\s+0\s+\d+$/m,
  );
  const none = await waymark(["status", "999999999"]);
  assert.equal(none.code, 1);
  assert.match(none.err, /instance 999999999 does not exist/);
  const json = await waymark(["status", "--json", "--status", "cancelled"]);
  const rows = json.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.ok(
    rows.some(
      (r) => r.id === id && r.status === "cancelled" && r.workflow === "durablesleepworkflow",
    ),
  );
});

test("migrate: the schema is already up to date", async () => {
  const r = await waymark(["migrate"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^schema is up to date \(\d+ migrations?\)$/m);
});

test("dev --once: engine, workers and one run in one process group, then a clean exit", async () => {
  const r = await waymark(
    ["dev", "--module", WORKFLOWS, "--workers", "1", "--once", "ConditionalBranchWorkflow", "80"],
    { WAYMARK_LOG_LEVEL: "info" },
    90_000,
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { value: 80, tier: "high" });
  assert.match(r.err, /running: runner on, 1 worker process/);
  assert.match(r.err, /watching 1 module/);
  const bad = await waymark(["dev"], { WAYMARK_USER_MODULE: "" });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /waymark dev needs your module: pass --module/);
});
