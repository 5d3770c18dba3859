// The workflow's view of an error: the record a `catch` binds and a rejected allSettled
// `reason` holds.
//
// An ErrorValue (errorToValue.ts) lists every field as an enumerable key, which is what is
// stored and returned. JavaScript keeps most of them off an Error's enumerable keys: `message`,
// `stack`, `cause` (given as an option) and an AggregateError's `errors` are own but not
// enumerable, and `name` is inherited from the built-in class's prototype unless the class
// sets its own (`name = "HttpError"`, which is enumerable). A caught error record keeps every
// field as an own property, so reads (`e.message`, `const { name } = e`, `"stack" in e`) see
// them, and makes the ones JavaScript hides non-enumerable, so `Object.keys(e)`, `{ ...e }` and
// `JSON.stringify(e)` list what JavaScript lists. `classChain` (the engine's own) is never
// enumerable; a non-enumerable own `classChain` is what marks a caught error record.
//
// Invariant: converting never loses a field. The codec stores a caught record as an error
// (every field listed); interpreter state restores it as a caught record with the same keys
// hidden.
import { STANDARD_ERROR_CLASSES } from "../ir/builtins.js";
import { isErrorValue } from "./errorToValue.js";
import { setOwn } from "./json.js";

const STANDARD = new Set<string>(STANDARD_ERROR_CLASSES);

/** Is `v` a caught error record (see the header)? */
export function isCaughtError(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const d = Object.getOwnPropertyDescriptor(v, "classChain");
  return d !== undefined && !d.enumerable && Array.isArray(d.value);
}

/** The `name` an error of this class chain inherits: its nearest built-in class's. */
function inheritedName(chain: readonly unknown[]): string {
  const builtin = chain.find((c) => typeof c === "string" && STANDARD.has(c));
  return typeof builtin === "string" ? builtin : "Error";
}

/** The keys of `r` that JavaScript would not list for the error it records. */
function hiddenKeys(r: Record<string, unknown>, chain: readonly unknown[]): Set<string> {
  const hidden = new Set(["message", "stack", "cause", "classChain"]);
  if (r.name === inheritedName(chain)) hidden.add("name");
  if (chain.includes("AggregateError")) hidden.add("errors");
  return hidden;
}

function hide(o: Record<string, unknown>, key: string): void {
  Object.defineProperty(o, key, {
    value: o[key],
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/** The own keys of a caught error record that are not enumerable (the codec keeps them in
 *  interpreter state, so a restored record lists exactly what it listed before). */
export function hiddenErrorKeys(r: object): string[] {
  return Object.getOwnPropertyNames(r).filter(
    (k) => !Object.prototype.propertyIsEnumerable.call(r, k),
  );
}

/** Makes `keys` of the record `r` non-enumerable, in place (restoring a caught record). */
export function hideErrorKeys(r: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of keys) if (Object.hasOwn(r, k)) hide(r, k);
}

/** The workflow's view of a thrown value: a copy of an ErrorValue as a caught error record
 *  (nested causes and errors copied too); a caught record itself (so a re-thrown error is
 *  the same object when caught again); anything else unchanged. */
export function toCaughtError(v: unknown, depth = 0): unknown {
  if (!isErrorValue(v) || isCaughtError(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, (v as Record<string, unknown>)[k]);
  out.classChain = [...(v.classChain as unknown[])];
  if (depth < 5) {
    if (isErrorValue(out.cause)) out.cause = toCaughtError(out.cause, depth + 1);
    if (Array.isArray(out.errors) && (out.classChain as unknown[]).includes("AggregateError"))
      out.errors = out.errors.map((e) => toCaughtError(e, depth + 1));
  }
  const hidden = hiddenKeys(out, out.classChain as unknown[]);
  hideErrorKeys(
    out,
    Object.keys(out).filter((k) => hidden.has(k)),
  );
  return out;
}

/** Every own field of a caught error record, as a plain record in the record's key order
 *  (the stored form). Nested values are not copied. */
export function caughtErrorFields(r: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.getOwnPropertyNames(r)) setOwn(out, k, (r as Record<string, unknown>)[k]);
  return out;
}
