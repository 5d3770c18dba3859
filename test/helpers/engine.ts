// Spawns `start-workers` as a real separate process (its own process group) for end-to-end
// tests, and exposes its children's pids (parsed from its log) so tests can kill them.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRY = fileURLToPath(new URL("../../src/cli/startWorkers.ts", import.meta.url));

/** Short leases and polls so fault tests stay fast. */
export const FAST_ENV: Record<string, string> = {
  WAYMARK_LOCK_TTL_MS: "1500",
  WAYMARK_LOCK_HEARTBEAT_MS: "300",
  WAYMARK_POLL_INTERVAL_MS: "500",
  WAYMARK_UNSERVED_ACTION_GRACE_MS: "1500",
  WAYMARK_WORKER_COUNT: "2",
  WAYMARK_CONCURRENT_PER_WORKER: "64",
  WAYMARK_SHUTDOWN_GRACE_MS: "5000",
};

export interface EngineProcess {
  proc: ChildProcess;
  /** Everything the process logged so far. */
  log(): string;
  /** Resolves when a log line matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Pids of the live worker children (from "worker N started (pid X)" lines). */
  workerPids(): number[];
  /** Sends a signal to the whole process group (runner + workers). */
  killGroup(signal: NodeJS.Signals): void;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export async function startEngine(opts: {
  databaseUrl: string;
  modules: string[];
  env?: Record<string, string>;
  args?: string[];
}): Promise<EngineProcess> {
  const args = opts.args ?? [];
  const proc = spawn(
    process.execPath,
    ["--conditions=waymark-dev", "--import", "tsx", ENTRY, ...args],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...FAST_ENV,
        ...opts.env,
        WAYMARK_DATABASE_URL: opts.databaseUrl,
        WAYMARK_USER_MODULE: opts.modules.join(","),
        WAYMARK_LOG_LEVEL: opts.env?.WAYMARK_LOG_LEVEL ?? "info",
      },
    },
  );
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString();
    if (process.env.WAYMARK_TEST_VERBOSE) process.stderr.write(d);
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const engine: EngineProcess = {
    proc,
    log: () => text,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text.match(re);
          if (m) {
            listeners.delete(check);
            clearTimeout(t);
            resolve(m);
          }
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${re} in engine log:\n${text.slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    workerPids() {
      const started = new Map<string, number>();
      for (const m of text.matchAll(/worker (\d+) started \(pid (\d+)\)/g))
        started.set(m[1] as string, Number(m[2]));
      return [...started.values()].filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    },
    killGroup(signal) {
      if (proc.pid === undefined) return;
      try {
        process.kill(-proc.pid, signal);
      } catch {
        // already gone
      }
    },
    exited,
  };
  const workers = args.includes("--no-workers")
    ? 0
    : Number(opts.env?.WAYMARK_WORKER_COUNT ?? FAST_ENV.WAYMARK_WORKER_COUNT);
  await engine.waitFor(/running: runner/);
  // Wait until every worker child has registered its actions.
  if (workers > 0) {
    await engine.waitFor(new RegExp(`(started worker:[^\\n]*serving[\\s\\S]*){${workers}}`));
  }
  return engine;
}

/** SIGTERM the group and wait for exit (SIGKILL after `graceMs`). */
export async function stopEngine(e: EngineProcess, graceMs = 10_000): Promise<number | null> {
  if (e.proc.exitCode !== null || e.proc.signalCode !== null) return e.proc.exitCode;
  e.killGroup("SIGTERM");
  const t = setTimeout(() => e.killGroup("SIGKILL"), graceMs);
  const code = await e.exited;
  clearTimeout(t);
  return code;
}
