import ts from "typescript";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { classifyCallee } from "./callee.js";
import { lowerAwait, lowerHelperCall } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { declarePattern } from "./patterns.js";

/** `const`/`let` declarations; `var` (WM307) and `using` (WM301) are refused. */
export function lowerVariableStatement(ctx: FnCtx, s: ts.VariableStatement): void {
  lowerDeclarationList(ctx, s.declarationList, s);
}

export function declarationKind(
  ctx: FnCtx,
  list: ts.VariableDeclarationList,
  at: ts.Node,
): "const" | "let" | undefined {
  // Let = 1, Const = 2, Using = 4, AwaitUsing = Const | Using: compare the whole field.
  const flags = list.flags & ts.NodeFlags.BlockScoped;
  if (flags === ts.NodeFlags.Using || flags === ts.NodeFlags.AwaitUsing) {
    ctx.report("WM301", at);
    return undefined;
  }
  if (flags === ts.NodeFlags.Const) return "const";
  if (flags === ts.NodeFlags.Let) return "let";
  ctx.report("WM307", at);
  return undefined;
}

export function lowerDeclarationList(
  ctx: FnCtx,
  list: ts.VariableDeclarationList,
  at: ts.Node,
): void {
  const kind = declarationKind(ctx, list, at);
  if (!kind) return;
  for (const d of list.declarations) {
    const span = ctx.span(d);
    const init = d.initializer && skipOuter(d.initializer);
    // The value is lowered before the names are declared: `const x = f(x)` reads the outer x.
    if (init && ts.isAwaitExpression(init)) {
      lowerAwait(ctx, init, init.expression, {
        pattern: () => declarePattern(ctx, d.name),
        decl: kind,
      });
      continue;
    }
    if (init && ts.isCallExpression(init)) {
      const c = classifyCallee(ctx, init);
      if (c.k === "helper" && !c.method.isAsync) {
        lowerHelperCall(ctx, d, init, c, {
          pattern: () => declarePattern(ctx, d.name),
          decl: kind,
        });
        continue;
      }
    }
    const value = init ? lowerExpr(ctx, init, "assign") : undefined;
    const target = declarePattern(ctx, d.name);
    ctx.emit(value ? { k: "decl", kind, target, value, span } : { k: "decl", kind, target, span });
  }
}
