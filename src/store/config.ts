// Engine configuration from WAYMARK_* environment variables, with documented defaults.
export interface EngineConfig {
  databaseUrl: string;
  workerCount: number;
  concurrentPerWorker: number;
  pollIntervalMs: number;
  /** Lease length for instances and action calls. */
  lockTtlMs: number;
  /** Lease renewal period; must be well under lockTtlMs. */
  lockHeartbeatMs: number;
  /** How long a queued action may wait with no live worker serving it before it fails. */
  unservedActionGraceMs: number;
  /** Interpreter steps allowed over the life of an instance. */
  stepBudget: number;
  logLevel: "debug" | "info" | "warn" | "error";
  userModules: string[];
}

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

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
    databaseUrl: process.env.WAYMARK_DATABASE_URL || DEFAULT_DATABASE_URL,
    workerCount: int("WAYMARK_WORKER_COUNT", 2),
    concurrentPerWorker: int("WAYMARK_CONCURRENT_PER_WORKER", 32),
    pollIntervalMs: int("WAYMARK_POLL_INTERVAL_MS", 1000),
    lockTtlMs,
    lockHeartbeatMs: int("WAYMARK_LOCK_HEARTBEAT_MS", Math.max(50, Math.floor(lockTtlMs / 3))),
    unservedActionGraceMs: int("WAYMARK_UNSERVED_ACTION_GRACE_MS", 30_000),
    stepBudget: int("WAYMARK_STEP_BUDGET", 100_000),
    logLevel: (["debug", "info", "warn", "error"].includes(level)
      ? level
      : "info") as EngineConfig["logLevel"],
    userModules: (process.env.WAYMARK_USER_MODULE ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
