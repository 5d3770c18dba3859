// Running a runner's own action calls in the runner's process: no IPC hop, no second process to
// wake. The runner inserts such a call as running with its own id as the worker (the attempt is
// charged by that commit, as for every local call), runs it here, and records the outcome in the
// statement that advances the instance.
//
// Trade-offs, and how they are bounded:
// - An action that holds the event loop delays the runner (its heartbeat and its other
//   instances). An action whose synchronous part runs longer than `blockMs` is run in worker
//   processes from then on (logged once); `action(fn, { inline: false })` opts out up front.
// - An action that kills the process (process.exit, a native crash) takes the runner with it:
//   its instances' leases and its calls' leases expire, another runner (or this one restarted)
//   reclaims the instances and the reaper charges the lost attempt, as for a worker that died.
//   The reaper also notes the action in waymark_inline_quarantine: every runner then runs it
//   only in worker processes (respawned when they die), so one poison action cannot take the
//   runners down one after another. The retry of the lost attempt goes through the queue, to a
//   worker process.
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import type { ClaimedAction, Completion, Store } from "../store/Store.js";
import type { LocalExecutor, LocalRoom, LocalSlot } from "./LocalExecutor.js";
import { type ActionLookup, WorkerProcess } from "./WorkerProcess.js";

const log = logger("inline");

/** What a local call's delivery returns here: the completion is handed over synchronously. */
const HANDED: Promise<void> = Promise.resolve();

export interface InlineActions extends ActionLookup {
  /** false: never run this action in the runner's process. */
  inline(name: string): boolean;
}

export class InlineExecutor implements LocalExecutor {
  private reserved = 0;
  private stopped = false;
  /** Actions moved out after holding the event loop too long. */
  private readonly blocking = new Set<string>();
  /** Actions a runner died running (waymark_inline_quarantine), refreshed on each heartbeat. */
  private quarantined = new Set<string>();

  private readonly worker: WorkerProcess;
  /** Calls run at once (config.inlineActions); "queue" room allows three times as many waiting. */
  private readonly capacity: number;
  private readonly blockMs: number;

  /** `runnerId`: the worker id of the calls run here; the runner's heartbeat row stands for it. */
  constructor(
    store: Store,
    cfg: EngineConfig,
    private readonly actions: InlineActions,
    runnerId: string,
  ) {
    this.capacity = cfg.inlineActions;
    this.blockMs = cfg.inlineBlockMs;
    this.worker = new WorkerProcess(store, cfg, actions, {
      id: runnerId,
      claim: false,
      onSyncRun: (action, ms) => this.sawSyncRun(action, ms),
    });
  }

  private sawSyncRun(action: string, ms: number): void {
    if (ms <= this.blockMs || this.blocking.has(action)) return;
    this.blocking.add(action);
    log.warn(
      `action \`${action}\` held the runner's event loop for ${Math.round(ms)}ms before its first await; it runs in worker processes from now on (mark CPU-heavy actions with action(fn, { inline: false }))`,
    );
  }

  setQuarantined(actions: Set<string>): void {
    for (const a of actions)
      if (!this.quarantined.has(a))
        log.warn(
          `action \`${a}\` runs only in worker processes: a runner process died while running it (waymark_inline_quarantine)`,
        );
    this.quarantined = actions;
  }

  reserve(action: string, room: LocalRoom = "free"): LocalSlot | undefined {
    if (this.stopped || this.capacity <= 0) return undefined;
    if (
      this.blocking.has(action) ||
      this.quarantined.has(action) ||
      !this.actions.get(action) ||
      !this.actions.inline(action)
    )
      return undefined;
    const limit =
      room === "any"
        ? Number.POSITIVE_INFINITY
        : room === "queue"
          ? 3 * this.capacity
          : this.capacity;
    if (this.worker.load() + this.reserved >= limit) return undefined;
    this.reserved++;
    let used = false;
    const release = () => {
      if (used) return;
      used = true;
      this.reserved--;
    };
    return {
      workerId: this.worker.id,
      cancel: release,
      run: (call: ClaimedAction) =>
        new Promise<Completion>((resolve) => {
          release();
          this.worker.runLocal(call, (c) => {
            resolve(c);
            return HANDED;
          });
        }),
    };
  }

  /** Starts renewing the leases of the calls running here. */
  start(): Promise<void> {
    return this.worker.start();
  }

  workerIds(): string[] {
    return [this.worker.id];
  }

  /** No new calls; the ones handed over finish (or, not started yet, are released). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker.stop();
  }
}
