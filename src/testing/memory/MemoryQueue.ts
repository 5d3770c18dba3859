// The action queue of the in-memory store: claimActions.ts, completeActions.ts and the lease
// reads of reapActions.ts. Each claim charges one attempt; each completion is fenced on
// (call, attempt, status), exactly as the statements are.
import type { CompleteOptions } from "../../store/postgres/queries/completeActions.js";
import { CHANNEL_ACTIONS } from "../../store/postgres/queries/types.js";
import type { ClaimedAction, Completion, StrandedCall } from "../../store/Store.js";
import { MemoryWaits } from "./MemoryWaits.js";
import { type CallRow, callKey } from "./tables.js";

export abstract class MemoryQueue extends MemoryWaits {
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
}

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
