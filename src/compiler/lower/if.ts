// biome-ignore-all lint/suspicious/noThenProperty: `then` is the IfStmt field of the IR contract.
import type ts from "typescript";
import type { FnCtx } from "../context.js";
import { lowerExpr } from "./expressions.js";
import { lowerBlock } from "./statements.js";

/** `if / else if / else`: effects in the test are hoisted before the `if` (the test is always
 *  evaluated); each branch is its own scope; `else if` nests an `if` in `else`. */
export function lowerIf(ctx: FnCtx, s: ts.IfStatement): void {
  const test = lowerExpr(ctx, s.expression);
  const then = lowerBlock(ctx, s.thenStatement);
  const span = ctx.span(s);
  if (s.elseStatement) {
    ctx.emit({ k: "if", test, then, else: lowerBlock(ctx, s.elseStatement), span });
  } else {
    ctx.emit({ k: "if", test, then, span });
  }
}
