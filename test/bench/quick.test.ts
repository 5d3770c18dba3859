// `npm run bench` end to end at a tenth of its counts (--quick, no peers): every scenario runs
// against a real engine on the test server and prints the JSON line the performance issue
// specifies. Figures are not asserted (speed is measured by the bench, not by tests); that each
// scenario completes and reports its counts is.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testDatabaseUrl } from "../helpers/db.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function runBench(
  url: string,
  database: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=waymark-dev",
        "--import",
        "tsx",
        "bench/run.ts",
        "--no-peers",
        "--quick",
        "--json",
        "--database",
        database,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, WAYMARK_DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

test("npm run bench -- --quick --json runs A to F and prints one line each", {
  timeout: 240_000,
}, async () => {
  const database = `wm_bench_${randomBytes(4).toString("hex")}`;
  const { code, out, err } = await runBench(await testDatabaseUrl(), database);
  assert.equal(code, 0, `bench exited ${code}:\n${err.slice(-3000)}`);
  const lines = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => l.scenario),
    ["A", "B", "C", "D", "E", "F"],
  );
  const [a, b, c, d, e, f] = lines as Record<string, number>[];
  for (const field of [
    "wf_per_s",
    "steps_per_s",
    "lat_p50_ms",
    "lat_p95_ms",
    "lat_p99_ms",
    "wall_ms",
    "xacts_per_step",
    "wal_bytes_per_step",
  ])
    assert.equal(typeof a?.[field], "number", `A reports ${field}`);
  assert.equal(a?.n, 200, "A ran 2,000 ÷ 10 workflows");
  assert.equal(b?.width, 100, "B fanned out to 1,000 ÷ 10");
  assert.ok((c?.wall_ms ?? 0) >= 1000, "C's wall includes its 1 s sleep");
  assert.equal(d?.actions, 2000, "D drained 20,000 ÷ 10 queued calls");
  for (const l of [a, b, c, d])
    assert.ok((l?.steps_per_s ?? 0) > 0, `${String(l?.scenario)} ran actions`);
  assert.equal(e?.n, 20, "E ran 200 ÷ 10 signal round trips");
  assert.equal(e?.width, 100, "E started 1,000 ÷ 10 children");
  for (const field of ["signal_p50_ms", "signal_p99_ms", "children_wall_ms"])
    assert.equal(typeof e?.[field], "number", `E reports ${field}`);
  assert.equal(f?.n, 100, "F registered 1,000 ÷ 10 schedules");
  assert.ok((f?.fires ?? 0) >= 100, `F fired (${f?.fires})`);
  assert.equal(f?.duplicates, 0, "F: no fire time fired twice");
});
