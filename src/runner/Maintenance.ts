// A runner's heartbeat, every lockHeartbeatMs: renews the leases it holds, writes its liveness
// row, refreshes what the other parts read (the actions served outside this process tree, the
// live runners, the inline quarantine), and settles the calls no worker will complete
// (CallReaper). A failed round is logged and the next one runs a heartbeat later.
import { hostname } from "node:os";
import { failpoints } from "../failpoints/failpoint.js";
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import type { Store } from "../store/Store.js";
import { CallReaper } from "./CallReaper.js";
import type { Intake } from "./Intake.js";
import type { LocalPlanner } from "./LocalPlanner.js";
import type { RunnerState } from "./RunnerState.js";

const log = logger("runner");

/** Lease renewals per heartbeat for rows a write had locked (see renewLeases). */
const RENEW_TRIES = 4;
const RENEW_RETRY_MS = 25;

export class Maintenance {
  private readonly reaper: CallReaper;
  private timer?: NodeJS.Timeout;
  private maintaining = false;
  /** When this runner's last heartbeat was written, and since when it has been reaching the
   *  database without a gap — its start, or its return after losing the database
   *  (failUnserved waits a grace after that). */
  private lastBeatAt = Date.now();
  private seeingSince = Date.now();

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly state: RunnerState,
    private readonly intake: Intake,
    private readonly planner: LocalPlanner,
  ) {
    this.reaper = new CallReaper(store, cfg);
  }

  /** How recent a worker's heartbeat must be for it to count as live. */
  liveMs(): number {
    return Math.max(this.cfg.lockTtlMs, 3 * this.cfg.lockHeartbeatMs);
  }

  /** The runner starts: it reaches the database from now on. */
  begin(): void {
    this.seeingSince = Date.now();
    this.lastBeatAt = this.seeingSince;
  }

  start(): void {
    this.timer = setInterval(() => void this.maintain(), this.cfg.lockHeartbeatMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Heartbeat: renew held leases; requeue or fail calls of dead workers; fail unserved calls. */
  private async maintain(): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      if (failpoints.on) await failpoints.hit("before_lease_refresh");
      // Held sleeps keep the lease their write gave them (deadline + grace): the statement
      // skips rows whose status is sleeping (no race with a write just committed).
      await this.renewLeases();
      await this.store.heartbeatWorker(this.state.id, "runner", hostname(), process.pid, []);
      // A heartbeat after a gap longer than a worker's liveness window: this runner could not
      // reach the database (a partition, a stalled connection) and neither, maybe, could the
      // workers — their heartbeats are stale for the same reason, not because they are gone.
      const now = Date.now();
      if (now - this.lastBeatAt > this.liveMs()) this.seeingSince = now;
      this.lastBeatAt = now;
      await this.planner.refreshRemoteActions(this.liveMs());
      await this.intake.refreshRunners();
      await this.planner.refreshQuarantine();
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
    const held = this.state.held;
    let pending = [...held].filter((id) => !this.planner.isSleeping(id));
    for (let i = 0; pending.length > 0; i++) {
      const renewed = new Set(
        await this.store.renewInstanceLeases(this.state.id, pending, this.cfg.lockTtlMs),
      );
      pending = pending.filter((id) => !renewed.has(id) && held.has(id));
      if (pending.length === 0 || i + 1 >= RENEW_TRIES) break;
      await new Promise((r) => setTimeout(r, RENEW_RETRY_MS));
    }
  }

  private async failUnserved(): Promise<void> {
    // After a restart, or once this runner reaches the database again after losing it, workers
    // get the same grace to (re)appear before anything is declared unserved.
    if (Date.now() - this.seeingSince < this.cfg.unservedActionGraceMs) return;
    await this.reaper.failUnserved(this.liveMs());
  }
}
