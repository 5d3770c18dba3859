// biome-ignore-all lint/suspicious/noThenProperty: `then` is the IfStmt field of the IR contract.
import ts from "typescript";
import type { AssignOp, Expr, LValue } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { classifyCallee } from "./callee.js";
import { localRoot } from "./calls.js";
import { hasEffect, lowerAwait, lowerHelperCall } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { lowerOrdered } from "./items.js";
import { assignmentPattern } from "./patterns.js";

const K = ts.SyntaxKind;

const ASSIGN_OPS: ReadonlyMap<ts.SyntaxKind, AssignOp> = new Map([
  [K.EqualsToken, "="],
  [K.PlusEqualsToken, "+="],
  [K.MinusEqualsToken, "-="],
  [K.AsteriskEqualsToken, "*="],
  [K.SlashEqualsToken, "/="],
  [K.PercentEqualsToken, "%="],
  [K.AsteriskAsteriskEqualsToken, "**="],
  [K.LessThanLessThanEqualsToken, "<<="],
  [K.GreaterThanGreaterThanEqualsToken, ">>="],
  [K.GreaterThanGreaterThanGreaterThanEqualsToken, ">>>="],
  [K.AmpersandEqualsToken, "&="],
  [K.BarEqualsToken, "|="],
  [K.CaretEqualsToken, "^="],
  [K.AmpersandAmpersandEqualsToken, "&&="],
  [K.BarBarEqualsToken, "||="],
  [K.QuestionQuestionEqualsToken, "??="],
] as const);

/** An expression used as a statement: effects (`await ...`, `this.helper()`), assignments,
 *  `x++`, and pure expressions such as `out.push(x)`. */
export function lowerExpressionStatement(ctx: FnCtx, expr: ts.Expression, at: ts.Node): void {
  const e = skipOuter(expr);
  const span = ctx.span(at);
  if (ts.isAwaitExpression(e)) {
    lowerAwait(ctx, e, e.expression);
    return;
  }
  if (ts.isCallExpression(e)) {
    const c = classifyCallee(ctx, e);
    if (c.k === "helper" && !c.method.isAsync) {
      lowerHelperCall(ctx, e, e, c);
      return;
    }
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === K.CommaToken) {
    lowerExpressionStatement(ctx, e.left, e.left);
    lowerExpressionStatement(ctx, e.right, e.right);
    return;
  }
  if (ts.isBinaryExpression(e) && ASSIGN_OPS.has(e.operatorToken.kind)) {
    lowerAssignment(ctx, e.left, ASSIGN_OPS.get(e.operatorToken.kind)!, e.right, e);
    return;
  }
  if (
    (ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) &&
    (e.operator === K.PlusPlusToken || e.operator === K.MinusMinusToken)
  ) {
    const one: Expr = { k: "lit", value: 1, span: ctx.span(e) };
    const target = lvalue(ctx, e.operand);
    if (target)
      ctx.emit({
        k: "assign",
        target,
        op: e.operator === K.PlusPlusToken ? "+=" : "-=",
        value: one,
        span,
      });
    return;
  }
  ctx.emit({ k: "expr", expr: lowerExpr(ctx, e), span });
}

function lowerAssignment(
  ctx: FnCtx,
  left: ts.Expression,
  op: AssignOp,
  right: ts.Expression,
  at: ts.Node,
): void {
  const span = ctx.span(at);
  const l = skipOuter(left);
  const r = skipOuter(right);
  // `x ??= await f()`: the right side runs only when the operator needs it.
  if ((op === "&&=" || op === "||=" || op === "??=") && hasEffect(r)) {
    const current = lowerExpr(ctx, l);
    const test: Expr =
      op === "&&="
        ? current
        : op === "||="
          ? { k: "unary", op: "!", arg: current, span }
          : { k: "binary", op: "==", left: current, right: { k: "lit", value: null, span }, span };
    const then = ctx.collect(() => lowerAssignment(ctx, l, "=", r, at));
    ctx.emit({ k: "if", test, then, span });
    return;
  }
  if (op === "=" && (ts.isArrayLiteralExpression(l) || ts.isObjectLiteralExpression(l))) {
    const value = lowerExpr(ctx, r, "assign");
    const pattern = assignmentPattern(ctx, l);
    if (pattern)
      ctx.emit({
        k: "assign",
        target: { k: "lpattern", pattern, span: pattern.span },
        op,
        value,
        span,
      });
    return;
  }
  if (op === "=" && ts.isIdentifier(l)) {
    const name = ctx.lookup(l.text);
    const pattern = () => ({ k: "pname" as const, name: name ?? l.text, span: ctx.span(l) });
    if (name !== undefined && ts.isAwaitExpression(r)) {
      lowerAwait(ctx, r, r.expression, { pattern });
      return;
    }
    if (name !== undefined && ts.isCallExpression(r)) {
      const c = classifyCallee(ctx, r);
      if (c.k === "helper" && !c.method.isAsync) {
        lowerHelperCall(ctx, at, r, c, { pattern });
        return;
      }
    }
  }
  if (ts.isIdentifier(l)) {
    const value = lowerExpr(ctx, r, "assign");
    const target = lvalue(ctx, l);
    if (target) ctx.emit({ k: "assign", target, op, value, span });
    return;
  }
  if (ts.isPropertyAccessExpression(l) || ts.isElementAccessExpression(l)) {
    if (localRoot(ctx, l) === undefined) {
      ctx.report("WM213", l, { name: l.getText(ctx.sf) });
      return;
    }
    const lspan = ctx.span(l);
    if (ts.isPropertyAccessExpression(l)) {
      const [object, value] = lowerOrdered(ctx, [l.expression, r]);
      const target: LValue = { k: "lmember", object: object!, property: l.name.text, span: lspan };
      ctx.emit({ k: "assign", target, op, value: value!, span });
    } else {
      const [object, index, value] = lowerOrdered(ctx, [l.expression, l.argumentExpression, r]);
      const target: LValue = { k: "lindex", object: object!, index: index!, span: lspan };
      ctx.emit({ k: "assign", target, op, value: value!, span });
    }
    return;
  }
  ctx.report("WM225", l);
}

/** A simple assignment target: a local name, or a member/element of a local. */
function lvalue(ctx: FnCtx, node: ts.Expression): LValue | undefined {
  const e = skipOuter(node);
  const span = ctx.span(e);
  if (ts.isIdentifier(e)) {
    const name = ctx.lookup(e.text);
    if (name === undefined) {
      ctx.report("WM213", e, { name: e.text });
      return undefined;
    }
    return { k: "lname", name, span };
  }
  if (
    (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) &&
    localRoot(ctx, e) !== undefined
  ) {
    if (ts.isPropertyAccessExpression(e)) {
      return { k: "lmember", object: lowerExpr(ctx, e.expression), property: e.name.text, span };
    }
    const [object, index] = lowerOrdered(ctx, [e.expression, e.argumentExpression]);
    return { k: "lindex", object: object!, index: index!, span };
  }
  ctx.report("WM213", e, { name: e.getText(ctx.sf) });
  return undefined;
}
