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

export function enumObject(node: ts.EnumDeclaration, mod: ModuleInfo): Expr | undefined {
  const props: ObjectProp[] = [];
  let next: number | undefined = 0;
  for (const m of node.members) {
    const key = propName(m.name);
    if (key === undefined) return undefined;
    let value: Expr | undefined;
    if (m.initializer) {
      value = constantExpr(m.initializer, mod);
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

/** The inlined value of a module-level binding usable as a value (enum or `as const`). */
export function constantOfName(
  mod: ModuleInfo,
  name: string,
  seen = new Set<string>(),
): Expr | undefined {
  const b = resolveName(mod, name);
  if (b?.k !== "decl") return undefined;
  const key = `${b.mod.file}\0${b.name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  if (b.decl.k === "enum") return enumObject(b.decl.node, b.mod);
  if (b.decl.k === "var" && b.decl.isConst && isAsConst(b.decl.node.initializer)) {
    return constantExpr(b.decl.node.initializer!, b.mod, seen);
  }
  return undefined;
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

export function constantExpr(
  node: ts.Expression,
  mod: ModuleInfo,
  seen = new Set<string>(),
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
    const v = constantExpr(e.operand, mod, seen);
    if (v?.k === "lit" && typeof v.value === "number") return { k: "lit", value: -v.value, span };
    return undefined;
  }
  if (ts.isArrayLiteralExpression(e)) {
    const items: Expr[] = [];
    for (const el of e.elements) {
      const v = ts.isSpreadElement(el) ? undefined : constantExpr(el, mod, seen);
      if (!v) return undefined;
      items.push(v);
    }
    return { k: "array", items, span };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const props: ObjectProp[] = [];
    for (const p of e.properties) {
      let key: string | undefined;
      let value: Expr | undefined;
      if (ts.isPropertyAssignment(p)) {
        key = propName(p.name);
        value = constantExpr(p.initializer, mod, seen);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        key = p.name.text;
        value = constantOfName(mod, p.name.text, seen);
      }
      if (key === undefined || !value) return undefined;
      props.push({ k: "prop", key, value, span: spanOf(p, mod.sf) });
    }
    return { k: "object", props, span };
  }
  if (ts.isIdentifier(e)) return constantOfName(mod, e.text, seen);
  if (ts.isPropertyAccessExpression(e) && !e.questionDotToken) {
    const obj = constantExpr(e.expression, mod, seen);
    return obj && constMember(obj, e.name.text);
  }
  return undefined;
}
