// Schedules (0012_schedules.sql): registering, pausing, listing, and the ticker's transaction
// that fires due ones.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Queryable } from "./types.js";

export interface ScheduleRow {
  workflowName: string;
  scheduleName: string;
  versionId: string;
  expression: string;
  timezone: string;
  inputsJson: string;
  jitterMs: number;
  overlap: "skip" | "allow";
  catchUp: "one" | "all" | "none";
  /** The first fire time, used unless the schedule exists with the same expression and zone. */
  nextFireAt: Date;
}

/** Registers or updates a schedule; its next fire time is kept unless the expression or the
 *  timezone changed. Returns the next fire time in effect. */
export async function upsertSchedule(db: Queryable, r: ScheduleRow): Promise<Date> {
  const res = await db.query<{ next_fire_at: Date }>(
    `insert into waymark_schedules as s (workflow_name, schedule_name, version_id, expression,
       timezone, inputs, jitter_ms, overlap, catch_up, next_fire_at)
     values ($1, $2, $3, $4, $5, $6::json, $7, $8, $9, $10)
     on conflict (workflow_name, schedule_name) do update set
       version_id = excluded.version_id, inputs = excluded.inputs, jitter_ms = excluded.jitter_ms,
       overlap = excluded.overlap, catch_up = excluded.catch_up,
       next_fire_at = case when s.expression = excluded.expression and s.timezone = excluded.timezone
                           then s.next_fire_at else excluded.next_fire_at end,
       expression = excluded.expression, timezone = excluded.timezone, updated_at = now()
     returning next_fire_at`,
    [
      r.workflowName,
      r.scheduleName,
      r.versionId,
      r.expression,
      r.timezone,
      r.inputsJson,
      r.jitterMs,
      r.overlap,
      r.catchUp,
      r.nextFireAt,
    ],
  );
  return res.rows[0]?.next_fire_at as Date;
}

/** Pauses or resumes; a resume moves the next fire to `nextFireAt` (no burst of the fires the
 *  pause skipped). False when there is no such schedule. */
export async function setSchedulePaused(
  db: Queryable,
  workflow: string,
  name: string,
  paused: boolean,
  nextFireAt?: (expression: string, timezone: string) => Date,
): Promise<boolean> {
  if (paused || !nextFireAt) {
    const res = await db.query(
      "update waymark_schedules set paused = $3, updated_at = now() where workflow_name = $1 and schedule_name = $2",
      [workflow, name, paused],
    );
    return (res.rowCount ?? 0) > 0;
  }
  const cur = await db.query<{ expression: string; timezone: string }>(
    "select expression, timezone from waymark_schedules where workflow_name = $1 and schedule_name = $2",
    [workflow, name],
  );
  const row = cur.rows[0];
  if (!row) return false;
  await db.query(
    "update waymark_schedules set paused = false, next_fire_at = $3, updated_at = now() where workflow_name = $1 and schedule_name = $2",
    [workflow, name, nextFireAt(row.expression, row.timezone)],
  );
  return true;
}

export async function deleteScheduleRow(
  db: Queryable,
  workflow: string,
  name: string,
): Promise<boolean> {
  const res = await db.query(
    "delete from waymark_schedules where workflow_name = $1 and schedule_name = $2",
    [workflow, name],
  );
  return (res.rowCount ?? 0) > 0;
}

export interface ScheduleInfo {
  workflow: string;
  scheduleName: string;
  schedule: string;
  timezone: string;
  paused: boolean;
  nextFireAt: Date;
  lastFireAt: Date | null;
  lastInstanceId: string | null;
  lastStatus: string | null;
  fires: number;
  skipped: number;
}

export async function listScheduleRows(db: Queryable): Promise<ScheduleInfo[]> {
  const res = await db.query<ScheduleInfo & { fires: string; skipped: string }>(
    `select s.workflow_name as workflow, s.schedule_name as "scheduleName", s.expression as schedule,
            s.timezone, s.paused, s.next_fire_at as "nextFireAt", s.last_fire_at as "lastFireAt",
            s.last_instance_id::text as "lastInstanceId", i.status as "lastStatus", s.fires, s.skipped
       from waymark_schedules s left join waymark_instances i on i.id = s.last_instance_id
      order by s.workflow_name, s.schedule_name`,
  );
  return res.rows.map((r) => ({ ...r, fires: Number(r.fires), skipped: Number(r.skipped) }));
}

/** A due schedule as the ticker reads it, locked. */
export interface DueSchedule {
  workflowName: string;
  scheduleName: string;
  versionId: string;
  expression: string;
  timezone: string;
  inputsJson: string;
  jitterMs: number;
  overlap: "skip" | "allow";
  catchUp: "one" | "all" | "none";
  nextFireAt: Date;
  /** The last fire's instance has not ended. */
  lastRunning: boolean;
}

export interface FirePlan {
  fires: Date[];
  /** Fire times passed without an instance (catch-up policy, overlap skip). */
  skipped: number;
  nextFireAt: Date;
}

/**
 * Fires the due schedules, at most `limit`, in one transaction: each is locked (FOR UPDATE SKIP
 * LOCKED: another engine's ticker takes the others), `plan` says which fire times to start, each
 * fire's instance is queued with the idempotency key `schedule:<name>@<time>` (so a fire time
 * makes one instance even if this commit's answer is lost and it runs again), and the schedule
 * moves on. Returns the number of instances started.
 */
export async function fireDueSchedules(
  pool: pg.Pool,
  limit: number,
  keepHours: number,
  plan: (s: DueSchedule, now: Date) => FirePlan,
): Promise<number> {
  // The common case, nothing due, costs one index probe and no transaction.
  const any = await pool.query({
    name: "waymark_schedules_due",
    text: "select 1 from waymark_schedules where not paused and next_fire_at <= now() limit 1",
  });
  if (any.rowCount === 0) return 0;
  const c = await pool.connect();
  let started = 0;
  try {
    await c.query("begin");
    const due = await c.query<{
      workflow_name: string;
      schedule_name: string;
      version_id: string;
      expression: string;
      timezone: string;
      inputs: unknown;
      jitter_ms: number;
      overlap: "skip" | "allow";
      catch_up: "one" | "all" | "none";
      next_fire_at: Date;
      last_running: boolean;
      now: Date;
    }>(
      `select s.workflow_name, s.schedule_name, s.version_id::text, s.expression, s.timezone,
              s.inputs, s.jitter_ms, s.overlap, s.catch_up, s.next_fire_at, now() as now,
              coalesce(i.status not in ('completed', 'failed', 'cancelled'), false) as last_running
         from waymark_schedules s left join waymark_instances i on i.id = s.last_instance_id
        where not s.paused and s.next_fire_at <= now()
        order by s.next_fire_at
        limit $1
        for update of s skip locked`,
      [limit],
    );
    for (const r of due.rows) {
      const s: DueSchedule = {
        workflowName: r.workflow_name,
        scheduleName: r.schedule_name,
        versionId: r.version_id,
        expression: r.expression,
        timezone: r.timezone,
        inputsJson: JSON.stringify(r.inputs),
        jitterMs: r.jitter_ms,
        overlap: r.overlap,
        catchUp: r.catch_up,
        nextFireAt: r.next_fire_at,
        lastRunning: r.last_running,
      };
      const p = plan(s, r.now);
      const hash = createHash("sha256").update(s.inputsJson).digest("hex");
      let lastId: string | null = null;
      for (const t of p.fires) {
        const jitter = s.jitterMs > 0 ? Math.floor(Math.random() * s.jitterMs) : 0;
        const res = await c.query<{ id: string }>(
          "select id::text from waymark_start($1, $2, $3::json, $4, $5, 0, $6, $7, true)",
          [
            s.versionId,
            s.workflowName,
            s.inputsJson,
            `schedule:${s.scheduleName}@${t.toISOString()}`,
            hash,
            jitter,
            keepHours,
          ],
        );
        lastId = res.rows[0]?.id ?? lastId;
        started++;
      }
      await c.query(
        `update waymark_schedules set next_fire_at = $3, skipped = skipped + $4,
           fires = fires + $5, last_fire_at = coalesce($6, last_fire_at),
           last_instance_id = coalesce($7::bigint, last_instance_id), updated_at = now()
         where workflow_name = $1 and schedule_name = $2`,
        [
          s.workflowName,
          s.scheduleName,
          p.nextFireAt,
          p.skipped,
          p.fires.length,
          p.fires.at(-1) ?? null,
          lastId,
        ],
      );
    }
    await c.query("commit");
    return started;
  } catch (e) {
    await c.query("rollback").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}
