// Runs one claimed attempt and turns its outcome into a completion: the value or the thrown
// error (with an explicit success flag), a timeout as ActionTimeout (the attempt's signal is
// aborted), and the retry decision of the call's policy.
import { decideRetry, decodeStoredPolicy, makeActionTimeoutError } from "../runtime/index.js";
import type { ErrorValue } from "../runtime/types.js";
import type { ClaimedAction, Completion } from "../store/Store.js";
import { encodeValue, errorToValue } from "../values/index.js";
import { assertPayloadSize, PayloadTooLargeError } from "../values/payloadLimit.js";
import { actionStorage } from "./actionContext.js";

export type ActionFn = (...args: unknown[]) => unknown;

type Result = { ok: true; value: unknown } | { ok: false; error: ErrorValue };

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
  const onShutdown = () => ctrl.abort(shutdown.reason);
  shutdown.addEventListener("abort", onShutdown, { once: true });
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
      const run = (async (): Promise<Result> => {
        try {
          const value = await actionStorage.run(
            {
              get signal() {
                return ctrl.signal;
              },
              attempt: call.attempt,
              instanceId: call.instanceId,
              callId: call.callId,
              action: call.action,
            },
            () => fn(...args),
          );
          return { ok: true, value };
        } catch (e) {
          return { ok: false, error: errorToValue(e) };
        }
      })();
      const contenders: Promise<Result>[] = [run];
      if (policy.timeoutMs !== null && policy.timeoutMs !== undefined) {
        const ms = policy.timeoutMs;
        contenders.push(
          new Promise<Result>((resolve) => {
            timer = setTimeout(() => {
              const error = makeActionTimeoutError(ms);
              ctrl.abort(new ActionTimeoutSignalReason(error.message));
              resolve({ ok: false, error });
            }, ms);
          }),
        );
      }
      result = contenders.length === 1 ? await run : await Promise.race(contenders);
    }
  } finally {
    if (timer) clearTimeout(timer);
    shutdown.removeEventListener("abort", onShutdown);
  }

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
  const decision = decideRetry(policy, call.attempt, error);
  const resultJson = JSON.stringify(encodeValue(error));
  if (decision.retry)
    return { ...base, kind: "retry", success: false, resultJson, delayMs: decision.delayMs };
  return { ...base, kind: "failed", success: false, resultJson };
}
