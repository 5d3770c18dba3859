// Schedules in the test environment: the rows of waymark_schedules (0012_schedules.sql) in
// memory, fired by the environment's driver as its clock passes their fire times, with the
// engine's own planning (planFires: catch-up, then overlap) and the engine's idempotency key per
// fire time (`schedule:<name>@<time>`).
import { createHash } from "node:crypto";
import type { CheckedSchedule } from "../client/schedules.js";
import { planFires } from "../schedules/ScheduleTicker.js";
import type { ScheduleInfo } from "../store/postgres/queries/schedules.js";
import type { MemoryStore } from "./memory/MemoryStore.js";
import { isTerminal } from "./memory/tables.js";

interface ScheduleRow {
  s: CheckedSchedule;
  versionId: string;
  paused: boolean;
  nextFireAt: number;
  lastFireAt: number | null;
  lastInstanceId: string | null;
  fires: number;
  skipped: number;
}

const keyOf = (workflow: string, schedule: string) => `${workflow}\u0000${schedule}`;

export class TestSchedules {
  private readonly rows = new Map<string, ScheduleRow>();

  constructor(
    private readonly store: MemoryStore,
    private readonly keepHours: number,
    private readonly random: () => number,
  ) {}

  /** upsertSchedule: a new key is inserted; an existing one is updated and keeps its next fire
   *  time unless the expression or the timezone changed. */
  upsert(s: CheckedSchedule, versionId: string): Date {
    const now = this.store.now();
    const key = keyOf(s.workflowName, s.scheduleName);
    const old = this.rows.get(key);
    const same = old && old.s.expression === s.expression && old.s.timezone === s.timezone;
    const row: ScheduleRow = {
      s,
      versionId,
      paused: old?.paused ?? false,
      nextFireAt: same ? old.nextFireAt : s.expr.next(new Date(now)).getTime(),
      lastFireAt: old?.lastFireAt ?? null,
      lastInstanceId: old?.lastInstanceId ?? null,
      fires: old?.fires ?? 0,
      skipped: old?.skipped ?? 0,
    };
    this.rows.set(key, row);
    return new Date(row.nextFireAt);
  }

  /** Pause or resume (a resumed schedule fires next from now); false when there is none. */
  setPaused(workflow: string, schedule: string, paused: boolean): boolean {
    const row = this.rows.get(keyOf(workflow, schedule));
    if (!row) return false;
    if (row.paused && !paused)
      row.nextFireAt = row.s.expr.next(new Date(this.store.now())).getTime();
    row.paused = paused;
    return true;
  }

  delete(workflow: string, schedule: string): boolean {
    return this.rows.delete(keyOf(workflow, schedule));
  }

  list(): ScheduleInfo[] {
    return [...this.rows.values()]
      .sort(
        (a, b) =>
          a.s.workflowName.localeCompare(b.s.workflowName) ||
          a.s.scheduleName.localeCompare(b.s.scheduleName),
      )
      .map((r) => ({
        workflow: r.s.workflowName,
        scheduleName: r.s.scheduleName,
        schedule: r.s.expression,
        timezone: r.s.timezone,
        paused: r.paused,
        nextFireAt: new Date(r.nextFireAt),
        lastFireAt: r.lastFireAt === null ? null : new Date(r.lastFireAt),
        lastInstanceId: r.lastInstanceId,
        lastStatus:
          r.lastInstanceId === null
            ? null
            : (this.store.instances.get(r.lastInstanceId)?.status ?? null),
        fires: r.fires,
        skipped: r.skipped,
      }));
  }

  /** The earliest fire time of a schedule that is not paused (null: none). */
  nextFireAt(): number | null {
    let next: number | null = null;
    for (const r of this.rows.values())
      if (!r.paused && (next === null || r.nextFireAt < next)) next = r.nextFireAt;
    return next;
  }

  /** Fires every schedule due at the current time; returns how many instances it queued. */
  async fireDue(): Promise<number> {
    const now = this.store.now();
    let started = 0;
    for (const r of this.rows.values()) {
      if (r.paused || r.nextFireAt > now) continue;
      const last =
        r.lastInstanceId === null ? undefined : this.store.instances.get(r.lastInstanceId);
      const plan = planFires(
        {
          workflowName: r.s.workflowName,
          scheduleName: r.s.scheduleName,
          versionId: r.versionId,
          expression: r.s.expression,
          timezone: r.s.timezone,
          inputsJson: r.s.inputsJson,
          jitterMs: r.s.jitterMs,
          overlap: r.s.overlap,
          catchUp: r.s.catchUp,
          nextFireAt: new Date(r.nextFireAt),
          lastRunning: last !== undefined && !isTerminal(last.status),
        },
        new Date(now),
      );
      const hash = createHash("sha256").update(r.s.inputsJson).digest("hex");
      for (const t of plan.fires) {
        const st = await this.store.startInstance(r.versionId, r.s.workflowName, r.s.inputsJson, {
          idempotencyKey: `schedule:${r.s.scheduleName}@${t.toISOString()}`,
          inputHash: hash,
          priority: 0,
          delayMs: r.s.jitterMs > 0 ? Math.floor(this.random() * r.s.jitterMs) : 0,
          keepHours: this.keepHours,
        });
        r.lastInstanceId = st.id;
        r.lastFireAt = t.getTime();
        if (st.inserted) started++;
      }
      r.fires += plan.fires.length;
      r.skipped += plan.skipped;
      r.nextFireAt = plan.nextFireAt.getTime();
    }
    return started;
  }
}
