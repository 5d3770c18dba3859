// The engine's Store in memory, on a virtual clock: the persistence contract that PostgresStore
// implements with SQL (src/store/postgres/queries, the migrations), for the test environment.
// The same suite (test/store/conformance.test.ts) runs against both, so they cannot drift.
//
// Invariants (each one that of the SQL it mirrors, named at the method):
// - Every write is fenced like its statement: an instance write matches (id, fence); a
//   completion matches (call, attempt, status); a waiting call settles once.
// - The wake rule of 0005_wake_counters.sql: an outcome wakes its instance when every awaited
//   call has one, or on a failure; a persist keeps a wake-up set while the instance was held.
// - A method never awaits between its reads and its writes, so each is atomic, as the
//   statement is: callers may interleave them freely.
// - Leases, heartbeats, housekeeping and liveness are those of one process that never dies:
//   the ones the runner needs return what a healthy single process would see.
import { randomUUID } from "node:crypto";
import type { CompleteOptions } from "../../store/postgres/queries/completeActions.js";
import type {
  StartedInstance,
  StartOptionsRow,
} from "../../store/postgres/queries/startInstance.js";
import {
  CHANNEL_ACTIONS,
  CHANNEL_DONE,
  CHANNEL_INSTANCES,
} from "../../store/postgres/queries/types.js";
import type {
  ClaimedAction,
  ClaimedInstance,
  Completion,
  InstanceOutcome,
  PersistBatch,
  PersistResult,
  SendResult,
  Store,
  StoredOutcome,
  StrandedCall,
  TableHealth,
} from "../../store/Store.js";
import { type CallRow, callKey, type InstanceRow, isTerminal, type SignalRow } from "./tables.js";

const UNDEFINED_JSON = { $wm: "undef" };
const CANCELLED_JSON = {
  name: "CancelledError",
  message: "cancelled",
  classChain: ["CancelledError", "Error"],
};
const HOUR_MS = 3_600_000;

type Listener = (channel: string, payload: string) => void;

export class MemoryStore implements Store {
  readonly instances = new Map<string, InstanceRow>();
  readonly calls = new Map<string, CallRow>();
  readonly signals: SignalRow[] = [];
  private readonly versions = new Map<string, { name: string; version: string; ir: unknown }>();
  private readonly versionIds = new Map<string, string>();
  private readonly listeners = new Set<{ channels: Set<string>; fn: Listener }>();
  private nextInstance = 1;
  private nextSignal = 1;
  private nextSeq = 1;
  private closed = false;

  /** `now`: the clock every time column is read from (ms since the epoch). */
  constructor(readonly now: () => number = Date.now) {}

  async migrate(): Promise<string[]> {
    return [];
  }

  // --- versions ---------------------------------------------------------------------------

  async registerVersion(name: string, version: string, ir: unknown): Promise<string> {
    const key = `${name}\u0000${version}`;
    let id = this.versionIds.get(key);
    if (id === undefined) {
      id = String(this.versionIds.size + 1);
      this.versionIds.set(key, id);
    }
    // Like the upsert: the latest registration of a (name, version) holds its IR, as stored
    // JSON (absent fields gone).
    this.versions.set(id, { name, version, ir: JSON.parse(JSON.stringify(ir)) });
    return id;
  }

  async loadVersion(versionId: string): Promise<{ name: string; version: string; ir: unknown }> {
    const v = this.versions.get(versionId);
    if (!v) throw new Error(`workflow version ${versionId} does not exist`);
    return v;
  }

  async latestVersionId(name: string): Promise<string | undefined> {
    let latest: string | undefined;
    for (const [id, v] of this.versions) if (v.name === name) latest = id;
    return latest;
  }

  // --- client -----------------------------------------------------------------------------

  async insertInstance(
    versionId: string,
    workflowName: string,
    inputJson: string,
  ): Promise<string> {
    return this.newInstance(versionId, workflowName, JSON.parse(inputJson), {}).id;
  }

  /** waymark_start (0011_start_options.sql). */
  async startInstance(
    versionId: string,
    workflowName: string,
    inputJson: string,
    o: StartOptionsRow,
  ): Promise<StartedInstance> {
    const now = this.now();
    const key = o.idempotencyKey;
    if (key !== undefined) {
      for (const w of this.instances.values()) {
        if (w.workflowName !== workflowName || w.idempotencyKey !== key) continue;
        if (w.finishedAt !== null && w.finishedAt < now - o.keepHours * HOUR_MS) {
          w.idempotencyKey = null; // released: a new instance takes the key
          continue;
        }
        return { id: w.id, inserted: false, inputHash: w.inputHash, status: w.status };
      }
    }
    const row = this.newInstance(versionId, workflowName, JSON.parse(inputJson), {
      priority: o.priority,
      wakeAt: o.delayMs > 0 ? now + o.delayMs : now,
      idempotencyKey: key ?? null,
      inputHash: key === undefined ? null : (o.inputHash ?? null),
    });
    return { id: row.id, inserted: true, inputHash: row.inputHash, status: row.status };
  }

  private newInstance(
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

  async readInstance(id: string): Promise<InstanceOutcome | undefined> {
    const w = this.instances.get(id);
    return w ? { status: w.status, result: w.result, error: w.error } : undefined;
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
  private cancelTree(roots: string[], error: unknown): string[] {
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

  /** waymark_send_signal (0014_lock_order.sql). */
  async sendSignal(id: string, name: string, payloadJson: string): Promise<SendResult> {
    const w = this.instances.get(id);
    if (!w) return "missing";
    if (isTerminal(w.status)) return w.status as SendResult;
    this.signals.push({
      id: this.nextSignal++,
      instanceId: id,
      name,
      payload: JSON.parse(payloadJson),
      callId: null,
      createdAt: this.now(),
    });
    await this.deliverSignals([id]);
    return "sent";
  }

  // --- waits (0010_signals_children.sql) --------------------------------------------------

  /** waymark_deliver_signals: per instance and name, the oldest kept signal with the oldest
   *  waiting signal call. */
  async deliverSignals(instanceIds: string[]): Promise<number> {
    const ids = new Set(instanceIds);
    const kept = this.signals.filter((s) => ids.has(s.instanceId) && s.callId === null);
    const waits = [...this.calls.values()]
      .filter((c) => ids.has(c.instanceId) && c.status === "waiting" && c.wait === "signal")
      .sort((a, b) => a.callId - b.callId);
    let settled = 0;
    const taken = new Set<CallRow>();
    for (const s of kept) {
      const c = waits.find(
        (x) => !taken.has(x) && x.instanceId === s.instanceId && x.action === s.name,
      );
      if (!c) continue;
      taken.add(c);
      if (this.settleWait(c, true, s.payload)) {
        s.callId = c.callId;
        settled++;
      }
    }
    return settled;
  }

  /** waymark_expire_waits: waits past their deadline settle with their stored result. */
  async expireWaits(limit: number): Promise<number> {
    const now = this.now();
    const due = [...this.calls.values()]
      .filter((c) => c.status === "waiting" && c.scheduledAt <= now)
      .sort((a, b) => a.scheduledAt - b.scheduledAt)
      .slice(0, limit);
    let n = 0;
    for (const c of due) if (this.settleWait(c, true, undefined)) n++;
    return n;
  }

  /** waymark_deliver_kept. */
  async deliverKeptSignals(limit: number): Promise<number> {
    const ids = new Set<string>();
    for (const s of this.signals) {
      if (s.callId !== null || ids.size >= limit) continue;
      for (const c of this.calls.values())
        if (
          c.instanceId === s.instanceId &&
          c.status === "waiting" &&
          c.wait === "signal" &&
          c.action === s.name
        ) {
          ids.add(s.instanceId);
          break;
        }
    }
    return ids.size === 0 ? 0 : this.deliverSignals([...ids]);
  }

  /** waymark_settle_waits for one call: `result` undefined keeps the stored one. */
  private settleWait(c: CallRow, success: boolean, result: unknown): boolean {
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
  private wake(instanceId: string, n: number, anyFailed: boolean): void {
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
  private ended(w: InstanceRow): void {
    this.notify(CHANNEL_DONE, w.id);
    if (w.parentId === null || w.parentCallId === null) return;
    const c = this.calls.get(callKey(w.parentId, w.parentCallId));
    if (!c) return;
    const ok = w.status === "completed";
    this.settleWait(c, ok, ok ? (w.result ?? UNDEFINED_JSON) : (w.error ?? CANCELLED_JSON));
  }

  // --- runner -----------------------------------------------------------------------------

  /** claimInstances.ts: due ones (higher priority first, then by wake-up), then expired leases. */
  async claimInstances(owner: string, limit: number, leaseMs: number): Promise<ClaimedInstance[]> {
    const now = this.now();
    const live = [...this.instances.values()].filter(
      (w) => !isTerminal(w.status) && (w.leaseExpiresAt === null || w.leaseExpiresAt < now),
    );
    const due = live
      .filter((w) => w.wakeAt !== null && w.wakeAt <= now)
      .sort(
        (a, b) =>
          Math.max(b.priority, 0) - Math.max(a.priority, 0) ||
          (a.wakeAt as number) - (b.wakeAt as number) ||
          Number(a.id) - Number(b.id),
      );
    const expired = live
      .filter(
        (w) =>
          w.leaseExpiresAt !== null &&
          w.leaseExpiresAt < now &&
          (w.wakeAt === null || w.wakeAt > now),
      )
      .sort((a, b) => (a.leaseExpiresAt as number) - (b.leaseExpiresAt as number));
    return [...due, ...expired].slice(0, limit).map((w) => {
      Object.assign(w, {
        leaseOwner: owner,
        leaseExpiresAt: now + leaseMs,
        fence: w.fence + 1,
        wakeAt: null,
        status: "running",
        startedAt: w.startedAt ?? now,
      });
      return this.claimed(w);
    });
  }

  private claimed(w: InstanceRow): ClaimedInstance {
    return {
      id: w.id,
      fence: String(w.fence),
      versionId: w.versionId,
      workflowName: w.workflowName,
      state: w.state,
      input: w.input,
      timerId: w.timerId,
      timerDue: w.timerDueAt !== null && w.timerDueAt <= this.now(),
      steps: w.steps,
    };
  }

  async adoptInstances(
    owner: string,
    known: string[],
    leaseMs: number,
  ): Promise<ClaimedInstance[]> {
    const now = this.now();
    const mine = new Set(known);
    return [...this.instances.values()]
      .filter(
        (w) =>
          w.leaseOwner === owner &&
          w.leaseExpiresAt !== null &&
          !mine.has(w.id) &&
          !isTerminal(w.status),
      )
      .map((w) => {
        Object.assign(w, { leaseExpiresAt: now + leaseMs, fence: w.fence + 1, wakeAt: null });
        return this.claimed(w);
      });
  }

  async nextInstanceWakeMs(): Promise<number | null> {
    let next: number | null = null;
    for (const w of this.instances.values()) {
      if (isTerminal(w.status)) continue;
      for (const t of [w.wakeAt, w.leaseExpiresAt])
        if (t !== null && (next === null || t < next)) next = t;
    }
    return next === null ? null : Math.max(0, next - this.now());
  }

  async renewInstanceLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids) {
      const w = this.instances.get(id);
      if (w && w.leaseOwner === owner && !isTerminal(w.status)) {
        w.leaseExpiresAt = this.now() + leaseMs;
        out.push(id);
      }
    }
    return out;
  }

  /** loadOutcomes.ts: final outcomes not yet delivered, by finish time. */
  async loadOutcomes(instanceIds: string[]): Promise<StoredOutcome[]> {
    const ids = new Set(instanceIds);
    return [...this.calls.values()]
      .filter(
        (c) =>
          ids.has(c.instanceId) &&
          !c.delivered &&
          (c.status === "completed" || c.status === "failed"),
      )
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.callId - b.callId)
      .map((c) => ({
        instanceId: c.instanceId,
        callId: c.callId,
        success: c.success === true,
        result: c.result,
      }));
  }

  async persistInstances(batch: PersistBatch): Promise<Set<string>> {
    return (await this.persistInstancesEx(batch)).persisted;
  }

  /** persistInstances.ts, without local calls (this store has no local workers: `runAs`,
   *  `hold` and `records` are refused). */
  async persistInstancesEx(b: PersistBatch): Promise<PersistResult> {
    if (
      (b.records?.length ?? 0) > 0 ||
      b.dispatch.some((c) => c.runAs) ||
      b.instances.some((i) => i.hold)
    )
      throw new Error("MemoryStore: local calls and held instances are not supported");
    const now = this.now();
    const persisted = new Set<string>();
    const ended: InstanceRow[] = [];
    for (const i of b.instances) {
      const w = this.instances.get(i.id);
      if (!w || String(w.fence) !== i.fence) continue;
      if (i.fresh && w.status !== "queued") continue;
      persisted.add(w.id);
      let absorbed = 0;
      for (const d of b.delivered) {
        if (d.instanceId !== w.id) continue;
        const c = this.calls.get(callKey(d.instanceId, d.callId));
        if (c && !c.delivered && (c.status === "completed" || c.status === "failed")) absorbed++;
      }
      const terminal = isTerminal(i.status);
      const timerDueAt =
        i.sleepMs !== null ? now + i.sleepMs : i.timerId !== null ? w.timerDueAt : null;
      Object.assign(w, {
        status: i.status,
        state: i.state,
        result: i.resultJson === null ? null : JSON.parse(i.resultJson),
        error: i.errorJson === null ? null : JSON.parse(i.errorJson),
        steps: w.steps + i.stepsAdded,
        callsAbsorbed: w.callsAbsorbed + absorbed,
        callsAwaited: i.awaited ?? 0,
        timerId: i.timerId,
        timerDueAt,
        wakeAt: terminal
          ? null
          : w.wakeAt !== null && !i.fresh
            ? w.wakeAt
            : i.sleepMs !== null
              ? now + i.sleepMs
              : i.timerId !== null
                ? w.timerDueAt
                : null,
        leaseOwner: null,
        leaseExpiresAt: null,
        startedAt: w.startedAt ?? now,
        finishedAt: terminal ? now : null,
      });
      if (terminal) ended.push(w);
    }
    let queued = false;
    for (const c of b.dispatch) {
      const w = this.instances.get(c.instanceId);
      if (!w || !persisted.has(w.id) || this.calls.has(callKey(c.instanceId, c.callId))) continue;
      const wait = c.wait ?? null;
      this.calls.set(callKey(c.instanceId, c.callId), {
        instanceId: c.instanceId,
        callId: c.callId,
        action: c.action,
        args: JSON.parse(wait === "child" ? "[]" : c.argsJson),
        policy: c.policyJson === null || wait ? null : JSON.parse(c.policyJson),
        status: wait ? "waiting" : "queued",
        attempts: 0,
        lostAttempts: 0,
        scheduledAt:
          wait === "child" ? Number.POSITIVE_INFINITY : wait ? now + (c.timeoutMs ?? 0) : now,
        success: null,
        result: wait === "signal" ? null : wait === "sleep" ? UNDEFINED_JSON : null,
        delivered: false,
        worker: null,
        leaseExpiresAt: null,
        startedAt: null,
        finishedAt: null,
        wait,
        priority: w.priority,
        seq: this.nextSeq++,
        history: [],
      });
      if (!wait) queued = true;
      if (wait === "child") this.startChild(w, c.callId, c.action, c.childVersionId, c.argsJson);
    }
    for (const d of b.delivered) {
      const c = this.calls.get(callKey(d.instanceId, d.callId));
      if (c && persisted.has(d.instanceId)) c.delivered = true;
    }
    for (const a of b.abandon) {
      const c = this.calls.get(callKey(a.instanceId, a.callId));
      if (c && persisted.has(a.instanceId) && isLive(c)) {
        c.status = "abandoned";
        c.leaseExpiresAt = null;
        c.finishedAt = now;
      }
    }
    if (queued) this.notify(CHANNEL_ACTIONS, "");
    for (const w of ended) this.ended(w);
    return { persisted, localStarted: new Set() };
  }

  /** The `kids` insert: one child per (parent, call), inheriting the parent's priority. */
  private startChild(
    parent: InstanceRow,
    callId: number,
    name: string,
    versionId: string | undefined,
    argsJson: string,
  ): void {
    for (const w of this.instances.values())
      if (w.parentId === parent.id && w.parentCallId === callId) return;
    if (versionId === undefined) throw new Error(`child workflow \`${name}\` has no version`);
    this.newInstance(versionId, name, JSON.parse(argsJson), {
      parentId: parent.id,
      parentCallId: callId,
      priority: parent.priority,
    });
  }

  async findExpiredActionLeases(limit: number, _liveMs: number): Promise<StrandedCall[]> {
    const now = this.now();
    return [...this.calls.values()]
      .filter((c) => c.status === "running" && c.leaseExpiresAt !== null && c.leaseExpiresAt < now)
      .slice(0, limit)
      .map((c) => ({ ...stranded(c), workerLive: false }));
  }

  /** No call goes unserved here: the environment runs every action itself. */
  async findUnservedActions(
    _graceMs: number,
    _liveMs: number,
    _limit: number,
  ): Promise<StrandedCall[]> {
    return [];
  }

  // --- housekeeping and liveness: one healthy process -------------------------------------

  async tableHealth(): Promise<TableHealth[]> {
    return [];
  }
  async vacuumTables(_tables: readonly string[]): Promise<boolean> {
    return true;
  }
  async pruneWorkers(_olderThanMs: number): Promise<void> {}
  async announceRunner(_id: string, _leaving: boolean): Promise<void> {}
  async liveRunners(_liveMs: number): Promise<string[]> {
    return [];
  }
  async liveWorkerActions(_excludeIds: string[], _liveMs: number): Promise<Set<string>> {
    return new Set();
  }
  async quarantineInlineActions(): Promise<void> {}
  async quarantinedInlineActions(): Promise<Set<string>> {
    return new Set();
  }
  async heartbeatWorker(): Promise<void> {}
  async removeWorker(_id: string): Promise<void> {}

  // --- workers ----------------------------------------------------------------------------

  /** claimActions.ts: due queued calls of these actions, higher priority first, then by due
   *  time; each claim charges one attempt. */
  async claimActions(
    worker: string,
    actions: string[],
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedAction[]> {
    if (limit <= 0 || actions.length === 0) return [];
    const now = this.now();
    const names = new Set(actions);
    return [...this.calls.values()]
      .filter((c) => c.status === "queued" && names.has(c.action) && c.scheduledAt <= now)
      .sort(
        (a, b) =>
          Math.max(b.priority, 0) - Math.max(a.priority, 0) ||
          a.scheduledAt - b.scheduledAt ||
          a.seq - b.seq,
      )
      .slice(0, limit)
      .map((c) => {
        Object.assign(c, {
          status: "running",
          attempts: c.attempts + 1,
          worker,
          leaseExpiresAt: now + leaseMs,
          startedAt: now,
        });
        return {
          instanceId: c.instanceId,
          callId: c.callId,
          action: c.action,
          args: c.args,
          policy: c.policy,
          attempt: c.attempts,
          lostAttempts: c.lostAttempts,
        };
      });
  }

  async nextActionDueMs(actions: string[]): Promise<number | null> {
    const names = new Set(actions);
    let next: number | null = null;
    for (const c of this.calls.values())
      if (c.status === "queued" && names.has(c.action) && (next === null || c.scheduledAt < next))
        next = c.scheduledAt;
    return next === null ? null : Math.max(0, next - this.now());
  }

  async renewActionLeases(
    worker: string,
    leaseMs: number,
    calls: { instanceId: string; callId: number }[],
  ): Promise<number> {
    let n = 0;
    for (const r of calls) {
      const c = this.calls.get(callKey(r.instanceId, r.callId));
      if (c && c.status === "running" && c.worker === worker) {
        c.leaseExpiresAt = this.now() + leaseMs;
        n++;
      }
    }
    return n;
  }

  /** completeActions.ts: fenced on (call, attempt, status); a retry is queued again after its
   *  backoff, a final outcome wakes the instance by the wake rule. */
  async completeActions(items: Completion[], opts: CompleteOptions = {}): Promise<number> {
    const now = this.now();
    const from = opts.fromStatus ?? "running";
    const finals = new Map<string, { n: number; failed: boolean }>();
    let applied = 0;
    let retried = false;
    for (const i of items) {
      const c = this.calls.get(callKey(i.instanceId, i.callId));
      if (!c || c.attempts !== i.attempt || c.status !== from) continue;
      if (opts.expiredOnly && !(c.leaseExpiresAt !== null && c.leaseExpiresAt < now)) continue;
      applied++;
      const lost = i.lost === true;
      const result = JSON.parse(i.resultJson);
      if (i.kind === "retry") {
        if (i.attempt > 0)
          c.history.push({
            attempt: i.attempt,
            worker: i.worker,
            startedAt: i.startedAt ? i.startedAt.getTime() : c.startedAt,
            success: i.success,
            result,
            lost,
          });
        Object.assign(c, {
          status: "queued",
          scheduledAt: i.delayMs > 0 ? now + i.delayMs : c.scheduledAt,
          success: null,
          result: null,
          finishedAt: null,
        });
        retried = true;
      } else {
        Object.assign(c, {
          status: i.kind,
          success: i.success,
          result,
          finishedAt: now,
          worker: i.worker ?? c.worker,
        });
        const f = finals.get(c.instanceId) ?? { n: 0, failed: false };
        f.n++;
        f.failed ||= !i.success;
        finals.set(c.instanceId, f);
      }
      c.delivered = false;
      c.lostAttempts += lost ? 1 : 0;
      c.leaseExpiresAt = null;
    }
    for (const [id, f] of finals) this.wake(id, f.n, f.failed);
    if (retried) this.notify(CHANNEL_ACTIONS, "");
    return applied;
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

  private notify(channel: string, payload: string): void {
    if (this.closed) return;
    for (const l of this.listeners) if (l.channels.has(channel)) l.fn(channel, payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  /** A fresh owner id for leases (one per driver). */
  static ownerId(kind: string): string {
    return `${kind}:memory:${randomUUID().slice(0, 8)}`;
  }
}

const isLive = (c: CallRow): boolean =>
  c.status === "queued" || c.status === "running" || c.status === "waiting";

function stranded(c: CallRow): StrandedCall {
  return {
    instanceId: c.instanceId,
    callId: c.callId,
    action: c.action,
    attempts: c.attempts,
    lostAttempts: c.lostAttempts,
    policy: c.policy,
    worker: c.worker,
  };
}
