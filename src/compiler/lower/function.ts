import ts from "typescript";
import type { FunctionDef, Param } from "../../ir/types.js";
import { type CompileCtx, FnCtx } from "../context.js";
import type { MethodInfo } from "../resolve/classes.js";
import { declarePattern, lowerDefault } from "./patterns.js";
import { lowerStatements } from "./statements.js";

/** One method (`run` or a helper) → one IR function. Parameters and the body's top level
 *  share the function scope. */
export function lowerFunction(comp: CompileCtx, method: MethodInfo, entry: boolean): FunctionDef {
  const ctx = new FnCtx(comp, method.mod);
  const node = method.node;
  const span = ctx.span(node);
  if (node.asteriskToken) ctx.report("WM306", node.name);
  if (!node.body || (entry && !method.isAsync))
    ctx.report("WM314", node.name, { name: method.name });
  const params: Param[] = [];
  for (const p of node.parameters) {
    if (ts.isIdentifier(p.name) && p.name.text === "this") continue; // type-only `this` parameter
    const def = lowerDefault(ctx, p.initializer);
    const target = declarePattern(ctx, p.name);
    params.push({
      k: "param",
      target,
      ...(def ? { default: def } : {}),
      rest: !!p.dotDotDotToken,
      span: ctx.span(p),
    });
  }
  if (node.body) lowerStatements(ctx, node.body.statements);
  return { k: "function", name: method.name, params, body: ctx.out, span };
}
