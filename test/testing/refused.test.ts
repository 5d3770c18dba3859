// A refused workflow fails a test at import, with the same diagnostic as `waymark check`:
// file:line:column, the code and the fix — before any environment runs anything.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FLOW = join(ROOT, "test", "testing", "fixtures", "refusedFlow.ts");

test("importing a refused workflow throws the diagnostic waymark check prints", async () => {
  const err = (await import("./fixtures/refusedFlow.js").then(
    () => assert.fail("the import succeeded"),
    (e: Error) => e,
  )) as Error & { code: string; line: number; column: number; fix: string };
  assert.equal(err.name, "UnsupportedPatternError");
  assert.deepEqual([err.line, err.column], [8, 12]);
  assert.match(err.message, /`Date\.now\(\)` is nondeterministic/);
  assert.match(err.fix, /call it inside an action/);
  assert.match(String(err.stack), /refusedFlow\.ts:8:12 - .*Fix: call it inside an action/);
  const check = spawnSync(
    process.execPath,
    [
      "--conditions=waymark-dev",
      "--import",
      "tsx",
      join(ROOT, "src", "cli", "main.ts"),
      "check",
      FLOW,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(check.status, 1, check.stderr);
  const line = `${check.stdout}${check.stderr}`
    .split("\n")
    .find((l) => l.includes("refusedFlow.ts:8:12"));
  assert.ok(line, `waymark check names the same place:\n${check.stdout}${check.stderr}`);
  const code = line.match(/WM\d{3}/)?.[0];
  assert.equal(code, err.code, "the same diagnostic code in both");
});
