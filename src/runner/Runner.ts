// The runner: claims runnable instances with leases, feeds them their new events, advances the
// interpreter and parks them again in one fenced statement. A parked instance lives in no
// process's memory; only the instances of the batch being processed are held (and their leases
// renewed by the heartbeat until they are persisted).

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { failpoints } from "../failpoints/failpoint.js";
import { validate } from "../ir/index.js";
import type { Program } from "../ir/types.js";
import {
  advance,
  decodeState,
  decodeStoredPolicy,
  encodeState,
  encodeStoredPolicy,
  startState,
} from "../runtime/index.js";
import type { Blocked, ErrorValue, Event, InstanceState } from "../runtime/types.js";
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
import {
  CHANNEL_INSTANCES,
  type FreshInstance,
  parseFreshPayload,
  parseRunnersPayload,
} from "../store/postgres/queries/types.js";
import type { ClaimedInstance, Store, StoredOutcome } from "../store/Store.js";
import { decodeValue, encodeValue } from "../values/index.js";
import { assertPayloadSize } from "../values/payloadLimit.js";
import { type InlineActions, InlineExecutor } from "../worker/InlineExecutor.js";
import type { LocalExecutor, LocalRoom, LocalSlot } from "../worker/LocalExecutor.js";
import { CallReaper } from "./CallReaper.js";
import { ChildVersions } from "./ChildVersions.js";
import { abandonedChildError, workflowInternalError } from "./engineErrors.js";
import { Housekeeper } from "./Housekeeper.js";
import { lostCompletion } from "./lostAttempt.js";
import { WaitExpirer } from "./WaitExpirer.js";
import { Wakeup } from "./Wakeup.js";

const log = logger("runner");

export interface RunnerOptions {
  store: Store;
  config: EngineConfig;
  /** Instances claimed per round trip. */
  batchSize?: number;
  /** Claim loops running concurrently (pipelines round trips). */
  loops?: number;
  /** The worker processes of this process tree, if any: a step that waits only on calls they
   *  serve is run there directly (see planLocal). */
  local?: () => LocalExecutor | undefined;
  /** Actions registered in this process: a step's calls of them may run right here, without a
   *  hop to a worker process (config.inlineActions at once; see InlineExecutor). */
  inline?: InlineActions;
}

/** One instance to advance: what it was claimed (or is held) with, the outcomes to apply, and
 *  the outcomes of its locally run calls to record in the same statement. */
interface Step {
  inst: ClaimedInstance;
  outcomes: StoredOutcome[];
  records: LocalRecord[];
  /** The state of a held instance as this process left it (equal to `inst.state` decoded):
   *  taken once, so a step advanced again after a failed statement decodes `inst.state`. */
  decoded?: InstanceState;
  /** Advanced again after a statement that failed — and may have committed unseen. */
  repeat?: boolean;
}

/** A step waiting on at most this many calls may be run locally whatever other workers exist.
 *  A wider fan-out is run locally only when no worker outside this process tree serves its
 *  actions (nothing to share it with); otherwise it is queued, so every host shares it. */
const LOCAL_MAX_CALLS = 16;

/** Sleeps a runner waits out itself at once (see holdSleep); beyond, sleepers are parked. */
const MAX_HELD_SLEEPS = 10_000;
/** A held sleep's lease ends this long after its deadline (see advanceAndPersist). */
const SLEEP_LEASE_GRACE_MS = 2000;

/** Lease renewals per heartbeat for rows a write had locked (see renewLeases). */
const RENEW_TRIES = 4;
const RENEW_RETRY_MS = 25;

/** Outcomes of local calls recorded per continuation statement (at least one whole step). */
const MAX_RECORDS = 2000;

/** Steps per continuation statement: a burst (500 sleepers waking at once) goes out in several
 *  statements, so that advancing the next batch overlaps the database writing this one. C: 256
 *  → 64, 1,161 → 1,131 ms (medians of four alternating; 32 was no better). */
const CONT_MAX_STEPS = 64;

/** Ready steps that send a second continuation statement while one is in flight. Always two
 *  loops sent smaller statements (A: 4,613 → 4,008 actions/s, +22 % engine and +46 % server
 *  CPU per action); one loop made ready steps wait out a whole statement; with this bound,
 *  4,712 → 5,498 actions/s (medians of five alternating runs; docs/performance.md). */
const OVERFLOW_MIN_STEPS = 8;

/** Steps waiting for the continuation loop beyond which announced new instances are left to
 *  be claimed (after FRESH_GRACE_MS) instead of started from their notification. */
const MAX_FRESH_BACKLOG = 10_000;

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

/** advanceOne's side results: what the instance is blocked on, and its new state (kept for
 *  the next step of a held instance); `decoded` in: the state to advance, if already known. */
interface AdvanceOut {
  blocked?: Blocked;
  state?: InstanceState;
  decoded?: InstanceState;
}

type LoadedProgram = { ok: true; program: Program } | { ok: false; reason: string };

export class Runner {
  readonly id = `runner:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly store: Store;
  private readonly cfg: EngineConfig;
  private readonly batchSize: number;
  private readonly loops: number;
  private readonly wake = new Wakeup();
  private readonly held = new Set<string>();
  /** Instances whose lease this runner keeps while their calls run in local workers. */
  private readonly localHeld = new Set<string>();
  /** Held instances sleeping here (see holdSleep): their timer and the step to run at the end. */
  private readonly sleepers = new Map<
    string,
    { timer: NodeJS.Timeout; step: Step; dueAt: number }
  >();
  /** Held instances whose local calls all finished, ready to advance. */
  private readonly conts: Step[] = [];
  private readonly contWake = new Wakeup();
  private readonly local?: () => LocalExecutor | undefined;
  private readonly inline?: InlineExecutor;
  private readonly programs = new Map<string, Promise<LoadedProgram>>();
  /** Actions served by live workers outside this process tree, refreshed every heartbeat;
   *  undefined until first read (then wide fan-outs are queued). */
  private remoteActions?: Set<string>;
  private stopping = false;
  /** Live runners, sorted (ownsFresh); this one among them. */
  private runners: string[] = [];
  /** Runners that announced they are stopping (left out of `runners`). */
  private readonly leaving = new Set<string>();
  /** Start announced new instances from their notification (WAYMARK_FRESH_STARTS=0: leave
   *  them to claims, after FRESH_GRACE_MS — tests of the claim path). */
  private readonly freshStarts = process.env.WAYMARK_FRESH_STARTS !== "0";
  /** Set by a connection failure: a claim or held write may have committed unseen. */
  private mayHaveOrphans = false;
  private claimsInFlight = 0;
  private adopting?: Promise<void>;
  /** When this runner's last heartbeat was written, and since when it has been reaching the
   *  database without a gap — its start, or its return after losing the database
   *  (failUnserved waits a grace after that). */
  private lastBeatAt = Date.now();
  private seeingSince = Date.now();
  /** How recent a worker's heartbeat must be for it to count as live. */
  private liveMs(): number {
    return Math.max(this.cfg.lockTtlMs, 3 * this.cfg.lockHeartbeatMs);
  }
  private running: Promise<void>[] = [];
  private maintenance?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  readonly housekeeper: Housekeeper;
  private readonly reaper: CallReaper;
  private readonly children: ChildVersions;
  private readonly expirer: WaitExpirer;
  /** Counters for logs and benchmarks. */
  readonly stats = { advanced: 0, completed: 0, failed: 0, dropped: 0 };

  constructor(opts: RunnerOptions) {
    this.store = opts.store;
    this.cfg = opts.config;
    this.batchSize = opts.batchSize ?? 256;
    this.loops = opts.loops ?? 2;
    // WAYMARK_LOCAL_ACTIONS=0 queues every call (A/B comparisons, tests of the queue path).
    const direct = process.env.WAYMARK_LOCAL_ACTIONS !== "0";
    this.local = direct ? opts.local : undefined;
    if (direct && opts.inline && this.cfg.inlineActions > 0) {
      this.inline = new InlineExecutor(this.store, this.cfg, opts.inline, this.id);
    }
    this.housekeeper = new Housekeeper(this.store, this.cfg);
    this.reaper = new CallReaper(this.store, this.cfg);
    this.children = new ChildVersions(this.store);
    this.expirer = new WaitExpirer(this.store);
  }

  async start(): Promise<void> {
    this.seeingSince = Date.now();
    this.lastBeatAt = this.seeingSince;
    // One claim per notification: the loop it wakes claims everything due, and wakes another
    // loop when it found a full burst. A new instance's notification carries what its first
    // step needs: it is started from there, with no claim (takeFresh).
    this.unlisten = await this.store.listen([CHANNEL_INSTANCES], (_channel, payload) => {
      const runner = parseRunnersPayload(payload);
      if (runner) {
        if (runner.leaving) this.leaving.add(runner.id);
        void this.refreshRunners().catch(() => {});
        return;
      }
      const fresh = this.freshStarts ? parseFreshPayload(payload) : undefined;
      if (fresh === undefined) this.wake.notifyOne();
      else if (this.ownsFresh(fresh.id)) this.takeFresh(fresh);
    });
    await this.store.heartbeatWorker(this.id, "runner", hostname(), process.pid, []);
    await this.refreshRunners().catch(() => {});
    await this.store.announceRunner(this.id, false).catch(() => {});
    if (this.inline) {
      await this.refreshQuarantine().catch(() => {});
      await this.inline.start();
    }
    await this.refreshRemoteActions().catch(() => {});
    this.maintenance = setInterval(() => void this.maintain(), this.cfg.lockHeartbeatMs);
    this.housekeeper.start();
    this.expirer.start();
    for (let i = 0; i < this.loops; i++) this.running.push(this.loop(i));
    this.running.push(this.contLoop(), this.contLoop(true));
    log.info(
      `started ${this.id} (lease ${this.cfg.lockTtlMs}ms, heartbeat ${this.cfg.lockHeartbeatMs}ms)`,
    );
  }

  /** Stops claiming, finishes the batches in hand (persisting them), and releases nothing else:
   *  parked instances hold no lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    // The other runners take over this one's share of new instances now.
    await this.store.announceRunner(this.id, true).catch(() => {});
    this.wake.notify();
    this.contWake.notify();
    // Calls running here finish (their steps are then persisted by contLoop); calls not started
    // yet are handed back as released, to be run elsewhere.
    const inlineStopped = this.inline?.stop();
    // Sleeps waited out here are handed back: advanced once more (the timer fires if due), then
    // parked with their deadline for any runner to claim.
    for (const [id, z] of this.sleepers) {
      clearTimeout(z.timer);
      this.sleepers.delete(id);
      this.conts.push({ ...z.step, inst: { ...z.step.inst, timerDue: Date.now() >= z.dueAt } });
    }
    this.contWake.notify();
    await Promise.all(this.running);
    await inlineStopped;
    if (this.maintenance) clearInterval(this.maintenance);
    this.housekeeper.stop();
    this.expirer.stop();
    await this.unlisten?.();
    await this.store.removeWorker(this.id).catch(() => {});
    log.info(`stopped ${this.id}`);
  }

  /** Whether this runner starts the announced instance `id`: every runner hears every
   *  announcement, and the live runners split them by id (each in its own sorted list of them,
   *  refreshed every heartbeat). Lists that disagree for a while (a runner started or stopped)
   *  make two runners write the same first step — the row takes one, the other is left out — or
   *  none, and the instance is claimed after FRESH_GRACE_MS. */
  private ownsFresh(id: string): boolean {
    const n = this.runners.length;
    if (n <= 1) return true;
    return this.runners[Number(BigInt(id) % BigInt(n))] === this.id;
  }

  private async refreshRunners(): Promise<void> {
    const live = await this.store.liveRunners(2 * this.cfg.lockHeartbeatMs + 1000);
    // A runner that said it is leaving is left out (its row stays until it has stopped).
    for (const id of this.leaving) if (!live.includes(id)) this.leaving.delete(id);
    const mine = live.filter((id) => !this.leaving.has(id));
    if (!mine.includes(this.id)) mine.push(this.id);
    this.runners = mine.sort();
  }

  /** Starts an instance announced by its insert: its first step goes into the next
   *  continuation statement, which claims it (a fresh write: only if the row is still as
   *  inserted). Left to a claim when stopping or with a backlog too long: the insert delayed its
   *  wake-up by FRESH_GRACE_MS, after which any runner claims it. */
  private takeFresh(f: FreshInstance): void {
    if (this.stopping || this.conts.length >= MAX_FRESH_BACKLOG) return;
    // In `held` from here: an adoption (after a lost answer) leaves it to this runner's write.
    this.held.add(f.id);
    this.conts.push({
      inst: {
        id: f.id,
        fence: "0",
        versionId: f.versionId,
        workflowName: f.workflowName,
        state: null,
        input: f.input,
        timerId: null,
        timerDue: false,
        steps: 0,
        fresh: true,
      },
      outcomes: [],
      records: [],
    });
    this.contWake.notify();
  }

  private async loop(index: number): Promise<void> {
    let errorDelay = 50;
    while (!this.stopping) {
      const mark = this.wake.mark();
      try {
        const claimed = await this.claim();
        errorDelay = 50;
        if (claimed.length === 0) {
          // Loop 0 alone tracks the next deadline (timers, expired leases); the others wait for
          // a notification or the poll interval: an empty wake-up costs one read per loop.
          const next = index === 0 ? await this.store.nextInstanceWakeMs() : null;
          // +5 ms: a deadline computed from the database clock must have passed when we claim.
          const ms = Math.min(
            this.cfg.pollIntervalMs,
            next === null ? Number.POSITIVE_INFINITY : next + 5,
          );
          await this.wake.wait(ms, mark);
          continue;
        }
        // A burst (timers send no notification): let the other loops claim in parallel.
        if (claimed.length >= 32) this.wake.notifyOne();
        try {
          await this.processBatch(claimed);
        } finally {
          for (const c of claimed) if (!this.localHeld.has(c.id)) this.held.delete(c.id);
        }
      } catch (e) {
        if (isTransientDbError(e)) this.mayHaveOrphans = true;
        log.error(`runner loop error: ${(e as Error).message}`);
        await this.wake.wait(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  /** Claims due instances — or, first, after a connection failure, takes back the instances
   *  leased to this runner that it does not know it holds (a claim whose answer was lost).
   *  Only while no other claim of this runner is in flight: its rows are not in `held` yet
   *  (claimed rows enter `held` before the count of claims in flight drops). */
  private async claim(): Promise<ClaimedInstance[]> {
    // Nor does a claim start while an adoption is in flight: the rows it claimed could be
    // committed before the adoption's statement runs, and be taken from under it.
    while (this.adopting) await this.adopting;
    const adopt = this.mayHaveOrphans && this.claimsInFlight === 0;
    if (adopt) this.mayHaveOrphans = false;
    let adopted: () => void = () => {};
    if (adopt)
      this.adopting = new Promise<void>((r) => {
        adopted = () => {
          this.adopting = undefined;
          r();
        };
      });
    this.claimsInFlight++;
    const hold = (rows: ClaimedInstance[]) => {
      for (const c of rows) this.held.add(c.id);
      return rows;
    };
    try {
      if (adopt) {
        const orphans = await this.store.adoptInstances(
          this.id,
          [...this.held],
          this.cfg.lockTtlMs,
        );
        if (orphans.length > 0) {
          log.warn(
            `took back ${orphans.length} instance(s) leased to this runner whose claim or write was not seen through (a lost answer)`,
          );
          return hold(orphans);
        }
      }
      const claimed = await this.store.claimInstances(this.id, this.batchSize, this.cfg.lockTtlMs);
      // `error` here is a claim whose answer was lost: committed, never seen.
      if (failpoints.on && claimed.length > 0) await failpoints.hit("after_claim_commit");
      return hold(claimed);
    } catch (e) {
      if (adopt) this.mayHaveOrphans = true;
      throw e;
    } finally {
      this.claimsInFlight--;
      adopted();
    }
  }

  private program(versionId: string): Promise<LoadedProgram> {
    let p = this.programs.get(versionId);
    if (!p) {
      p = this.store.loadVersion(versionId).then(
        (v): LoadedProgram => {
          const program = v.ir as Program;
          let problems: string[];
          try {
            problems = validate(program);
          } catch (e) {
            problems = [(e as Error).message];
          }
          if (problems.length > 0)
            return {
              ok: false,
              reason: `workflow "${v.name}" version "${v.version}" has an invalid IR: ${problems.slice(0, 5).join("; ")}`,
            };
          return { ok: true, program };
        },
        (e: Error): LoadedProgram => {
          this.programs.delete(versionId); // transient (database) errors are retried
          throw e;
        },
      );
      this.programs.set(versionId, p);
    }
    return p;
  }

  private async processBatch(claimed: ClaimedInstance[]): Promise<void> {
    // A new instance (no state yet) has no calls: no outcome read for a batch of only those.
    const started = claimed.filter((c) => c.state !== null).map((c) => c.id);
    const outcomes = started.length > 0 ? await this.store.loadOutcomes(started) : [];
    if (failpoints.on && outcomes.length > 0) await failpoints.hit("after_outcomes_loaded");
    const byInstance = new Map<string, StoredOutcome[]>();
    for (const o of outcomes) {
      const list = byInstance.get(o.instanceId) ?? [];
      list.push(o);
      byInstance.set(o.instanceId, list);
    }
    const delivered: CallRef[] = [];
    const steps: Step[] = claimed.map((inst) => {
      const mine = byInstance.get(inst.id) ?? [];
      for (const o of mine) delivered.push({ instanceId: inst.id, callId: o.callId });
      return { inst, outcomes: mine, records: [] };
    });
    await this.advanceAndPersist(steps, delivered);
  }

  /** Advances a batch and writes it in one statement; steps that wait only on calls local
   *  workers serve keep their lease and have those calls run there (then come back through
   *  `conts`). */
  private async advanceAndPersist(steps: Step[], delivered: CallRef[]): Promise<void> {
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
      const w = await this.advanceOne(step.inst, step.outcomes, calls, abandon, out);
      const slots = this.planLocal(w, calls, out.blocked);
      if (slots) {
        w.hold = true;
        // Still run by this runner: the status the claim wrote stays, so the step's update
        // changes no indexed column and can be HOT (0002_fillfactor.sql).
        w.status = "running";
        calls.forEach((c, k) => {
          c.runAs = (slots[k] as LocalSlot).workerId;
        });
        plans.set(w.id, { step, write: w, calls, slots, state: out.state });
      } else if (this.canHoldSleep(w, out.blocked, sleeps.size)) {
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
      owner: this.id,
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
    for (const w of writes) {
      const plan = plans.get(w.id);
      const sleep = sleeps.get(w.id);
      if (plan && persisted.has(w.id)) {
        this.localHeld.add(w.id);
        this.held.add(w.id);
        this.runLocal(plan.step.inst, plan.write, plan.calls, plan.slots, localStarted, plan.state);
      } else if (sleep && persisted.has(w.id)) {
        this.localHeld.add(w.id);
        this.held.add(w.id);
        this.holdSleep(sleep.step.inst, w, sleep.state);
      } else {
        for (const s of plan?.slots ?? []) s.cancel();
        if (this.localHeld.delete(w.id) || w.fresh) this.held.delete(w.id);
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
        this.stats.dropped++;
        log.warn(
          `instance ${w.id}: lease lost (fence ${w.fence} superseded); dropped without writing`,
        );
      } else if (w.status === "completed") {
        this.stats.completed++;
        log.debug(`instance ${w.id} completed`);
      } else if (w.status === "failed") {
        this.stats.failed++;
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

  /** Advances one instance; never throws: a deterministic failure fails the instance once. */
  private async advanceOne(
    inst: ClaimedInstance,
    outcomes: StoredOutcome[],
    dispatch: CallWrite[],
    abandon: CallRef[],
    out: AdvanceOut = {},
  ): Promise<InstanceWrite> {
    const base = {
      id: inst.id,
      fence: inst.fence,
      fresh: inst.fresh === true,
      resultJson: null,
      errorJson: null,
      timerId: null,
      sleepMs: null,
      stepsAdded: 0,
    };
    const fail = (error: ErrorValue, state: string | null = inst.state): InstanceWrite => ({
      ...base,
      status: "failed",
      state,
      errorJson: JSON.stringify(encodeValue(error, "workflow error")),
    });
    const loaded = await this.program(inst.versionId);
    if (!loaded.ok) return fail(workflowInternalError(loaded.reason));
    const program = loaded.program;

    let state: InstanceState;
    const events: Event[] = [];
    try {
      state =
        out.decoded ??
        (inst.state === null
          ? startState(program, decodeValue(inst.input as never) as unknown[])
          : decodeState(inst.state));
      for (const o of outcomes) {
        const value = decodeValue(o.result as never);
        events.push({
          type: "action",
          callId: o.callId,
          outcome: o.success ? { ok: true, value } : { ok: false, error: value as ErrorValue },
        });
      }
      if (inst.timerDue && inst.timerId !== null)
        events.push({ type: "timer", timerId: inst.timerId });
    } catch (e) {
      return fail(
        workflowInternalError(
          `could not load the state of instance ${inst.id}: ${(e as Error).message}`,
        ),
      );
    }

    let r: ReturnType<typeof advance>;
    try {
      r = advance(program, state, events, { stepBudget: this.cfg.stepBudget });
    } catch (e) {
      return fail(workflowInternalError(`the interpreter failed: ${(e as Error).message}`));
    }
    this.stats.advanced++;
    out.blocked = r.blocked;
    const instDispatch: CallWrite[] = [];
    let sleepMs: number | null = null;
    let stateText: string;
    try {
      for (const c of r.commands) {
        if (c.type === "dispatch" && c.wait) {
          const what =
            c.wait.kind === "child" ? `child workflow \`${c.action}\`` : `signal \`${c.action}\``;
          const argsJson = JSON.stringify(encodeValue(c.args, `arguments of ${what}`));
          assertPayloadSize(argsJson, `the input of ${what}`);
          const w: CallWrite = {
            instanceId: inst.id,
            callId: c.callId,
            action: c.action,
            argsJson,
            policyJson: null,
            wait: c.wait.kind,
          };
          if (c.wait.kind !== "child") w.timeoutMs = c.wait.timeoutMs;
          else {
            const versionId = await this.children.resolve(c.action);
            if (versionId === undefined)
              return fail(
                workflowInternalError(
                  `child workflow \`${c.action}\` is not registered: no engine process imports its class and no client has started it (load its module with --module)`,
                ),
              );
            w.childVersionId = versionId;
          }
          instDispatch.push(w);
        } else if (c.type === "dispatch") {
          const argsJson = JSON.stringify(
            encodeValue(c.args, `arguments of action \`${c.action}\``),
          );
          assertPayloadSize(argsJson, `the arguments of action \`${c.action}\``);
          instDispatch.push({
            instanceId: inst.id,
            callId: c.callId,
            action: c.action,
            argsJson,
            policyJson: encodeStoredPolicy(c.policy),
          });
        } else if (c.type === "sleep") {
          if (r.blocked.type === "timer" && r.blocked.timerId === c.timerId)
            sleepMs = Math.max(0, c.durationMs);
        } else if (c.type === "abandon") {
          for (const callId of c.callIds) abandon.push({ instanceId: inst.id, callId });
        }
      }
      stateText = encodeState(r.state);
      out.state = r.state;
    } catch (e) {
      return fail(
        workflowInternalError(`could not store the workflow's values: ${(e as Error).message}`),
      );
    }
    const steps = { stepsAdded: r.steps };
    const b = r.blocked;
    if (b.type === "done") {
      if (b.outcome.ok) {
        let resultJson: string;
        try {
          resultJson = JSON.stringify(encodeValue(b.outcome.value, "workflow result"));
          assertPayloadSize(resultJson, "the workflow result");
        } catch (e) {
          return { ...fail(workflowInternalError((e as Error).message)), ...steps };
        }
        dispatch.push(...instDispatch);
        return { ...base, ...steps, status: "completed", state: null, resultJson };
      }
      dispatch.push(...instDispatch);
      return { ...fail(b.outcome.error, null), ...steps };
    }
    dispatch.push(...instDispatch);
    if (b.type === "timer")
      return {
        ...base,
        ...steps,
        status: "sleeping",
        state: stateText,
        timerId: b.timerId,
        sleepMs,
      };
    return {
      ...base,
      ...steps,
      status: "waiting",
      state: stateText,
      awaited: b.type === "actions" ? b.callIds.length : 0,
    };
  }

  /** Slots of local workers for every call of this step, when the instance then waits only on
   *  those calls (so holding its lease delays nothing else); undefined = queue them. */
  private planLocal(
    w: InstanceWrite,
    calls: CallWrite[],
    blocked: Blocked | undefined,
  ): LocalSlot[] | undefined {
    if (this.stopping || w.status !== "waiting" || blocked?.type !== "actions") return undefined;
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
  private canHoldSleep(w: InstanceWrite, blocked: Blocked | undefined, pending: number): boolean {
    if (this.stopping || w.status !== "sleeping" || blocked?.type !== "timer") return false;
    if (w.sleepMs === null) return false;
    const limit = Math.min(this.cfg.holdSleepMs, this.cfg.lockTtlMs / 2);
    return w.sleepMs <= limit && this.sleepers.size + pending < MAX_HELD_SLEEPS;
  }

  private holdSleep(inst: ClaimedInstance, w: InstanceWrite, decoded?: InstanceState): void {
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
    if (this.stopping) {
      // Stopped while the statement was in flight: hand it back at once (see stop()).
      this.conts.push({ ...step, inst: { ...step.inst, timerDue: ms === 0 } });
      this.contWake.notify();
      return;
    }
    // The deadline was set from the database clock when the statement started; this timer
    // starts after its answer, so it never fires before the stored deadline.
    const timer = setTimeout(() => {
      this.sleepers.delete(w.id);
      this.conts.push(step);
      this.contWake.notify();
    }, ms);
    this.sleepers.set(w.id, { timer, step, dueAt: Date.now() + ms });
  }

  /** Runs the calls the persist inserted as running (attempt 1, charged by that commit) in
   *  local workers; when all are back, queues the held instance to advance with their outcomes.
   *  A call whose worker died is recorded as lost (retried if its policy allows), as the
   *  reaper would after its lease expired. */
  private runLocal(
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
      this.conts.push({ inst: next, outcomes, records: done, decoded });
      this.contWake.notify();
    };
    // One call (a sequential step): no Promise.all around it.
    if (runs.length === 1) void (runs[0] as Promise<LocalRecord>).then((d) => finish([d]));
    else void Promise.all(runs).then(finish);
  }

  /** Advances held instances whose local calls finished, in batches: whatever finished while
   *  the previous statement was in flight goes into the next one (no timer). Two loops: the
   *  first sends whatever is ready; the overflow loop only a batch of OVERFLOW_MIN_STEPS or
   *  more — one that piled up while the first loop's statement is in flight. */
  private async contLoop(overflow = false): Promise<void> {
    let errorDelay = 50;
    let limit = CONT_MAX_STEPS;
    while (!this.stopping || this.localHeld.size > 0 || this.conts.length > 0) {
      const mark = this.contWake.mark();
      const least = overflow ? OVERFLOW_MIN_STEPS : 1;
      if (this.conts.length < least) {
        await this.contWake.wait(this.cfg.pollIntervalMs, mark);
        continue;
      }
      // At most CONT_MAX_STEPS steps and about MAX_RECORDS outcomes per statement (a wide fan-out's
      // step alone may exceed it): 200 fan-outs of 100 finishing together are 20,000 rows.
      let n = 0;
      let records = 0;
      while (n < this.conts.length && n < limit) {
        records += (this.conts[n] as Step).records.length;
        n++;
        if (records >= MAX_RECORDS) break;
      }
      const batch = this.conts.splice(0, n);
      try {
        await this.advanceAndPersist(batch, []);
        errorDelay = 50;
        limit = CONT_MAX_STEPS;
      } catch (e) {
        // Deterministic: the same state and outcomes advance the same way on the retry; the
        // fence drops the write if the lease was lost meanwhile. The batch is retried in halves,
        // so that one step that cannot be written does not hold back the others.
        if (isTransientDbError(e)) this.mayHaveOrphans = true;
        log.error(`runner continuation error (${batch.length} step(s)): ${(e as Error).message}`);
        for (const x of batch) x.repeat = true;
        this.conts.unshift(...batch);
        limit = Math.max(1, batch.length >> 1);
        await new Promise((r) => setTimeout(r, errorDelay));
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  /** Heartbeat: renew held leases; requeue or fail calls of dead workers; fail unserved calls. */
  private maintaining = false;
  private async maintain(): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      if (failpoints.on) await failpoints.hit("before_lease_refresh");
      // Held sleeps keep the lease their write gave them (deadline + grace): the statement
      // skips rows whose status is sleeping (no race with a write just committed).
      await this.renewLeases();
      await this.store.heartbeatWorker(this.id, "runner", hostname(), process.pid, []);
      // A heartbeat after a gap longer than a worker's liveness window: this runner could not
      // reach the database (a partition, a stalled connection) and neither, maybe, could the
      // workers — their heartbeats are stale for the same reason, not because they are gone.
      const now = Date.now();
      if (now - this.lastBeatAt > this.liveMs()) this.seeingSince = now;
      this.lastBeatAt = now;
      await this.refreshRemoteActions();
      await this.refreshRunners();
      await this.refreshQuarantine();
      await this.reaper.reapExpired();
      await this.failUnserved();
    } catch (e) {
      log.warn(`maintenance failed: ${(e as Error).message}`);
    } finally {
      this.maintaining = false;
    }
  }

  /** Renews the leases of the held instances that are not sleeping here (a held sleep keeps the
   *  lease its write gave it). The statement skips rows locked right now — by this runner's own
   *  persist statements, for a few milliseconds — so the ones left out are tried again, up to
   *  RENEW_TRIES times RENEW_RETRY_MS apart; the next heartbeat, a third of a lease later, takes
   *  whatever is left. */
  private async renewLeases(): Promise<void> {
    let pending = [...this.held].filter((id) => !this.sleepers.has(id));
    for (let i = 0; pending.length > 0; i++) {
      const renewed = new Set(
        await this.store.renewInstanceLeases(this.id, pending, this.cfg.lockTtlMs),
      );
      pending = pending.filter((id) => !renewed.has(id) && this.held.has(id));
      if (pending.length === 0 || i + 1 >= RENEW_TRIES) break;
      await new Promise((r) => setTimeout(r, RENEW_RETRY_MS));
    }
  }

  /** Where this runner can run calls without the queue: its own process first (no hop), then
   *  its process tree's worker processes. */
  private executors(): LocalExecutor[] {
    return [this.inline, this.local?.()].filter((e): e is LocalExecutor => e !== undefined);
  }

  private async refreshRemoteActions(): Promise<void> {
    const execs = this.executors();
    if (execs.length === 0) return;
    const mine = execs.flatMap((e) => e.workerIds());
    const remote = await this.store.liveWorkerActions(mine, this.liveMs());
    const before = [...(this.remoteActions ?? [])].sort().join(",");
    const after = [...remote].sort().join(",");
    if (before !== after || this.remoteActions === undefined)
      log.info(
        `actions served by workers outside this process tree: ${after || "none"} (this tree's workers: ${mine.length})`,
      );
    this.remoteActions = remote;
  }

  private async refreshQuarantine(): Promise<void> {
    if (this.inline) this.inline.setQuarantined(await this.store.quarantinedInlineActions());
  }

  private async failUnserved(): Promise<void> {
    // After a restart, or once this runner reaches the database again after losing it, workers
    // get the same grace to (re)appear before anything is declared unserved.
    if (Date.now() - this.seeingSince < this.cfg.unservedActionGraceMs) return;
    await this.reaper.failUnserved(this.liveMs());
  }
}
