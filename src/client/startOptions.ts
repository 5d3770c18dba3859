// `new Wf({ idempotencyKey, priority, startAfter })`: what a start may ask for, checked before
// anything is written (a bad option throws at the call site).
import { createHash } from "node:crypto";
import { parseDuration } from "../runtime/parseDuration.js";
import type { StartOptionsRow } from "../store/postgres/queries/startInstance.js";
import type { Duration } from "./retry.js";

export interface StartOptions {
  /** A second start with the same key (and workflow) returns the same instance, while it runs
   *  and for WAYMARK_IDEMPOTENCY_HOURS (default 24) after it ended. */
  idempotencyKey?: string;
  /** Higher first (an integer ≥ 0, default 0): runners claim due instances by priority, then
   *  age. A child workflow inherits its parent's. */
  priority?: number;
  /** Queued now, started no earlier than this: a duration from now, or a Date. */
  startAfter?: Duration | Date;
}

const KEYS = new Set(["idempotencyKey", "priority", "startAfter"]);
const MAX_KEY_LENGTH = 512;
const MAX_PRIORITY = 1_000_000;

/** Throws a TypeError naming the option and the fix for anything but a valid StartOptions. */
export function checkStartOptions(o: unknown, workflow: string): StartOptions | undefined {
  if (o === undefined) return undefined;
  const where = `new ${workflow}(options)`;
  if (o === null || typeof o !== "object" || Array.isArray(o))
    throw new TypeError(
      `${where}: options must be an object { idempotencyKey?, priority?, startAfter? }`,
    );
  for (const k of Object.keys(o))
    if (!KEYS.has(k))
      throw new TypeError(
        `${where}: unknown option "${k}" (start options are idempotencyKey, priority and startAfter)`,
      );
  const { idempotencyKey: key, priority, startAfter } = o as StartOptions;
  if (
    key !== undefined &&
    (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH)
  )
    throw new TypeError(
      `${where}: idempotencyKey must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
    );
  if (
    priority !== undefined &&
    (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY)
  )
    throw new TypeError(
      `${where}: priority must be a whole number from 0 (the default) to ${MAX_PRIORITY}; higher runs first`,
    );
  if (startAfter !== undefined) {
    if (startAfter instanceof Date) {
      if (Number.isNaN(startAfter.getTime()))
        throw new TypeError(`${where}: startAfter is an invalid Date`);
    } else {
      try {
        parseDuration(startAfter);
      } catch (e) {
        throw new TypeError(`${where}: startAfter: ${(e as Error).message}`);
      }
    }
  }
  return o as StartOptions;
}

/** The row's options; the input hash identifies the input a key was first used with. */
export function startRow(
  o: StartOptions,
  inputJson: string,
  keepHours: number,
  now = Date.now(),
): StartOptionsRow {
  const after = o.startAfter;
  const delayMs =
    after === undefined
      ? 0
      : after instanceof Date
        ? Math.max(0, after.getTime() - now)
        : Math.max(0, parseDuration(after));
  const row: StartOptionsRow = { priority: o.priority ?? 0, delayMs, keepHours };
  if (o.idempotencyKey !== undefined) {
    row.idempotencyKey = o.idempotencyKey;
    row.inputHash = createHash("sha256").update(inputJson).digest("hex");
  }
  return row;
}

/** A reused idempotency key with another input. */
export class IdempotencyKeyConflictError extends Error {
  constructor(
    readonly workflow: string,
    readonly idempotencyKey: string,
    readonly instanceId: string,
    readonly existingInputHash: string,
    readonly inputHash: string,
  ) {
    super(
      `idempotency key "${idempotencyKey}" of workflow "${workflow}" already names instance ${instanceId}, started with another input (sha256 ${existingInputHash.slice(0, 12)}…; this start's input: sha256 ${inputHash.slice(0, 12)}…): use a new key for a different input`,
    );
    this.name = "IdempotencyKeyConflictError";
  }
}

/** Throws when a start reused an instance its key named with another input. */
export function checkReusedKey(
  name: string,
  row: StartOptionsRow,
  r: { id: string; inserted: boolean; inputHash: string | null },
): void {
  if (!r.inserted && r.inputHash !== row.inputHash)
    throw new IdempotencyKeyConflictError(
      name,
      row.idempotencyKey as string,
      r.id,
      r.inputHash ?? "(none)",
      row.inputHash as string,
    );
}
