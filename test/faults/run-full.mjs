#!/usr/bin/env node
// `npm run test:faults`: the full fault tier (long variants, the machine's Postgres restart, the
// soak), one file at a time, then renders the figures into docs/reliability.md.
import { spawnSync } from "node:child_process";

const env = { ...process.env, WAYMARK_FAULTS: "full", WAYMARK_TEST_CONCURRENCY: "1" };
const tests = spawnSync(process.execPath, ["scripts/run-tests.mjs", "test/faults"], {
  stdio: "inherit",
  env,
});
spawnSync(process.execPath, ["--import", "tsx", "test/faults/render.ts"], { stdio: "inherit" });
process.exit(tests.status ?? 1);
