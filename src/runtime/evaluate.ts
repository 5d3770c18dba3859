// Pure expression evaluation and pattern binding, with JavaScript semantics on the values a
// workflow holds. Expressions never block, so they are evaluated atomically (recursively);
// only statements live on the persisted continuation stack.
//
// Invariants: evaluation never yields a function or an iterator as a value; a workflow-level
// error is raised as `Thrown` (catchable), malformed IR as `InterpreterError`.
import { BINARY_OPS as IR_BINARY_OPS } from "../ir/kinds.js";
import type { ArrayItem, Expr, Pattern, Span } from "../ir/types.js";
import { isErrorValue } from "../values/index.js";
import { setOwn } from "../values/json.js";
import { BUILTIN_CONSTANT_VALUES, BUILTIN_FUNCTION_IMPLS } from "./builtins.js";
import { InterpreterError, throwError } from "./errors.js";
import {
  arrayPatternNotIterable,
  type BindFrom,
  cannotDestructure,
  notAFunction,
  notIterable,
  spreadArgNotIterable,
} from "./jsMessages.js";
import { METHOD_IMPLS } from "./methods.js";
import { arith, getProp, iterate, plus, toKey, toStringValue } from "./valueOps.js";

/** Variables visible to an expression: a call frame's flat environment, plus one child scope
 *  per `.map`/`.filter` callback being evaluated. */
export interface Scope {
  vars: Record<string, unknown>;
  parent: Scope | null;
}

/** An optional chain (`a?.b.c`) that short-circuited: propagates through the rest of the
 *  member/index/method chain, then reads as `undefined`. */
const SHORT: unique symbol = Symbol("short-circuit");

// "in" is handled above; every other operator of the IR is arithmetic or comparison.
const BINARY_OPS = new Set(IR_BINARY_OPS);

function find(name: string, s: Scope | null): Scope | null {
  for (let sc = s; sc; sc = sc.parent) if (Object.hasOwn(sc.vars, name)) return sc;
  return null;
}

export function isBound(name: string, s: Scope): boolean {
  return find(name, s) !== null;
}

export function lookup(name: string, s: Scope, span?: Span): unknown {
  const sc = find(name, s);
  if (sc) return sc.vars[name];
  if (Object.hasOwn(BUILTIN_CONSTANT_VALUES, name)) return BUILTIN_CONSTANT_VALUES[name];
  if (name === "undefined") return undefined;
  return throwError("ReferenceError", `${name} is not defined`, span);
}

export function evalExpr(e: Expr, s: Scope): unknown {
  const v = ev(e, s);
  return v === SHORT ? undefined : v;
}

/** Evaluates array-literal items, or (`args`) the arguments of a call: their spreads word a
 *  non-iterable value differently, as JavaScript does. */
export function evalItems(items: ArrayItem[], s: Scope, args = true): unknown[] {
  const out: unknown[] = [];
  for (const it of items) {
    if (it.k !== "spread") {
      out.push(evalExpr(it, s));
      continue;
    }
    const why = (v: unknown) => (args ? spreadArgNotIterable(v, it.expr) : notIterable(v, it.expr));
    out.push(...iterate(evalExpr(it.expr, s), it.span, why));
  }
  return out;
}

function constantOf(e: Expr, s: Scope): string | null {
  if (e.k !== "member" || e.object.k !== "name" || isBound(e.object.name, s)) return null;
  const path = `${e.object.name}.${e.property}`;
  return Object.hasOwn(BUILTIN_CONSTANT_VALUES, path) ? path : null;
}

function readProp(o: unknown, key: string, optional: boolean, span: Span): unknown {
  if (o === SHORT) return SHORT;
  if (o === null || o === undefined) {
    if (optional) return SHORT;
    return throwError("TypeError", `Cannot read properties of ${o} (reading '${key}')`, span);
  }
  return getProp(o, key);
}

export function isInstance(v: unknown, className: string): boolean {
  switch (className) {
    case "Date":
      return v instanceof Date;
    case "Map":
      return v instanceof Map;
    case "Set":
      return v instanceof Set;
    case "Array":
      return Array.isArray(v);
    case "Object":
      return v !== null && typeof v === "object";
  }
  return isErrorValue(v) && (v.classChain.includes(className) || className === "Error");
}

function ev(e: Expr, s: Scope): unknown {
  switch (e.k) {
    case "lit":
      return e.value;
    case "undefined":
      return undefined;
    case "name":
      return lookup(e.name, s, e.span);
    case "array":
      return evalItems(e.items, s, false);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const p of e.props) {
        if (p.k === "prop") setOwn(out, p.key, evalExpr(p.value, s));
        else if (p.k === "computed") {
          const key = toKey(evalExpr(p.key, s));
          setOwn(out, key, evalExpr(p.value, s));
        } else {
          const v = evalExpr(p.expr, s);
          if (
            typeof v === "string" ||
            (v !== null &&
              typeof v === "object" &&
              !(v instanceof Map) &&
              !(v instanceof Set) &&
              !(v instanceof Date))
          ) {
            const src = Object(v) as Record<string, unknown>;
            for (const k of Object.keys(src)) setOwn(out, k, src[k]);
          }
        }
      }
      return out;
    }
    case "member": {
      const c = constantOf(e, s);
      if (c) return BUILTIN_CONSTANT_VALUES[c];
      return readProp(ev(e.object, s), e.property, e.optional, e.span);
    }
    case "index": {
      const o = ev(e.object, s);
      if (o === SHORT || ((o === null || o === undefined) && e.optional)) return SHORT;
      const key = toKey(evalExpr(e.index, s));
      return readProp(o, key, false, e.span);
    }
    case "unary": {
      if (e.op === "typeof" && e.arg.k === "name" && !isBound(e.arg.name, s)) {
        if (!Object.hasOwn(BUILTIN_CONSTANT_VALUES, e.arg.name)) return "undefined";
      }
      const v: any = evalExpr(e.arg, s);
      switch (e.op) {
        case "!":
          return !v;
        case "-":
          return -v;
        case "+":
          return +v;
        case "~":
          return ~v;
        case "typeof":
          return typeof v;
        case "void":
          return undefined;
      }
      throw new InterpreterError(`unknown unary operator ${String((e as { op: unknown }).op)}`);
    }
    case "binary": {
      const l = evalExpr(e.left, s);
      const r = evalExpr(e.right, s);
      if (e.op === "in") {
        if (r === null || typeof r !== "object") {
          return throwError(
            "TypeError",
            `Cannot use 'in' operator to search for '${toKey(l)}' in ${toStringValue(r)}`,
            e.span,
          );
        }
        // Workflow values are real JavaScript objects: `in` sees what it sees in JavaScript,
        // inherited members included (`"size" in aMap`, `"toString" in {}`).
        return toKey(l) in r;
      }
      if (!BINARY_OPS.has(e.op)) throw new InterpreterError(`unknown binary operator ${e.op}`);
      return e.op === "+" ? plus(l, r) : arith(e.op, l, r);
    }
    case "logical": {
      const l = evalExpr(e.left, s);
      if (e.op === "&&") return l ? evalExpr(e.right, s) : l;
      if (e.op === "||") return l ? l : evalExpr(e.right, s);
      return l === null || l === undefined ? evalExpr(e.right, s) : l;
    }
    case "cond":
      return evalExpr(e.test, s) ? evalExpr(e.then, s) : evalExpr(e.else, s);
    case "builtin": {
      if (Object.hasOwn(BUILTIN_CONSTANT_VALUES, e.fn) && e.args.length === 0) {
        return BUILTIN_CONSTANT_VALUES[e.fn];
      }
      if (!Object.hasOwn(BUILTIN_FUNCTION_IMPLS, e.fn)) {
        return throwError("TypeError", `${e.fn} is not a whitelisted built-in function`, e.span);
      }
      const f = BUILTIN_FUNCTION_IMPLS[e.fn as keyof typeof BUILTIN_FUNCTION_IMPLS];
      return f(...evalItems(e.args, s));
    }
    case "method": {
      const recv = ev(e.object, s);
      if (recv === SHORT) return SHORT;
      if (recv === null || recv === undefined) {
        if (e.optional) return SHORT;
        return throwError(
          "TypeError",
          `Cannot read properties of ${recv} (reading '${e.method}')`,
          e.span,
        );
      }
      if (!Object.hasOwn(METHOD_IMPLS, e.method)) {
        return throwError("TypeError", `${e.method} is not a whitelisted method`, e.span);
      }
      const m = METHOD_IMPLS[e.method as keyof typeof METHOD_IMPLS];
      return m(recv, evalItems(e.args, s), e.span, () => notAFunction(e.object, e.method));
    }
    case "map":
    case "filter": {
      // A short-circuited optional chain before the link (`a?.b.map(f)`) skips it too.
      const src = ev(e.source, s);
      if (src === SHORT) return SHORT;
      if (src === null || src === undefined) {
        return throwError(
          "TypeError",
          `Cannot read properties of ${src} (reading '${e.k}')`,
          e.span,
        );
      }
      if (!Array.isArray(src)) return throwError("TypeError", notAFunction(e.source, e.k), e.span);
      const out: unknown[] = [];
      for (let i = 0; i < src.length; i++) {
        const el = src[i];
        const child: Scope = { vars: {}, parent: s };
        const given = [el, i, src];
        e.params.forEach((p, j) => {
          bindPattern(p, given[j], child);
        });
        const r = evalExpr(e.body, child);
        if (e.k === "map") out.push(r);
        else if (r) out.push(el);
      }
      return out;
    }
    case "instanceof":
      return isInstance(evalExpr(e.value, s), e.className);
  }
  throw new InterpreterError(`unknown expression kind ${JSON.stringify((e as { k: unknown }).k)}`);
}

/** Binds a pattern into `into.vars` (declaration, assignment, parameter, catch and callback
 *  bindings all use this: names are unique per function, so they are one operation). `from`
 *  says where the value comes from, for the wording of a TypeError (absent: a parameter). */
export function bindPattern(p: Pattern, v: unknown, into: Scope, from?: BindFrom): void {
  switch (p.k) {
    case "pname":
      setOwn(into.vars, p.name, v);
      return;
    case "parray": {
      const items = iterate(v, p.span, (x) => arrayPatternNotIterable(x, from));
      p.elements.forEach((el, i) => {
        if (el === null) return;
        let x = items[i];
        if (x === undefined && el.default) x = evalExpr(el.default, into);
        bindPattern(el.target, x, into, NESTED);
      });
      if (p.rest) bindPattern(p.rest, items.slice(p.elements.length), into);
      return;
    }
    case "pobject": {
      if (v === null || v === undefined) {
        throwError("TypeError", cannotDestructure(v, p, from), p.span);
      }
      for (const prop of p.props) {
        let x = getProp(v, prop.key);
        if (x === undefined && prop.default) x = evalExpr(prop.default, into);
        bindPattern(prop.target, x, into, NESTED);
      }
      if (p.rest) {
        const taken = new Set(p.props.map((q) => q.key));
        const rest: Record<string, unknown> = {};
        if (typeof v === "object" && !(v instanceof Map) && !(v instanceof Set)) {
          const src = v as Record<string, unknown>;
          for (const k of Object.keys(src)) if (!taken.has(k)) setOwn(rest, k, src[k]);
        }
        bindPattern(p.rest, rest, into);
      }
      return;
    }
  }
  throw new InterpreterError(`unknown pattern kind ${JSON.stringify((p as { k: unknown }).k)}`);
}

const NESTED: BindFrom = { k: "nested" };

/** Names a pattern binds (for the concurrent-mode dependency check). */
export function patternNames(p: Pattern | undefined, out = new Set<string>()): Set<string> {
  if (!p) return out;
  if (p.k === "pname") out.add(p.name);
  else if (p.k === "parray") {
    for (const el of p.elements) if (el) patternNames(el.target, out);
    patternNames(p.rest, out);
  } else {
    for (const prop of p.props) patternNames(prop.target, out);
    patternNames(p.rest, out);
  }
  return out;
}

/** Every name read anywhere inside a node (over-approximation: includes callback params). */
export function namesRead(node: unknown, out = new Set<string>()): Set<string> {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    for (const x of node) namesRead(x, out);
    return out;
  }
  const rec = node as Record<string, unknown>;
  if (rec.k === "name" && typeof rec.name === "string") out.add(rec.name);
  for (const k of Object.keys(rec)) if (k !== "span") namesRead(rec[k], out);
  return out;
}
