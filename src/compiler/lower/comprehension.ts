import ts from "typescript";
import type { Expr, Pattern } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { declarePattern } from "./patterns.js";

/** The callback of `.map`/`.filter`: an arrow function with at most (element, index)
 *  parameters and an expression body. Returns undefined (after WM209) otherwise. */
export function callbackOf(ctx: FnCtx, call: ts.CallExpression): ts.ArrowFunction | undefined {
  const [cb, ...extra] = call.arguments;
  const fn = cb && skipOuter(cb);
  if (
    !fn ||
    extra.length > 0 ||
    !ts.isArrowFunction(fn) ||
    ts.isBlock(fn.body) ||
    fn.parameters.length > 2 ||
    fn.parameters.some((p) => p.dotDotDotToken || p.initializer)
  ) {
    ctx.report("WM209", fn ?? call);
    return undefined;
  }
  return fn;
}

/** Declares the callback's parameters in the current (pushed) scope. */
export function callbackParams(ctx: FnCtx, fn: ts.ArrowFunction): Pattern[] {
  return fn.parameters.map((p) => declarePattern(ctx, p.name));
}

/** `xs.map(cb)` / `xs.filter(cb)` in an allowed position (assigned to a variable, chained, or
 *  inside Object.fromEntries there): a pure expression the runtime evaluates. */
export function lowerComprehension(
  ctx: FnCtx,
  call: ts.CallExpression,
  object: ts.Expression,
  kind: "map" | "filter",
): Expr {
  const span = ctx.span(call);
  const source = lowerExpr(ctx, object, "assign");
  const fn = callbackOf(ctx, call);
  if (!fn) return { k: "undefined", span };
  const body = fn.body as ts.Expression;
  if (hasEffect(body)) return ctx.refused("WM209", body);
  ctx.pushScope();
  try {
    const params = callbackParams(ctx, fn);
    return { k: kind, source, params, body: lowerExpr(ctx, body), span };
  } finally {
    ctx.popScope();
  }
}
