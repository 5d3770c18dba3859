// Full tier only (WAYMARK_FAULTS=full): a steady load for several minutes (WAYMARK_FAULT_SOAK_MS,
// default 5 min) with faults injected on a seeded schedule — worker children SIGKILLed, a runner
// SIGKILLed and replaced, connections reset — then the invariants, and throughput after the
// faults stop back to ≥ 80 % of the fault-free rate.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stopEngine } from "../helpers/engine.js";
import { PgProxy } from "./fixtures/proxy.js";
import {
  FaultContext,
  FULL,
  LEASE_MS,
  percentile,
  recordFigures,
  type Started,
  sleepMs,
} from "./fixtures/suite.js";

const SOAK_MS = Number(process.env.WAYMARK_FAULT_SOAK_MS ?? 300_000);
const ctx = new FaultContext("soak");
let proxy: PgProxy;

before(async () => {
  if (!FULL) return;
  await ctx.setup();
  proxy = new PgProxy(Number(new URL(ctx.db.url).port || 5432));
  await proxy.start();
});
after(async () => {
  if (!FULL) return;
  await ctx.teardown();
  await proxy?.close();
});

/** Keeps `inFlight` chains running until `until`; returns them all. */
async function steadyLoad(prefix: string, inFlight: number, ms: number): Promise<Started[]> {
  const all: Started[] = [];
  const end = Date.now() + ms;
  let i = 0;
  const lane = async () => {
    while (Date.now() < end) {
      const [s] = await ctx.startChains(1, 4, 20, `${prefix}${i++}-`);
      if (!s) break;
      all.push(s);
      await s.result.catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return all;
}

test("soak: steady load with seeded faults for several minutes", { skip: !FULL }, async () => {
  const url = proxy.urlFor(ctx.db.url);
  const env = { WAYMARK_QUERY_TIMEOUT_MS: "5000" };
  const workers = await ctx.engine({ databaseUrl: url, env, args: ["--no-runner"] });
  let runner = await ctx.engine({ databaseUrl: url, env, args: ["--no-workers"] });
  // Warm-up (not measured): process start-up, JIT and first connections would otherwise lower
  // the baseline and make the recovery check below lenient.
  const warmup = await steadyLoad("warm", 32, 10_000);
  const baseline = await steadyLoad("base", 32, 30_000);
  const baseRate = baseline.length / 30;
  const faultTimes: number[] = [];
  const schedule: string[] = [];
  const loadDone = steadyLoad("soak", 32, SOAK_MS);
  const end = Date.now() + SOAK_MS - 10_000;
  while (Date.now() < end) {
    await sleepMs(3000 + ctx.rand(7000));
    const kind = ctx.rand(3);
    faultTimes.push(Date.now());
    if (kind === 0) {
      const pids = workers.workerPids();
      const victim = pids[ctx.rand(Math.max(1, pids.length))];
      if (victim !== undefined) process.kill(victim, "SIGKILL");
      schedule.push("kill-worker");
    } else if (kind === 1) {
      runner.killGroup("SIGKILL");
      await runner.exited;
      runner = await ctx.engine({ databaseUrl: url, env, args: ["--no-workers"] });
      schedule.push("kill-runner");
    } else {
      proxy.reset();
      schedule.push("reset");
    }
  }
  console.log(`# soak fault schedule (seed ${ctx.seed}): ${schedule.join(",")}`);
  const soaked = await loadDone;
  const after = await steadyLoad("after", 32, 30_000);
  const afterRate = after.length / 30;
  const figures = await ctx.checkChains([...warmup, ...baseline, ...soaked, ...after], 5, 120_000);
  const rec = ctx.recoveries(faultTimes);
  assert.ok(
    afterRate >= 0.8 * baseRate,
    `throughput after faults ${afterRate}/s ≥ 80 % of ${baseRate}/s`,
  );
  recordFigures(`soak ${Math.round(SOAK_MS / 60000)} min with ${faultTimes.length} faults`, {
    ...figures,
    faults: faultTimes.length,
    leaseMs: LEASE_MS,
    recoveryP50Ms: percentile(rec, 50),
    recoveryP99Ms: percentile(rec, 99),
    baselinePerS: Number(baseRate.toFixed(1)),
    afterPerS: Number(afterRate.toFixed(1)),
  });
  await stopEngine(runner);
  await stopEngine(workers);
});
