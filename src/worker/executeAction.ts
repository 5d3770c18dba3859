// Runs one claimed attempt and turns its outcome into a completion: the value or the thrown
// error (with an explicit success flag), a timeout as ActionTimeout (the attempt's signal is
// aborted), and the retry decision of the call's policy.
import { decideRetry, decodeStoredPolicy, makeActionTimeoutError } from "../runtime/index.js";
import type { ErrorValue } from "../runtime/types.js";
import type { ClaimedAction, Completion } from "../store/Store.js";
import { encodeValue, errorToValue } from "../values/index.js";
import { assertPayloadSize, PayloadTooLargeError } from "../values/payloadLimit.js";
import { type ActionContext, actionStorage } from "./actionContext.js";

export type ActionFn = (...args: unknown[]) => unknown;

/** An attempt's outcome before it is encoded: the value, or the thrown error. */
export type AttemptResult = { ok: true; value: unknown } | { ok: false; error: ErrorValue };
type Result = AttemptResult;

class ActionTimeoutSignalReason extends Error {
  override name = "ActionTimeout";
}

/** An AbortController made on first use of its signal: creating one costs tens of microseconds
 *  in Node, more than a no-op action, and most actions never look at it. An abort before the
 *  first use is remembered, so a signal read afterwards is already aborted. */
class LazyAbort {
  private ctrl?: AbortController;
  private reason: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (!this.ctrl) {
      this.ctrl = new AbortController();
      if (this.aborted) this.ctrl.abort(this.reason);
    }
    return this.ctrl.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.ctrl?.abort(reason);
  }
}

/** The attempts running under each shutdown signal: one listener per signal, not one per
 *  attempt (adding and removing an EventTarget listener cost more than a no-op action). */
const watched = new WeakMap<AbortSignal, Set<LazyAbort>>();

/** Aborts `ctrl` when `signal` aborts (at once if it has); returns the unsubscribe. */
function watch(signal: AbortSignal, ctrl: LazyAbort): () => void {
  if (signal.aborted) {
    ctrl.abort(signal.reason);
    return () => {};
  }
  const attempts = watched.get(signal) ?? listen(signal);
  attempts.add(ctrl);
  return () => attempts.delete(ctrl);
}

/** The set of attempts under `signal`, with the one listener that aborts them all. */
function listen(signal: AbortSignal): Set<LazyAbort> {
  const attempts = new Set<LazyAbort>();
  watched.set(signal, attempts);
  const abortAll = () => {
    for (const c of attempts) c.abort(signal.reason);
  };
  signal.addEventListener("abort", abortAll, { once: true });
  return attempts;
}

const succeeded = (value: unknown): Result => ({ ok: true, value });
const threw = (e: unknown): Result => ({ ok: false, error: errorToValue(e) });

/** Calls the action in its context: a Result at once when it returns synchronously (or throws),
 *  else a promise of one that never rejects. */
export function attempt(
  fn: ActionFn,
  args: unknown[],
  ctx: ActionContext,
): Result | Promise<Result> {
  let value: unknown;
  try {
    value = actionStorage.run(ctx, fn, ...args);
  } catch (e) {
    return threw(e);
  }
  if (value !== null && typeof (value as { then?: unknown })?.then === "function")
    return Promise.resolve(value).then(succeeded, threw);
  return succeeded(value);
}

export async function executeAction(
  call: ClaimedAction,
  fn: ActionFn | undefined,
  args: unknown[],
  worker: string,
  shutdown: AbortSignal,
): Promise<Completion> {
  const policy = decodeStoredPolicy(call.policy);
  const startedAt = new Date();
  const ctrl = new LazyAbort();
  const unwatch = watch(shutdown, ctrl);
  let timer: NodeJS.Timeout | undefined;
  let result: Result;
  try {
    if (!fn) {
      result = {
        ok: false,
        error: errorToValue(
          new Error(`action \`${call.action}\` is not registered in this worker`),
        ),
      };
    } else {
      const run = attempt(fn, args, {
        get signal() {
          return ctrl.signal;
        },
        attempt: call.attempt,
        instanceId: call.instanceId,
        callId: call.callId,
        action: call.action,
      });
      if (!(run instanceof Promise) || policy.timeoutMs === null || policy.timeoutMs === undefined)
        result = await run;
      else {
        const ms = policy.timeoutMs;
        result = await Promise.race([
          run,
          new Promise<Result>((resolve) => {
            timer = setTimeout(() => {
              const error = makeActionTimeoutError(ms);
              ctrl.abort(new ActionTimeoutSignalReason(error.message));
              resolve({ ok: false, error });
            }, ms);
          }),
        ]);
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    unwatch();
  }

  return completionFor(call, result, worker, startedAt, policy);
}

/** The completion recording an attempt's result: the encoded value, or the error with the
 *  policy's retry decision (a value that cannot be stored is the attempt's error). */
export function completionFor(
  call: ClaimedAction,
  res: AttemptResult,
  worker: string,
  startedAt: Date,
  policy = decodeStoredPolicy(call.policy),
): Completion {
  let result = res;
  const base = {
    instanceId: call.instanceId,
    callId: call.callId,
    attempt: call.attempt,
    worker,
    startedAt,
    delayMs: 0,
  };
  if (result.ok) {
    try {
      const resultJson = JSON.stringify(
        encodeValue(result.value, `result of action \`${call.action}\``),
      );
      assertPayloadSize(resultJson, `the result of action \`${call.action}\``);
      return { ...base, kind: "completed", success: true, resultJson };
    } catch (e) {
      // Deterministic: retrying would produce the same oversized value.
      if (e instanceof PayloadTooLargeError) {
        const resultJson = JSON.stringify(encodeValue(errorToValue(e)));
        return { ...base, kind: "failed", success: false, resultJson };
      }
      result = { ok: false, error: errorToValue(e) };
    }
  }
  const error = result.error;
  // The policy counts the attempts that ran to an outcome: lost ones have their own budget.
  const decision = decideRetry(policy, call.attempt - (call.lostAttempts ?? 0), error);
  const resultJson = JSON.stringify(encodeValue(error));
  if (decision.retry)
    return { ...base, kind: "retry", success: false, resultJson, delayMs: decision.delayMs };
  return { ...base, kind: "failed", success: false, resultJson };
}
