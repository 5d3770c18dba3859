// Running an action call in a worker process of this process tree, handed over by the runner
// directly (IPC) instead of through the queue. The runner reserves a slot first (to name the
// worker in the statement that inserts the call as running), then runs the call once that
// statement committed — so the attempt is charged before the action runs, as for queued calls.
import type { ClaimedAction, Completion } from "../store/Store.js";

export interface LocalSlot {
  /** The worker's id: the call's lease owner (its heartbeat renews the lease while it runs). */
  workerId: string;
  /** Sends the call; resolves with its completion, rejects if the worker exited first. */
  run(call: ClaimedAction): Promise<Completion>;
  /** Gives the slot back unused. */
  cancel(): void;
}

export type LocalRoom = "free" | "queue" | "any";

export interface LocalExecutor {
  /** A slot of the least loaded ready local worker serving `action`, or undefined. `room`:
   *  "free" = a free slot only; "queue" = up to three times its slots in use or waiting (the
   *  call then waits in that worker's queue, claimed, lease renewed, until a slot frees);
   *  "any" = no limit (a whole fan-out). */
  reserve(action: string, room?: LocalRoom): LocalSlot | undefined;
  /** Worker ids of this tree's workers (a call they serve needs no other host). */
  workerIds(): string[];
}

/** The error a local call rejects with when its worker process exited before answering. */
export class LocalWorkerLost extends Error {
  override name = "LocalWorkerLost";
}
