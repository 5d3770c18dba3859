// One step of a batch of instances: each is advanced (InstanceAdvancer) and the whole batch is
// written in one fenced statement — instance rows, the calls and waits they dispatch, the
// outcomes they consumed or recorded locally. Steps LocalPlanner keeps in hand are started once
// that statement committed; the others are parked and leave this process's memory.
import { failpoints } from "../failpoints/failpoint.js";
import type { InstanceState } from "../runtime/types.js";
import type { EngineConfig } from "../store/config.js";
import { isTransientDbError } from "../store/isTransientDbError.js";
import { logger } from "../store/log.js";
import type {
  CallRef,
  CallWrite,
  InstanceWrite,
  LocalRecord,
  PersistBatch,
  PersistResult,
} from "../store/postgres/queries/persistInstances.js";
import type { Store } from "../store/Store.js";
import { encodeValue } from "../values/index.js";
import type { LocalSlot } from "../worker/LocalExecutor.js";
import { abandonedChildError } from "./engineErrors.js";
import type { AdvanceOut, InstanceAdvancer } from "./InstanceAdvancer.js";
import { type LocalPlanner, SLEEP_LEASE_GRACE_MS } from "./LocalPlanner.js";
import type { RunnerState } from "./RunnerState.js";
import type { Step } from "./Step.js";
import type { WaitExpirer } from "./WaitExpirer.js";

const log = logger("runner");

export class StepWriter {
  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly state: RunnerState,
    private readonly advancer: InstanceAdvancer,
    private readonly planner: LocalPlanner,
    private readonly expirer: WaitExpirer,
  ) {}

  /** Advances a batch and writes it in one statement; steps that wait only on calls local
   *  workers serve keep their lease and have those calls run there (then come back through
   *  `conts`). */
  async advanceAndPersist(steps: Step[], delivered: CallRef[]): Promise<void> {
    const writes: InstanceWrite[] = [];
    const dispatch: CallWrite[] = [];
    const abandon: CallRef[] = [];
    const records: LocalRecord[] = [];
    const plans = new Map<
      string,
      {
        step: Step;
        write: InstanceWrite;
        calls: CallWrite[];
        slots: LocalSlot[];
        state: InstanceState | undefined;
      }
    >();
    const sleeps = new Map<string, { step: Step; state: InstanceState | undefined }>();
    for (const step of steps) {
      records.push(...step.records);
      const calls: CallWrite[] = [];
      const out: AdvanceOut = { decoded: step.decoded };
      step.decoded = undefined;
      const w = await this.advancer.advanceOne(step.inst, step.outcomes, calls, abandon, out);
      const slots = this.planner.planLocal(w, calls, out.blocked);
      if (slots) {
        w.hold = true;
        // Still run by this runner: the status the claim wrote stays, so the step's update
        // changes no indexed column and can be HOT (0002_fillfactor.sql).
        w.status = "running";
        calls.forEach((c, k) => {
          c.runAs = (slots[k] as LocalSlot).workerId;
        });
        plans.set(w.id, { step, write: w, calls, slots, state: out.state });
      } else if (this.planner.canHoldSleep(w, out.blocked, sleeps.size)) {
        w.hold = true;
        // The lease ends shortly after the deadline and is not renewed: if this process dies,
        // another runner resumes the instance about on time, not a whole lease later.
        w.leaseMs = (w.sleepMs ?? 0) + Math.min(this.cfg.lockTtlMs, SLEEP_LEASE_GRACE_MS);
        sleeps.set(w.id, { step, state: out.state });
      }
      dispatch.push(...calls);
      writes.push(w);
    }
    const persisting = this.persistRepeating({
      instances: writes,
      dispatch,
      delivered,
      abandon,
      records,
      leaseMs: this.cfg.lockTtlMs,
      repeat: steps.some((x) => x.repeat),
      owner: this.state.id,
    }).catch((e) => {
      for (const p of plans.values()) for (const s of p.slots) s.cancel();
      throw e;
    });
    // mid_persist fires once the statement is on the wire (a turn of the event loop later).
    if (failpoints.on) {
      persisting.catch(() => {}); // still awaited below; no unhandled rejection meanwhile
      await new Promise<void>((r) => setImmediate(r)).then(() => failpoints.hit("mid_persist"));
    }
    const { persisted, localStarted, repeated } = await persisting;
    if (failpoints.on && dispatch.length > 0) await failpoints.hit("after_dispatch_commit");
    await this.startWaits(dispatch, persisted);
    if (abandon.length > 0) await this.cancelAbandonedChildren(abandon, persisted);
    const { held, localHeld, stats } = this.state;
    for (const w of writes) {
      const plan = plans.get(w.id);
      const sleep = sleeps.get(w.id);
      if (plan && persisted.has(w.id)) {
        localHeld.add(w.id);
        held.add(w.id);
        this.planner.runLocal(
          plan.step.inst,
          plan.write,
          plan.calls,
          plan.slots,
          localStarted,
          plan.state,
        );
      } else if (sleep && persisted.has(w.id)) {
        localHeld.add(w.id);
        held.add(w.id);
        this.planner.holdSleep(sleep.step.inst, w, sleep.state);
      } else {
        for (const s of plan?.slots ?? []) s.cancel();
        if (localHeld.delete(w.id) || w.fresh) held.delete(w.id);
      }
      if (!persisted.has(w.id) && w.fresh) {
        // Claimed, cancelled or started by another runner before this write.
        log.debug(`instance ${w.id}: no longer as inserted; its first write was left out`);
      } else if (!persisted.has(w.id) && repeated && !w.hold) {
        // Released by the first statement if it committed: then claimed again meanwhile.
        log.info(
          `instance ${w.id}: not written by the repeated statement (fence ${w.fence} superseded: claimed again since the first one committed, or since its lease expired)`,
        );
      } else if (!persisted.has(w.id)) {
        stats.dropped++;
        log.warn(
          `instance ${w.id}: lease lost (fence ${w.fence} superseded); dropped without writing`,
        );
      } else if (w.status === "completed") {
        stats.completed++;
        log.debug(`instance ${w.id} completed`);
      } else if (w.status === "failed") {
        stats.failed++;
        log.info(`instance ${w.id} failed: ${w.errorJson?.slice(0, 300)}`);
      }
    }
  }

  /** Waits just written: a signal kept before its wait is delivered to it now (the sender
   *  found no wait then; 0010_signals_children.sql); a deadline gets a timer here. */
  private async startWaits(dispatch: CallWrite[], persisted: Set<string>): Promise<void> {
    const signalled = new Set<string>();
    for (const c of dispatch) {
      if (!c.wait || !persisted.has(c.instanceId)) continue;
      if (c.wait === "signal") signalled.add(c.instanceId);
      if (c.wait !== "child") this.expirer.at(c.timeoutMs ?? 0);
    }
    if (signalled.size === 0) return;
    try {
      await this.store.deliverSignals([...signalled]);
    } catch (e) {
      // The instances stay parked on their waits and the signals stay kept: the next signal
      // sent to them, or the expirer's sweep (waymark_deliver_kept), delivers them.
      log.warn(`delivering kept signals failed: ${(e as Error).message}`);
    }
  }

  /** Child workflows among the calls a written step abandoned are cancelled: nobody waits for
   *  their result any more. A failure leaves them running to their end (their outcome is
   *  ignored), which is logged. */
  private async cancelAbandonedChildren(abandon: CallRef[], persisted: Set<string>): Promise<void> {
    const mine = abandon.filter((c) => persisted.has(c.instanceId));
    if (mine.length === 0) return;
    try {
      await this.store.cancelChildrenOf(mine, JSON.stringify(encodeValue(abandonedChildError())));
    } catch (e) {
      log.warn(`cancelling abandoned child workflows failed: ${(e as Error).message}`);
    }
  }

  /** The persist statement, repeated while the connection fails — for up to half a lease (the
   *  heartbeat keeps the batch's leases meanwhile). Repeating it is safe when the first one
   *  committed and only its answer was lost: every write in it is fenced or insert-if-absent,
   *  and an instance whose row already holds this very write is reported as written (`already`
   *  in persistInstances.ts), so the runner goes on with it instead of waiting out its lease. */
  private async persistRepeating(b: PersistBatch): Promise<PersistResult & { repeated: boolean }> {
    const deadline = Date.now() + this.cfg.lockTtlMs / 2;
    let delay = 25;
    let repeated = false;
    for (;;) {
      try {
        const r = await this.store.persistInstancesEx(b);
        if (failpoints.on) await failpoints.hit("after_persist_commit");
        return { ...r, repeated };
      } catch (e) {
        if (!isTransientDbError(e) || Date.now() + delay > deadline) throw e;
        log.warn(
          `persisting ${b.instances.length} instance(s) failed, repeating the statement: ${(e as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
        repeated = true;
        b.repeat = true;
      }
    }
  }
}
