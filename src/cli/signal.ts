// `waymark signal <id> <name> [json]`: sends a signal to a workflow instance.
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import { sendSignal } from "../store/postgres/queries/signals.js";
import { encodeValue } from "../values/index.js";

export const help = `waymark signal <id> <name> [json]

Sends signal <name> to instance <id> (ids from \`waymark status\`) with the JSON payload (default
null). The instance keeps it until a \`waitForSignal("<name>", { timeout })\` consumes it; signals
of one name are consumed in the order they were sent. Exits 1, sending nothing, when the
instance does not exist or has ended.
  example: waymark signal 42 decision '{"approved": true, "by": "ada"}'`;

export async function run(argv: string[]): Promise<number> {
  const [id, name, json, ...extra] = argv;
  if (!id || !name || extra.length > 0) {
    console.error(
      `${!id || !name ? "missing instance id or signal name" : "too many arguments"}\n\n${help}`,
    );
    return 2;
  }
  if (!/^\d+$/.test(id)) {
    console.error(`"${id}" is not an instance id (a number shown by \`waymark status\`)`);
    return 2;
  }
  let payload: unknown = null;
  if (json !== undefined) {
    try {
      payload = JSON.parse(json);
    } catch (e) {
      console.error(`the payload is not JSON: ${(e as Error).message} (quote it: '{"a": 1}')`);
      return 2;
    }
  }
  try {
    const pool = getPool((await resolveConfig()).databaseUrl, 2);
    await migrate(pool);
    const r = await sendSignal(pool, id, name, JSON.stringify(encodeValue(payload)));
    if (r === "sent") {
      console.log(`sent ${name} to ${id}`);
      return 0;
    }
    console.error(
      r === "missing"
        ? `instance ${id} does not exist`
        : `instance ${id} is ${r}: nothing can receive the signal`,
    );
    return 1;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}
