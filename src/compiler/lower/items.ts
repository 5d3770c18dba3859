import ts from "typescript";
import type { ArrayItem, Expr } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";

// Left-to-right evaluation order across siblings: when a later sibling performs an effect
// (its `await` is hoisted into a preceding statement), every earlier non-literal sibling is
// first bound to a temporary, so it is evaluated before the effect, as JavaScript does.
// Literals and plain local names are not copied: no effect can rebind a caller's local in the
// middle of an expression (assignment expressions are refused), and a name denotes the same
// value (or the same object reference) before and after the effect.

export function hoist(ctx: FnCtx, e: Expr): Expr {
  if (e.k === "lit" || e.k === "undefined" || e.k === "name") return e;
  const name = ctx.temp();
  ctx.emit({
    k: "decl",
    kind: "const",
    target: { k: "pname", name, span: e.span },
    value: e,
    span: e.span,
  });
  return { k: "name", name, span: e.span };
}

export function lowerItems(ctx: FnCtx, nodes: readonly ts.Expression[]): ArrayItem[] {
  const effects = nodes.map((n) => hasEffect(n));
  return nodes.map((n, i) => {
    const later = effects.slice(i + 1).some(Boolean);
    if (ts.isSpreadElement(n)) {
      const e = lowerExpr(ctx, n.expression);
      return { k: "spread", expr: later ? hoist(ctx, e) : e, span: ctx.span(n) };
    }
    if (ts.isOmittedExpression(n)) return { k: "undefined", span: ctx.span(n) };
    const e = lowerExpr(ctx, n);
    return later ? hoist(ctx, e) : e;
  });
}

/** Same as lowerItems for plain expressions (operands, object/index pairs). */
export function lowerOrdered(ctx: FnCtx, nodes: readonly ts.Expression[]): Expr[] {
  return lowerItems(ctx, nodes) as Expr[];
}
