// What the parts of one runner share (Intake, StepWriter, LocalPlanner, ContinuationLoop,
// Maintenance): which instances it holds the lease of, the queue of held instances ready to
// advance, and the flags every loop reads.
import type { Step } from "./Step.js";
import { Wakeup } from "./Wakeup.js";

export interface RunnerStats {
  advanced: number;
  completed: number;
  failed: number;
  dropped: number;
}

export class RunnerState {
  /** Instances whose lease this runner holds (or, started from their notification, is about
   *  to take): the batch in hand until it is persisted, and the ones in `localHeld`.
   *  Maintenance renews their leases; an adoption leaves them alone. */
  readonly held = new Set<string>();
  /** Instances whose lease this runner keeps while their calls run in local workers. */
  readonly localHeld = new Set<string>();
  /** Held instances whose local calls all finished, ready to advance. */
  readonly conts: Step[] = [];
  readonly contWake = new Wakeup();
  stopping = false;
  /** Set by a connection failure: a claim or held write may have committed unseen. */
  mayHaveOrphans = false;
  /** Counters for logs and benchmarks. */
  readonly stats: RunnerStats = { advanced: 0, completed: 0, failed: 0, dropped: 0 };

  constructor(readonly id: string) {}
}
