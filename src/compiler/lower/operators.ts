// biome-ignore-all lint/suspicious/noThenProperty: `then` is the IfStmt field of the IR contract.
import ts from "typescript";
import type { Expr } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import {
  BINARY_TOKENS as BINARY,
  LOGICAL_TOKENS as LOGICAL,
  PREFIX_TOKENS as PREFIX,
} from "../tokens.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { lowerInstanceof } from "./instanceof.js";
import { lowerOrdered } from "./items.js";

const K = ts.SyntaxKind;

export function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= K.FirstAssignment && kind <= K.LastAssignment;
}

export function lowerBinary(ctx: FnCtx, node: ts.BinaryExpression): Expr {
  const span = ctx.span(node);
  const kind = node.operatorToken.kind;
  if (isAssignmentOperator(kind)) return ctx.refused("WM206", node);
  if (kind === K.CommaToken) return ctx.refused("WM212", node.operatorToken, { name: "," });
  if (kind === K.InstanceOfKeyword) return lowerInstanceof(ctx, node);
  const logical = LOGICAL.get(kind);
  if (logical) {
    if (!hasEffect(node.right)) {
      const [left, right] = lowerOrdered(ctx, [node.left, node.right]);
      return { k: "logical", op: logical, left: left!, right: right!, span };
    }
    // `a && await f()`: the right side runs only when the left side lets it.
    const t = ctx.temp();
    const name: Expr = { k: "name", name: t, span };
    ctx.emit({
      k: "decl",
      kind: "let",
      target: { k: "pname", name: t, span },
      value: lowerExpr(ctx, node.left),
      span,
    });
    const then = ctx.collect(() => {
      const value = lowerExpr(ctx, node.right);
      ctx.emit({ k: "assign", target: { k: "lname", name: t, span }, op: "=", value, span });
    });
    const nullish: Expr = {
      k: "binary",
      op: "==",
      left: name,
      right: { k: "lit", value: null, span },
      span,
    };
    const test: Expr =
      logical === "&&"
        ? name
        : logical === "||"
          ? { k: "unary", op: "!", arg: name, span }
          : nullish;
    ctx.emit({ k: "if", test, then, span });
    return name;
  }
  const op = BINARY.get(kind);
  if (!op)
    return ctx.refused("WM212", node.operatorToken, { name: node.operatorToken.getText(ctx.sf) });
  const [left, right] = lowerOrdered(ctx, [node.left, node.right]);
  return { k: "binary", op, left: left!, right: right!, span };
}

export function lowerPrefix(ctx: FnCtx, node: ts.PrefixUnaryExpression): Expr {
  const op = PREFIX.get(node.operator);
  if (!op) return ctx.refused("WM206", node);
  return { k: "unary", op, arg: lowerExpr(ctx, node.operand), span: ctx.span(node) };
}

export function lowerConditional(ctx: FnCtx, node: ts.ConditionalExpression): Expr {
  const span = ctx.span(node);
  if (!hasEffect(node.whenTrue) && !hasEffect(node.whenFalse)) {
    const test = lowerExpr(ctx, node.condition);
    return {
      k: "cond",
      test,
      then: lowerExpr(ctx, node.whenTrue),
      else: lowerExpr(ctx, node.whenFalse),
      span,
    };
  }
  // `c ? await f() : g`: only the taken branch's effects run.
  const test = lowerExpr(ctx, node.condition);
  const t = ctx.temp();
  ctx.emit({ k: "decl", kind: "let", target: { k: "pname", name: t, span }, span });
  const branch = (e: ts.Expression) =>
    ctx.collect(() => {
      const value = lowerExpr(ctx, e);
      ctx.emit({ k: "assign", target: { k: "lname", name: t, span }, op: "=", value, span });
    });
  ctx.emit({ k: "if", test, then: branch(node.whenTrue), else: branch(node.whenFalse), span });
  return { k: "name", name: t, span };
}
