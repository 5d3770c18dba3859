// Engine configuration from WAYMARK_* environment variables, with documented defaults.
// Invariant: nothing here falls back to a server on 5432. No WAYMARK_DATABASE_URL means the
// embedded server under ./.waymark/ (WAYMARK_HOME), resolved by resolveConfig().
import { resolveDatabaseUrl } from "./embedded/resolveDatabaseUrl.js";

export interface EngineConfig {
  /** WAYMARK_DATABASE_URL; empty in loadConfig() when unset (use resolveConfig() to fill it). */
  databaseUrl: string;
  workerCount: number;
  concurrentPerWorker: number;
  /** Action calls a runner runs at once in its own process (0: none; every call goes to a
   *  worker process). See src/worker/InlineExecutor.ts. */
  inlineActions: number;
  /** An action whose synchronous part holds the runner's event loop longer than this is run in
   *  worker processes from then on. */
  inlineBlockMs: number;
  /** A sleep at most this long (and within half a lease) is waited out by the runner that
   *  started it, keeping the instance's lease, instead of parking the instance for any runner
   *  to claim at its deadline (0: always park). */
  holdSleepMs: number;
  pollIntervalMs: number;
  /** Lease length for instances and action calls. */
  lockTtlMs: number;
  /** Lease renewal period; must be well under lockTtlMs. */
  lockHeartbeatMs: number;
  /** How long a queued action may wait with no live worker serving it before it fails. */
  unservedActionGraceMs: number;
  /** Interpreter steps allowed over the life of an instance. */
  stepBudget: number;
  /** Lost attempts (worker or runner gone before the outcome was recorded) re-run per call;
   *  one more lost attempt fails the call with WorkerLostError. */
  maxLostAttempts: number;
  /** Hours after its instance ended that an idempotency key still names it. */
  idempotencyHours: number;
  /** How often a runner checks its hot tables for dead row versions and vacuums them when they
   *  outnumber the threshold (0: never; leave it to autovacuum). */
  vacuumIntervalMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  userModules: string[];
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

export function loadConfig(): EngineConfig {
  const lockTtlMs = int("WAYMARK_LOCK_TTL_MS", 30_000);
  const level = process.env.WAYMARK_LOG_LEVEL ?? "info";
  return {
    databaseUrl: process.env.WAYMARK_DATABASE_URL ?? "",
    workerCount: int("WAYMARK_WORKER_COUNT", 2),
    concurrentPerWorker: int("WAYMARK_CONCURRENT_PER_WORKER", 32),
    inlineActions: int("WAYMARK_INLINE_ACTIONS", 128),
    inlineBlockMs: int("WAYMARK_INLINE_BLOCK_MS", 20),
    holdSleepMs: int("WAYMARK_HOLD_SLEEP_MS", 5000),
    pollIntervalMs: int("WAYMARK_POLL_INTERVAL_MS", 1000),
    lockTtlMs,
    lockHeartbeatMs: int("WAYMARK_LOCK_HEARTBEAT_MS", Math.max(50, Math.floor(lockTtlMs / 3))),
    unservedActionGraceMs: int("WAYMARK_UNSERVED_ACTION_GRACE_MS", 30_000),
    stepBudget: int("WAYMARK_STEP_BUDGET", 100_000),
    maxLostAttempts: Math.floor(int("WAYMARK_MAX_LOST_ATTEMPTS", 3)),
    idempotencyHours: int("WAYMARK_IDEMPOTENCY_HOURS", 24),
    vacuumIntervalMs: int("WAYMARK_VACUUM_INTERVAL_MS", 10_000),
    logLevel: (["debug", "info", "warn", "error"].includes(level)
      ? level
      : "info") as EngineConfig["logLevel"],
    userModules: (process.env.WAYMARK_USER_MODULE ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** loadConfig() with the database resolved: WAYMARK_DATABASE_URL, else the embedded server
 *  (started or reused). Processes that fork workers pass the resolved URL down in the env. */
export async function resolveConfig(): Promise<EngineConfig> {
  const cfg = loadConfig();
  if (!cfg.databaseUrl) cfg.databaseUrl = await resolveDatabaseUrl();
  return cfg;
}
