// Steps this runner keeps in hand instead of parking them: a step whose calls all fit in local
// workers (this process first, then its process tree's worker processes) keeps its lease while
// they run there; a short sleep is waited out here. Either way the instance comes back through
// the continuation queue (`conts`) and advances from memory, with no claim and no outcome read.
import { decodeStoredPolicy } from "../runtime/index.js";
import type { Blocked, InstanceState } from "../runtime/types.js";
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import type {
  CallWrite,
  InstanceWrite,
  LocalRecord,
} from "../store/postgres/queries/persistInstances.js";
import type { ClaimedInstance, Store, StoredOutcome } from "../store/Store.js";
import { type InlineActions, InlineExecutor } from "../worker/InlineExecutor.js";
import type { LocalExecutor, LocalRoom, LocalSlot } from "../worker/LocalExecutor.js";
import { lostCompletion } from "./lostAttempt.js";
import type { RunnerState } from "./RunnerState.js";
import type { Step } from "./Step.js";

const log = logger("runner");

/** A step waiting on at most this many calls may be run locally whatever other workers exist.
 *  A wider fan-out is run locally only when no worker outside this process tree serves its
 *  actions (nothing to share it with); otherwise it is queued, so every host shares it. */
const LOCAL_MAX_CALLS = 16;

/** Sleeps a runner waits out itself at once (see holdSleep); beyond, sleepers are parked. */
const MAX_HELD_SLEEPS = 10_000;
/** A held sleep's lease ends this long after its deadline (see StepWriter.advanceAndPersist). */
export const SLEEP_LEASE_GRACE_MS = 2000;

/** A slot for `action`: a free one anywhere first, then within `room`. */
function reserveIn(execs: LocalExecutor[], action: string, room: LocalRoom): LocalSlot | undefined {
  for (const e of execs) {
    const s = e.reserve(action, "free");
    if (s) return s;
  }
  if (room === "free") return undefined;
  for (const e of execs) {
    const s = e.reserve(action, room);
    if (s) return s;
  }
  return undefined;
}

export class LocalPlanner {
  private readonly local?: () => LocalExecutor | undefined;
  readonly inline?: InlineExecutor;
  /** Held instances sleeping here (see holdSleep): their timer and the step to run at the end. */
  private readonly sleepers = new Map<
    string,
    { timer: NodeJS.Timeout; step: Step; dueAt: number }
  >();
  /** Actions served by live workers outside this process tree, refreshed every heartbeat;
   *  undefined until first read (then wide fan-outs are queued). */
  private remoteActions?: Set<string>;

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly state: RunnerState,
    local: (() => LocalExecutor | undefined) | undefined,
    inline: InlineActions | undefined,
  ) {
    // WAYMARK_LOCAL_ACTIONS=0 queues every call (A/B comparisons, tests of the queue path).
    const direct = process.env.WAYMARK_LOCAL_ACTIONS !== "0";
    this.local = direct ? local : undefined;
    if (direct && inline && this.cfg.inlineActions > 0) {
      this.inline = new InlineExecutor(this.store, this.cfg, inline, this.state.id);
    }
  }

  /** Whether instance `id` is sleeping here (its lease is the one its write gave it). */
  isSleeping(id: string): boolean {
    return this.sleepers.has(id);
  }

  /** Sleeps waited out here are handed back: advanced once more (the timer fires if due), then
   *  parked with their deadline for any runner to claim. */
  handBackSleeps(): void {
    for (const [id, z] of this.sleepers) {
      clearTimeout(z.timer);
      this.sleepers.delete(id);
      this.state.conts.push({
        ...z.step,
        inst: { ...z.step.inst, timerDue: Date.now() >= z.dueAt },
      });
    }
  }

  /** Slots of local workers for every call of this step, when the instance then waits only on
   *  those calls (so holding its lease delays nothing else); undefined = queue them. */
  planLocal(
    w: InstanceWrite,
    calls: CallWrite[],
    blocked: Blocked | undefined,
  ): LocalSlot[] | undefined {
    if (this.state.stopping || w.status !== "waiting" || blocked?.type !== "actions")
      return undefined;
    if (calls.length === 0 || calls.some((c) => c.wait)) return undefined;
    // Nothing to share with: no live worker outside this tree serves these actions. Then the
    // calls may wait in a local worker's queue rather than in Postgres (nobody else would take
    // them): a fan-out of any width stays whole in local queues; a small step may queue behind
    // up to twice a worker's slots (beyond that it goes through Postgres, where calls from the
    // queue — retries among them — are claimed in order, not behind an unbounded local queue).
    const remote = this.remoteActions;
    const alone = remote !== undefined && !calls.some((c) => remote.has(c.action));
    const wide = calls.length > LOCAL_MAX_CALLS;
    if (wide && !alone) return undefined;
    const room: LocalRoom = !alone ? "free" : wide ? "any" : "queue";
    const ids = new Set(calls.map((c) => c.callId));
    if (!blocked.callIds.every((id) => ids.has(id))) return undefined;
    const execs = this.executors();
    if (execs.length === 0) return undefined;
    const slots: LocalSlot[] = [];
    for (const c of calls) {
      const s = reserveIn(execs, c.action, room);
      if (!s) {
        for (const x of slots) x.cancel();
        return undefined;
      }
      slots.push(s);
    }
    return slots;
  }

  /** Whether to wait out this step's new sleep here, keeping the lease: a short sleep (at most
   *  holdSleepMs and half a lease) of an instance that then waits on nothing else. At its end
   *  the instance advances from memory — no claim, no outcome read — in the next continuation
   *  statement. Its row is written as usual (status sleeping, timer and wake-up at the
   *  deadline) with a lease that ends SLEEP_LEASE_GRACE_MS after the deadline: if this process
   *  dies, any runner claims the instance then and fires the timer; if this one is late past
   *  the grace, another may take it over (the fence keeps one write). */
  canHoldSleep(w: InstanceWrite, blocked: Blocked | undefined, pending: number): boolean {
    if (this.state.stopping || w.status !== "sleeping" || blocked?.type !== "timer") return false;
    if (w.sleepMs === null) return false;
    const limit = Math.min(this.cfg.holdSleepMs, this.cfg.lockTtlMs / 2);
    return w.sleepMs <= limit && this.sleepers.size + pending < MAX_HELD_SLEEPS;
  }

  holdSleep(inst: ClaimedInstance, w: InstanceWrite, decoded?: InstanceState): void {
    const ms = w.sleepMs ?? 0;
    const step: Step = {
      decoded,
      inst: {
        ...inst,
        fresh: false,
        state: w.state,
        timerId: w.timerId,
        timerDue: true,
        steps: inst.steps + w.stepsAdded,
      },
      outcomes: [],
      records: [],
    };
    if (this.state.stopping) {
      // Stopped while the statement was in flight: hand it back at once (see stop()).
      this.state.conts.push({ ...step, inst: { ...step.inst, timerDue: ms === 0 } });
      this.state.contWake.notify();
      return;
    }
    // The deadline was set from the database clock when the statement started; this timer
    // starts after its answer, so it never fires before the stored deadline.
    const timer = setTimeout(() => {
      this.sleepers.delete(w.id);
      this.state.conts.push(step);
      this.state.contWake.notify();
    }, ms);
    this.sleepers.set(w.id, { timer, step, dueAt: Date.now() + ms });
  }

  /** Runs the calls the persist inserted as running (attempt 1, charged by that commit) in
   *  local workers; when all are back, queues the held instance to advance with their outcomes.
   *  A call whose worker died is recorded as lost (retried if its policy allows), as the
   *  reaper would after its lease expired. */
  runLocal(
    inst: ClaimedInstance,
    w: InstanceWrite,
    calls: CallWrite[],
    slots: LocalSlot[],
    started: Set<string>,
    decoded?: InstanceState,
  ): void {
    const next: ClaimedInstance = {
      ...inst,
      fresh: false,
      state: w.state,
      timerId: null,
      timerDue: false,
      steps: inst.steps + w.stepsAdded,
    };
    const runs: Promise<LocalRecord>[] = [];
    calls.forEach((c, k) => {
      const slot = slots[k] as LocalSlot;
      if (!started.has(`${c.instanceId}/${c.callId}`)) {
        slot.cancel();
        return;
      }
      const policy = decodeStoredPolicy(c.policyJson);
      const call = {
        instanceId: c.instanceId,
        callId: c.callId,
        action: c.action,
        args: JSON.parse(c.argsJson) as unknown,
        policy,
        attempt: 1,
        lostAttempts: 0,
      };
      // What the call row is inserted with, once its outcome is recorded (0008_local_calls.sql).
      const row = { action: c.action, argsJson: c.argsJson, policyJson: c.policyJson };
      runs.push(
        slot.run(call).then(
          (d): LocalRecord => ({ ...d, ...row }),
          (e: Error): LocalRecord => {
            log.warn(`local call ${c.instanceId}/${c.callId} lost: ${e.message}`);
            const lost = lostCompletion(
              {
                instanceId: c.instanceId,
                callId: c.callId,
                action: c.action,
                attempt: 1,
                lostBefore: 0,
                policy,
                worker: slot.workerId,
                how: `was lost while running it (${e.message})`,
              },
              this.cfg.maxLostAttempts,
            );
            return { ...lost, ...row };
          },
        ),
      );
    });
    const finish = (done: LocalRecord[]) => {
      const outcomes: StoredOutcome[] = [];
      for (const d of done)
        if (d.kind !== "retry" && d.kind !== "release")
          outcomes.push({
            instanceId: d.instanceId,
            callId: d.callId,
            success: d.success,
            result: JSON.parse(d.resultJson) as unknown,
          });
      this.state.conts.push({ inst: next, outcomes, records: done, decoded });
      this.state.contWake.notify();
    };
    // One call (a sequential step): no Promise.all around it.
    if (runs.length === 1) void (runs[0] as Promise<LocalRecord>).then((d) => finish([d]));
    else void Promise.all(runs).then(finish);
  }

  /** Where this runner can run calls without the queue: its own process first (no hop), then
   *  its process tree's worker processes. */
  private executors(): LocalExecutor[] {
    return [this.inline, this.local?.()].filter((e): e is LocalExecutor => e !== undefined);
  }

  async refreshRemoteActions(liveMs: number): Promise<void> {
    const execs = this.executors();
    if (execs.length === 0) return;
    const mine = execs.flatMap((e) => e.workerIds());
    const remote = await this.store.liveWorkerActions(mine, liveMs);
    const before = [...(this.remoteActions ?? [])].sort().join(",");
    const after = [...remote].sort().join(",");
    if (before !== after || this.remoteActions === undefined)
      log.info(
        `actions served by workers outside this process tree: ${after || "none"} (this tree's workers: ${mine.length})`,
      );
    this.remoteActions = remote;
  }

  async refreshQuarantine(): Promise<void> {
    if (this.inline) this.inline.setQuarantined(await this.store.quarantinedInlineActions());
  }
}
