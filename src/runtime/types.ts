// The interpreter's contract with the runner. The interpreter is pure: given a program, a
// state and events, it advances until the instance blocks or ends and returns the commands the
// runner must perform. It does no I/O and reads no clock.

/** An error as recorded by a worker or raised by the interpreter. `classChain` lists the class
 *  names from the most derived to `Error` (e.g. ["IntentionalError", "Error"]). Own enumerable
 *  fields of the original error (e.g. `code`) are kept alongside. */
export interface ErrorValue {
  name: string;
  message: string;
  stack?: string;
  classChain: string[];
  [field: string]: unknown;
}

/** A concrete, evaluated policy stored with each action call. */
export interface ConcretePolicy {
  /** Total executions allowed (>= 1). */
  maxAttempts: number;
  /** Class names that are retried; `null` = any error except ActionTimeout. */
  exceptionTypes: string[] | null;
  backoff: { initialMs: number; multiplier: number; maxMs: number };
  /** `null` = no deadline. */
  timeoutMs: number | null;
  /** What a lost attempt (its worker or runner gone before the outcome was recorded) does:
   *  absent = re-run within the engine's lost-attempt budget; "fail" = fail the call. Lost
   *  attempts never count against `maxAttempts`. */
  onLost?: "fail";
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: ErrorValue };

export type Event =
  /** The final outcome of an action call (after its retries). Duplicates and outcomes of
   *  abandoned calls are ignored. */
  | { type: "action"; callId: number; outcome: Outcome }
  /** A durable sleep's deadline passed. */
  | { type: "timer"; timerId: number };

/** A dispatched call that is not an action: what it waits for. */
export type WaitSpec =
  /** A child workflow instance named by the call's `action`, started with its `args`. */
  | { kind: "child" }
  /** The next signal named by the call's `action`, or `null` after `timeoutMs`. */
  | { kind: "signal"; timeoutMs: number }
  /** `undefined` after `timeoutMs` (a sleep inside a gather). */
  | { kind: "sleep"; timeoutMs: number };

export type Command =
  /** Queue one action call (or, with `wait`, start waiting for a child, a signal or a timer).
   *  Idempotent by (instance, callId). */
  | {
      type: "dispatch";
      callId: number;
      action: string;
      args: unknown[];
      policy: ConcretePolicy;
      wait?: WaitSpec;
    }
  /** Park the instance until `durationMs` after now (database clock). */
  | { type: "sleep"; timerId: number; durationMs: number }
  /** Calls whose outcome is no longer wanted (a fail-fast gather failed). */
  | { type: "abandon"; callIds: number[] };

/** What the instance waits for after `advance`. */
export type Blocked =
  | { type: "actions"; callIds: number[] }
  | { type: "timer"; timerId: number }
  | { type: "done"; outcome: Outcome };

export interface AdvanceResult {
  /** Opaque, serializable with `encodeState`. */
  state: InstanceState;
  commands: Command[];
  blocked: Blocked;
  /** Interpreter steps taken in this call (for budgets and metrics). */
  steps: number;
}

export interface AdvanceOptions {
  /** Maximum interpreter steps over the whole life of the instance (default 100_000). */
  stepBudget?: number;
}

/** Opaque to callers; the interpreter owns its shape. Contains live JS values (Date, Map…);
 *  persist it with `encodeState` / `decodeState`, which keep shared references and cycles. */
export interface InstanceState {
  readonly __brand: "InstanceState";
}
