// Settles waits whose deadline passed (a signal that did not come, a sleep inside a gather),
// and delivers kept signals whose wait was written but not yet matched (a failed delivery):
// a sweep every second (any runner's sweep settles any instance's waits; rows another runner is
// settling are skipped), plus a timer for each deadline this runner dispatched, so such a wait
// ends about on time rather than up to a second late.

import { logger } from "../store/log.js";
import type { Store } from "../store/Store.js";

const log = logger("runner");
const SWEEP_MS = 1000;
const BATCH = 500;

export class WaitExpirer {
  private sweep?: NodeJS.Timeout;
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private again = false;

  constructor(private readonly store: Store) {}

  start(): void {
    this.sweep = setInterval(() => void this.run(), SWEEP_MS);
    this.sweep.unref();
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** A wait dispatched now ends in `ms`: sweep then (shortly after, for the database clock). */
  at(ms: number): void {
    if (ms >= SWEEP_MS * 30) return; // the sweep is close enough for long waits
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.run();
    }, Math.max(0, ms) + 5);
    t.unref();
    this.timers.add(t);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        while ((await this.store.expireWaits(BATCH)) >= BATCH) {}
        await this.store.deliverKeptSignals(BATCH);
      } while (this.again);
    } catch (e) {
      log.warn(`settling waits past their deadline failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
