// waymark/testing under the other test runners users have: vitest and jest run
// test/testing/runners/peer.spec.mjs (a workflow with a skipped sleep and a mocked action, two
// environments side by side). Both transpile with esbuild without keepNames, which renames
// `action(async function addOne …)` to `addOne2` in the code that runs: the action must still
// be found under the name the compiler reads in the source.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNNERS = join(ROOT, "test", "testing", "runners");
const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);

function run(cmd: string, args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", ...extra };
  delete env.FORCE_COLOR;
  delete env.NODE_TEST_CONTEXT; // not a child of this test runner
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    env,
    timeout: 120_000,
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
  const plain = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, "");
  return { status: r.status, out: plain(`${r.stdout}\n${r.stderr}`) };
}

test("vitest runs waymark/testing specs", () => {
  const r = run(bin("vitest"), [
    "run",
    "--config",
    join(RUNNERS, "vitest.config.mjs"),
    "--root",
    ROOT,
  ]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Tests\s+2 passed \(2\)/);
});

test("jest runs waymark/testing specs", () => {
  const r = run(bin("jest"), ["--config", join(RUNNERS, "jest.config.mjs"), "--ci"], {
    NODE_OPTIONS: "--experimental-vm-modules --no-warnings",
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Tests:\s+2 passed, 2 total/);
});
