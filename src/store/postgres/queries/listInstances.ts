// Read-only views for `waymark status`: recent instances and live engine processes.
import type { Queryable } from "./types.js";

export interface InstanceSummary {
  id: string;
  workflow: string;
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  wakeAt: Date | null;
  steps: number;
  /** Action attempts charged over the instance's calls, and how many of them were lost. */
  attempts: number;
  lost: number;
  /** The parent instance of a child workflow. */
  parentId: string | null;
  error: unknown;
}

export async function listInstances(
  db: Queryable,
  opts: { limit: number; status?: string; workflow?: string; id?: string },
): Promise<InstanceSummary[]> {
  const res = await db.query<InstanceSummary & { steps: string; attempts: string; lost: string }>(
    `select i.id::text, i.workflow_name as workflow, i.status, i.created_at as "createdAt",
            i.started_at as "startedAt", i.finished_at as "finishedAt", i.wake_at as "wakeAt",
            i.steps, i.error, c.attempts, c.lost, i.parent_id::text as "parentId"
       from (select * from waymark_instances
              where ($2::text is null or status = $2) and ($3::text is null or workflow_name = $3)
                and ($4::bigint is null or id = $4)
              order by id desc
              limit $1) i
       cross join lateral (
         select coalesce(sum(attempts), 0) as attempts, coalesce(sum(lost_attempts), 0) as lost
           from waymark_action_calls where instance_id = i.id) c
      order by i.id desc`,
    [opts.limit, opts.status ?? null, opts.workflow ?? null, opts.id ?? null],
  );
  return res.rows.map((r) => ({
    ...r,
    steps: Number(r.steps),
    attempts: Number(r.attempts),
    lost: Number(r.lost),
  }));
}

export interface LiveProcesses {
  runners: number;
  workers: number;
  /** Actions served by live workers. */
  actions: string[];
}

/** Processes whose heartbeat is younger than `liveMs`. */
export async function liveProcesses(db: Queryable, liveMs: number): Promise<LiveProcesses> {
  const res = await db.query<{ kind: string; n: string; actions: string[] | null }>(
    `select kind, count(distinct id) as n, array_agg(distinct a) filter (where a is not null) as actions
       from waymark_workers left join lateral unnest(actions) a on true
      where heartbeat_at > now() - $1 * interval '1 millisecond'
      group by kind`,
    [liveMs],
  );
  const out: LiveProcesses = { runners: 0, workers: 0, actions: [] };
  for (const r of res.rows) {
    if (r.kind === "runner") out.runners = Number(r.n);
    if (r.kind === "worker") {
      out.workers = Number(r.n);
      out.actions = (r.actions ?? []).sort();
    }
  }
  return out;
}
