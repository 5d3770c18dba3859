// The test environment's engine: one runner and one worker in this process, on the memory store
// and a virtual clock. It does, at the current time, everything the engine's processes would do
// (expire waits, deliver kept signals, fire schedules, advance every claimable instance with the
// engine's own InstanceAdvancer, run every queued attempt), until nothing is left; only then may
// the clock move, and only to the next time something is due.
//
// Invariants:
// - The clock moves only in moveTo(), never while an attempt it waits for runs (ActionRunner),
//   and never backwards.
// - One settle() runs at a time; a signal, start or cancel made meanwhile (from an action, or
//   from the test) is picked up by it before it returns.

import { abandonedChildError } from "../runner/engineErrors.js";
import { InstanceAdvancer } from "../runner/InstanceAdvancer.js";
import type { EngineConfig } from "../store/config.js";
import type {
  CallRef,
  CallWrite,
  InstanceWrite,
} from "../store/postgres/queries/persistInstances.js";
import type { StoredOutcome } from "../store/Store.js";
import { encodeValue } from "../values/index.js";
import { type ActionRunner, TEST_WORKER } from "./ActionRunner.js";
import type { MemoryStore } from "./memory/MemoryStore.js";
import { type CallRow, callKey, isTerminal } from "./memory/tables.js";
import type { TestSchedules } from "./TestSchedules.js";

const OWNER = "test-runner";
const LEASE_MS = 30_000;

export class Driver {
  private readonly advancer: InstanceAdvancer;
  private settling?: Promise<void>;
  private again = false;

  constructor(
    private readonly store: MemoryStore,
    private readonly clock: { ms: number },
    readonly runner: ActionRunner,
    private readonly schedules: TestSchedules,
    cfg: EngineConfig,
    private readonly realTimeoutMs: number,
    /** Clock moves a single run()/advance() may make (a workflow that sleeps in a loop
     *  forever ends the test with an error instead of spinning). */
    private readonly maxMoves: number,
  ) {
    this.advancer = new InstanceAdvancer(store, cfg, { advanced: 0 });
  }

  /** Does everything due at the current time (see the header); concurrent calls share one. */
  settle(): Promise<void> {
    if (this.settling) {
      this.again = true;
      return this.settling;
    }
    this.settling = this.settleLoop().finally(() => {
      this.settling = undefined;
    });
    return this.settling;
  }

  private async settleLoop(): Promise<void> {
    for (;;) {
      this.again = false;
      if ((await this.pump()) > 0 || this.again) continue;
      const active = this.runner.active();
      if (active.length === 0) return;
      await this.waitForAny(active);
    }
  }

  /** Waits until one of these attempts' code answers, or fails the test past the real-time
   *  bound naming the action. */
  private async waitForAny(active: ReturnType<ActionRunner["active"]>): Promise<void> {
    const oldest = Math.min(...active.map((r) => r.realStart));
    const left = oldest + this.realTimeoutMs - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.race(active.map((r) => r.settled)).then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), Math.max(0, left));
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    const slow = active.find((r) => r.realStart === oldest) ?? active[0];
    const c = slow?.call;
    throw new Error(
      `action \`${c?.action}\` (instance ${c?.instanceId}, call ${c?.callId}) has run for ${this.realTimeoutMs} ms of real time: the test environment waits for each running action before it moves its clock. Mock it with env.mockAction(), or return env.hang() from the mock for an action that never answers (then only its timeout or env.loseWorker() ends it).`,
    );
  }

  /** One round of the engine's work at the current time; returns how much it did. */
  private async pump(): Promise<number> {
    const s = this.store;
    this.runner.prune();
    let n = 0;
    n += await s.expireWaits(Number.MAX_SAFE_INTEGER);
    n += await s.deliverKeptSignals(Number.MAX_SAFE_INTEGER);
    n += await this.schedules.fireDue();
    n += await this.advanceClaimable();
    const names = [
      ...new Set([...s.calls.values()].filter((c) => c.status === "queued").map((c) => c.action)),
    ];
    const claimed = await s.claimActions(TEST_WORKER, names, Number.MAX_SAFE_INTEGER, LEASE_MS);
    this.runner.start(claimed);
    return n + claimed.length;
  }

  /** The runner's step (Intake.processBatch + StepWriter) for every claimable instance. */
  private async advanceClaimable(): Promise<number> {
    const s = this.store;
    const claimed = await s.claimInstances(OWNER, Number.MAX_SAFE_INTEGER, LEASE_MS);
    if (claimed.length === 0) return 0;
    const outcomes = await s.loadOutcomes(claimed.filter((c) => c.state !== null).map((c) => c.id));
    const byInstance = new Map<string, StoredOutcome[]>();
    for (const o of outcomes) {
      const list = byInstance.get(o.instanceId) ?? [];
      list.push(o);
      byInstance.set(o.instanceId, list);
    }
    const writes: InstanceWrite[] = [];
    const dispatch: CallWrite[] = [];
    const abandon: CallRef[] = [];
    const delivered: CallRef[] = outcomes.map((o) => ({
      instanceId: o.instanceId,
      callId: o.callId,
    }));
    for (const inst of claimed)
      writes.push(
        await this.advancer.advanceOne(inst, byInstance.get(inst.id) ?? [], dispatch, abandon),
      );
    const { persisted } = await s.persistInstancesEx({
      instances: writes,
      dispatch,
      delivered,
      abandon,
      leaseMs: LEASE_MS,
      owner: OWNER,
    });
    const signalled = [
      ...new Set(
        dispatch
          .filter((c) => c.wait === "signal" && persisted.has(c.instanceId))
          .map((c) => c.instanceId),
      ),
    ];
    if (signalled.length > 0) await s.deliverSignals(signalled);
    const dropped = abandon.filter((c) => persisted.has(c.instanceId));
    if (dropped.length > 0)
      await s.cancelChildrenOf(dropped, JSON.stringify(encodeValue(abandonedChildError())));
    return claimed.length;
  }

  /** The next time anything is due (null: nothing will ever happen by itself). */
  nextEventAt(): number | null {
    const now = this.clock.ms;
    let next: number | null = null;
    const at = (t: number | null | undefined) => {
      if (t === null || t === undefined || !Number.isFinite(t)) return;
      const u = Math.max(t, now);
      if (next === null || u < next) next = u;
    };
    for (const w of this.store.instances.values()) if (!isTerminal(w.status)) at(w.wakeAt);
    for (const c of this.store.calls.values())
      if (c.status === "queued" || c.status === "waiting") at(c.scheduledAt);
    for (const r of this.runner.running.values()) at(r.deadline);
    at(this.schedules.nextFireAt());
    return next;
  }

  /** Moves the clock to `t` (≥ now) and settles there. */
  async moveTo(t: number): Promise<void> {
    if (t > this.clock.ms) this.clock.ms = t;
    await this.runner.expire(this.clock.ms);
    await this.settle();
  }

  /** Moves the clock forward by `ms`, through every event on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.ms + Math.max(0, ms);
    await this.settle();
    for (let moves = 0; ; moves++) {
      const next = this.nextEventAt();
      if (next === null || next > target) break;
      if (moves >= this.maxMoves) throw this.tooManyMoves();
      await this.moveTo(next);
    }
    await this.moveTo(target);
  }

  /** Moves the clock from event to event until `done()` holds. */
  async until(done: () => boolean, blocked: () => string): Promise<void> {
    await this.settle();
    for (let moves = 0; !done(); moves++) {
      const next = this.nextEventAt();
      if (next === null) throw new Error(blocked());
      if (moves >= this.maxMoves) throw this.tooManyMoves();
      await this.moveTo(next);
    }
  }

  private tooManyMoves(): Error {
    return new Error(
      `the test environment moved its clock ${this.maxMoves} times without the workflow ending (now ${new Date(this.clock.ms).toISOString()}): a workflow that sleeps or retries in a loop forever?`,
    );
  }

  /** Why instance `id` cannot go on: what it and its descendants wait for. */
  describeBlocked(id: string): string {
    const reasons: string[] = [];
    const visit = (iid: string) => {
      for (const c of this.store.calls.values()) {
        if (c.instanceId !== iid) continue;
        const r = this.reason(c);
        if (r) reasons.push(`instance ${iid}: ${r}`);
      }
      for (const w of this.store.instances.values())
        if (w.parentId === iid && !isTerminal(w.status)) visit(w.id);
    };
    visit(id);
    return `workflow instance ${id} cannot finish: nothing is scheduled to happen${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}`;
  }

  private reason(c: CallRow): string | undefined {
    if (c.status === "running") {
      const r = this.runner.running.get(callKey(c.instanceId, c.callId));
      if (r?.hanging)
        return `action \`${c.action}\` (call ${c.callId}) hangs with no timeout (give it one, or env.loseWorker() it)`;
      return `action \`${c.action}\` (call ${c.callId}) is running`;
    }
    if (c.status === "waiting" && c.wait === "signal")
      return `it waits for signal "${c.action}" (send it with handle.signal())`;
    return undefined;
  }
}
