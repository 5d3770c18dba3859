import ts from "typescript";
import type { Expr, ObjectProp, Span } from "../../ir/types.js";
import { propName, skipOuter, spanOf } from "../source.js";
import { BINARY_TOKENS, LOGICAL_TOKENS, PREFIX_TOKENS } from "../tokens.js";
import { type Binding, isSdkExport, resolveExport, resolveName } from "./bindings.js";
import type { ModuleInfo } from "./module.js";
import { mutationOf } from "./mutations.js";

// Static reading of module-level constants: enums, and `const` declarations whose initializer
// is built only from literals (numbers, strings, booleans, null, undefined, templates), array
// and object literals (spreads and computed constant keys included), operators, built-in
// constants (`Math.PI`, `Infinity`) and other such constants, followed through imports. The
// value is inlined into the IR as an expression of literals, which the runtime evaluates as
// JavaScript would. Anything else yields `undefined`, with the reason told to `why`; nothing
// here ever executes user code.

export function isAsConst(init: ts.Expression | undefined): boolean {
  let e = init;
  while (e && (ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e))) e = e.expression;
  return (
    !!e &&
    ts.isAsExpression(e) &&
    ts.isTypeReferenceNode(e.type) &&
    ts.isIdentifier(e.type.typeName) &&
    e.type.typeName.text === "const"
  );
}

export function enumObject(
  node: ts.EnumDeclaration,
  mod: ModuleInfo,
  opts: ConstOptions = {},
): Expr | undefined {
  const props: ObjectProp[] = [];
  let next: number | undefined = 0;
  for (const m of node.members) {
    const key = propName(m.name);
    if (key === undefined) return undefined;
    let value: Expr | undefined;
    if (m.initializer) {
      value = constantExpr(m.initializer, mod, opts);
      next = value?.k === "lit" && typeof value.value === "number" ? value.value + 1 : undefined;
    } else if (next !== undefined) {
      value = { k: "lit", value: next, span: spanOf(m, mod.sf) };
      next += 1;
    }
    if (!value) return undefined;
    props.push({ k: "prop", key, value, span: spanOf(m, mod.sf) });
  }
  return { k: "object", props, span: spanOf(node, mod.sf) };
}

/** How far static reading reaches. Without `plain`, only enums and `as const` declarations
 *  are read (staticKey's default, for keys written in options). `unmutated`: refuse an array or
 *  object constant that its module changes (mutations.ts) — set where a workflow body reads the
 *  value, since it would read the changed value in JavaScript. */
export interface ConstOptions {
  plain?: boolean;
  unmutated?: boolean;
  /** Bindings being evaluated (a cycle yields undefined). */
  seen?: Set<string>;
  /** Told why the value is not constant, innermost cause first (the first call is the one to
   *  report). */
  why?: (w: NotConstant) => void;
}

/** Why a module-level value cannot be read statically, and where. */
export type NotConstant = { mod: ModuleInfo; node: ts.Node } & (
  | { k: "let"; decl: "let" | "var" }
  | { k: "no-value" }
  /** `node` is the first part of the value that is computed when the module loads. */
  | { k: "computed" }
  /** `node` is the expression of the module that changes the value. */
  | { k: "mutated" }
  | { k: "cycle" }
  | { k: "action" | "function" | "class" | "namespace" | "sdk" }
  | { k: "external"; spec: string }
  | { k: "unresolved"; spec: string; name: string }
);

/** The inlined value of a module-level binding usable as a value (an enum, an `as const`
 *  declaration; with `plain`, any constant `const`). `node`: where the name is used, for a
 *  refusal that is not about a declaration (a name no module declares). */
export function constantOfName(
  mod: ModuleInfo,
  name: string,
  opts: ConstOptions = {},
  node: ts.Node = mod.sf,
): Expr | undefined {
  const b = resolveName(mod, name);
  if (!b) {
    opts.why?.({ mod, node, k: "computed" });
    return undefined;
  }
  return constantOfBinding(b, opts, node, mod);
}

/** `constantOfName` for a binding already resolved. */
export function constantOfBinding(
  b: Binding,
  opts: ConstOptions,
  node: ts.Node,
  useMod: ModuleInfo,
): Expr | undefined {
  const fail = (w: NotConstant): undefined => {
    opts.why?.(w);
    return undefined;
  };
  if (b.k !== "decl") {
    const at = { mod: useMod, node };
    if (b.k === "namespace" || b.k === "sdkNamespace" || b.k === "timersNamespace")
      return fail({ ...at, k: "namespace" });
    if (b.k === "external") return fail({ ...at, k: "external", spec: b.spec });
    if (b.k === "unresolved") return fail({ ...at, k: "unresolved", spec: b.spec, name: b.name });
    return fail({ ...at, k: "sdk" });
  }
  const key = `${b.mod.file}\0${b.name}`;
  const seen = opts.seen ?? new Set<string>();
  const decl = b.decl;
  const at = { mod: b.mod, node: decl.node.name ?? decl.node };
  if (seen.has(key)) return fail({ ...at, k: "cycle" });
  seen.add(key);
  try {
    if (decl.k === "enum") return enumObject(decl.node, b.mod, { ...opts, seen });
    if (decl.k === "function") return fail({ ...at, k: "function" });
    if (decl.k === "class") return fail({ ...at, k: "class" });
    const d = decl.node;
    if (!decl.isConst) {
      const list = d.parent;
      const kind =
        ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Let ? "let" : "var";
      return fail({ ...at, k: "let", decl: kind });
    }
    const init = d.initializer;
    if (!init) return fail({ ...at, k: "no-value" });
    const e = skipOuter(init);
    if (ts.isCallExpression(e) && isSdkExport(b.mod, e.expression, "action"))
      return fail({ ...at, k: "action" });
    if (!opts.plain && !isAsConst(init)) return undefined;
    const v = constantExpr(init, b.mod, { ...opts, seen });
    if (v && opts.unmutated && (v.k === "array" || v.k === "object")) {
      const site = mutationOf(b.mod, b.name);
      if (site) return fail({ mod: b.mod, node: site, k: "mutated" });
    }
    return v;
  } finally {
    seen.delete(key);
  }
}

/** `o.key` on a statically known object literal. */
export function constMember(obj: Expr, key: string): Expr | undefined {
  if (obj.k !== "object") return undefined;
  for (let i = obj.props.length - 1; i >= 0; i--) {
    const p = obj.props[i]!;
    if (p.k === "prop" && p.key === key) return p.value;
    if (p.k !== "prop") return undefined;
  }
  return undefined;
}

/** The key a property name denotes when it is known statically: a written name, or a computed
 *  one whose expression is a constant string or number (`["retry"]`, `[Keys.Retry]`). */
export function staticKey(
  name: ts.PropertyName,
  mod: ModuleInfo,
  opts: ConstOptions = {},
): string | undefined {
  if (!ts.isComputedPropertyName(name)) return propName(name);
  const v = constantExpr(name.expression, mod, opts);
  return v?.k === "lit" && (typeof v.value === "string" || typeof v.value === "number")
    ? String(v.value)
    : undefined;
}

/** Sets `key` as JavaScript does in an object literal: a repeated key keeps its first position
 *  and takes the last value. */
function setProp(props: ObjectProp[], key: string, value: Expr, span: ObjectProp["span"]): void {
  const at = props.findIndex((p) => p.k === "prop" && p.key === key);
  if (at >= 0) props[at] = { k: "prop", key, value, span };
  else props.push({ k: "prop", key, value, span });
}

/** A number as an IR expression: a literal when JSON can hold it, else the division or
 *  negation that computes it (`1 / 0`, `0 / 0`, `-0`). */
export function numberExpr(n: number, span: Span): Expr {
  const lit = (value: number): Expr => ({ k: "lit", value, span });
  const div = (a: number): Expr => ({ k: "binary", op: "/", left: lit(a), right: lit(0), span });
  if (Number.isNaN(n)) return div(0);
  if (n === Number.POSITIVE_INFINITY) return div(1);
  if (n === Number.NEGATIVE_INFINITY) return div(-1);
  if (Object.is(n, -0)) return { k: "unary", op: "-", arg: lit(0), span };
  return lit(n);
}

/** Global constants, inlined. */
export function globalConstant(path: string, span: Span): Expr | undefined {
  switch (path) {
    case "undefined":
      return { k: "undefined", span };
    case "NaN":
    case "Number.NaN":
      return numberExpr(Number.NaN, span);
    case "Infinity":
    case "Number.POSITIVE_INFINITY":
      return numberExpr(Number.POSITIVE_INFINITY, span);
    case "Number.NEGATIVE_INFINITY":
      return numberExpr(Number.NEGATIVE_INFINITY, span);
    case "Math.PI":
      return numberExpr(Math.PI, span);
    case "Math.E":
      return numberExpr(Math.E, span);
    case "Number.MAX_SAFE_INTEGER":
      return numberExpr(Number.MAX_SAFE_INTEGER, span);
    case "Number.MIN_SAFE_INTEGER":
      return numberExpr(Number.MIN_SAFE_INTEGER, span);
    case "Number.EPSILON":
      return numberExpr(Number.EPSILON, span);
    case "Number.MAX_VALUE":
      return numberExpr(Number.MAX_VALUE, span);
    case "Number.MIN_VALUE":
      return numberExpr(Number.MIN_VALUE, span);
    default:
      return undefined;
  }
}

/** A primitive literal's value as a template substitution renders it, if it is one. */
function templateText(v: Expr): string | undefined {
  if (v.k === "undefined") return "undefined";
  if (v.k !== "lit" || (v.value !== null && typeof v.value === "object")) return undefined;
  return String(v.value);
}

/** Options for reading a name used inside another constant's value: a refusal about that
 *  name's own declaration is reported as the use of it (`B = [A]` is refused for using `A`). */
function nested(opts: ConstOptions, mod: ModuleInfo, use: ts.Node): ConstOptions {
  const why = opts.why;
  if (!why) return opts;
  return {
    ...opts,
    why: (w) =>
      why(
        w.k === "computed" || w.k === "mutated" || w.k === "unresolved"
          ? w
          : { mod, node: use, k: "computed" },
      ),
  };
}

export function constantExpr(
  node: ts.Expression,
  mod: ModuleInfo,
  opts: ConstOptions = {},
): Expr | undefined {
  const e = skipOuter(node);
  const span = spanOf(e, mod.sf);
  const computed = (at: ts.Node = e): undefined => {
    opts.why?.({ mod, node: at, k: "computed" });
    return undefined;
  };
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    return { k: "lit", value: e.text, span };
  }
  if (ts.isNumericLiteral(e)) return numberExpr(Number(e.text), span);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { k: "lit", value: true, span };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { k: "lit", value: false, span };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { k: "lit", value: null, span };
  if (ts.isPrefixUnaryExpression(e)) {
    const op = PREFIX_TOKENS.get(e.operator);
    const v = op && constantExpr(e.operand, mod, opts);
    if (!op) return computed();
    if (!v) return undefined;
    // `-5` is the literal -5 (as before: keys and settings read it as a number).
    if (op === "-" && v.k === "lit" && typeof v.value === "number")
      return numberExpr(-v.value, span);
    return { k: "unary", op, arg: v, span };
  }
  if (ts.isBinaryExpression(e)) {
    const kind = e.operatorToken.kind;
    const logical = LOGICAL_TOKENS.get(kind);
    const op = BINARY_TOKENS.get(kind);
    if (!logical && (!op || op === "in")) return computed();
    const left = constantExpr(e.left, mod, opts);
    const right = left && constantExpr(e.right, mod, opts);
    if (!left || !right) return undefined;
    if (logical) return { k: "logical", op: logical, left, right, span };
    return { k: "binary", op: op!, left, right, span };
  }
  if (ts.isTemplateExpression(e)) {
    let text = e.head.text;
    for (const t of e.templateSpans) {
      const v = constantExpr(t.expression, mod, opts);
      if (!v) return undefined;
      const part = templateText(v);
      if (part === undefined) return computed(t.expression);
      text += part + t.literal.text;
    }
    return { k: "lit", value: text, span };
  }
  if (ts.isArrayLiteralExpression(e)) {
    const items: Expr[] = [];
    for (const el of e.elements) {
      if (ts.isSpreadElement(el)) {
        // `[...A, x]`: the items of a constant array, in place.
        const v = constantExpr(el.expression, mod, opts);
        if (!v) return undefined;
        if (v.k !== "array" || v.items.some((i) => i.k === "spread")) return computed(el);
        items.push(...(v.items as Expr[]));
        continue;
      }
      // A hole reads as `undefined`, as everywhere in the IR (docs/ir.md).
      const v = ts.isOmittedExpression(el)
        ? ({ k: "undefined", span: spanOf(el, mod.sf) } as Expr)
        : constantExpr(el, mod, opts);
      if (!v) return undefined;
      items.push(v);
    }
    return { k: "array", items, span };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const props: ObjectProp[] = [];
    for (const p of e.properties) {
      const pspan = spanOf(p, mod.sf);
      if (ts.isSpreadAssignment(p)) {
        // `{ ...A, x: 1 }`: A's own keys, in place (spreading null or undefined adds none).
        const v = constantExpr(p.expression, mod, opts);
        if (!v) return undefined;
        if (v.k === "undefined" || (v.k === "lit" && v.value === null)) continue;
        if (v.k !== "object" || v.props.some((q) => q.k !== "prop")) return computed(p);
        for (const q of v.props) if (q.k === "prop") setProp(props, q.key, q.value, q.span);
        continue;
      }
      let key: string | undefined;
      let value: Expr | undefined;
      if (ts.isPropertyAssignment(p)) {
        key = staticKey(p.name, mod, opts);
        if (key === undefined) return computed(p.name);
        value = constantExpr(p.initializer, mod, opts);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        key = p.name.text;
        value = constantOfName(mod, p.name.text, nested(opts, mod, p.name), p.name);
      } else {
        // A method or an accessor: a function is not a constant.
        return computed(p);
      }
      if (!value) return undefined;
      setProp(props, key, value, pspan);
    }
    return { k: "object", props, span };
  }
  if (ts.isIdentifier(e)) {
    if (!resolveName(mod, e.text)) return globalConstant(e.text, span) ?? computed();
    return constantOfName(mod, e.text, nested(opts, mod, e), e);
  }
  if (ts.isPropertyAccessExpression(e) && !e.questionDotToken) {
    const root = skipOuter(e.expression);
    if (ts.isIdentifier(root) && !resolveName(mod, root.text)) {
      return globalConstant(`${root.text}.${e.name.text}`, span) ?? computed();
    }
    const ns = ts.isIdentifier(root) ? resolveName(mod, root.text) : undefined;
    if (ns?.k === "namespace") {
      // `C.LIMIT` with `import * as C`: the export, read in its module.
      const b = resolveExport(ns.mod, e.name.text);
      return b ? constantOfBinding(b, nested(opts, mod, e), e, mod) : computed();
    }
    const obj = constantExpr(e.expression, mod, opts);
    if (!obj) return undefined;
    return constProperty(obj, e.name.text, span) ?? computed();
  }
  if (ts.isElementAccessExpression(e) && !e.questionDotToken) {
    const obj = constantExpr(e.expression, mod, opts);
    const key = obj && constantExpr(e.argumentExpression, mod, opts);
    if (!obj || !key) return undefined;
    if (key.k !== "lit" || (typeof key.value !== "string" && typeof key.value !== "number"))
      return computed(e.argumentExpression);
    return constProperty(obj, String(key.value), span) ?? computed();
  }
  return computed();
}

/** `o.key` / `o[key]` on a constant array or object literal, when it can be read statically. */
function constProperty(obj: Expr, key: string, span: Span): Expr | undefined {
  if (obj.k === "array") {
    if (obj.items.some((i) => i.k === "spread")) return undefined;
    if (key === "length") return { k: "lit", value: obj.items.length, span };
    const i = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
    return i >= 0 && i < obj.items.length ? (obj.items[i] as Expr) : undefined;
  }
  return constMember(obj, key);
}
