import { ACTION_TIMEOUT } from "./errors.js";
import type { ConcretePolicy, ErrorValue } from "./types.js";

function chainOf(error: ErrorValue): string[] {
  const chain = Array.isArray(error.classChain) ? error.classChain : [];
  return typeof error.name === "string" ? [...chain, error.name] : chain;
}

/** Whether a failed attempt is retried. `attempt` = attempts already made (1-based).
 *  Retry when attempt < maxAttempts and the error matches: exceptionTypes null → any error
 *  except ActionTimeout; otherwise any listed name in the class chain (or the error's name).
 *  Delay = min(maxMs, initialMs * multiplier^(attempt-1)). */
export function decideRetry(
  policy: ConcretePolicy,
  attempt: number,
  error: ErrorValue,
): { retry: true; delayMs: number } | { retry: false } {
  if (attempt >= policy.maxAttempts) return { retry: false };
  const chain = chainOf(error);
  const matches =
    policy.exceptionTypes === null
      ? !chain.includes(ACTION_TIMEOUT)
      : policy.exceptionTypes.some((t) => chain.includes(t));
  if (!matches) return { retry: false };
  const { initialMs, multiplier, maxMs } = policy.backoff;
  const raw = initialMs * multiplier ** Math.max(0, attempt - 1);
  const delayMs = Math.max(0, Math.min(maxMs, Number.isFinite(raw) ? raw : maxMs));
  return { retry: true, delayMs: Math.round(delayMs) };
}
