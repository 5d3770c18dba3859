// The dashboard's reads. Every list is cursor-paginated on an index (`id < cursor order by id
// desc`, the primary key or (workflow_name, id)), so a page costs the same at a million rows
// as at ten; nothing here writes.
import type pg from "pg";

export interface RunFilter {
  status?: string;
  workflow?: string;
  /** created_at range. */
  from?: Date;
  to?: Date;
  /** An instance id, or text found in the input. */
  q?: string;
  /** Only ids below this (the cursor of the next page). */
  before?: string;
  limit: number;
}

export interface RunRow {
  id: string;
  workflow: string;
  version: string;
  status: string;
  priority: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  wakeAt: Date | null;
  parentId: string | null;
  error: unknown;
  /** What it waits for (unfinished instances). */
  running: number;
  queued: number;
  signal: string | null;
  signalUntil: Date | null;
  children: number;
  retrying: string | null;
  retryAttempts: number | null;
  retryPolicy: unknown;
  retryAt: Date | null;
  /** The error of the attempt being retried. */
  retryError: unknown;
}

/** The runs page, newest first from the cursor. The statement text has only the filters in
 *  use, so each combination is planned on its index: (status, id) for a state other than
 *  completed, (workflow_name, id) for a workflow, else the primary key. */
export async function listRuns(
  db: pg.Pool,
  f: RunFilter,
): Promise<{ rows: RunRow[]; next: string | null }> {
  const res = await db.query<RunRow>(runsQuery(f));
  const rows = res.rows.slice(0, f.limit);
  return { rows, next: res.rows.length > f.limit ? (rows.at(-1)?.id ?? null) : null };
}

/** The statement of listRuns (EXPLAINed by test/dashboard/scale.test.ts). */
export function runsQuery(f: RunFilter): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, v: unknown) => {
    values.push(v);
    where.push(sql(`$${values.length}`));
  };
  const q = f.q?.trim() || undefined;
  if (f.before !== undefined) add((p) => `i.id < ${p}::bigint`, f.before);
  if (f.status !== undefined) {
    add((p) => `i.status = ${p}`, f.status);
  }
  if (f.workflow !== undefined) {
    add((p) => `i.workflow_name = ${p}`, f.workflow);
  }
  if (f.from !== undefined) add((p) => `i.created_at >= ${p}`, f.from);
  if (f.to !== undefined) add((p) => `i.created_at < ${p}`, f.to);
  if (q !== undefined && /^\d{1,18}$/.test(q)) add((p) => `i.id = ${p}::bigint`, q);
  else if (q !== undefined)
    add((p) => `i.input::text like '%' || ${p} || '%'`, q.replace(/[\\%_]/g, "\\$&"));
  values.push(f.limit + 1);
  const text = `select i.id::text, i.workflow_name as workflow, v.version, i.status, i.priority,
                  i.created_at as "createdAt", i.started_at as "startedAt",
                  i.finished_at as "finishedAt", i.wake_at as "wakeAt",
                  i.parent_id::text as "parentId", i.error,
                  coalesce(w.running, 0)::int as running, coalesce(w.queued, 0)::int as queued,
                  w.signal, w.signal_until as "signalUntil", coalesce(w.children, 0)::int as children,
                  w.retrying, w.retry_attempts as "retryAttempts", w.retry_policy as "retryPolicy",
                  w.retry_at as "retryAt", e.retry_error as "retryError"
             from (select * from waymark_instances i
                    ${where.length > 0 ? `where ${where.join(" and ")}` : ""}
                    order by i.id desc
                    limit $${values.length}) i
             join waymark_workflow_versions v on v.id = i.version_id
             left join lateral (
               select count(*) filter (where c.status = 'running') as running,
                      count(*) filter (where c.status = 'queued') as queued,
                      (array_agg(c.action_name order by c.call_id)
                         filter (where c.wait = 'signal'))[1] as signal,
                      min(c.scheduled_at) filter (where c.wait = 'signal') as signal_until,
                      count(*) filter (where c.wait = 'child') as children,
                      (array_agg(c.action_name order by c.call_id)
                         filter (where c.status = 'queued' and c.attempts > 0))[1] as retrying,
                      (array_agg(c.attempts order by c.call_id)
                         filter (where c.status = 'queued' and c.attempts > 0))[1] as retry_attempts,
                      (array_agg(c.policy::text order by c.call_id)
                         filter (where c.status = 'queued' and c.attempts > 0))[1] as retry_policy,
                      min(c.scheduled_at) filter (where c.status = 'queued' and c.attempts > 0) as retry_at,
                      (array_agg(c.call_id order by c.call_id)
                         filter (where c.status = 'queued' and c.attempts > 0))[1] as retry_call
                 from waymark_action_calls c
                where c.instance_id = i.id and c.status in ('queued', 'running', 'waiting')
             ) w on i.status not in ('completed', 'failed', 'cancelled')
             left join lateral (
               select a.result as retry_error from waymark_action_attempts a
                where a.instance_id = i.id and a.call_id = w.retry_call and a.attempt = w.retry_attempts
             ) e on w.retry_call is not null
            order by i.id desc`;
  return { text, values };
}

export interface RunDetail {
  id: string;
  workflow: string;
  version: string;
  versionId: string;
  ir: unknown;
  status: string;
  priority: number;
  input: unknown;
  result: unknown;
  error: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  wakeAt: Date | null;
  parentId: string | null;
  parentCallId: number | null;
  idempotencyKey: string | null;
  steps: number;
}

export interface CallRow {
  callId: number;
  action: string;
  args: unknown;
  status: string;
  attempts: number;
  lost: number;
  wait: string | null;
  success: boolean | null;
  result: unknown;
  createdAt: Date;
  scheduledAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  worker: string | null;
  childId: string | null;
}

export interface AttemptRow {
  callId: number;
  attempt: number;
  worker: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  success: boolean;
  result: unknown;
  lost: boolean;
}

export interface SignalRow {
  id: string;
  name: string;
  payload: unknown;
  callId: number | null;
  createdAt: Date;
}

export async function getRun(db: pg.Pool, id: string): Promise<RunDetail | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const r = await db.query<RunDetail>(
    `select i.id::text, i.workflow_name as workflow, v.version, v.id::text as "versionId", v.ir,
            i.status, i.priority, i.input, i.result, i.error, i.created_at as "createdAt",
            i.started_at as "startedAt", i.finished_at as "finishedAt", i.wake_at as "wakeAt",
            i.parent_id::text as "parentId", i.parent_call_id as "parentCallId",
            i.idempotency_key as "idempotencyKey", i.steps
       from waymark_instances i join waymark_workflow_versions v on v.id = i.version_id
      where i.id = $1`,
    [id],
  );
  const row = r.rows[0];
  return row ? { ...row, steps: Number(row.steps) } : undefined;
}

export async function runCalls(db: pg.Pool, id: string): Promise<CallRow[]> {
  const r = await db.query<CallRow>(
    `select c.call_id as "callId", c.action_name as action, c.args, c.status, c.attempts,
            c.lost_attempts as lost, c.wait, c.success, c.result, c.created_at as "createdAt",
            c.scheduled_at as "scheduledAt", c.started_at as "startedAt",
            c.finished_at as "finishedAt", c.worker, k.id::text as "childId"
       from waymark_action_calls c
       left join waymark_instances k on c.wait = 'child' and k.parent_id = c.instance_id
                                     and k.parent_call_id = c.call_id
      where c.instance_id = $1 order by c.call_id`,
    [id],
  );
  return r.rows;
}

export async function runAttempts(db: pg.Pool, id: string): Promise<AttemptRow[]> {
  const r = await db.query<AttemptRow>(
    `select call_id as "callId", attempt, worker, started_at as "startedAt",
            finished_at as "finishedAt", success, result, coalesce(lost, false) as lost
       from waymark_attempts where instance_id = $1
      order by call_id, attempt < 0 desc, abs(attempt)`,
    [id],
  );
  return r.rows;
}

export async function runSignals(db: pg.Pool, id: string): Promise<SignalRow[]> {
  const r = await db.query<SignalRow>(
    `select id::text, name, payload, call_id as "callId", created_at as "createdAt"
       from waymark_signals where instance_id = $1 order by waymark_signals.id`,
    [id],
  );
  return r.rows;
}

export interface WorkflowVersionRow {
  id: string;
  name: string;
  version: string;
  createdAt: Date;
  ir: unknown;
}

export async function workflowVersions(db: pg.Pool): Promise<WorkflowVersionRow[]> {
  const r = await db.query<WorkflowVersionRow>(
    `select id::text, name, version, created_at as "createdAt", ir
       from waymark_workflow_versions order by name, waymark_workflow_versions.id desc`,
  );
  return r.rows;
}

export async function workflowNames(db: pg.Pool): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    "select distinct name from waymark_workflow_versions order by name",
  );
  return r.rows.map((x) => x.name);
}

export interface ProcessRow {
  id: string;
  kind: string;
  host: string;
  pid: number;
  actions: string[];
  startedAt: Date;
  heartbeatAt: Date;
}

export async function liveProcesses(db: pg.Pool, liveMs: number): Promise<ProcessRow[]> {
  const r = await db.query<ProcessRow>(
    `select id, kind, host, pid, actions, started_at as "startedAt", heartbeat_at as "heartbeatAt"
       from waymark_workers where heartbeat_at > now() - $1 * interval '1 millisecond'
      order by kind, id`,
    [liveMs],
  );
  return r.rows;
}

export interface QueueRow {
  action: string;
  queued: number;
  running: number;
  /** Age of the oldest due queued call (ms). */
  oldestMs: number | null;
  /** Completions over the last minute. */
  lastMinute: number;
}

export async function actionQueues(db: pg.Pool): Promise<QueueRow[]> {
  const r = await db.query<QueueRow>(
    `select action_name as action,
            count(*) filter (where status = 'queued')::int as queued,
            count(*) filter (where status = 'running')::int as running,
            (extract(epoch from now() - min(scheduled_at) filter
               (where status = 'queued' and scheduled_at <= now())) * 1000)::float8 as "oldestMs",
            count(*) filter (where status in ('completed', 'failed')
                              and finished_at > now() - interval '1 minute')::int as "lastMinute"
       from waymark_action_calls
      where wait is null and (status in ('queued', 'running')
             or finished_at > now() - interval '1 minute')
      group by action_name order by action_name`,
  );
  return r.rows;
}
