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
 *  on `waymark_done` (payload: the instance id). */
export const CHANNEL_INSTANCES = "waymark_instances";
export const CHANNEL_ACTIONS = "waymark_actions";
export const CHANNEL_DONE = "waymark_done";
