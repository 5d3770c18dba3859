// The rows of the in-memory store: the columns of waymark_instances, waymark_action_calls and
// waymark_signals that the engine's semantics depend on (see the migrations in
// src/store/postgres/sql), read and written by MemoryStore. Times are milliseconds on the
// environment's virtual clock; JSON columns hold parsed JSON, as the Postgres driver returns
// them.
import type { InstanceStatus } from "../../store/postgres/queries/types.js";

export interface InstanceRow {
  id: string;
  versionId: string;
  workflowName: string;
  input: unknown;
  status: InstanceStatus;
  state: string | null;
  result: unknown;
  error: unknown;
  fence: number;
  timerId: number | null;
  timerDueAt: number | null;
  /** Due for a claim at this time (null: waits for an outcome). */
  wakeAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  steps: number;
  /** The wake counters of 0005_wake_counters.sql. */
  callsDone: number;
  callsAbsorbed: number;
  callsAwaited: number;
  parentId: string | null;
  parentCallId: number | null;
  priority: number;
  idempotencyKey: string | null;
  inputHash: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export type CallStatus = "queued" | "running" | "waiting" | "completed" | "failed" | "abandoned";

/** One attempt of an action call that did not settle it (the settling one is the call row). */
export interface AttemptRow {
  attempt: number;
  worker: string | null;
  startedAt: number | null;
  success: boolean;
  result: unknown;
  lost: boolean;
}

export interface CallRow {
  instanceId: string;
  callId: number;
  action: string;
  args: unknown;
  policy: unknown;
  status: CallStatus;
  /** Executions charged so far (0 for waits). */
  attempts: number;
  lostAttempts: number;
  scheduledAt: number;
  success: boolean | null;
  result: unknown;
  delivered: boolean;
  worker: string | null;
  leaseExpiresAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  wait: "signal" | "sleep" | "child" | null;
  priority: number;
  /** Insertion order (ties of scheduledAt keep it). */
  seq: number;
  history: AttemptRow[];
}

export interface SignalRow {
  id: number;
  instanceId: string;
  name: string;
  payload: unknown;
  /** The wait that consumed it. */
  callId: number | null;
  createdAt: number;
}

export const isTerminal = (s: InstanceStatus): boolean =>
  s === "completed" || s === "failed" || s === "cancelled";

export const callKey = (instanceId: string, callId: number): string => `${instanceId}/${callId}`;

/** The stored form of `undefined` (the value codec's): a sleep's result, an ended child's. */
export const UNDEFINED_JSON = { $wm: "undef" };
