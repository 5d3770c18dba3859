// Implementations of the whitelisted pure built-ins (src/ir/builtins.ts). The tables hold
// exactly the names of BUILTIN_FUNCTIONS and BUILTIN_CONSTANTS (a test checks both ways).
// Invariant: no entry reads a clock, randomness, the environment or I/O; arguments are
// interpreter values (never functions), so callback-taking forms cannot occur.
import type { BuiltinFunction } from "../ir/builtins.js";
import { toStringValue } from "./valueOps.js";

type Fn = (...args: unknown[]) => unknown;
const n = (f: (...a: any[]) => unknown): Fn => f as Fn;

export const BUILTIN_FUNCTION_IMPLS: Record<BuiltinFunction, Fn> = {
  String: (...a) => (a.length === 0 ? "" : toStringValue(a[0])),
  Number: (...a) => (a.length === 0 ? 0 : Number(a[0])),
  Boolean: (v) => Boolean(v),
  BigInt: n((v: string | number | bigint | boolean) => BigInt(v)),
  parseInt: n(parseInt),
  parseFloat: n(parseFloat),
  // biome-ignore lint/suspicious/noGlobalIsNan: the global (coercing) isNaN is the whitelisted one
  isNaN: n(isNaN),
  // biome-ignore lint/suspicious/noGlobalIsFinite: the global (coercing) isFinite is the whitelisted one
  isFinite: n(isFinite),
  "Array.isArray": (v) => Array.isArray(v),
  "Array.from": (v) => Array.from(v as Iterable<unknown>),
  "Array.of": (...a) => Array.of(...a),
  "Object.keys": n(Object.keys),
  "Object.values": n(Object.values),
  "Object.entries": n(Object.entries),
  "Object.fromEntries": n(Object.fromEntries),
  "Object.assign": n(Object.assign),
  "JSON.stringify": n((v: unknown, replacer?: unknown, indent?: string | number) =>
    // Only an allow-list array of keys can be a replacer here (functions are not values).
    JSON.stringify(v, Array.isArray(replacer) ? (replacer as string[]) : null, indent),
  ),
  "JSON.parse": n((s: string) => JSON.parse(s)),
  "Number.isInteger": n(Number.isInteger),
  "Number.isSafeInteger": n(Number.isSafeInteger),
  "Number.isFinite": n(Number.isFinite),
  "Number.isNaN": n(Number.isNaN),
  "Number.parseInt": n(Number.parseInt),
  "Number.parseFloat": n(Number.parseFloat),
  "Math.abs": n(Math.abs),
  "Math.ceil": n(Math.ceil),
  "Math.floor": n(Math.floor),
  "Math.round": n(Math.round),
  "Math.trunc": n(Math.trunc),
  "Math.sign": n(Math.sign),
  "Math.max": n(Math.max),
  "Math.min": n(Math.min),
  "Math.pow": n(Math.pow),
  "Math.sqrt": n(Math.sqrt),
  "Math.cbrt": n(Math.cbrt),
  "Math.log": n(Math.log),
  "Math.log2": n(Math.log2),
  "Math.log10": n(Math.log10),
  "Math.exp": n(Math.exp),
  "Math.hypot": n(Math.hypot),
  "Math.sin": n(Math.sin),
  "Math.cos": n(Math.cos),
  "Math.tan": n(Math.tan),
  "Math.atan2": n(Math.atan2),
  encodeURIComponent: n(encodeURIComponent),
  decodeURIComponent: n(decodeURIComponent),
};

export const BUILTIN_CONSTANT_VALUES: Record<string, number> = {
  "Math.PI": Math.PI,
  "Math.E": Math.E,
  "Number.MAX_SAFE_INTEGER": Number.MAX_SAFE_INTEGER,
  "Number.MIN_SAFE_INTEGER": Number.MIN_SAFE_INTEGER,
  "Number.EPSILON": Number.EPSILON,
  "Number.MAX_VALUE": Number.MAX_VALUE,
  "Number.MIN_VALUE": Number.MIN_VALUE,
  "Number.POSITIVE_INFINITY": Number.POSITIVE_INFINITY,
  "Number.NEGATIVE_INFINITY": Number.NEGATIVE_INFINITY,
  Infinity: Number.POSITIVE_INFINITY,
  NaN: Number.NaN,
};
