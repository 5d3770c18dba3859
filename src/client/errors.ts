import type { ErrorValue } from "../runtime/types.js";

/** Thrown by `Workflow.run()` / `handle.result()` when the instance ended failed. Carries the
 *  recorded error (type and message of the failure inside the workflow). */
export class WorkflowFailedError extends Error {
  readonly error: ErrorValue;
  readonly instanceId: string;
  /** The failure's class name (e.g. "IntentionalError", "ActionTimeout"). */
  readonly type: string;

  constructor(error: ErrorValue, instanceId: string) {
    super(`workflow ${instanceId} failed: ${error.name}: ${error.message}`);
    this.name = "WorkflowFailedError";
    this.error = error;
    this.instanceId = instanceId;
    this.type = error.name;
  }

  static is(e: unknown): e is WorkflowFailedError {
    return (
      typeof e === "object" &&
      e !== null &&
      (e as { name?: unknown }).name === "WorkflowFailedError"
    );
  }
}

/** Raised when an action attempt passes its deadline. Inside a workflow, match it with
 *  `err instanceof ActionTimeout` (by class name along the recorded class chain). */
export class ActionTimeout extends Error {
  readonly timeoutMs: number | undefined;

  constructor(message = "action timed out", timeoutMs?: number) {
    super(message);
    this.name = "ActionTimeout";
    this.timeoutMs = timeoutMs;
  }
}
