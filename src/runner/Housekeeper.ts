// Keeps the database the engine runs on healthy while it runs: vacuums the hot tables once dead
// row versions outnumber a threshold (whether or not autovacuum is on: it may be off, or far
// behind a queue's churn), and forgets liveness rows of processes long gone.
//
// Invariant: housekeeping never changes what a query returns; it only bounds how much dead data
// the queries walk. A failure is logged and retried at the next tick, never thrown.
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import type { Store, TableHealth } from "../store/Store.js";

const log = logger("housekeeping");

/** A table is vacuumed when its dead versions exceed both of these. */
const MIN_DEAD = 10_000;
const DEAD_FRACTION_OF_LIVE = 0.1;
/** Liveness rows silent this long are deleted (dead processes; nothing reads them then). */
const PRUNE_WORKERS_AFTER_MS = 15 * 60_000;

/** The tables worth vacuuming now. */
export function tablesToVacuum(health: TableHealth[]): string[] {
  return health
    .filter((t) => t.dead > MIN_DEAD && t.dead > DEAD_FRACTION_OF_LIVE * t.live)
    .map((t) => t.table);
}

export class Housekeeper {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;
  /** Counters for logs and tests. */
  readonly stats = { vacuums: 0, lastVacuumMs: 0 };

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
  ) {}

  start(): void {
    if (this.cfg.vacuumIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.cfg.vacuumIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const due = tablesToVacuum(await this.store.tableHealth());
      if (due.length > 0) {
        const t0 = Date.now();
        if (await this.store.vacuumTables(due)) {
          this.stats.vacuums++;
          this.stats.lastVacuumMs = Date.now() - t0;
          log.debug(`vacuumed ${due.join(", ")} in ${this.stats.lastVacuumMs}ms`);
        }
      }
      await this.store.pruneWorkers(PRUNE_WORKERS_AFTER_MS);
    } catch (e) {
      if (this.stopped) return; // the pool was closed under a tick in flight
      log.warn(
        `housekeeping failed (retried in ${this.cfg.vacuumIntervalMs}ms): ${(e as Error).message}`,
      );
    } finally {
      this.busy = false;
    }
  }
}
