// The failpoint spec parser, and that an inert failpoint does nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { failpoints, parseFailpoints } from "../../src/failpoints/failpoint.js";

test("failpoint specs parse action, argument, probability and max hits", () => {
  const m = parseFailpoints(
    "after_claim_commit=kill:0.05, mid_persist=sleep:200:0.5*3,before_lease_refresh=stop*1,x=error",
  );
  assert.deepEqual(Object.fromEntries(m), {
    after_claim_commit: { action: "kill", ms: 0, probability: 0.05, maxHits: Infinity, hits: 0 },
    mid_persist: { action: "sleep", ms: 200, probability: 0.5, maxHits: 3, hits: 0 },
    before_lease_refresh: { action: "stop", ms: 0, probability: 1, maxHits: 1, hits: 0 },
    x: { action: "error", ms: 0, probability: 1, maxHits: Infinity, hits: 0 },
  });
  assert.throws(() => parseFailpoints("a=explode"), /unknown action "explode"/);
  assert.throws(() => parseFailpoints("a"), /needs name=action/);
  assert.throws(() => parseFailpoints("a=kill:abc"), /bad arguments/);
});

test("inert unless WAYMARK_FAILPOINTS names them; a hit is reported on stderr before acting", () => {
  if (!process.env.WAYMARK_FAILPOINTS) {
    assert.equal(failpoints.on, false);
    assert.equal(failpoints.hit("after_claim_commit"), undefined);
  }
  const r = spawnSync(
    process.execPath,
    [
      "--conditions=waymark-dev",
      "--import",
      "tsx",
      "-e",
      `import("${new URL("../../src/failpoints/failpoint.ts", import.meta.url).href}").then(({ failpoints }) => { failpoints.hit("mid_persist"); console.log("not reached"); })`,
    ],
    { env: { ...process.env, WAYMARK_FAILPOINTS: "mid_persist=kill*1" }, encoding: "utf8" },
  );
  assert.equal(r.signal, "SIGKILL");
  assert.match(r.stderr, /WAYMARK_FAILPOINT hit mid_persist action=kill pid=\d+ t=\d+/);
  assert.doesNotMatch(r.stdout, /not reached/);
});
