// Schedules: start a workflow on a cron expression or an interval (0012_schedules.sql). Fired by
// the engines (src/schedules/ScheduleTicker.ts); everything is checked here first, so a bad
// schedule is refused with nothing stored.
import { parseDuration } from "../runtime/parseDuration.js";
import { parseSchedule } from "../schedules/scheduleExpression.js";
import {
  deleteScheduleRow,
  listScheduleRows,
  type ScheduleInfo,
  setSchedulePaused,
  upsertSchedule,
} from "../store/postgres/queries/schedules.js";
import { encodeValue } from "../values/index.js";
import { assertPayloadSize } from "../values/payloadLimit.js";
import { checkArity } from "./checkArity.js";
import { clientStore, clientVersion, type WorkflowClassLike } from "./engine.js";
import type { Duration } from "./retry.js";

export interface ScheduleOptions {
  /** With the workflow's name, the schedule's key: registering it again updates it. */
  scheduleName: string;
  /** A cron expression (5 fields, or 6 with seconds first) or an interval ("30s", "1h"). */
  schedule: string;
  /** IANA timezone of a cron expression (default "UTC"). */
  timezone?: string;
  /** The arguments of each run (default none). */
  inputs?: unknown[];
  /** Each fire's instance starts up to this much later, at random (default 0). */
  jitter?: Duration;
  /** "skip" (default): no new instance while the last one runs; "allow". */
  overlap?: "skip" | "allow";
  /** Fire times passed while no engine ran: "one" (default) instance, "all", or "none". */
  catchUp?: "one" | "all" | "none";
}

export type { ScheduleInfo };

type WorkflowRef = WorkflowClassLike | string;

const nameOf = (w: WorkflowRef) => (typeof w === "string" ? w : w.shortName());

/** A schedule as checked and stored (everything but the workflow's version). */
export interface CheckedSchedule {
  workflowName: string;
  scheduleName: string;
  expression: string;
  expr: ReturnType<typeof parseSchedule>;
  timezone: string;
  inputsJson: string;
  jitterMs: number;
  overlap: "skip" | "allow";
  catchUp: "one" | "all" | "none";
}

/** Checks a schedule's options against its workflow class: a bad one throws, naming the
 *  option. */
export function checkSchedule(cls: WorkflowClassLike, o: ScheduleOptions): CheckedSchedule {
  if (typeof cls?.shortName !== "function" || typeof cls.workflowIr !== "function")
    throw new TypeError("scheduleWorkflow(cls, options): cls must be a @workflow class");
  const name = cls.shortName();
  const where = `scheduleWorkflow(${cls.name}, …)`;
  if (typeof o?.scheduleName !== "string" || o.scheduleName.length === 0)
    throw new TypeError(`${where}: scheduleName must be a non-empty string`);
  if (typeof o.schedule !== "string")
    throw new TypeError(`${where}: schedule must be a cron expression or an interval such as "1h"`);
  const timezone = o.timezone ?? "UTC";
  const overlap = o.overlap ?? "skip";
  const catchUp = o.catchUp ?? "one";
  if (overlap !== "skip" && overlap !== "allow")
    throw new TypeError(`${where}: overlap must be "skip" or "allow"`);
  if (catchUp !== "one" && catchUp !== "all" && catchUp !== "none")
    throw new TypeError(`${where}: catchUp must be "one", "all" or "none"`);
  let expr: ReturnType<typeof parseSchedule>;
  try {
    expr = parseSchedule(o.schedule, timezone);
  } catch (e) {
    throw new TypeError(`${where}: ${(e as Error).message}`);
  }
  let jitterMs = 0;
  if (o.jitter !== undefined) {
    try {
      jitterMs = Math.max(0, Math.round(parseDuration(o.jitter)));
    } catch (e) {
      throw new TypeError(`${where}: jitter: ${(e as Error).message}`);
    }
  }
  const inputs = o.inputs ?? [];
  if (!Array.isArray(inputs)) throw new TypeError(`${where}: inputs must be an array of arguments`);
  checkArity(cls.workflowIr(), inputs, name);
  const inputsJson = JSON.stringify(encodeValue(inputs, "schedule inputs"));
  assertPayloadSize(inputsJson, `the inputs of schedule "${o.scheduleName}"`);
  return {
    workflowName: name,
    scheduleName: o.scheduleName,
    expression: o.schedule,
    expr,
    timezone,
    inputsJson,
    jitterMs,
    overlap,
    catchUp,
  };
}

/** Registers (or updates) a schedule; resolves to its next fire time. */
export async function scheduleWorkflow(cls: WorkflowClassLike, o: ScheduleOptions): Promise<Date> {
  const c = checkSchedule(cls, o);
  const { store, versionId } = await clientVersion(cls);
  return upsertSchedule(store.pool, {
    workflowName: c.workflowName,
    scheduleName: c.scheduleName,
    versionId,
    expression: c.expression,
    timezone: c.timezone,
    inputsJson: c.inputsJson,
    jitterMs: c.jitterMs,
    overlap: c.overlap,
    catchUp: c.catchUp,
    nextFireAt: c.expr.next(new Date()),
  });
}

async function mustExist(found: boolean, w: WorkflowRef, scheduleName: string): Promise<void> {
  if (!found)
    throw new Error(
      `no schedule "${scheduleName}" for workflow "${nameOf(w)}" (see listSchedules())`,
    );
}

export async function pauseSchedule(w: WorkflowRef, scheduleName: string): Promise<void> {
  const store = await clientStore();
  await mustExist(
    await setSchedulePaused(store.pool, nameOf(w), scheduleName, true),
    w,
    scheduleName,
  );
}

/** Resumes from now: fire times that passed while paused are not run. */
export async function resumeSchedule(w: WorkflowRef, scheduleName: string): Promise<void> {
  const store = await clientStore();
  const found = await setSchedulePaused(store.pool, nameOf(w), scheduleName, false, (e, tz) =>
    parseSchedule(e, tz).next(new Date()),
  );
  await mustExist(found, w, scheduleName);
}

export async function deleteSchedule(w: WorkflowRef, scheduleName: string): Promise<void> {
  const store = await clientStore();
  await mustExist(await deleteScheduleRow(store.pool, nameOf(w), scheduleName), w, scheduleName);
}

/** Every schedule: name, workflow, expression, timezone, next fire, last fire and its
 *  instance's id and state, paused, fires and skipped fires so far. */
export async function listSchedules(): Promise<ScheduleInfo[]> {
  return listScheduleRows((await clientStore()).pool);
}
