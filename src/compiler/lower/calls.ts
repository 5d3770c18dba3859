import ts from "typescript";
import { MUTATING_METHODS } from "../../ir/builtins.js";
import type { Expr } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { classifyCallee } from "./callee.js";
import { lowerComprehension } from "./comprehension.js";
import { lowerHelperCall, reportCallee } from "./effects.js";
import { lowerExpr, type Position } from "./expressions.js";
import { lowerItems } from "./items.js";

/** The local variable at the root of `a.b[c].d`, if the chain is rooted in one. */
export function localRoot(ctx: FnCtx, node: ts.Expression): string | undefined {
  let e = skipOuter(node);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))
    e = skipOuter(e.expression);
  return ts.isIdentifier(e) ? ctx.lookup(e.text) : undefined;
}

/** A call in value position (not awaited). Effects other than synchronous helper methods must
 *  be awaited where they are called. */
export function lowerCall(ctx: FnCtx, call: ts.CallExpression, pos?: Position): Expr {
  const span = ctx.span(call);
  if (call.questionDotToken) return ctx.refused("WM224", call);
  const c = classifyCallee(ctx, call);
  switch (c.k) {
    case "action":
    case "runAction":
    case "gather":
    case "sleep":
    case "signal":
    case "child":
      return ctx.refused("WM217", call, { name: call.expression.getText(ctx.sf) });
    case "helper": {
      if (c.method.isAsync)
        return ctx.refused("WM217", call, { name: call.expression.getText(ctx.sf) });
      const name = ctx.temp();
      lowerHelperCall(ctx, call, call, c, {
        pattern: () => ({ k: "pname", name, span }),
        decl: "const",
      });
      return { k: "name", name, span };
    }
    case "builtin": {
      const [first] = call.arguments;
      if (
        c.fn === "Object.fromEntries" &&
        pos === "assign" &&
        first &&
        call.arguments.length === 1
      ) {
        return { k: "builtin", fn: c.fn, args: [lowerExpr(ctx, first, "assign")], span };
      }
      return { k: "builtin", fn: c.fn, args: lowerItems(ctx, call.arguments), span };
    }
    case "method": {
      const [object, ...args] = lowerItems(ctx, [c.object, ...call.arguments]);
      if (
        (MUTATING_METHODS as readonly string[]).includes(c.name) &&
        localRoot(ctx, c.object) === undefined
      ) {
        ctx.report("WM213", call, { name: `.${c.name}()` });
      }
      return {
        k: "method",
        object: object as Expr,
        method: c.name,
        args,
        optional: c.optional,
        span,
      };
    }
    case "comprehension":
      if (pos !== "assign") return ctx.refused("WM208", call, { name: c.name });
      return lowerComprehension(ctx, call, c.object, c.name, c.optional);
    case "refuse":
      reportCallee(ctx, call, c);
      return { k: "undefined", span };
  }
}
