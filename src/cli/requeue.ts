// `waymark requeue <id>...`: resumes failed runs from their failed step (requeue.ts).
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import { requeueFromFailure } from "../store/postgres/queries/requeue.js";
import { instanceIds } from "./instanceIds.js";

export const help = `waymark requeue <id>...

Requeues each failed run from its failed step: the action calls that step waited for and did
not complete run again (with a fresh retry budget; earlier attempts stay in the history), and
the steps before it are not run again. Refused, with the reason, for a run that failed in its
own code or on a child workflow, signal or sleep. Exits 1 when any id was refused.`;

export async function run(argv: string[]): Promise<number> {
  const ids = instanceIds(argv, help);
  if (!ids) return 2;
  try {
    const pool = getPool((await resolveConfig()).databaseUrl, 2);
    await migrate(pool);
    let code = 0;
    for (const id of ids) {
      const r = await requeueFromFailure(pool, id);
      if (r.ok)
        console.log(
          `requeued ${id}: call${r.calls.length > 1 ? "s" : ""} ${r.calls.join(", ")} run again`,
        );
      else {
        code = 1;
        console.error(`run ${id} not requeued: ${r.reason}`);
      }
    }
    return code;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}
