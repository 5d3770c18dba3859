// The CLI, spawned as users run it (bin/waymark.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "waymark.mjs");

function waymark(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("waymark check: clean examples exit 0 with a summary", () => {
  const r = waymark("check", "examples");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Checked \d+ workflows in \d+ files: no problems\.$/m);
});

test("waymark check: diagnostics printed like tsc, summary, exit 1", () => {
  const r = waymark(
    "check",
    "test/fixtures/refused/date_now",
    "test/fixtures/refused/for_in/input.ts",
  );
  assert.equal(r.code, 1);
  const lines = r.out.trim().split("\n");
  assert.equal(
    lines[0],
    "test/fixtures/refused/date_now/input.ts:10:21 - error WM202: `Date.now()` is nondeterministic and would differ between runs. Fix: call it inside an action and await the action: `const v = await readValue();`.",
  );
  assert.match(lines[1]!, /^test\/fixtures\/refused\/for_in\/input\.ts:12:5 - error WM303: /);
  assert.equal(lines.at(-1), "Found 2 errors in 2 files (2 workflows checked).");
});

test("waymark ir: text and mermaid graph of one workflow", () => {
  const r = waymark("ir", "examples/extras.ts", "RetryCounterWorkflow");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^workflow retrycounterworkflow class RetryCounterWorkflow/);
  assert.match(r.out, /await action flakyUntilThird\(label\)/);
  assert.match(r.out, /--- mermaid ---\nflowchart TD/);
  assert.doesNotMatch(r.out, /TimeoutProbeWorkflow/);
});

test("waymark ir: unknown workflow is an error", () => {
  const r = waymark("ir", "examples/extras.ts", "Nope");
  assert.equal(r.code, 1);
  assert.match(r.err, /no @workflow class Nope/);
});

test("help: global and per command; unknown command", () => {
  const all = waymark("--help");
  assert.equal(all.code, 0);
  assert.match(all.out, /waymark check/);
  assert.match(all.out, /waymark ir/);
  const one = waymark("check", "--help");
  assert.equal(one.code, 0);
  assert.match(one.out, /Exits 1 when any diagnostic/);
  const bad = waymark("frobnicate");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unknown command "frobnicate"/);
});

test("waymark check on the whole fixture corpus prints exactly the expected diagnostics", async () => {
  const { readdirSync, readFileSync, existsSync, statSync } = await import("node:fs");
  const r = waymark("check", "test/fixtures");
  assert.equal(r.code, 1, r.err);
  // Expected: every expected.diagnostics.txt line, with the fixture folder prefixed and the
  // "CODE message" part printed the way tsc does ("- error CODE: message").
  const expected: string[] = [];
  let cases = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const rel = `${dir}/${name}`;
      if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
    }
    const diag = join(ROOT, dir, "expected.diagnostics.txt");
    if (existsSync(diag)) {
      cases++;
      for (const line of readFileSync(diag, "utf8").split("\n").filter(Boolean)) {
        const m = /^(\S+:\d+:\d+) (WM\d+) (.*)$/.exec(line);
        assert.ok(m, `unexpected fixture line: ${line}`);
        expected.push(`${dir}/${m[1]} - error ${m[2]}: ${m[3]}`);
      }
    }
  };
  walk("test/fixtures");
  assert.ok(cases >= 30, `only ${cases} refused fixtures found`);
  const printed = r.out.split("\n").filter((l) => /^test\/fixtures\/.*- error WM/.test(l));
  assert.deepEqual([...printed].sort(), [...expected].sort());
});
