// `waymark dashboard`: the dashboard alone, against WAYMARK_DATABASE_URL or the embedded
// default — for a host that runs no engine, or to look at a database read-mostly.
import { parseAddr, startDashboard } from "../dashboard/startDashboard.js";
import { resolveConfig } from "../store/config.js";
import { describeDatabase, releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";

export const help = `waymark dashboard [--addr <host:port>]

Serves the dashboard (runs, run detail with the workflow's graph, workflows, workers,
schedules) at WAYMARK_WEBAPP_ADDR (default 127.0.0.1:24119) until Ctrl-C, against
WAYMARK_DATABASE_URL or the embedded Postgres under ./.waymark/. A bind other machines can
reach needs WAYMARK_WEBAPP_TOKEN (every request must then carry it). start-workers serves the
same dashboard when WAYMARK_WEBAPP_ENABLED=1 (waymark dev: by default).
  --addr <host:port>   overrides WAYMARK_WEBAPP_ADDR`;

export async function run(argv: string[]): Promise<number> {
  let addr = process.env.WAYMARK_WEBAPP_ADDR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--addr") addr = argv[++i];
    else if (a.startsWith("--addr=")) addr = a.slice(7);
    else {
      console.error(`unknown argument: ${a}\n\n${help}`);
      return 2;
    }
  }
  const cfg = await resolveConfig();
  await migrate(getPool(cfg.databaseUrl, 2));
  const { host, port } = parseAddr(addr);
  const d = await startDashboard({
    databaseUrl: cfg.databaseUrl,
    host,
    port,
    token: process.env.WAYMARK_WEBAPP_TOKEN,
  });
  console.log(`waymark dashboard: ${d.url} (database: ${describeDatabase()})`);
  return new Promise<number>((done) => {
    const stop = () => {
      d.close()
        .then(closePools)
        .then(releaseEmbeddedDatabase)
        .then(
          () => done(0),
          () => done(1),
        );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
