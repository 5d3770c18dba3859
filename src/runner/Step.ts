import type { InstanceState } from "../runtime/types.js";
import type { LocalRecord } from "../store/postgres/queries/persistInstances.js";
import type { ClaimedInstance, StoredOutcome } from "../store/Store.js";

/** One instance to advance: what it was claimed (or is held) with, the outcomes to apply, and
 *  the outcomes of its locally run calls to record in the same statement. */
export interface Step {
  inst: ClaimedInstance;
  outcomes: StoredOutcome[];
  records: LocalRecord[];
  /** The state of a held instance as this process left it (equal to `inst.state` decoded):
   *  taken once, so a step advanced again after a failed statement decodes `inst.state`. */
  decoded?: InstanceState;
  /** Advanced again after a statement that failed — and may have committed unseen. */
  repeat?: boolean;
}
