// `waymark start-workers`: runs the runner loop and the action worker pool in this process
// tree, importing the user's modules from WAYMARK_USER_MODULE or --module. SIGTERM/SIGINT stop
// claiming, let in-flight work finish and exit 0.
import { logger } from "../store/log.js";
import { startEngineHost, stopOnSignal } from "./engineHost.js";

const log = logger("start-workers");

export const usage = `waymark start-workers [--module <path>]... [--workers <n>] [--no-runner] [--no-workers]

Runs the runner loop and WAYMARK_WORKER_COUNT action worker processes until SIGTERM/SIGINT
(in-flight actions finish first). Database: WAYMARK_DATABASE_URL, else the embedded Postgres
under ./.waymark/ (WAYMARK_HOME). Run as many as you like, on any hosts, against one Postgres.
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
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) {
    console.error("--workers needs a whole number, e.g. --workers 4");
    return 2;
  }
  const host = await startEngineHost({ modules, workers, runRunner, runWorkers });
  return stopOnSignal(host);
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
