import ts from "typescript";
import type { Expr, ObjectProp } from "../../ir/types.js";
import { propName, skipOuter, spanOf } from "../source.js";
import { resolveName } from "./bindings.js";
import type { ModuleInfo } from "./module.js";

// Static evaluation of module-level constants: enum members and `as const` objects are inlined
// into the IR as literals / object literals. Anything not statically known yields `undefined`
// (the caller refuses it); nothing here ever executes user code.

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

/** How far static evaluation reaches. `plain`: also read plain `const X = <literal>`
 *  declarations, not only `as const` ones. Only positions the compiler reads once, at compile
 *  time, set it (action options, retry policies): a plain const object could be mutated by
 *  other code before a workflow body would read it, so the body inlines `as const` only. */
export interface ConstOptions {
  plain?: boolean;
  /** Bindings being evaluated (a cycle yields undefined). */
  seen?: Set<string>;
}

/** The inlined value of a module-level binding usable as a value (enum or `as const`; with
 *  `plain`, any `const`). */
export function constantOfName(
  mod: ModuleInfo,
  name: string,
  opts: ConstOptions = {},
): Expr | undefined {
  const b = resolveName(mod, name);
  if (b?.k !== "decl") return undefined;
  const key = `${b.mod.file}\0${b.name}`;
  const seen = opts.seen ?? new Set<string>();
  if (seen.has(key)) return undefined;
  seen.add(key);
  try {
    if (b.decl.k === "enum") return enumObject(b.decl.node, b.mod, { ...opts, seen });
    const init = b.decl.k === "var" && b.decl.isConst ? b.decl.node.initializer : undefined;
    if (init && (opts.plain || isAsConst(init)))
      return constantExpr(init, b.mod, { ...opts, seen });
    return undefined;
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

export function constantExpr(
  node: ts.Expression,
  mod: ModuleInfo,
  opts: ConstOptions = {},
): Expr | undefined {
  const e = skipOuter(node);
  const span = spanOf(e, mod.sf);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    return { k: "lit", value: e.text, span };
  }
  if (ts.isNumericLiteral(e)) return { k: "lit", value: Number(e.text), span };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { k: "lit", value: true, span };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { k: "lit", value: false, span };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { k: "lit", value: null, span };
  if (ts.isIdentifier(e) && e.text === "undefined") return { k: "undefined", span };
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = constantExpr(e.operand, mod, opts);
    if (v?.k === "lit" && typeof v.value === "number") return { k: "lit", value: -v.value, span };
    return undefined;
  }
  if (ts.isArrayLiteralExpression(e)) {
    const items: Expr[] = [];
    for (const el of e.elements) {
      if (ts.isSpreadElement(el)) {
        // `[...A, x]`: the items of a constant array, in place.
        const v = constantExpr(el.expression, mod, opts);
        if (v?.k !== "array" || v.items.some((i) => i.k === "spread")) return undefined;
        items.push(...(v.items as Expr[]));
        continue;
      }
      const v = ts.isOmittedExpression(el) ? undefined : constantExpr(el, mod, opts);
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
        if (v?.k === "undefined" || (v?.k === "lit" && v.value === null)) continue;
        if (v?.k !== "object" || v.props.some((q) => q.k !== "prop")) return undefined;
        for (const q of v.props) if (q.k === "prop") setProp(props, q.key, q.value, q.span);
        continue;
      }
      let key: string | undefined;
      let value: Expr | undefined;
      if (ts.isPropertyAssignment(p)) {
        key = staticKey(p.name, mod, opts);
        value = constantExpr(p.initializer, mod, opts);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        key = p.name.text;
        value = constantOfName(mod, p.name.text, opts);
      }
      if (key === undefined || !value) return undefined;
      setProp(props, key, value, pspan);
    }
    return { k: "object", props, span };
  }
  if (ts.isIdentifier(e)) return constantOfName(mod, e.text, opts);
  if (ts.isPropertyAccessExpression(e) && !e.questionDotToken) {
    const obj = constantExpr(e.expression, mod, opts);
    return obj && constMember(obj, e.name.text);
  }
  return undefined;
}
