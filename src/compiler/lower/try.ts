import ts from "typescript";
import type { Pattern, TryStmt } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { declarePattern } from "./patterns.js";
import { lowerStatements } from "./statements.js";

/** `try / catch / finally`: all three parts lower (`finally` is never dropped). */
export function lowerTry(ctx: FnCtx, s: ts.TryStatement): void {
  ctx.tryDepth += 1;
  try {
    lowerTryParts(ctx, s);
  } finally {
    ctx.tryDepth -= 1;
  }
}

function lowerTryParts(ctx: FnCtx, s: ts.TryStatement): void {
  const out: TryStmt = {
    k: "try",
    body: ctx.collect(() => lowerStatements(ctx, s.tryBlock.statements)),
    span: ctx.span(s),
  };
  const cc = s.catchClause;
  if (cc) {
    let param: Pattern | undefined;
    const body = ctx.collect(() => {
      const v = cc.variableDeclaration;
      if (v) param = declarePattern(ctx, v.name);
      const bound = param?.k === "pname" ? param.name : undefined;
      if (bound) ctx.catchNames.push(bound);
      try {
        lowerStatements(ctx, cc.block.statements);
      } finally {
        if (bound) ctx.catchNames.pop();
      }
    });
    out.catch = param ? { param, body, span: ctx.span(cc) } : { body, span: ctx.span(cc) };
  }
  if (s.finallyBlock) {
    const fb = s.finallyBlock;
    out.finally = ctx.collect(() => lowerStatements(ctx, fb.statements));
  }
  ctx.emit(out);
}

/** `throw err` re-throwing the binding of an enclosing `catch` is the one allowed throw. */
export function lowerThrow(ctx: FnCtx, s: ts.ThrowStatement): void {
  const e = skipOuter(s.expression);
  const name = ts.isIdentifier(e) ? ctx.lookup(e.text) : undefined;
  if (name !== undefined && ctx.catchNames.includes(name)) {
    ctx.emit({ k: "rethrow", name, span: ctx.span(s) });
    return;
  }
  ctx.report("WM204", s);
}
