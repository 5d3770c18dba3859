import ts from "typescript";
import type { Expr, Span } from "../../ir/types.js";
import { isNondeterministic } from "../checks/nondeterminism.js";
import type { FnCtx } from "../context.js";
import type { Binding } from "../resolve/bindings.js";
import { constantOfName, constMember } from "../resolve/constants.js";
import { dottedPath, resolvePath } from "./callee.js";
import { lowerExpr } from "./expressions.js";

/** Global constants, inlined. Non-finite numbers are written as divisions so the IR stays JSON. */
function globalConstant(path: string, span: Span): Expr | undefined {
  const lit = (value: number): Expr => ({ k: "lit", value, span });
  const div = (a: number): Expr => ({ k: "binary", op: "/", left: lit(a), right: lit(0), span });
  switch (path) {
    case "undefined":
      return { k: "undefined", span };
    case "NaN":
    case "Number.NaN":
      return div(0);
    case "Infinity":
    case "Number.POSITIVE_INFINITY":
      return div(1);
    case "Number.NEGATIVE_INFINITY":
      return div(-1);
    case "Math.PI":
      return lit(Math.PI);
    case "Math.E":
      return lit(Math.E);
    case "Number.MAX_SAFE_INTEGER":
      return lit(Number.MAX_SAFE_INTEGER);
    case "Number.MIN_SAFE_INTEGER":
      return lit(Number.MIN_SAFE_INTEGER);
    case "Number.EPSILON":
      return lit(Number.EPSILON);
    default:
      return undefined;
  }
}

function constantOf(b: Binding): Expr | undefined {
  return b.k === "decl" ? constantOfName(b.mod, b.name) : undefined;
}

function refuseBinding(ctx: FnCtx, node: ts.Node, b: Binding, name: string): Expr {
  if (b.k === "unresolved") return ctx.refused("WM107", node, { name: b.name, spec: b.spec });
  return ctx.refused("WM103", node, { name });
}

export function lowerName(ctx: FnCtx, id: ts.Identifier): Expr {
  const span = ctx.span(id);
  const local = ctx.lookup(id.text);
  if (local !== undefined) return { k: "name", name: local, span };
  const { b } = resolvePath(ctx, id.text, []);
  if (!b) {
    const g = globalConstant(id.text, span);
    if (g) return g;
    if (isNondeterministic(id.text)) return ctx.refused("WM202", id, { name: id.text });
    return ctx.refused("WM101", id, { name: id.text });
  }
  return constantOf(b) ?? refuseBinding(ctx, id, b, id.text);
}

export function lowerMember(ctx: FnCtx, pa: ts.PropertyAccessExpression): Expr {
  const span = ctx.span(pa);
  if (pa.expression.kind === ts.SyntaxKind.ThisKeyword) return ctx.refused("WM215", pa);
  if (pa.expression.kind === ts.SyntaxKind.SuperKeyword) return ctx.refused("WM220", pa);
  if (ts.isPrivateIdentifier(pa.name)) return ctx.refused("WM215", pa.name);
  const dp = dottedPath(pa);
  if (dp && ctx.lookup(dp.root.text) === undefined && !ts.isOptionalChain(pa)) {
    const full = [dp.root.text, ...dp.path].join(".");
    const { b, rest } = resolvePath(ctx, dp.root.text, dp.path);
    if (!b) {
      const g = globalConstant(full, span);
      if (g) return g;
      if (isNondeterministic(full)) return ctx.refused("WM202", pa, { name: full });
    } else if (rest.length === 0) {
      return constantOf(b) ?? refuseBinding(ctx, pa, b, full);
    } else {
      let v = constantOf(b);
      for (const key of rest) v = v && constMember(v, key);
      if (v) return { ...v, span };
    }
  }
  const object = lowerExpr(ctx, pa.expression);
  // `optional` marks the link written `?.`; the links after it in the chain are plain: the
  // runtime propagates a short-circuit through them (`a?.b.c` throws when `a.b` is undefined).
  const optional = pa.questionDotToken !== undefined;
  return { k: "member", object, property: pa.name.text, optional, span };
}
