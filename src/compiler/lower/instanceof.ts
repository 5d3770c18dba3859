import ts from "typescript";
import { BUILTIN_ERROR_CLASSES } from "../../ir/builtins.js";
import type { Expr } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { skipOuter } from "../source.js";
import { dottedPath, resolvePath } from "./callee.js";
import { lowerExpr } from "./expressions.js";

/** Built-in classes `instanceof` can test without an import (the runtime matches them by kind). */
const BUILTIN_CLASSES = new Set<string>([
  ...BUILTIN_ERROR_CLASSES,
  "Date",
  "Map",
  "Set",
  "Array",
  "Object",
]);

/** The class name an `instanceof` right-hand side (or an `exceptionTypes` entry) denotes:
 *  the declared name of a local or imported class (aliases resolved, namespace members
 *  included), `ActionTimeout` from "waymark", or a built-in class. */
export function classNameOf(ctx: FnCtx, node: ts.Expression): string | undefined {
  const e = skipOuter(node);
  if (ts.isStringLiteral(e)) return e.text;
  const dp = dottedPath(e);
  if (!dp || ctx.lookup(dp.root.text) !== undefined) return undefined;
  const { b, rest } = resolvePath(ctx, dp.root.text, dp.path);
  if (rest.length > 0) return undefined;
  if (!b)
    return dp.path.length === 0 && BUILTIN_CLASSES.has(dp.root.text) ? dp.root.text : undefined;
  if (b.k === "decl" && b.decl.k === "class") return b.decl.node.name?.text;
  if (b.k === "sdk" && b.name === "ActionTimeout") return "ActionTimeout";
  return undefined;
}

export function lowerInstanceof(ctx: FnCtx, node: ts.BinaryExpression): Expr {
  const value = lowerExpr(ctx, node.left);
  const className = classNameOf(ctx, node.right);
  if (!className) {
    const dp = dottedPath(node.right);
    const b =
      dp && ctx.lookup(dp.root.text) === undefined
        ? resolvePath(ctx, dp.root.text, dp.path).b
        : undefined;
    if (b?.k === "unresolved") ctx.report("WM107", node.right, { name: b.name, spec: b.spec });
    else ctx.report("WM108", node.right, { name: node.right.getText(ctx.sf) });
    return { k: "lit", value: false, span: ctx.span(node) };
  }
  return { k: "instanceof", value, className, span: ctx.span(node) };
}
