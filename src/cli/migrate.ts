// `waymark migrate`: applies pending schema migrations to WAYMARK_DATABASE_URL (or --url).
import { loadConfig } from "../store/config.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";

export const usage = "waymark migrate [--url <postgres url>]   apply pending schema migrations";

export async function migrateCommand(argv: string[]): Promise<number> {
  let url = loadConfig().databaseUrl;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--url") url = argv[++i] ?? url;
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(usage);
      return 0;
    } else {
      console.error(`unknown argument: ${argv[i]}\n${usage}`);
      return 2;
    }
  }
  try {
    const applied = await migrate(getPool(url));
    console.log(applied.length === 0 ? "schema is up to date" : `applied: ${applied.join(", ")}`);
    return 0;
  } finally {
    await closePools();
  }
}
