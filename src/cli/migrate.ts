// `waymark migrate`: applies pending schema migrations to WAYMARK_DATABASE_URL (or --url), else
// to the embedded database under ./.waymark/.
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { listMigrations, migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";

export const usage = `waymark migrate [--url <postgres url>]   apply pending schema migrations

Applies the numbered migrations (forward only) under an advisory lock, so several hosts may run
it at once. Database: --url, else WAYMARK_DATABASE_URL, else the embedded Postgres under
./.waymark/. start-workers and clients also migrate on start; run this in a deploy step when
the engine's database role should not own DDL.`;

export async function migrateCommand(argv: string[]): Promise<number> {
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--url") url = argv[++i];
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(usage);
      return 0;
    } else {
      console.error(`unknown argument: ${argv[i]}\n${usage}`);
      return 2;
    }
  }
  try {
    url ??= (await resolveConfig()).databaseUrl;
    const applied = await migrate(getPool(url));
    const total = listMigrations().length;
    console.log(
      applied.length === 0
        ? `schema is up to date (${total} migration${total === 1 ? "" : "s"})`
        : `applied: ${applied.join(", ")}`,
    );
    return 0;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}
