// Evaluates an ActionCall's retry/timeout expressions into the ConcretePolicy stored with the
// call. Bad values raise a catchable TypeError at the call site.
//   no retry                → maxAttempts 1, exceptionTypes null, backoff {0, 1, 0}
//   retry without attempts  → maxAttempts 100
//   backoff d (ms or "30s") → fixed {initialMs: d, multiplier: 1, maxMs: d}
//   backoff {initial, multiplier = 2, max}: initial defaults to 0 ms, max to no cap
//     (Number.MAX_SAFE_INTEGER)
//   timeout                 → parseDuration, absent/undefined/null → null (no deadline)
import type { ActionCall, Span } from "../ir/types.js";
import { throwError } from "./errors.js";
import { evalExpr, type Scope } from "./evaluate.js";
import { parseDuration } from "./parseDuration.js";
import type { ConcretePolicy } from "./types.js";
import { describe, getProp } from "./valueOps.js";

const NO_BACKOFF = { initialMs: 0, multiplier: 1, maxMs: 0 };

/** The policy of a call without options: one attempt, no backoff, no timeout. */
export const NO_OPTIONS_POLICY: Readonly<ConcretePolicy> = Object.freeze({
  maxAttempts: 1,
  exceptionTypes: null,
  backoff: Object.freeze({ ...NO_BACKOFF }),
  timeoutMs: null,
});

function duration(v: unknown, what: string, span: Span): number {
  if (typeof v !== "number" && typeof v !== "string") {
    return throwError(
      "TypeError",
      `${what} must be milliseconds or a duration string, got ${describe(v)}`,
      span,
    );
  }
  try {
    const ms = parseDuration(v);
    if (ms < 0) throw new TypeError(`${v} is negative`);
    return ms;
  } catch (e) {
    return throwError("TypeError", `${what}: ${(e as Error).message}`, span);
  }
}

function backoffOf(v: unknown, span: Span): ConcretePolicy["backoff"] {
  if (v === undefined || v === null) return { ...NO_BACKOFF };
  if (typeof v === "number" || typeof v === "string") {
    const d = duration(v, "retry backoff", span);
    return { initialMs: d, multiplier: 1, maxMs: d };
  }
  if (typeof v === "object" && !Array.isArray(v)) {
    const initial = getProp(v, "initial");
    const multiplier = getProp(v, "multiplier");
    const max = getProp(v, "max");
    const m = multiplier === undefined ? 2 : multiplier;
    if (typeof m !== "number" || !Number.isFinite(m) || m <= 0) {
      return throwError(
        "TypeError",
        `retry backoff multiplier must be a positive number, got ${describe(m)}`,
        span,
      );
    }
    return {
      initialMs: initial === undefined ? 0 : duration(initial, "retry backoff initial", span),
      multiplier: m,
      maxMs:
        max === undefined || max === null
          ? Number.MAX_SAFE_INTEGER
          : duration(max, "retry backoff max", span),
    };
  }
  return throwError(
    "TypeError",
    `retry backoff must be a duration or { initial, multiplier, max }, got ${describe(v)}`,
    span,
  );
}

export function evalPolicy(call: ActionCall, s: Scope): ConcretePolicy {
  let policy: ConcretePolicy = { ...NO_OPTIONS_POLICY, backoff: { ...NO_BACKOFF } };
  const r = call.retry;
  if (r) {
    const attempts = r.attempts ? evalExpr(r.attempts, s) : undefined;
    const maxAttempts = attempts === undefined ? 100 : attempts;
    if (typeof maxAttempts !== "number" || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throwError(
        "TypeError",
        `retry attempts must be a positive integer, got ${describe(maxAttempts)}`,
        r.span,
      );
    }
    policy = {
      ...policy,
      maxAttempts: maxAttempts as number,
      exceptionTypes: r.exceptionTypes ? [...r.exceptionTypes] : null,
      backoff: backoffOf(r.backoff ? evalExpr(r.backoff, s) : undefined, r.span),
    };
  }
  if (call.timeout) {
    const t = evalExpr(call.timeout, s);
    if (t !== undefined && t !== null) policy.timeoutMs = duration(t, "action timeout", call.span);
  }
  if (call.onLost === "fail") policy.onLost = "fail";
  return policy;
}
