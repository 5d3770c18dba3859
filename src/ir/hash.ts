// The default workflow version: a hash of the span-free IR. Moving code, reformatting it or
// editing comments changes only spans, so it never mints a new version (a mistake of the
// Python original); any change of meaning changes at least one non-span field, so it does.

import { createHash } from "node:crypto";
import type { Program } from "./types.js";

/** A deep copy without `span` fields and without `undefined`-valued fields (absent = not
 *  given, as in the stored JSON). Arrays keep their holes as `null`, as JSON does. */
export function stripSpans(program: Program): unknown {
  return strip(program);
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : strip(x)));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v)) {
      if (key === "span" || value === undefined) continue;
      out[key] = strip(value);
    }
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x ?? null)).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, value]) => `${JSON.stringify(k)}:${canonicalJson(value)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** 16 hex characters of sha256 over the canonical JSON of the span-free program. */
export function hashProgram(program: Program): string {
  return createHash("sha256")
    .update(canonicalJson(stripSpans(program)))
    .digest("hex")
    .slice(0, 16);
}
