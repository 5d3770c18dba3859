// `waymark cancel <id>...`: cancels workflow instances that are not terminal yet.
import { cancelledError } from "../runner/engineErrors.js";
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import { cancelInstance, readInstance } from "../store/postgres/queries/clientQueries.js";
import { encodeValue } from "../values/index.js";
import { instanceIds } from "./instanceIds.js";

export const help = `waymark cancel <id>...

Cancels each instance (ids from \`waymark status\`): it ends as cancelled, its queued and running
action calls are abandoned (running attempts see their AbortSignal fire when their lease is
lost), and waiting clients get WorkflowFailedError. Exits 1 when an id does not exist or is
already finished.`;

export async function run(argv: string[]): Promise<number> {
  const ids = instanceIds(argv, help);
  if (!ids) return 2;
  try {
    const pool = getPool((await resolveConfig()).databaseUrl, 2);
    await migrate(pool);
    let code = 0;
    const err = JSON.stringify(encodeValue(cancelledError()));
    for (const id of ids) {
      if (await cancelInstance(pool, id, err)) {
        console.log(`cancelled ${id}`);
        continue;
      }
      code = 1;
      const row = await readInstance(pool, id);
      console.error(
        row
          ? `instance ${id} is already ${row.status}: nothing to cancel`
          : `instance ${id} does not exist (see \`waymark status\`)`,
      );
    }
    return code;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}
