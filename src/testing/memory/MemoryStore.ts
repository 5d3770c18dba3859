// The engine's Store in memory, on a virtual clock: the persistence contract that PostgresStore
// implements with SQL (src/store/postgres/queries, the migrations), for the test environment.
// The same suite (test/store/conformance.test.ts) runs against both, so they cannot drift.
// Split by responsibility: MemoryTables (rows, wake rule, cancels, notifications) ←
// MemoryWaits (signals, deadlines) ← MemoryQueue (action calls) ← MemoryStore (versions,
// starts, claims, persists; the housekeeping and liveness of one healthy process).
//
// Every write is fenced like its statement: an instance write matches (id, fence); a
// completion matches (call, attempt, status); a waiting call settles once.
import type {
  StartedInstance,
  StartOptionsRow,
} from "../../store/postgres/queries/startInstance.js";
import { CHANNEL_ACTIONS } from "../../store/postgres/queries/types.js";
import type {
  ClaimedInstance,
  InstanceOutcome,
  PersistBatch,
  PersistResult,
  Store,
  StoredOutcome,
  TableHealth,
} from "../../store/Store.js";
import { MemoryQueue } from "./MemoryQueue.js";
import { isLive } from "./MemoryTables.js";
import { callKey, type InstanceRow, isTerminal, UNDEFINED_JSON } from "./tables.js";

const HOUR_MS = 3_600_000;

export class MemoryStore extends MemoryQueue implements Store {
  private readonly versions = new Map<string, { name: string; version: string; ir: unknown }>();
  private readonly versionIds = new Map<string, string>();

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

  async readInstance(id: string): Promise<InstanceOutcome | undefined> {
    const w = this.instances.get(id);
    return w ? { status: w.status, result: w.result, error: w.error } : undefined;
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
}
