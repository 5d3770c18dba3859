// `waymark dev`: the whole engine in one process group for local development — runner, worker
// processes and (optionally) a client running one workflow — on the embedded database unless
// WAYMARK_DATABASE_URL is set. Watches the user modules' directories and restarts the worker
// processes when a source file changes, so edited actions take effect without a restart.
import { type FSWatcher, watch } from "node:fs";
import { dirname } from "node:path";
import { closeWaymark, startWorkflow } from "../client/engine.js";
import { WorkflowFailedError } from "../client/errors.js";
import { logger } from "../store/log.js";
import { resolveModuleSpecifier } from "../worker/loadUserModules.js";
import { absoluteModules, startEngineHost, stopOnSignal } from "./engineHost.js";
import {
  findWorkflow,
  formatValue,
  parseArg,
  UsageError,
  waitWithProgress,
} from "./runWorkflow.js";

const log = logger("dev");

export const help = `waymark dev [--module <path>]... [--workers <n>] [--once] [<Workflow> [args...]]

Runs the runner and the worker processes in this process group on the embedded Postgres
under ./.waymark/ (or WAYMARK_DATABASE_URL), and watches the modules' directories: when a
.ts/.js file changes, the worker processes restart and re-import your actions.
Given <Workflow> (a class exported by the first module), also runs it once with the
arguments (each parsed as JSON, else a string) and prints the result.
  --module <path>   your module(s) (also WAYMARK_USER_MODULE, comma separated)
  --workers <n>     worker processes (default WAYMARK_WORKER_COUNT or 2)
  --once            exit after running <Workflow> (exit code 0 completed, 1 failed)
Stop with Ctrl-C: in-flight actions finish, the embedded server stops when nothing else uses it.`;

export async function run(argv: string[]): Promise<number> {
  const modules: string[] = [];
  const positional: string[] = [];
  let workers: number | undefined;
  let once = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--module" || a === "-m") modules.push(...(argv[++i] ?? "").split(","));
    else if (a.startsWith("--module=")) modules.push(...a.slice(9).split(","));
    else if (a === "--workers") workers = Number(argv[++i]);
    else if (a === "--once") once = true;
    else if (a.startsWith("--")) {
      console.error(`unknown option: ${a}\n\n${help}`);
      return 2;
    } else positional.push(a);
  }
  const all = absoluteModules([...(process.env.WAYMARK_USER_MODULE ?? "").split(","), ...modules]);
  if (all.length === 0) {
    console.error(
      "waymark dev needs your module: pass --module ./src/workflows.ts (or set WAYMARK_USER_MODULE)",
    );
    return 2;
  }
  const [name, ...rest] = positional;
  if (once && !name) {
    console.error("--once needs a <Workflow> to run");
    return 2;
  }
  const host = await startEngineHost({
    modules,
    workers,
    inline: false,
    dashboard: process.env.WAYMARK_WEBAPP_ENABLED !== "0",
  });
  log.info(`watching ${all.length} module(s)`); // the host logged the database line
  const watchers = watchModules(all, () => {
    log.info("source changed: restarting worker processes");
    host.restartWorkers().catch((e) => log.error(`restart failed: ${(e as Error).message}`));
  });
  const stopped = stopOnSignal(host);
  let code = 0;
  if (name) {
    try {
      const mod = (await import(resolveModuleSpecifier(all[0] as string))) as Record<
        string,
        unknown
      >;
      const cls = findWorkflow(mod, name);
      const args = rest.map(parseArg);
      const handle = await startWorkflow(cls, args);
      const result = await waitWithProgress(`${cls.name} #${handle.id}`, handle);
      console.log(formatValue(result));
    } catch (e) {
      code = e instanceof UsageError ? 2 : 1;
      console.error(
        WorkflowFailedError.is(e) ? `${e.type}: ${e.error.message}` : (e as Error).message,
      );
    }
    if (once) {
      for (const w of watchers) w.close();
      await closeWaymark();
      await host.stop();
      return code;
    }
  }
  const exit = await stopped;
  for (const w of watchers) w.close();
  await closeWaymark();
  return exit;
}

/** One watcher per directory holding a file module; changes are debounced. */
function watchModules(modules: string[], onChange: () => void): FSWatcher[] {
  const dirs = new Set(modules.filter((m) => m.startsWith("/")).map((m) => dirname(m)));
  let timer: NodeJS.Timeout | undefined;
  return [...dirs].map((dir) =>
    watch(dir, { persistent: false }, (_event, file) => {
      if (!file || !/\.(m|c)?[jt]sx?$/.test(file)) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, 200);
    }),
  );
}
