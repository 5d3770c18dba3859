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

/** A CHANNEL_INSTANCES payload announcing a runner that joins (`runners +id`) or leaves
 *  (`runners -id`): see announceRunner. */
const RUNNERS_PAYLOAD = "runners ";
export function runnersPayload(id: string, leaving: boolean): string {
  return `${RUNNERS_PAYLOAD}${leaving ? "-" : "+"}${id}`;
}
/** The runner a runners payload names, and whether it leaves; undefined for other payloads. */
export function parseRunnersPayload(payload: string): { id: string; leaving: boolean } | undefined {
  if (!payload.startsWith(RUNNERS_PAYLOAD)) return undefined;
  return {
    id: payload.slice(RUNNERS_PAYLOAD.length + 1),
    leaving: payload[RUNNERS_PAYLOAD.length] === "-",
  };
}

/** A new instance whose input fits in a notification is announced on CHANNEL_INSTANCES with
 *  everything its first step needs (freshPayloadSql), and its wake-up is set this far ahead:
 *  a runner that hears it starts it at once, claiming it with the statement that writes its
 *  first step (a fresh write, persistInstances.ts); the delayed wake-up keeps claims from
 *  racing that write, and lets any runner claim the instance should nobody have heard it (a
 *  runner reconnecting its LISTEN, a runner of an older version, a full backlog). */
export const FRESH_GRACE_MS = 1000;

/** Inputs of at most this many bytes travel in the new-instance notification (ids, version
 *  and name take < 150 of Postgres's 8,000). */
export const FRESH_PAYLOAD_MAX_BYTES = 7500;

/** SQL of a new-instance row's notification payload (`id`, `version_id`, `workflow_name`,
 *  `input` columns) — a JSON object, or '' (a plain wake-up) when the input is too large —
 *  and of its wake-up (now, or FRESH_GRACE_MS ahead when announced). Decoded by
 *  parseFreshPayload. */
export function freshPayloadSql(row: string): string {
  return `case when ${announcedSql(`${row}.input`)}
            then json_build_object('i', ${row}.id::text, 'v', ${row}.version_id::text,
                                   'w', ${row}.workflow_name, 'x', ${row}.input)::text
            else '' end`;
}
export function freshWakeSql(input: string): string {
  return `case when ${announcedSql(input)}
            then now() + interval '${FRESH_GRACE_MS} milliseconds' else now() end`;
}

/** Whether a new instance with this input is announced (its input fits in the payload). */
function announcedSql(input: string): string {
  return `octet_length(${input}::text) <= ${FRESH_PAYLOAD_MAX_BYTES}`;
}

/** A new instance announced by its insert (see freshPayloadSql); undefined for a plain
 *  wake-up or anything else. */
export interface FreshInstance {
  id: string;
  versionId: string;
  workflowName: string;
  input: unknown;
}
export function parseFreshPayload(payload: string): FreshInstance | undefined {
  if (!payload.startsWith("{")) return undefined;
  try {
    const o = JSON.parse(payload) as { i?: unknown; v?: unknown; w?: unknown; x?: unknown };
    if (typeof o.i !== "string" || typeof o.v !== "string" || typeof o.w !== "string")
      return undefined;
    if (!("x" in o)) return undefined;
    return { id: o.i, versionId: o.v, workflowName: o.w, input: o.x };
  } catch {
    return undefined;
  }
}

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
