// The whitelist of pure built-ins a workflow body may call. The compiler accepts exactly
// these names and the runtime implements exactly these names: a test checks both directions.
//
// Invariant: every entry is deterministic — same arguments, same result, on every machine —
// and never reads a clock, randomness, the environment or I/O.

/** Global functions, by their dotted path. */
export const BUILTIN_FUNCTIONS = [
  "String",
  "Number",
  "Boolean",
  "BigInt",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "Array.isArray",
  "Array.from",
  "Array.of",
  "Object.keys",
  "Object.values",
  "Object.entries",
  "Object.fromEntries",
  "Object.assign",
  "JSON.stringify",
  "JSON.parse",
  "Number.isInteger",
  "Number.isSafeInteger",
  "Number.isFinite",
  "Number.isNaN",
  "Number.parseInt",
  "Number.parseFloat",
  "Math.abs",
  "Math.ceil",
  "Math.floor",
  "Math.round",
  "Math.trunc",
  "Math.sign",
  "Math.max",
  "Math.min",
  "Math.pow",
  "Math.sqrt",
  "Math.cbrt",
  "Math.log",
  "Math.log2",
  "Math.log10",
  "Math.exp",
  "Math.hypot",
  "Math.sin",
  "Math.cos",
  "Math.tan",
  "Math.atan2",
  "encodeURIComponent",
  "decodeURIComponent",
] as const;

/** Global constants readable as values. */
export const BUILTIN_CONSTANTS = [
  "Math.PI",
  "Math.E",
  "Number.MAX_SAFE_INTEGER",
  "Number.MIN_SAFE_INTEGER",
  "Number.EPSILON",
  "Number.MAX_VALUE",
  "Number.MIN_VALUE",
  "Number.POSITIVE_INFINITY",
  "Number.NEGATIVE_INFINITY",
  "Infinity",
  "NaN",
] as const;

/** Methods that never mutate their receiver (strings, arrays, Maps, Sets, numbers, Dates). */
export const PURE_METHODS = [
  // strings
  "includes",
  "startsWith",
  "endsWith",
  "indexOf",
  "lastIndexOf",
  "slice",
  "substring",
  "split",
  "trim",
  "trimStart",
  "trimEnd",
  "toUpperCase",
  "toLowerCase",
  "padStart",
  "padEnd",
  "repeat",
  "replace",
  "replaceAll",
  "charAt",
  "at",
  "concat",
  "localeCompare",
  // arrays
  "join",
  "flat",
  "toReversed",
  "toSorted",
  "with",
  // Map / Set
  "get",
  "has",
  "keys",
  "values",
  "entries",
  // numbers, dates and any value
  "toFixed",
  "toString",
  "toISOString",
  "getTime",
] as const;

/** Methods that mutate their receiver; allowed only when the receiver's root is a local
 *  variable (so the mutation stays inside the instance's state). */
export const MUTATING_METHODS = [
  "push",
  "pop",
  "shift",
  "unshift",
  "set",
  "add",
  "delete",
  "clear",
] as const;

export const BUILTIN_METHODS = [...PURE_METHODS, ...MUTATING_METHODS] as const;

/** JavaScript's own error classes (their prototypes define `name`, e.g. "URIError"). */
export const STANDARD_ERROR_CLASSES = [
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "URIError",
  "EvalError",
  "AggregateError",
] as const;

/** Error classes known without an import: `instanceof` against them, and `exceptionTypes`
 *  entries naming them, match the recorded class chain. */
export const BUILTIN_ERROR_CLASSES = [...STANDARD_ERROR_CLASSES, "ActionTimeout"] as const;

export type BuiltinFunction = (typeof BUILTIN_FUNCTIONS)[number];
export type BuiltinMethod = (typeof BUILTIN_METHODS)[number];
