// How a call's ConcretePolicy is stored in `waymark_action_calls.policy`: only the fields that
// differ from the policy of a call without options (one attempt, no backoff, no timeout), and
// SQL NULL when none does — most calls. A full policy object (rows written before 0006) decodes
// to the same policy, so both forms may coexist in one table.
import { NO_OPTIONS_POLICY as DEFAULT } from "./policy.js";
import type { ConcretePolicy } from "./types.js";

/** JSON text of the fields that differ from the default policy; null when none does. */
export function encodeStoredPolicy(p: ConcretePolicy): string | null {
  const out: Partial<ConcretePolicy> = {};
  if (p.maxAttempts !== DEFAULT.maxAttempts) out.maxAttempts = p.maxAttempts;
  if (p.exceptionTypes !== null) out.exceptionTypes = p.exceptionTypes;
  const b = p.backoff;
  const d = DEFAULT.backoff;
  if (b.initialMs !== d.initialMs || b.multiplier !== d.multiplier || b.maxMs !== d.maxMs)
    out.backoff = b;
  if (p.timeoutMs !== null && p.timeoutMs !== undefined) out.timeoutMs = p.timeoutMs;
  if (p.onLost === "fail") out.onLost = "fail";
  return Object.keys(out).length > 0 ? JSON.stringify(out) : null;
}

/** The policy of a stored value (a parsed JSON object, its text, or null). */
export function decodeStoredPolicy(v: unknown): ConcretePolicy {
  const o = (typeof v === "string" ? JSON.parse(v) : v) as Partial<ConcretePolicy> | null;
  return {
    maxAttempts: o?.maxAttempts ?? DEFAULT.maxAttempts,
    exceptionTypes: o?.exceptionTypes ?? null,
    backoff: o?.backoff ? { ...o.backoff } : { ...DEFAULT.backoff },
    timeoutMs: o?.timeoutMs ?? null,
    ...(o?.onLost === "fail" ? { onLost: "fail" as const } : {}),
  };
}
