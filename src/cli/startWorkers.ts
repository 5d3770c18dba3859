// `waymark start-workers`: runs the runner loop and the action worker pool in this process
// tree, importing the user's modules from WAYMARK_USER_MODULE or --module. SIGTERM/SIGINT stop
// claiming, let in-flight work finish and exit 0.
import { resolve } from "node:path";
import { Runner } from "../runner/Runner.js";
import { loadConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import { closePools } from "../store/postgres/pool.js";
import { WorkerPool } from "../worker/WorkerPool.js";

const log = logger("start-workers");

export const usage = `waymark start-workers [--module <path>]... [--workers <n>] [--no-runner] [--no-workers]

Runs the runner loop and WAYMARK_WORKER_COUNT action worker processes.
  --module <path>   user module(s) defining actions and workflows (also WAYMARK_USER_MODULE, comma separated)
  --workers <n>     worker processes (default WAYMARK_WORKER_COUNT or 2)
  --no-runner       only run action workers
  --no-workers      only run the runner`;

export async function startWorkers(argv: string[]): Promise<number> {
  const modules: string[] = [];
  let workers: number | undefined;
  let runRunner = true;
  let runWorkers = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--module" || a === "-m")
      modules.push(...(argv[++i] ?? "").split(",").filter(Boolean));
    else if (a?.startsWith("--module=")) modules.push(...a.slice(9).split(",").filter(Boolean));
    else if (a === "--workers") workers = Number(argv[++i]);
    else if (a === "--no-runner") runRunner = false;
    else if (a === "--no-workers") runWorkers = false;
    else if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    } else {
      console.error(`unknown argument: ${a}\n${usage}`);
      return 2;
    }
  }
  if (modules.length > 0) {
    const all = [...(process.env.WAYMARK_USER_MODULE ?? "").split(",").filter(Boolean), ...modules];
    process.env.WAYMARK_USER_MODULE = all
      .map((m) => (m.startsWith(".") ? resolve(m) : m))
      .join(",");
  } else if (process.env.WAYMARK_USER_MODULE) {
    process.env.WAYMARK_USER_MODULE = process.env.WAYMARK_USER_MODULE.split(",")
      .map((m) => (m.trim().startsWith(".") ? resolve(m.trim()) : m.trim()))
      .join(",");
  }
  const cfg = loadConfig();
  if (workers !== undefined) cfg.workerCount = workers;
  if (cfg.userModules.length === 0 && runWorkers)
    log.warn(
      "no user module given (WAYMARK_USER_MODULE or --module): workers will serve no actions",
    );

  const store = new PostgresStore(cfg.databaseUrl, 10);
  const applied = await store.migrate();
  if (applied.length > 0) log.info(`applied migrations: ${applied.join(", ")}`);

  const runner = runRunner ? new Runner({ store, config: cfg }) : undefined;
  const pool =
    runWorkers && cfg.workerCount > 0
      ? new WorkerPool({ count: cfg.workerCount, store, heartbeatMs: cfg.lockHeartbeatMs })
      : undefined;
  await pool?.start(); // first: its "starting" row holds off unserved-action failures
  await runner?.start();
  log.info(
    `running: runner ${runner ? "on" : "off"}, ${pool ? cfg.workerCount : 0} worker process(es) × ${cfg.concurrentPerWorker} concurrent actions`,
  );

  return await new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: stopping (finishing in-flight work)`);
      Promise.all([pool?.stop(), runner?.stop()])
        .then(() => closePools())
        .then(
          () => done(0),
          (e) => {
            log.error(`shutdown failed: ${(e as Error).message}`);
            done(1);
          },
        );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}

// Direct execution: `node --import tsx src/cli/startWorkers.ts` (used by tests).
if (process.argv[1] && /startWorkers\.(ts|js)$/.test(process.argv[1])) {
  startWorkers(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      log.error((e as Error).stack ?? String(e));
      process.exit(1);
    },
  );
}
