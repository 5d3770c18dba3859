// Runs `waymark start-workers` as a separate process (its own process group), the way a user
// deploys it: WAYMARK_USER_MODULE names bench/workflows.ts, WAYMARK_DATABASE_URL the bench
// database. Its log goes to a file under bench/results/ (the bench's own output stays readable).
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const RESULTS = join(ROOT, "bench", "results");
const ENTRY = join(ROOT, "src", "cli", "startWorkers.ts");
const MODULE = join(ROOT, "bench", "workflows.ts");

export interface EngineProcess {
  pid: number;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT the whole process group (peer runs get the machine to themselves). */
  pause(): void;
  resume(): void;
  log(): string;
}

export interface EngineOptions {
  databaseUrl: string;
  /** Name used for the log file. */
  tag: string;
  args?: string[];
  env?: Record<string, string>;
  /** Pass --cpu-prof to node (the worker children inherit execArgv). */
  cpuProf?: boolean;
  /** Worker processes expected to report ready (0 with --no-workers). */
  workers: number;
}

let started = 0;

export async function startEngine(opts: EngineOptions): Promise<EngineProcess> {
  mkdirSync(RESULTS, { recursive: true });
  // One log per engine process (the bench restarts it when a scenario needs another variant).
  const logFile = join(RESULTS, `engine-${opts.tag}-${++started}.log`);
  const out = createWriteStream(logFile, { flags: "w" });
  const prof = opts.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(RESULTS, "prof")}`] : [];
  const proc: ChildProcess = spawn(
    process.execPath,
    [...prof, "--conditions=waymark-dev", "--import", "tsx", ENTRY, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WAYMARK_LOG_LEVEL: "info",
        ...opts.env,
        WAYMARK_DATABASE_URL: opts.databaseUrl,
        WAYMARK_USER_MODULE: MODULE,
      },
    },
  );
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out.write(d);
    if (text.length < 200_000) text += d.toString();
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const l of listeners) l();
  });

  const waitFor = (test: () => boolean, what: string, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test()) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        } else if (gone) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(
            new Error(`start-workers exited before ${what}; log ${logFile}:\n${text.slice(-2000)}`),
          );
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; log ${logFile}:\n${text.slice(-2000)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  await waitFor(() => /running: runner/.test(text), "the runner to start");
  if (opts.workers > 0)
    await waitFor(
      () => (text.match(/started worker:\S+ serving/g) ?? []).length >= opts.workers,
      `${opts.workers} worker(s) to register their actions`,
    );

  const pid = proc.pid as number;
  const signal = (sig: NodeJS.Signals) => {
    if (gone) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  return {
    pid,
    log: () => text,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    async stop() {
      signal("SIGCONT");
      if (gone) return;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const kill = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 15_000);
      await exited;
      clearTimeout(kill);
      out.end();
    },
  };
}
