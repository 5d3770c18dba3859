// biome-ignore-all lint/suspicious/noThenProperty: `then` is the IfStmt field of the IR contract.
import ts from "typescript";
import type { Expr, Stmt } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { lowerExpressionStatement } from "./assign.js";
import { declarationKind, lowerDeclarationList } from "./declarations.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";
import { declarePattern } from "./patterns.js";
import { lowerBlock } from "./statements.js";

/** A loop test with effects is evaluated at the top of each iteration:
 *  `while (await ok()) body` → `while (true) { const t = await ok(); if (!t) break; body }`.
 *  `continue` jumps to the top, so the test is re-evaluated as in JavaScript. */
function effectfulTest(ctx: FnCtx, test: ts.Expression): Stmt[] {
  return ctx.collect(() => {
    const t = lowerExpr(ctx, test);
    const span = ctx.span(test);
    ctx.emit({
      k: "if",
      test: { k: "unary", op: "!", arg: t, span },
      then: [{ k: "break", span }],
      span,
    });
  });
}

const TRUE = (span: Stmt["span"]): Expr => ({ k: "lit", value: true, span });

export function lowerWhile(ctx: FnCtx, s: ts.WhileStatement): void {
  const span = ctx.span(s);
  if (hasEffect(s.expression)) {
    const pre = effectfulTest(ctx, s.expression);
    const body = lowerBlock(ctx, s.statement);
    ctx.emit({ k: "while", test: TRUE(span), body: [...pre, ...body], span });
    return;
  }
  const test = lowerExpr(ctx, s.expression);
  ctx.emit({ k: "while", test, body: lowerBlock(ctx, s.statement), span });
}

export function lowerDo(ctx: FnCtx, s: ts.DoStatement): void {
  const span = ctx.span(s);
  const body = lowerBlock(ctx, s.statement);
  if (hasEffect(s.expression)) {
    // `continue` must reach the test; a hoisted test would be skipped by it.
    ctx.report("WM223", s.expression);
    return;
  }
  ctx.emit({ k: "do_while", body, test: lowerExpr(ctx, s.expression), span });
}

export function lowerFor(ctx: FnCtx, s: ts.ForStatement): void {
  const span = ctx.span(s);
  ctx.pushScope();
  try {
    const init = ctx.collect(() => {
      const i = s.initializer;
      if (!i) return;
      if (ts.isVariableDeclarationList(i)) lowerDeclarationList(ctx, i, i);
      else lowerExpressionStatement(ctx, i, i);
    }, false);
    let test: Expr | undefined;
    let pre: Stmt[] = [];
    if (s.condition && hasEffect(s.condition)) pre = effectfulTest(ctx, s.condition);
    else if (s.condition) {
      const hoisted = ctx.collect(() => {
        test = lowerExpr(ctx, s.condition!);
      }, false);
      init.push(...hoisted);
    }
    const update = ctx.collect(() => {
      if (s.incrementor) lowerExpressionStatement(ctx, s.incrementor, s.incrementor);
    }, false);
    const body = [...pre, ...lowerBlock(ctx, s.statement)];
    ctx.emit(
      test ? { k: "for", init, test, update, body, span } : { k: "for", init, update, body, span },
    );
  } finally {
    ctx.popScope();
  }
}

export function lowerForOf(ctx: FnCtx, s: ts.ForOfStatement): void {
  const span = ctx.span(s);
  if (s.awaitModifier) {
    ctx.report("WM309", s);
    return;
  }
  if (!ts.isVariableDeclarationList(s.initializer)) {
    ctx.report("WM310", s.initializer);
    return;
  }
  const decl = declarationKind(ctx, s.initializer, s.initializer);
  const d = s.initializer.declarations[0];
  if (!decl || !d) return;
  const iterable = lowerExpr(ctx, s.expression);
  ctx.pushScope();
  try {
    const target = declarePattern(ctx, d.name);
    ctx.emit({ k: "for_of", decl, target, iterable, body: lowerBlock(ctx, s.statement), span });
  } finally {
    ctx.popScope();
  }
}
