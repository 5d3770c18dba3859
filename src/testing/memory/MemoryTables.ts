// The state of the in-memory store (MemoryStore): its rows, its clock and its notifications,
// with the rules every write shares — the wake rule, a wait settling, an instance ending, a
// tree cancel.
//
// Invariants (each one that of the SQL it mirrors, named at the method):
// - The wake rule of 0005_wake_counters.sql: an outcome wakes its instance when every awaited
//   call has one, or on a failure; a persist keeps a wake-up set while the instance was held.
// - A waiting call settles once; an ended child settles its parent's call.
// - A method never awaits between its reads and its writes, so each is atomic, as the
//   statement is: callers may interleave them freely.
import { CHANNEL_DONE, CHANNEL_INSTANCES } from "../../store/postgres/queries/types.js";
import {
  type CallRow,
  callKey,
  type InstanceRow,
  isTerminal,
  type SignalRow,
  UNDEFINED_JSON,
} from "./tables.js";

const CANCELLED_JSON = {
  name: "CancelledError",
  message: "cancelled",
  classChain: ["CancelledError", "Error"],
};

type Listener = (channel: string, payload: string) => void;

export abstract class MemoryTables {
  readonly instances = new Map<string, InstanceRow>();
  readonly calls = new Map<string, CallRow>();
  readonly signals: SignalRow[] = [];
  protected readonly listeners = new Set<{ channels: Set<string>; fn: Listener }>();
  protected nextInstance = 1;
  protected nextSignal = 1;
  protected nextSeq = 1;
  protected closed = false;

  /** `now`: the clock every time column is read from (ms since the epoch). */
  constructor(readonly now: () => number = Date.now) {}

  protected newInstance(
    versionId: string,
    workflowName: string,
    input: unknown,
    extra: Partial<InstanceRow>,
  ): InstanceRow {
    const now = this.now();
    const row: InstanceRow = {
      id: String(this.nextInstance++),
      versionId,
      workflowName,
      input,
      status: "queued",
      state: null,
      result: null,
      error: null,
      fence: 0,
      timerId: null,
      timerDueAt: null,
      wakeAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
      steps: 0,
      callsDone: 0,
      callsAbsorbed: 0,
      callsAwaited: 0,
      parentId: null,
      parentCallId: null,
      priority: 0,
      idempotencyKey: null,
      inputHash: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      ...extra,
    };
    this.instances.set(row.id, row);
    this.notify(CHANNEL_INSTANCES, "");
    return row;
  }

  /** cancelTreeSql (clientQueries.ts): the instance and its unfinished descendants. */
  async cancelInstance(id: string, errorJson: string): Promise<boolean> {
    return this.cancelTree([id], JSON.parse(errorJson)).includes(id);
  }

  async cancelChildrenOf(
    calls: { instanceId: string; callId: number }[],
    errorJson: string,
  ): Promise<number> {
    const wanted = new Set(calls.map((c) => callKey(c.instanceId, c.callId)));
    const roots = [...this.instances.values()]
      .filter(
        (w) =>
          w.parentId !== null &&
          w.parentCallId !== null &&
          wanted.has(callKey(w.parentId, w.parentCallId)),
      )
      .map((w) => w.id);
    return this.cancelTree(roots, JSON.parse(errorJson)).length;
  }

  /** Returns the ids it cancelled. */
  protected cancelTree(roots: string[], error: unknown): string[] {
    const tree = new Set(roots.filter((id) => this.instances.has(id)));
    for (let grew = true; grew; ) {
      grew = false;
      for (const w of this.instances.values())
        if (w.parentId !== null && tree.has(w.parentId) && !tree.has(w.id)) {
          tree.add(w.id);
          grew = true;
        }
    }
    const now = this.now();
    const cancelled: InstanceRow[] = [];
    for (const id of tree) {
      const w = this.instances.get(id) as InstanceRow;
      if (isTerminal(w.status)) continue;
      Object.assign(w, {
        status: "cancelled",
        fence: w.fence + 1,
        wakeAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        error,
        finishedAt: now,
      });
      cancelled.push(w);
    }
    const ids = new Set(cancelled.map((w) => w.id));
    for (const c of this.calls.values())
      if (ids.has(c.instanceId) && isLive(c)) {
        c.status = "abandoned";
        c.leaseExpiresAt = null;
        c.finishedAt = now;
      }
    for (const w of cancelled) this.ended(w);
    return cancelled.map((w) => w.id);
  }

  /** waymark_settle_waits for one call: `result` undefined keeps the stored one. */
  protected settleWait(c: CallRow, success: boolean, result: unknown): boolean {
    if (c.status !== "waiting") return false;
    c.status = success ? "completed" : "failed";
    c.success = success;
    if (result !== undefined) c.result = result;
    c.delivered = false;
    c.finishedAt = this.now();
    this.wake(c.instanceId, 1, !success);
    return true;
  }

  /** The wake rule (completeActions.ts, waymark_settle_waits). */
  protected wake(instanceId: string, n: number, anyFailed: boolean): void {
    const w = this.instances.get(instanceId);
    if (!w || isTerminal(w.status)) return;
    const now = this.now();
    w.callsDone += n;
    if (w.callsDone < w.callsAbsorbed + w.callsAwaited && !anyFailed) return;
    if (w.wakeAt !== null && w.wakeAt <= now) return;
    w.wakeAt = now;
    this.notify(CHANNEL_INSTANCES, "");
  }

  /** An instance ended: notify waiters and settle the parent's call (waymark_child_ended). */
  protected ended(w: InstanceRow): void {
    this.notify(CHANNEL_DONE, w.id);
    if (w.parentId === null || w.parentCallId === null) return;
    const c = this.calls.get(callKey(w.parentId, w.parentCallId));
    if (!c) return;
    const ok = w.status === "completed";
    this.settleWait(c, ok, ok ? (w.result ?? UNDEFINED_JSON) : (w.error ?? CANCELLED_JSON));
  }

  // --- notifications ----------------------------------------------------------------------

  async listen(
    channels: string[],
    onNotify: (channel: string, payload: string) => void,
  ): Promise<() => Promise<void>> {
    const l = { channels: new Set(channels), fn: onNotify };
    this.listeners.add(l);
    return async () => {
      this.listeners.delete(l);
    };
  }

  protected notify(channel: string, payload: string): void {
    if (this.closed) return;
    for (const l of this.listeners) if (l.channels.has(channel)) l.fn(channel, payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}

export const isLive = (c: CallRow): boolean =>
  c.status === "queued" || c.status === "running" || c.status === "waiting";
