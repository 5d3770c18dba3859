// The method table: exactly BUILTIN_METHODS (src/ir/builtins.ts). A method is looked up on the
// native prototype of the receiver's kind (string, number, bigint, boolean, array, Map, Set,
// Date); plain objects and error values only have `toString`. Deviations, for storable and
// deterministic results: `keys`/`values`/`entries` return arrays, not iterators; a Date's
// `toString` is its ISO form; `localeCompare` defaults to the "en" locale.
import type { BuiltinMethod } from "../ir/builtins.js";
import type { Span } from "../ir/types.js";
import { throwError } from "./errors.js";
import { describe, toStringPrimitive, toStringValue } from "./valueOps.js";

/** `notFunction` words the TypeError for a receiver without the method (the evaluator knows
 *  the receiver's source text: `p.items.trim is not a function`). */
type Method = (
  recv: unknown,
  args: unknown[],
  span: Span | undefined,
  notFunction?: () => string,
) => unknown;

function protoOf(v: unknown): object | null {
  switch (typeof v) {
    case "string":
      return String.prototype;
    case "number":
      return Number.prototype;
    case "bigint":
      return BigInt.prototype;
    case "boolean":
      return Boolean.prototype;
  }
  if (Array.isArray(v)) return Array.prototype;
  if (v instanceof Map) return Map.prototype;
  if (v instanceof Set) return Set.prototype;
  if (v instanceof Date) return Date.prototype;
  return null;
}

function native(name: BuiltinMethod, toArray = false): Method {
  return (recv, args, span, notFunction) => {
    const proto = protoOf(recv) as Record<string, unknown> | null;
    const f = proto?.[name];
    if (typeof f !== "function") {
      if (name === "toString" && recv !== null && typeof recv === "object") {
        const p = toStringPrimitive(recv);
        return typeof p === "string" ? p : "[object Object]";
      }
      const message = notFunction?.() ?? `${name} is not a function on ${describe(recv)}`;
      return throwError("TypeError", message, span);
    }
    if (name === "toString" && recv instanceof Date) return toStringValue(recv);
    const out = f.apply(recv, args);
    return toArray ? Array.from(out as Iterable<unknown>) : out;
  };
}

export const METHOD_IMPLS: Record<BuiltinMethod, Method> = {
  includes: native("includes"),
  startsWith: native("startsWith"),
  endsWith: native("endsWith"),
  indexOf: native("indexOf"),
  lastIndexOf: native("lastIndexOf"),
  slice: native("slice"),
  substring: native("substring"),
  split: native("split"),
  trim: native("trim"),
  trimStart: native("trimStart"),
  trimEnd: native("trimEnd"),
  toUpperCase: native("toUpperCase"),
  toLowerCase: native("toLowerCase"),
  padStart: native("padStart"),
  padEnd: native("padEnd"),
  repeat: native("repeat"),
  replace: native("replace"),
  replaceAll: native("replaceAll"),
  charAt: native("charAt"),
  at: native("at"),
  concat: native("concat"),
  // A fixed default locale keeps the result independent of the host's locale.
  localeCompare: (recv, args, span, notFunction) =>
    native("localeCompare")(recv, [args[0], args[1] ?? "en", ...args.slice(2)], span, notFunction),
  join: native("join"),
  flat: native("flat"),
  toReversed: native("toReversed"),
  toSorted: native("toSorted"),
  with: native("with"),
  get: native("get"),
  has: native("has"),
  keys: native("keys", true),
  values: native("values", true),
  entries: native("entries", true),
  toFixed: native("toFixed"),
  toString: native("toString"),
  toISOString: native("toISOString"),
  getTime: native("getTime"),
  push: native("push"),
  pop: native("pop"),
  shift: native("shift"),
  unshift: native("unshift"),
  set: native("set"),
  add: native("add"),
  delete: native("delete"),
  clear: native("clear"),
};
