import type ts from "typescript";
import type { Expr } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { lowerItems } from "./items.js";

/** `a${x}b` → `"a" + String(x) + "b"`. The first operand is always a string (a literal or a
 *  `String(...)` call), so `+` concatenates exactly as the template would. */
export function lowerTemplate(ctx: FnCtx, node: ts.TemplateExpression): Expr {
  const span = ctx.span(node);
  const values = lowerItems(
    ctx,
    node.templateSpans.map((s) => s.expression),
  ) as Expr[];
  const parts: Expr[] = [];
  if (node.head.text !== "")
    parts.push({ k: "lit", value: node.head.text, span: ctx.span(node.head) });
  node.templateSpans.forEach((s, i) => {
    const v = values[i]!;
    parts.push({ k: "builtin", fn: "String", args: [v], span: v.span });
    if (s.literal.text !== "")
      parts.push({ k: "lit", value: s.literal.text, span: ctx.span(s.literal) });
  });
  if (parts.length === 0) return { k: "lit", value: "", span };
  return parts.reduce((left, right) => ({ k: "binary", op: "+", left, right, span }));
}
