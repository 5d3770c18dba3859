import ts from "typescript";
import type { Stmt } from "../../ir/types.js";
import { REFUSED_STATEMENTS, statementName } from "../checks/statements.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { lowerExpressionStatement } from "./assign.js";
import { classifyCallee } from "./callee.js";
import { lowerVariableStatement } from "./declarations.js";
import { lowerAwait } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { lowerIf } from "./if.js";
import { lowerDo, lowerFor, lowerForOf, lowerWhile } from "./loops.js";
import { lowerSwitch } from "./switch.js";
import { lowerThrow, lowerTry } from "./try.js";

export function lowerStatements(ctx: FnCtx, stmts: readonly ts.Statement[]): void {
  for (const s of stmts) lowerStatement(ctx, s);
}

/** Lowers one statement in a nested block (its own scope) and returns the statement list. */
export function lowerBlock(ctx: FnCtx, s: ts.Statement): Stmt[] {
  return ctx.collect(() => {
    if (ts.isBlock(s)) lowerStatements(ctx, s.statements);
    else lowerStatement(ctx, s);
  });
}

/** Every statement kind either lowers here or is refused with its code; the `default` branch
 *  is itself an explicit refusal (WM313), never a silent drop. */
export function lowerStatement(ctx: FnCtx, s: ts.Statement): void {
  const refused = REFUSED_STATEMENTS.get(s.kind);
  if (refused) {
    ctx.report(refused, s, { name: statementName(s.kind) });
    return;
  }
  const span = ctx.span(s);
  switch (s.kind) {
    case ts.SyntaxKind.Block:
      ctx.emit({ k: "block", body: lowerBlock(ctx, s), span });
      return;
    case ts.SyntaxKind.EmptyStatement:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.TypeAliasDeclaration:
      return; // no runtime meaning
    case ts.SyntaxKind.VariableStatement:
      lowerVariableStatement(ctx, s as ts.VariableStatement);
      return;
    case ts.SyntaxKind.ExpressionStatement:
      lowerExpressionStatement(ctx, (s as ts.ExpressionStatement).expression, s);
      return;
    case ts.SyntaxKind.IfStatement:
      lowerIf(ctx, s as ts.IfStatement);
      return;
    case ts.SyntaxKind.WhileStatement:
      lowerWhile(ctx, s as ts.WhileStatement);
      return;
    case ts.SyntaxKind.DoStatement:
      lowerDo(ctx, s as ts.DoStatement);
      return;
    case ts.SyntaxKind.ForStatement:
      lowerFor(ctx, s as ts.ForStatement);
      return;
    case ts.SyntaxKind.ForOfStatement:
      lowerForOf(ctx, s as ts.ForOfStatement);
      return;
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
      if ((s as ts.BreakOrContinueStatement).label) {
        ctx.report("WM302", s);
        return;
      }
      ctx.emit({ k: s.kind === ts.SyntaxKind.BreakStatement ? "break" : "continue", span });
      return;
    case ts.SyntaxKind.ReturnStatement:
      lowerReturn(ctx, s as ts.ReturnStatement);
      return;
    case ts.SyntaxKind.ThrowStatement:
      lowerThrow(ctx, s as ts.ThrowStatement);
      return;
    case ts.SyntaxKind.TryStatement:
      lowerTry(ctx, s as ts.TryStatement);
      return;
    case ts.SyntaxKind.SwitchStatement:
      lowerSwitch(ctx, s as ts.SwitchStatement);
      return;
    default:
      ctx.report("WM313", s, { name: statementName(s.kind) });
  }
}

/** `return e`. Outside try/catch/finally, `return act(x)` (an effect returned without `await`)
 *  resolves to the effect's outcome exactly like `return await act(x)`. Inside them the two
 *  differ in JavaScript (the catch would not see the failure), so there it must be awaited. */
function lowerReturn(ctx: FnCtx, s: ts.ReturnStatement): void {
  const span = ctx.span(s);
  const e = s.expression && skipOuter(s.expression);
  if (!e) {
    ctx.emit({ k: "return", span });
    return;
  }
  if (ts.isCallExpression(e) && ctx.tryDepth === 0) {
    const c = classifyCallee(ctx, e);
    const effect =
      c.k === "action" ||
      c.k === "runAction" ||
      c.k === "gather" ||
      c.k === "sleep" ||
      (c.k === "helper" && c.method.isAsync);
    if (effect) {
      let name = "";
      lowerAwait(ctx, s, e, {
        pattern: () => {
          name = ctx.temp();
          return { k: "pname", name, span };
        },
        decl: "const",
      });
      ctx.emit({ k: "return", value: { k: "name", name, span }, span });
      return;
    }
  }
  ctx.emit({ k: "return", value: lowerExpr(ctx, e), span });
}
