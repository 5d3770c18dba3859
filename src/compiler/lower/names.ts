import { basename } from "node:path";
import ts from "typescript";
import type { Expr } from "../../ir/types.js";
import { isNondeterministic } from "../checks/nondeterminism.js";
import type { FnCtx } from "../context.js";
import { moduleValueArgs } from "../diagnostics.js";
import type { Binding } from "../resolve/bindings.js";
import {
  constantOfBinding,
  constMember,
  globalConstant,
  type NotConstant,
} from "../resolve/constants.js";
import { spanOf } from "../source.js";
import { dottedPath, resolvePath } from "./callee.js";
import { lowerExpr } from "./expressions.js";

/** How a workflow body reads module constants: plain `const`s too, as long as their module
 *  does not change them (the body would read the changed value in JavaScript). */
const BODY = { plain: true, unmutated: true } as const;

/** The inlined value of a module-level binding, or WM103 (WM107) at `node` saying why it has
 *  none. */
function moduleValue(ctx: FnCtx, b: Binding, node: ts.Node, name: string): Expr {
  let first: NotConstant | undefined;
  const why = (w: NotConstant) => {
    first ??= w;
  };
  const v = constantOfBinding(b, { ...BODY, why }, node, ctx.mod);
  if (v) return v;
  const w = first as NotConstant | undefined;
  if (w?.k === "unresolved") return ctx.refused("WM107", node, { name: w.name, spec: w.spec });
  return ctx.refused("WM103", node, notConstantArgs(name, w, node, ctx));
}

function notConstantArgs(
  name: string,
  w: NotConstant | undefined,
  use: ts.Node,
  ctx: FnCtx,
): Record<string, string> {
  if (!w) return moduleValueArgs(name, "computed", "a value that is not a constant");
  const at = (n: ts.Node, mod = w.mod) => {
    const p = spanOf(n, mod.sf);
    return `\`${brief(n.getText(mod.sf))}\` at ${basename(p.file)}:${p.line}:${p.column}`;
  };
  switch (w.k) {
    case "let":
      return moduleValueArgs(name, "let", w.decl);
    case "computed":
    case "mutated":
      return moduleValueArgs(name, w.k, at(w.node));
    case "external":
      return moduleValueArgs(name, "external", w.spec);
    case "namespace":
      return moduleValueArgs(name, "namespace", use.getText(ctx.sf));
    case "unresolved":
      return moduleValueArgs(name, "computed", at(w.node));
    default:
      return moduleValueArgs(name, w.k);
  }
}

/** Source text for a message: one line, at most 40 characters. */
function brief(t: string): string {
  const one = t.replace(/\s+/g, " ");
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
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
  return moduleValue(ctx, b, id, id.text);
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
      return moduleValue(ctx, b, pa, full);
    } else {
      let v = constantOfBinding(b, BODY, pa, ctx.mod);
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
