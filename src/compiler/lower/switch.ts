import ts from "typescript";
import type { SwitchStmt } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { lowerStatements } from "./statements.js";

/** `switch` lowers faithfully (strict equality, fall-through, `default` anywhere). The case
 *  clauses share one scope, as in JavaScript. Case tests are evaluated lazily, so they must be
 *  pure (WM223 otherwise). */
export function lowerSwitch(ctx: FnCtx, s: ts.SwitchStatement): void {
  const discriminant = lowerExpr(ctx, s.expression);
  const cases: SwitchStmt["cases"] = [];
  ctx.pushScope();
  try {
    for (const clause of s.caseBlock.clauses) {
      const span = ctx.span(clause);
      let test: SwitchStmt["cases"][number]["test"];
      if (ts.isCaseClause(clause)) {
        if (hasEffect(clause.expression)) ctx.report("WM223", clause.expression);
        else test = lowerExpr(ctx, clause.expression);
      }
      const body = ctx.collect(() => lowerStatements(ctx, clause.statements), false);
      cases.push(test ? { test, body, span } : { body, span });
    }
  } finally {
    ctx.popScope();
  }
  ctx.emit({ k: "switch", discriminant, cases, span: ctx.span(s) });
}
