// biome-ignore-all lint/suspicious/noThenProperty: `then` is the CondExpr field of the IR contract.
import ts from "typescript";
import type { Expr, FilterExpr, MapExpr, Pattern } from "../../ir/types.js";
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

/** The `xs == null ? undefined : …` guards made for `xs?.map(cb)` links (see below). */
const OPTIONAL_GUARDS = new WeakSet<Expr>();

/** `xs.map(cb)` / `xs.filter(cb)` in an allowed position (assigned to a variable, chained, or
 *  inside Object.fromEntries there): a pure expression the runtime evaluates.
 *
 *  `xs?.map(cb)` lowers to `xs == null ? undefined : xs.map(cb)` (the source is pure, so reading
 *  it twice is unobservable). A link chained after it (`xs?.filter(f).map(g)`) moves inside the
 *  guard, so the whole rest of the chain is skipped, as in JavaScript. */
export function lowerComprehension(
  ctx: FnCtx,
  call: ts.CallExpression,
  object: ts.Expression,
  kind: "map" | "filter",
  optional = false,
): Expr {
  const span = ctx.span(call);
  const source = lowerExpr(ctx, object, "assign");
  const fn = callbackOf(ctx, call);
  if (!fn) return { k: "undefined", span };
  const body = fn.body as ts.Expression;
  if (hasEffect(body)) return ctx.refused("WM209", body);
  ctx.pushScope();
  let node: MapExpr | FilterExpr;
  try {
    const params = callbackParams(ctx, fn);
    node = { k: kind, source, params, body: lowerExpr(ctx, body), span };
  } finally {
    ctx.popScope();
  }
  // A guarded link below this one: this link joins the guarded part.
  const inChain = ts.isOptionalChain(skipOuter(call.expression)); // not `(xs?.map(f)).map(g)`
  if (inChain && source.k === "cond" && OPTIONAL_GUARDS.has(source)) {
    const guard: Expr = { ...source, else: { ...node, source: source.else } };
    OPTIONAL_GUARDS.add(guard);
    return guard;
  }
  if (!optional) return node;
  const test: Expr = {
    k: "binary",
    op: "==",
    left: structuredClone(source),
    right: { k: "lit", value: null, span },
    span,
  };
  const guard: Expr = {
    k: "cond",
    test,
    then: { k: "undefined", span },
    else: node,
    span,
  };
  OPTIONAL_GUARDS.add(guard);
  return guard;
}
