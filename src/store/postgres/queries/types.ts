// Shared shapes of the hot-path queries. Ids of instances are bigint in SQL, strings in JS.
import type pg from "pg";

export type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

export type InstanceStatus =
  | "queued"
  | "running"
  | "waiting"
  | "sleeping"
  | "completed"
  | "failed"
  | "cancelled";
export const TERMINAL_STATUSES: readonly InstanceStatus[] = ["completed", "failed", "cancelled"];

/** Channels: runners wake on `waymark_instances`, workers on `waymark_actions`, clients wait
 *  on `waymark_done` (payload: the instance id, then its outcome when it fits — see
 *  donePayloadSql and src/client/donePayload.ts). */
export const CHANNEL_INSTANCES = "waymark_instances";
export const CHANNEL_ACTIONS = "waymark_actions";
export const CHANNEL_DONE = "waymark_done";

/** Outcomes whose JSON is at most this many bytes travel in the done notification (Postgres
 *  refuses payloads of 8,000 bytes or more; id and status take < 40). */
export const DONE_PAYLOAD_MAX_BYTES = 7900;

/** SQL expression of the done payload for a row with columns `id`, `status`, `result`, `error`
 *  (of a CTE returning the updated instance). */
export function donePayloadSql(row: string): string {
  const json = `coalesce(${row}.result, ${row}.error)::text`;
  return `case when coalesce(octet_length(${json}), 0) <= ${DONE_PAYLOAD_MAX_BYTES}
            then ${row}.id::text || ' ' || ${row}.status || ' ' || coalesce(${json}, '')
            else ${row}.id::text end`;
}
