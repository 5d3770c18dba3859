// The messages of the TypeErrors the interpreter raises itself, worded as Node's V8 words them,
// so a workflow that reports `err.message` (or fails with it) reads the same as the body run as
// plain JavaScript. V8 names the value by the source text of the expression that produced it
// (`p.items is not iterable`); the interpreter renders that text back from the IR for names and
// plain member/index chains, and uses V8's own fallbacks ("(intermediate value)", the value's
// type) where V8 does. test/e2e/equivalence.test.ts compares these against V8 itself.
import type { Expr, ObjectPattern } from "../ir/types.js";

/** Where a destructured value comes from. `expr`: the value expression of a declaration (or,
 *  `assign`, of a destructuring assignment). `text`: a fixed rendering (an awaited action is
 *  "(intermediate value)", a helper's result "this.h(...)"); `arrayText`, when V8 names the
 *  value there too for array patterns. Absent: a parameter or callback parameter. */
export type BindFrom =
  | { k: "expr"; expr: Expr; assign?: boolean }
  | { k: "text"; text: string; arrayText?: string }
  | { k: "nested" };

export const INTERMEDIATE = "(intermediate value)";

/** The result of an awaited action or gather, as V8 names it. */
export const AWAITED: BindFrom = { k: "text", text: INTERMEDIATE, arrayText: INTERMEDIATE };

/** The source text V8 would print for `e`, or undefined when V8 would not print source. */
export function sourceText(e: Expr): string | undefined {
  switch (e.k) {
    case "name":
      // `#t0` is a compiler temporary (an awaited value); `x#2` a renamed shadowing `x`.
      return e.name.startsWith("#") ? undefined : e.name.replace(/#\d+$/, "");
    case "lit":
      return typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
    case "undefined":
      return "undefined";
    case "member": {
      const o = e.optional ? undefined : sourceText(e.object);
      return o === undefined ? undefined : `${o}.${e.property}`;
    }
    case "index": {
      const o = e.optional ? undefined : sourceText(e.object);
      if (o === undefined) return undefined;
      if (e.index.k === "lit" && typeof e.index.value === "string") return `${o}.${e.index.value}`;
      const i = e.index.k === "lit" || e.index.k === "name" ? sourceText(e.index) : undefined;
      return i === undefined ? undefined : `${o}[${i}]`;
    }
  }
  return undefined;
}

/** `sourceText`, with V8's "(intermediate value)" for an awaited value. */
function named(e: Expr): string | undefined {
  if (e.k === "name" && e.name.startsWith("#")) return INTERMEDIATE;
  return sourceText(e);
}

/** V8's "number 5 is not iterable (cannot read property Symbol(Symbol.iterator))" form. */
function typeNotIterable(v: unknown): string {
  let what: string;
  if (v === null) what = "object null";
  else if (typeof v === "number" || typeof v === "boolean") what = `${typeof v} ${String(v)}`;
  else if (typeof v === "object" || typeof v === "bigint") what = typeof v;
  else what = String(v);
  return `${what} is not iterable (cannot read property Symbol(Symbol.iterator))`;
}

/** `for (… of x)` and `[...x]` of a value that is not iterable. */
export function notIterable(v: unknown, subject: Expr | undefined): string {
  const text = subject && named(subject);
  return text === undefined ? typeNotIterable(v) : `${text} is not iterable`;
}

/** `f(...x)` (a spread argument) of a value that is not iterable. */
export function spreadArgNotIterable(v: unknown, subject: Expr): string {
  const text = named(subject);
  if ((v === null || v === undefined) && text !== undefined) {
    return `${text} is not iterable (cannot read property ${v})`;
  }
  return "Spread syntax requires ...iterable[Symbol.iterator] to be a function";
}

/** An array pattern (`const [a] = x`) over a value that is not iterable. */
export function arrayPatternNotIterable(v: unknown, from: BindFrom | undefined): string {
  if (from?.k === "text" && from.arrayText) return `${from.arrayText} is not iterable`;
  // V8 prints the source only for a declaration from a plain name or literal.
  if (from?.k === "expr" && !from.assign) {
    const e = from.expr;
    if (e.k === "name" || e.k === "lit" || e.k === "undefined") return notIterable(v, e);
  }
  return typeNotIterable(v);
}

/** An object pattern over `null` or `undefined`. */
export function cannotDestructure(
  v: null | undefined,
  p: ObjectPattern,
  from: BindFrom | undefined,
): string {
  const first = p.props[0]?.key;
  if (from?.k === "nested") {
    if (first !== undefined) return `Cannot read properties of ${v} (reading '${first}')`;
    return `Cannot destructure '${v}' as it is ${v}.`;
  }
  let who: string;
  if (from === undefined) who = v === null ? "object null" : "undefined";
  else if (from.k === "text") who = from.text;
  else who = named(from.expr) ?? INTERMEDIATE;
  return first === undefined
    ? `Cannot destructure '${who}' as it is ${v}.`
    : `Cannot destructure property '${first}' of '${who}' as it is ${v}.`;
}

/** A method called on a value that has no such method: `p.items.map is not a function`. */
export function notAFunction(object: Expr, method: string): string {
  return `${named(object) ?? INTERMEDIATE}.${method} is not a function`;
}
