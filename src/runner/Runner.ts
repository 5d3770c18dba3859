// The runner: claims runnable instances with leases, feeds them their new events, advances the
// interpreter and parks them again in one fenced statement. A parked instance lives in no
// process's memory; only the instances of the batch being processed are held (and their leases
// renewed by the heartbeat until they are persisted).
//
// Its parts, sharing RunnerState: Intake (claim loops, fresh starts), StepWriter (advance and
// persist a batch, with InstanceAdvancer for each instance), LocalPlanner (steps kept in hand:
// calls run in local workers, held sleeps), ContinuationLoop (advances the held instances) and
// Maintenance (the heartbeat). This class starts and stops them.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import { CHANNEL_INSTANCES } from "../store/postgres/queries/types.js";
import type { Store } from "../store/Store.js";
import type { InlineActions } from "../worker/InlineExecutor.js";
import type { LocalExecutor } from "../worker/LocalExecutor.js";
import { ContinuationLoop } from "./ContinuationLoop.js";
import { Housekeeper } from "./Housekeeper.js";
import { InstanceAdvancer } from "./InstanceAdvancer.js";
import { Intake } from "./Intake.js";
import { LocalPlanner } from "./LocalPlanner.js";
import { Maintenance } from "./Maintenance.js";
import { RunnerState, type RunnerStats } from "./RunnerState.js";
import { StepWriter } from "./StepWriter.js";
import { WaitExpirer } from "./WaitExpirer.js";

const log = logger("runner");

export interface RunnerOptions {
  store: Store;
  config: EngineConfig;
  /** Instances claimed per round trip. */
  batchSize?: number;
  /** Claim loops running concurrently (pipelines round trips). */
  loops?: number;
  /** The worker processes of this process tree, if any: a step that waits only on calls they
   *  serve is run there directly (see LocalPlanner.planLocal). */
  local?: () => LocalExecutor | undefined;
  /** Actions registered in this process: a step's calls of them may run right here, without a
   *  hop to a worker process (config.inlineActions at once; see InlineExecutor). */
  inline?: InlineActions;
}

export class Runner {
  readonly id = `runner:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly store: Store;
  private readonly cfg: EngineConfig;
  private readonly loops: number;
  private readonly state: RunnerState;
  private readonly planner: LocalPlanner;
  private readonly intake: Intake;
  private readonly conts: ContinuationLoop;
  private readonly maintenance: Maintenance;
  private running: Promise<void>[] = [];
  private unlisten?: () => Promise<void>;
  readonly housekeeper: Housekeeper;
  private readonly expirer: WaitExpirer;
  /** Counters for logs and benchmarks. */
  readonly stats: RunnerStats;

  constructor(opts: RunnerOptions) {
    this.store = opts.store;
    this.cfg = opts.config;
    this.loops = opts.loops ?? 2;
    this.state = new RunnerState(this.id);
    this.stats = this.state.stats;
    this.planner = new LocalPlanner(this.store, this.cfg, this.state, opts.local, opts.inline);
    this.housekeeper = new Housekeeper(this.store, this.cfg);
    this.expirer = new WaitExpirer(this.store);
    const advancer = new InstanceAdvancer(this.store, this.cfg, this.stats);
    const writer = new StepWriter(
      this.store,
      this.cfg,
      this.state,
      advancer,
      this.planner,
      this.expirer,
    );
    this.intake = new Intake(this.store, this.cfg, this.state, writer, opts.batchSize ?? 256);
    this.conts = new ContinuationLoop(this.cfg, this.state, writer);
    this.maintenance = new Maintenance(this.store, this.cfg, this.state, this.intake, this.planner);
  }

  async start(): Promise<void> {
    this.maintenance.begin();
    this.unlisten = await this.store.listen([CHANNEL_INSTANCES], this.intake.hear);
    await this.store.heartbeatWorker(this.id, "runner", hostname(), process.pid, []);
    await this.intake.refreshRunners().catch(() => {});
    await this.store.announceRunner(this.id, false).catch(() => {});
    const inline = this.planner.inline;
    if (inline) {
      await this.planner.refreshQuarantine().catch(() => {});
      await inline.start();
    }
    await this.planner.refreshRemoteActions(this.maintenance.liveMs()).catch(() => {});
    this.maintenance.start();
    this.housekeeper.start();
    this.expirer.start();
    for (let i = 0; i < this.loops; i++) this.running.push(this.intake.loop(i));
    this.running.push(this.conts.run(), this.conts.run(true));
    log.info(
      `started ${this.id} (lease ${this.cfg.lockTtlMs}ms, heartbeat ${this.cfg.lockHeartbeatMs}ms)`,
    );
  }

  /** Stops claiming, finishes the batches in hand (persisting them), and releases nothing else:
   *  parked instances hold no lease. */
  async stop(): Promise<void> {
    this.state.stopping = true;
    // The other runners take over this one's share of new instances now.
    await this.store.announceRunner(this.id, true).catch(() => {});
    this.intake.wake.notify();
    this.state.contWake.notify();
    // Calls running here finish (their steps are then persisted by the continuation loop);
    // calls not started yet are handed back as released, to be run elsewhere.
    const inlineStopped = this.planner.inline?.stop();
    this.planner.handBackSleeps();
    this.state.contWake.notify();
    await Promise.all(this.running);
    await inlineStopped;
    this.maintenance.stop();
    this.housekeeper.stop();
    this.expirer.stop();
    await this.unlisten?.();
    await this.store.removeWorker(this.id).catch(() => {});
    log.info(`stopped ${this.id}`);
  }
}
