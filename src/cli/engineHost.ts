// The engine inside one process tree: the runner loop plus a pool of worker child processes,
// on the resolved database (WAYMARK_DATABASE_URL, else the embedded server). Shared by
// `start-workers` and `dev`.
//
// Invariants:
// - Worker children are told the resolved URL through their environment; they never start or
//   look up a database of their own (so the embedded server has one owner per process tree).
// - stop() finishes in-flight work, closes pools, then gives up this process's use of the
//   embedded server (it stops only when no other live process uses it).
import { resolve } from "node:path";
import type { WorkflowClassLike } from "../client/engine.js";
import { workflowRegistry } from "../client/registry.js";
import { startDashboardProcess } from "../dashboard/DashboardProcess.js";
import { type Dashboard, parseAddr } from "../dashboard/startDashboard.js";
import { Runner } from "../runner/Runner.js";
import { ScheduleTicker } from "../schedules/ScheduleTicker.js";
import { type EngineConfig, resolveConfig } from "../store/config.js";
import { describeDatabase, releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { logger } from "../store/log.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import type { InlineActions } from "../worker/InlineExecutor.js";
import { loadUserModules } from "../worker/loadUserModules.js";
import { registeredActions } from "../worker/registeredActions.js";
import { WorkerPool } from "../worker/WorkerPool.js";

const log = logger("start-workers");

export interface EngineHostOptions {
  /** Extra user modules (appended to WAYMARK_USER_MODULE). */
  modules?: string[];
  workers?: number;
  runRunner?: boolean;
  runWorkers?: boolean;
  /** Let the runner run the calls it dispatches in this process (default true; `dev` says false:
   *  its worker processes re-import edited actions, this process would keep the old ones). */
  inline?: boolean;
  /** Serve the dashboard (default: WAYMARK_WEBAPP_ENABLED=1). */
  dashboard?: boolean;
}

export interface EngineHost {
  cfg: EngineConfig;
  store: PostgresStore;
  /** Replaces the worker pool (new children re-import the user's modules). */
  restartWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** Relative module paths are made absolute so children and later imports agree on them. */
export function absoluteModules(specs: string[]): string[] {
  return specs
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => (m.startsWith(".") ? resolve(m) : m));
}

export async function startEngineHost(opts: EngineHostOptions = {}): Promise<EngineHost> {
  const runRunner = opts.runRunner ?? true;
  const runWorkers = opts.runWorkers ?? true;
  const modules = absoluteModules([
    ...(process.env.WAYMARK_USER_MODULE ?? "").split(","),
    ...(opts.modules ?? []),
  ]);
  process.env.WAYMARK_USER_MODULE = modules.join(",");
  const cfg = await resolveConfig();
  log.info(`database: ${describeDatabase()}`);
  if (opts.workers !== undefined) cfg.workerCount = opts.workers;
  if (cfg.userModules.length === 0 && runWorkers)
    log.warn(
      "no user module given: workers will serve no actions (set WAYMARK_USER_MODULE=./src/actions.ts or pass --module)",
    );

  const store = new PostgresStore(cfg.databaseUrl, 10);
  const applied = await store.migrate();
  if (applied.length > 0) log.info(`applied migrations: ${applied.join(", ")}`);

  const newPool = () =>
    runWorkers && cfg.workerCount > 0
      ? new WorkerPool({
          count: cfg.workerCount,
          store,
          heartbeatMs: cfg.lockHeartbeatMs,
          env: { WAYMARK_DATABASE_URL: cfg.databaseUrl },
        })
      : undefined;
  const inline =
    runRunner && runWorkers && opts.inline !== false && cfg.inlineActions > 0
      ? await inlineActions(cfg.userModules)
      : undefined;
  // A runner without inline actions still imports the modules (nothing compiled), so that the
  // child workflows its instances start resolve to the classes deployed with it.
  if (runRunner && !inline && cfg.userModules.length > 0) await importForRunner(cfg.userModules);
  // local: steps waiting on calls this tree's workers serve run there directly (one commit per
  // step); `pool` is read at each use because restartWorkers replaces it.
  const runner = runRunner
    ? new Runner({ store, config: cfg, local: () => pool, inline })
    : undefined;
  let pool = newPool();
  await pool?.start(); // first: its "starting" row holds off unserved-action failures
  await runner?.start();
  // Schedules are fired where runners run (any number of engines share them).
  const schedules = runRunner
    ? new ScheduleTicker(getPool(cfg.databaseUrl, 10), cfg.idempotencyHours)
    : undefined;
  schedules?.start();
  const dashboard =
    (opts.dashboard ?? process.env.WAYMARK_WEBAPP_ENABLED === "1")
      ? await serveDashboard(cfg.databaseUrl)
      : undefined;
  // The dashboard shows every workflow this engine deployed, before any client started one.
  if (dashboard && runRunner) void registerWorkflows(store);
  log.info(
    `running: runner ${runner ? "on" : "off"}${inline ? ` (runs up to ${cfg.inlineActions} of its calls in this process)` : ""}, ${pool ? cfg.workerCount : 0} worker process(es) × ${cfg.concurrentPerWorker} concurrent actions`,
  );
  let stopped: Promise<void> | undefined;
  return {
    cfg,
    store,
    async restartWorkers() {
      const old = pool;
      pool = newPool();
      await pool?.start();
      await old?.stop();
    },
    stop() {
      stopped ??= (async () => {
        await Promise.all([pool?.stop(), runner?.stop(), schedules?.stop(), dashboard?.close()]);
        await closePools();
        await releaseEmbeddedDatabase();
      })();
      return stopped;
    },
  };
}

/** The dashboard at WAYMARK_WEBAPP_ADDR, in a process of its own (DashboardProcess.ts). A bind
 *  other machines can reach without
 *  WAYMARK_WEBAPP_TOKEN stops the start; a port already taken (another engine on this host
 *  serves it) is only reported. */
async function serveDashboard(databaseUrl: string): Promise<Dashboard | undefined> {
  const { host, port } = parseAddr(process.env.WAYMARK_WEBAPP_ADDR);
  try {
    const d = await startDashboardProcess({
      databaseUrl,
      host,
      port,
      token: process.env.WAYMARK_WEBAPP_TOKEN,
    });
    log.info(`dashboard: ${d.url}`);
    return d;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    log.warn(
      `dashboard not served: ${host}:${port} is in use (another engine on this host serves it?)`,
    );
    return undefined;
  }
}

/** Compiles and registers the version of every workflow class imported into this process, in
 *  the background (a refused one is logged; clients would be refused the same way). */
async function registerWorkflows(store: PostgresStore): Promise<void> {
  for (const name of workflowRegistry.names()) {
    await new Promise((r) => setImmediate(r));
    const cls = workflowRegistry.get(name) as unknown as WorkflowClassLike | undefined;
    if (!cls || typeof cls.workflowIr !== "function") continue;
    try {
      await store.registerVersion(name, cls.workflowVersion(), cls.workflowIr());
    } catch (e) {
      log.warn(`workflow ${name} not registered for the dashboard: ${(e as Error).message}`);
    }
  }
}

/** Imports the user's modules into this process, so that the runner can run their actions
 *  here. Workflows are not compiled (the runner reads their IR from the database). A module that
 *  fails to import leaves this process without inline actions (the worker processes report the
 *  failure as they start). */
async function inlineActions(modules: string[]): Promise<InlineActions | undefined> {
  if (modules.length === 0) return undefined;
  const before = process.env.WAYMARK_COMPILE;
  process.env.WAYMARK_COMPILE = "lazy";
  try {
    await loadUserModules(modules);
  } catch (e) {
    log.warn(
      `could not import the user modules into the runner's process (${(e as Error).message}); every action runs in worker processes`,
    );
    return undefined;
  } finally {
    if (before === undefined) delete process.env.WAYMARK_COMPILE;
    else process.env.WAYMARK_COMPILE = before;
  }
  return registeredActions;
}

/** Imports the user's modules without compiling their workflows (their classes register
 *  themselves). A failure is reported; child workflows then resolve to versions clients
 *  registered. */
async function importForRunner(modules: string[]): Promise<void> {
  const before = process.env.WAYMARK_COMPILE;
  process.env.WAYMARK_COMPILE = "lazy";
  try {
    await loadUserModules(modules);
  } catch (e) {
    log.warn(
      `could not import the user modules into the runner's process (${(e as Error).message}); child workflows start as the newest version a client registered`,
    );
  } finally {
    if (before === undefined) delete process.env.WAYMARK_COMPILE;
    else process.env.WAYMARK_COMPILE = before;
  }
}

/** Resolves with the exit code once SIGTERM/SIGINT has stopped `host`. */
export function stopOnSignal(host: EngineHost): Promise<number> {
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: stopping (finishing in-flight work)`);
      host.stop().then(
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
