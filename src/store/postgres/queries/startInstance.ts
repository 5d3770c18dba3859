// Queues one instance with start options (0011_start_options.sql): an idempotency key, a
// priority, a delay. One call of waymark_start, which decides a reused key in one statement.
import { FRESH_PAYLOAD_MAX_BYTES, type Queryable } from "./types.js";

export interface StartOptionsRow {
  idempotencyKey?: string;
  /** sha-256 of the encoded input (hex), stored with a key. */
  inputHash?: string;
  priority: number;
  /** Starts no earlier than this from now (database clock). */
  delayMs: number;
  /** How long after its instance ended a key still names it. */
  keepHours: number;
}

export interface StartedInstance {
  id: string;
  /** False: the key named an existing instance, returned instead. */
  inserted: boolean;
  inputHash: string | null;
  status: string;
}

export async function startInstance(
  db: Queryable,
  versionId: string,
  workflowName: string,
  inputJson: string,
  o: StartOptionsRow,
): Promise<StartedInstance> {
  const res = await db.query<{
    id: string;
    inserted: boolean;
    input_hash: string | null;
    status: string;
  }>({
    name: "waymark_start",
    text: "select id::text, inserted, input_hash, status from waymark_start($1, $2, $3::json, $4, $5, $6, $7, $8, $9)",
    values: [
      versionId,
      workflowName,
      inputJson,
      o.idempotencyKey ?? null,
      o.idempotencyKey === undefined ? null : (o.inputHash ?? null),
      o.priority,
      o.delayMs,
      o.keepHours,
      Buffer.byteLength(inputJson) <= FRESH_PAYLOAD_MAX_BYTES,
    ],
  });
  const r = res.rows[0];
  if (!r) throw new Error("start of workflow instance returned no row");
  return { id: r.id, inserted: r.inserted, inputHash: r.input_hash, status: r.status };
}
