// JavaScript value operations on interpreter values, with the few deliberate deviations that
// keep evaluation deterministic across machines:
// - a Date converts to a string as its ISO form (JS would use the host time zone);
// - an ErrorValue converts to "Name: message" (as a real Error would).

import type { Span } from "../ir/types.js";
import { isErrorValue } from "../values/index.js";
import { throwError } from "./errors.js";

export function toStringPrimitive(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (isErrorValue(v)) return v.message ? `${v.name}: ${v.message}` : v.name;
  return v;
}

export function toStringValue(v: unknown): string {
  return String(toStringPrimitive(v));
}

export function plus(a: unknown, b: unknown): unknown {
  return (toStringPrimitive(a) as any) + (toStringPrimitive(b) as any);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) return "an array";
  if (v instanceof Map) return "a Map";
  if (v instanceof Set) return "a Set";
  if (v instanceof Date) return "a Date";
  return "an object";
}

/** The elements `for...of`, array spread and array patterns see: a snapshot. `message` words
 *  the TypeError for a value that is not iterable (see jsMessages.ts). */
export function iterate(
  v: unknown,
  span: Span | undefined,
  message: (v: unknown) => string = (x) => `${describe(x)} is not iterable`,
): unknown[] {
  if (Array.isArray(v)) return Array.from(v);
  if (typeof v === "string") return Array.from(v);
  if (v instanceof Map) return Array.from(v.entries(), ([k, x]) => [k, x]);
  if (v instanceof Set) return Array.from(v);
  return throwError("TypeError", message(v), span);
}

/** Own-property read with JavaScript results for the values a workflow holds. Never returns
 *  a function (prototype members are not visible; methods go through the method table). */
export function getProp(o: unknown, key: string): unknown {
  if (typeof o === "string") {
    if (key === "length") return o.length;
    return /^(0|[1-9]\d*)$/.test(key) ? o[Number(key)] : undefined;
  }
  if (o === null || typeof o !== "object") return undefined;
  if (o instanceof Map || o instanceof Set) return key === "size" ? o.size : undefined;
  if (o instanceof Date) return undefined;
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

export function toKey(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

export function arith(op: string, a: any, b: any): unknown {
  switch (op) {
    case "+":
      return plus(a, b);
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return a % b;
    case "**":
      return a ** b;
    case "<<":
      return a << b;
    case ">>":
      return a >> b;
    case ">>>":
      return a >>> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "===":
      return a === b;
    case "!==":
      return a !== b;
    case "==":
      // biome-ignore lint/suspicious/noDoubleEquals: JavaScript semantics of the workflow body
      return a == b;
    case "!=":
      // biome-ignore lint/suspicious/noDoubleEquals: JavaScript semantics of the workflow body
      return a != b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
  return undefined;
}
