import ts from "typescript";
import type { GatherItem } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { classifyCallee } from "./callee.js";
import { callbackOf, callbackParams } from "./comprehension.js";
import { hasEffect, isEffectCallee, lowerEffectCall, type Target } from "./effects.js";
import { lowerExpr } from "./expressions.js";

/** `await Promise.all([...])` / `await Promise.allSettled(...)` → one gather statement. Items
 *  are effect calls (actions, `this.runAction(...)`, child workflows, `waitForSignal`, `sleep`),
 *  or `...xs.map((x) => act(x))` spreads; the argument may also be a bare `xs.map(...)`. */
export function lowerGather(
  ctx: FnCtx,
  awaitNode: ts.Node,
  call: ts.CallExpression,
  mode: "all" | "allSettled",
  target?: Target,
): void {
  const [arg, ...extra] = call.arguments;
  const a = arg && skipOuter(arg);
  const items: GatherItem[] = [];
  if (a && extra.length === 0 && ts.isArrayLiteralExpression(a)) {
    for (const el of a.elements) {
      if (ts.isSpreadElement(el)) {
        const inner = skipOuter(el.expression);
        if (isMapCall(inner)) pushSpread(ctx, inner, items);
        else ctx.report("WM210", el);
        continue;
      }
      const e = skipOuter(el);
      const callee = ts.isCallExpression(e) ? classifyCallee(ctx, e) : undefined;
      if (ts.isCallExpression(e) && callee && isEffectCallee(callee, true)) {
        const c = lowerEffectCall(ctx, e, callee);
        if (c) items.push({ k: "gcall", call: c, span: ctx.span(el) });
      } else {
        ctx.report("WM210", el);
      }
    }
  } else if (a && extra.length === 0 && isMapCall(a)) {
    pushSpread(ctx, a, items);
  } else {
    ctx.report("WM219", call, { name: mode });
  }
  const bound = target
    ? { target: target.pattern(), ...(target.decl ? { decl: target.decl } : {}) }
    : {};
  ctx.emit({ k: "gather", mode, ...bound, items, span: ctx.span(awaitNode) });
}

function isMapCall(e: ts.Expression): e is ts.CallExpression {
  return (
    ts.isCallExpression(e) &&
    ts.isPropertyAccessExpression(e.expression) &&
    e.expression.name.text === "map"
  );
}

function pushSpread(ctx: FnCtx, call: ts.CallExpression, items: GatherItem[]): void {
  const span = ctx.span(call);
  const source = lowerExpr(
    ctx,
    (call.expression as ts.PropertyAccessExpression).expression,
    "assign",
  );
  const fn = callbackOf(ctx, call);
  if (!fn) return;
  const body = skipOuter(fn.body as ts.Expression);
  const callee = ts.isCallExpression(body) ? classifyCallee(ctx, body) : undefined;
  if (!ts.isCallExpression(body) || !callee || !isEffectCallee(callee, true)) {
    ctx.report("WM210", body);
    return;
  }
  const inner = callee.k === "runAction" ? body.arguments : [body];
  if (inner.some((n) => (ts.isCallExpression(n) ? n.arguments.some(hasEffect) : hasEffect(n)))) {
    ctx.report("WM209", body);
    return;
  }
  ctx.pushScope();
  try {
    const params = callbackParams(ctx, fn);
    const c = lowerEffectCall(ctx, body, callee);
    if (c) items.push({ k: "gspread", source, params, call: c, span });
  } finally {
    ctx.popScope();
  }
}
