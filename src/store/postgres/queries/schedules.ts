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
 * moves on. Returns the number of instances started, and when nothing was due, how long until
 * the next fire time (null: no schedule is active).
 */
export async function fireDueSchedules(
  pool: pg.Pool,
  limit: number,
  keepHours: number,
  plan: (s: DueSchedule, now: Date) => FirePlan,
): Promise<{ started: number; idleMs: number | null }> {
  // The common case, nothing due, costs one index probe and no transaction.
  const probe = await pool.query<{ ms: number | null }>({
    name: "waymark_schedules_due",
    text: `select extract(epoch from min(next_fire_at) - now()) * 1000 as ms
             from waymark_schedules where not paused`,
  });
  const ms = probe.rows[0]?.ms;
  if (ms === null || ms === undefined) return { started: 0, idleMs: null };
  if (Number(ms) > 0) return { started: 0, idleMs: Number(ms) };
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
    // Plans in JS (the schedule expressions), then every fire and every schedule's move in ONE
    // statement: a tick costs the same few round trips for 1 or 1,000 due schedules.
    const fire = {
      si: [] as number[],
      version: [] as string[],
      name: [] as string[],
      input: [] as string[],
      key: [] as string[],
      hash: [] as string[],
      jitter: [] as number[],
    };
    const u = {
      wf: [] as string[],
      sn: [] as string[],
      next: [] as Date[],
      skipped: [] as number[],
      fires: [] as number[],
      last: [] as (Date | null)[],
    };
    due.rows.forEach((r, si) => {
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
      for (const t of p.fires) {
        fire.si.push(si);
        fire.version.push(s.versionId);
        fire.name.push(s.workflowName);
        fire.input.push(s.inputsJson);
        fire.key.push(`schedule:${s.scheduleName}@${t.toISOString()}`);
        fire.hash.push(hash);
        fire.jitter.push(s.jitterMs > 0 ? Math.floor(Math.random() * s.jitterMs) : 0);
      }
      u.wf.push(s.workflowName);
      u.sn.push(s.scheduleName);
      u.next.push(p.nextFireAt);
      u.skipped.push(p.skipped);
      u.fires.push(p.fires.length);
      u.last.push(p.fires.at(-1) ?? null);
    });
    if (due.rows.length > 0) {
      // `ord` orders one schedule's fires (oldest first): its last instance is the newest.
      const res = await c.query<{ started: number }>(
        `with f as (
           select t.si, t.ord, st.id
             from unnest($1::int[], $2::bigint[], $3::text[], $4::json[], $5::text[], $6::text[],
                         $7::float8[]) with ordinality as t(si, version_id, name, input, key, hash, jitter, ord)
             cross join lateral waymark_start(t.version_id, t.name, t.input, t.key, t.hash, 0,
                                              t.jitter, $8, true) st
         ),
         last as (select distinct on (si) si, id from f order by si, ord desc),
         moved as (
           update waymark_schedules s set next_fire_at = m.next, skipped = s.skipped + m.skipped,
             fires = s.fires + m.fires, last_fire_at = coalesce(m.last, s.last_fire_at),
             last_instance_id = coalesce(l.id, s.last_instance_id), updated_at = now()
           from unnest($9::text[], $10::text[], $11::timestamptz[], $12::int[], $13::int[],
                       $14::timestamptz[]) with ordinality as m(wf, sn, next, skipped, fires, last, si)
           left join last l on l.si = m.si - 1
           where s.workflow_name = m.wf and s.schedule_name = m.sn
         )
         select count(*)::int as started from f`,
        [
          fire.si,
          fire.version,
          fire.name,
          fire.input,
          fire.key,
          fire.hash,
          fire.jitter,
          keepHours,
          u.wf,
          u.sn,
          u.next,
          u.skipped,
          u.fires,
          u.last,
        ],
      );
      started = res.rows[0]?.started ?? 0;
    }
    await c.query("commit");
    // All due rows locked by another engine: not due for this one until its next tick.
    return { started, idleMs: due.rows.length === 0 ? 1 : 0 };
  } catch (e) {
    await c.query("rollback").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}
