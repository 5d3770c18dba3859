// One worker process's loop: claims queued calls of the actions it serves (up to its
// concurrency), runs them, and records outcomes in batches (a few ms of linger, one statement
// per batch). Heartbeats keep its liveness row and its calls' leases fresh.
//
// Invariants: an outcome is only ever written through completeActions, fenced on
// (call, attempt, running); on shutdown no new call is claimed, in-flight calls finish and are
// recorded before the process exits (their leases are released by that write).
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import { failpoints } from "../failpoints/failpoint.js";
import { Wakeup } from "../runner/Wakeup.js";
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import { CHANNEL_ACTIONS } from "../store/postgres/queries/types.js";
import type { ClaimedAction, Completion, Store } from "../store/Store.js";
import { decodeValue } from "../values/index.js";
import { type ActionFn, executeAction } from "./executeAction.js";

const log = logger("worker");
const LINGER_MS = 2;
const MAX_BATCH = 128;

export interface ActionLookup {
  names(): string[];
  get(name: string): { fn: ActionFn } | undefined;
}

export interface WorkerProcessOptions {
  /** The id calls run here carry as their worker (default: a new `worker:` id). */
  id?: string;
  /** false: run only calls handed over by the runner (runLocal); claim nothing from the queue,
   *  keep no liveness row of its own (the runner's row stands for it), and renew the leases of
   *  its calls on the heartbeat. Default true. */
  claim?: boolean;
  /** Called with the milliseconds an attempt's synchronous part (up to its first await) held
   *  the event loop. */
  onSyncRun?: (action: string, ms: number) => void;
}

/** `deliver(c)`, with a synchronous throw as a rejection. */
function deliverNow(deliver: (c: Completion) => Promise<void>, c: Completion): Promise<void> {
  try {
    return deliver(c);
  } catch (e) {
    return Promise.reject(e);
  }
}

export class WorkerProcess {
  readonly id: string;
  private readonly claims: boolean;
  private readonly wake = new Wakeup();
  private readonly slotFreed = new Wakeup();
  private readonly inFlight = new Set<Promise<void>>();
  /** Completions of local calls being handed to the runner (their slots are already free). */
  private readonly delivering = new Set<Promise<void>>();
  /** Calls claimed by this process whose outcome is not recorded yet, by `instance/call`: their
   *  leases are the only ones the heartbeat renews. */
  private readonly executing = new Map<string, ClaimedAction>();
  private readonly pending: Completion[] = [];
  /** Claimed calls waiting for a free slot (see loop). */
  private readonly prefetched: ClaimedAction[] = [];
  /** Calls handed over by the local runner beyond the free slots (a wide fan-out): claimed for
   *  this worker and in `executing` (leases renewed), started before prefetched ones. */
  private readonly localQueue: {
    call: ClaimedAction;
    deliver: (c: Completion) => Promise<void>;
    seq: number;
  }[] = [];
  /** Arrival order across `prefetched` and `localQueue`: slots go to the oldest waiting call. */
  private seq = 0;
  private readonly prefetchedSeq: number[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly shutdownCtrl = new AbortController();
  private heartbeat?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private loopDone?: Promise<void>;
  readonly stats = { started: 0, completed: 0 };

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly actions: ActionLookup,
    private readonly opts: WorkerProcessOptions = {},
  ) {
    this.id = opts.id ?? `worker:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.claims = opts.claim ?? true;
    // One abort listener per in-flight attempt.
    setMaxListeners(0, this.shutdownCtrl.signal);
  }

  /** Calls running or waiting for a slot here (handed over or claimed). */
  load(): number {
    return this.inFlight.size + this.localQueue.length + this.prefetched.length;
  }

  async start(): Promise<void> {
    if (!this.claims) {
      this.heartbeat = setInterval(() => void this.beat(), this.cfg.lockHeartbeatMs);
      return;
    }
    const names = this.actions.names();
    this.unlisten = await this.store.listen([CHANNEL_ACTIONS], () => this.wake.notify());
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.cfg.lockHeartbeatMs);
    this.loopDone = this.loop();
    log.info(
      `started ${this.id} serving ${names.length} action(s): ${names.join(", ") || "(none)"}`,
    );
    if (names.length === 0)
      log.warn("this worker serves no actions: check WAYMARK_USER_MODULE / --module");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.releaseLocalQueue();
    this.wake.notify();
    this.slotFreed.notify();
    await this.loopDone;
    // Loop: a call handed over by the local runner may arrive while the first ones finish.
    while (this.inFlight.size > 0 || this.localQueue.length > 0 || this.delivering.size > 0) {
      this.startPrefetched();
      await Promise.all([...this.inFlight, ...this.delivering]);
    }
    await this.flush();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.unlisten?.();
    if (!this.claims) return;
    await this.store.removeWorker(this.id).catch(() => {});
    log.info(`stopped ${this.id} after ${this.stats.completed} attempt(s)`);
  }

  private async beat(): Promise<void> {
    try {
      if (this.claims)
        await this.store.heartbeatWorker(
          this.id,
          "worker",
          hostname(),
          process.pid,
          this.actions.names(),
        );
      await this.store.renewActionLeases(this.id, this.cfg.lockTtlMs, [...this.executing.values()]);
    } catch (e) {
      log.warn(`heartbeat failed: ${(e as Error).message}`);
    }
  }

  private async loop(): Promise<void> {
    const names = this.actions.names();
    let errorDelay = 50;
    while (!this.stopping) {
      // Claims up to twice the slots: the extra calls wait in `prefetched` (claimed, attempt
      // charged, lease renewed by the heartbeat) and start as slots free, without a round trip.
      // Refill only when at least half of that room is free (the slots stay busy meanwhile):
      // one claim per freed slot would cost a round trip and a commit per call.
      const room = 2 * this.cfg.concurrentPerWorker;
      const free = room - this.inFlight.size - this.prefetched.length;
      if (free <= 0 || (free < room / 2 && this.prefetched.length > 0)) {
        await this.slotFreed.wait(this.cfg.pollIntervalMs);
        continue;
      }
      const mark = this.wake.mark();
      try {
        const claimed = await this.store.claimActions(
          this.id,
          names,
          Math.min(free, MAX_BATCH),
          this.cfg.lockTtlMs,
        );
        errorDelay = 50;
        if (claimed.length === 0) {
          const due = await this.store.nextActionDueMs(names);
          const ms = Math.min(
            this.cfg.pollIntervalMs,
            due === null ? Number.POSITIVE_INFINITY : due + 2,
          );
          await this.wake.wait(ms, mark);
          continue;
        }
        for (const c of claimed) {
          this.executing.set(`${c.instanceId}/${c.callId}`, c);
          this.prefetched.push(c);
          this.prefetchedSeq.push(this.seq++);
        }
        this.startPrefetched();
      } catch (e) {
        if (this.stopping) break;
        log.error(`claim failed: ${(e as Error).message}`);
        await this.wake.wait(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  /** Starts prefetched calls while slots are free (also during shutdown: they are claimed). */
  private startPrefetched(): void {
    while (
      this.inFlight.size < this.cfg.concurrentPerWorker &&
      (this.localQueue.length > 0 || this.prefetched.length > 0)
    ) {
      const local = this.localQueue[0];
      const queued = this.prefetchedSeq[0];
      if (local && (queued === undefined || local.seq < queued)) {
        this.localQueue.shift();
        this.startLocal(local.call, local.deliver);
      } else {
        this.prefetchedSeq.shift();
        this.run(this.prefetched.shift() as ClaimedAction);
      }
    }
  }

  /** On shutdown: hands local calls that have not started back to the runner as `release`
   *  (requeued with their attempt given back), so that another process runs them instead of
   *  this one draining a long queue past its grace period. */
  private releaseLocalQueue(): void {
    for (const { call, deliver } of this.localQueue.splice(0)) {
      const key = `${call.instanceId}/${call.callId}`;
      const d = deliver({
        instanceId: call.instanceId,
        callId: call.callId,
        attempt: call.attempt,
        kind: "release",
        success: false,
        resultJson: "null",
        delayMs: 0,
        worker: this.id,
        startedAt: null,
      })
        .catch((e) => log.error(`local call ${key} could not be released: ${(e as Error).message}`))
        .finally(() => {
          this.executing.delete(key);
          this.delivering.delete(d);
        });
      this.delivering.add(d);
    }
  }

  private decodeArgs(call: ClaimedAction): unknown[] {
    try {
      return decodeValue(call.args as never) as unknown[];
    } catch (e) {
      log.error(`could not decode arguments of ${call.action}: ${(e as Error).message}`);
      return [];
    }
  }

  /** Runs a call that the runner of this process tree inserted already claimed for this worker
   *  (attempt charged, lease owner = this.id), and hands the completion to `deliver` instead of
   *  recording it: the runner records it in the statement that advances the instance. The lease
   *  is renewed by the heartbeat until `deliver` has been called. */
  runLocal(call: ClaimedAction, deliver: (c: Completion) => Promise<void>): void {
    this.executing.set(`${call.instanceId}/${call.callId}`, call);
    if (this.stopping) {
      this.localQueue.push({ call, deliver, seq: this.seq++ });
      this.releaseLocalQueue();
      return;
    }
    if (this.inFlight.size >= this.cfg.concurrentPerWorker) {
      this.localQueue.push({ call, deliver, seq: this.seq++ });
      return;
    }
    this.startLocal(call, deliver);
  }

  private startLocal(call: ClaimedAction, deliver: (c: Completion) => Promise<void>): void {
    const key = `${call.instanceId}/${call.callId}`;
    this.executing.set(key, call);
    // The slot frees when the action returns (as on the queue path); handing the completion
    // over continues in `delivering`, and the lease is renewed until it is handed over.
    this.execute(call, (completion) => {
      // The runner commits this completion; handing it over is this process's last step.
      const handed = failpoints.on
        ? (async () => {
            await failpoints.hit("before_completion_commit");
            await deliver(completion);
            await failpoints.hit("after_completion_commit");
          })()
        : deliverNow(deliver, completion);
      const d = handed
        .catch((e) =>
          log.error(`local call ${key} could not be delivered: ${(e as Error).message}`),
        )
        .finally(() => {
          this.executing.delete(key);
          this.delivering.delete(d);
        });
      this.delivering.add(d);
    });
  }

  private run(call: ClaimedAction): void {
    log.debug(
      `run ${call.action} instance ${call.instanceId} call ${call.callId} attempt ${call.attempt}`,
    );
    this.executing.set(`${call.instanceId}/${call.callId}`, call);
    this.execute(call, (completion) => {
      if (completion.kind !== "completed")
        log.debug(
          `${call.action} attempt ${call.attempt} ${completion.kind}: ${completion.resultJson.slice(0, 200)}`,
        );
      this.enqueue(completion);
    });
  }

  /** Runs one attempt in a slot and hands its completion to `then`; the slot frees (and the
   *  next waiting call starts) when the action returns. */
  private execute(call: ClaimedAction, then: (c: Completion) => void): void {
    this.stats.started++;
    const def = this.actions.get(call.action);
    const args = this.decodeArgs(call);
    const t0 = this.opts.onSyncRun ? performance.now() : 0;
    const running = executeAction(call, def?.fn, args, this.id, this.shutdownCtrl.signal);
    if (this.opts.onSyncRun) this.opts.onSyncRun(call.action, performance.now() - t0);
    const p = running
      .then((completion) => {
        this.stats.completed++;
        then(completion);
      })
      .finally(() => {
        this.inFlight.delete(p);
        this.startPrefetched();
        this.slotFreed.notify();
      });
    this.inFlight.add(p);
  }

  private enqueue(c: Completion): void {
    this.pending.push(c);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), LINGER_MS);
  }

  /** Writes pending completions; on a database error keeps them and retries (the fence makes a
   *  repeated write harmless). */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      let delay = 50;
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          if (failpoints.on) await failpoints.hit("before_completion_commit");
          await this.store.completeActions(batch);
          for (const c of batch) this.executing.delete(`${c.instanceId}/${c.callId}`);
          if (failpoints.on) await failpoints.hit("after_completion_commit");
          delay = 50;
        } catch (e) {
          this.pending.unshift(...batch);
          log.warn(
            `recording ${batch.length} outcome(s) failed, retrying: ${(e as Error).message}`,
          );
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
    });
    return this.flushing;
  }
}
