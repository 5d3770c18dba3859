// The loop that advances the instances a runner holds: new instances taken from their
// notification (Intake.takeFresh), and held ones whose local calls finished or whose sleep
// ended here (LocalPlanner). They are queued in `conts`; this loop writes them in batches.
import type { EngineConfig } from "../store/config.js";
import { isTransientDbError } from "../store/isTransientDbError.js";
import { logger } from "../store/log.js";
import type { RunnerState } from "./RunnerState.js";
import type { Step } from "./Step.js";
import type { StepWriter } from "./StepWriter.js";

const log = logger("runner");

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

export class ContinuationLoop {
  constructor(
    private readonly cfg: EngineConfig,
    private readonly state: RunnerState,
    private readonly writer: StepWriter,
  ) {}

  /** Advances held instances whose local calls finished, in batches: whatever finished while
   *  the previous statement was in flight goes into the next one (no timer). Two loops: the
   *  first sends whatever is ready; the overflow loop only a batch of OVERFLOW_MIN_STEPS or
   *  more — one that piled up while the first loop's statement is in flight. */
  async run(overflow = false): Promise<void> {
    let errorDelay = 50;
    let limit = CONT_MAX_STEPS;
    const { conts, contWake, localHeld } = this.state;
    while (!this.state.stopping || localHeld.size > 0 || conts.length > 0) {
      const mark = contWake.mark();
      const least = overflow ? OVERFLOW_MIN_STEPS : 1;
      if (conts.length < least) {
        await contWake.wait(this.cfg.pollIntervalMs, mark);
        continue;
      }
      // At most CONT_MAX_STEPS steps and about MAX_RECORDS outcomes per statement (a wide fan-out's
      // step alone may exceed it): 200 fan-outs of 100 finishing together are 20,000 rows.
      let n = 0;
      let records = 0;
      while (n < conts.length && n < limit) {
        records += (conts[n] as Step).records.length;
        n++;
        if (records >= MAX_RECORDS) break;
      }
      const batch = conts.splice(0, n);
      try {
        await this.writer.advanceAndPersist(batch, []);
        errorDelay = 50;
        limit = CONT_MAX_STEPS;
      } catch (e) {
        // Deterministic: the same state and outcomes advance the same way on the retry; the
        // fence drops the write if the lease was lost meanwhile. The batch is retried in halves,
        // so that one step that cannot be written does not hold back the others.
        if (isTransientDbError(e)) this.state.mayHaveOrphans = true;
        log.error(`runner continuation error (${batch.length} step(s)): ${(e as Error).message}`);
        for (const x of batch) x.repeat = true;
        conts.unshift(...batch);
        limit = Math.max(1, batch.length >> 1);
        await new Promise((r) => setTimeout(r, errorDelay));
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }
}
