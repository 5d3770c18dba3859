// Turns anything thrown into an ErrorValue — never throws itself.
//
// - An Error (any subclass): { name, message, stack, classChain, ...own enumerable fields };
//   classChain holds the constructor names along the prototype chain, most derived first,
//   ending with "Error" (e.g. ["IntentionalError", "Error"]). A non-enumerable `cause` is kept
//   too. Own fields that cannot be stored are replaced by a readable "[unserializable: …]".
// - An AggregateError's non-enumerable `errors` is kept too, each error converted.
// - An ErrorValue record (already converted): a shallow copy; a caught error record
//   (caughtError.ts) becomes a plain one again, every field listed, causes included.
// - Anything else (a string, null, undefined, a number, a plain or cyclic object):
//   { name: "NonErrorThrown", message: <readable rendering>, classChain: ["NonErrorThrown",
//   "Error"], thrown: <the value, when it can be stored> }. So `err instanceof Error` holds for
//   every caught value inside a workflow, and the original value stays readable.
import type { ErrorValue } from "../runtime/types.js";
import { caughtErrorFields, isCaughtError } from "./caughtError.js";
import { encodeValue } from "./codec.js";

export const NON_ERROR_THROWN = "NonErrorThrown";

export function isErrorValue(v: unknown): v is ErrorValue {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.name === "string" && typeof r.message === "string" && Array.isArray(r.classChain);
}

function storable(v: unknown): unknown {
  try {
    encodeValue(v);
    return v;
  } catch (e) {
    return `[unserializable: ${(e as Error).message}]`;
  }
}

function classChainOf(e: object): string[] {
  const chain: string[] = [];
  let proto = Object.getPrototypeOf(e);
  while (proto && proto !== Object.prototype) {
    if (Object.hasOwn(proto, "constructor")) {
      const name = (proto.constructor as { name?: unknown }).name;
      if (typeof name === "string" && name !== "") chain.push(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  if (!chain.includes("Error")) chain.push("Error");
  return chain;
}

function render(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v !== "object") return String(v);
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
    if (s === undefined) return String(v);
    return s.length > 500 ? `${s.slice(0, 500)}…` : s;
  } catch {
    return "[object with a cycle]";
  }
}

export function errorToValue(e: unknown, depth = 0): ErrorValue {
  if (e instanceof Error) {
    const out: ErrorValue = {
      name: String(e.name),
      message: String(e.message),
      classChain: classChainOf(e),
    };
    if (typeof e.stack === "string") out.stack = e.stack;
    for (const k of Object.keys(e)) {
      if (k === "name" || k === "message" || k === "stack" || k === "classChain") continue;
      out[k] = storable((e as unknown as Record<string, unknown>)[k]);
    }
    if (Object.hasOwn(e, "cause") && !Object.hasOwn(out, "cause")) {
      const cause = (e as { cause?: unknown }).cause;
      out.cause =
        cause instanceof Error && depth < 5 ? errorToValue(cause, depth + 1) : storable(cause);
    }
    if (e instanceof AggregateError && Array.isArray(e.errors) && !Object.hasOwn(out, "errors")) {
      out.errors = e.errors.map((x: unknown) =>
        x instanceof Error && depth < 5 ? errorToValue(x, depth + 1) : storable(x),
      );
    }
    return out;
  }
  if (isCaughtError(e)) {
    const out = caughtErrorFields(e as object) as ErrorValue;
    out.classChain = [...out.classChain];
    const plain = (x: unknown) => (isCaughtError(x) && depth < 5 ? errorToValue(x, depth + 1) : x);
    if (Object.hasOwn(out, "cause")) out.cause = plain(out.cause);
    if (Array.isArray(out.errors)) out.errors = out.errors.map(plain);
    return out;
  }
  if (isErrorValue(e)) return { ...e, classChain: [...e.classChain] };
  const out: ErrorValue = {
    name: NON_ERROR_THROWN,
    message: render(e),
    classChain: [NON_ERROR_THROWN, "Error"],
  };
  const kept = storable(e);
  if (kept === e) out.thrown = e;
  return out;
}
