import ts from "typescript";
import type { Expr, ObjectProp } from "../../ir/types.js";
import { REFUSED_EXPRESSIONS } from "../checks/expressions.js";
import type { FnCtx } from "../context.js";
import { propName, skipOuter } from "../source.js";
import { lowerCall } from "./calls.js";
import { lowerAwait } from "./effects.js";
import { lowerItems, lowerOrdered } from "./items.js";
import { lowerMember, lowerName } from "./names.js";
import { lowerBinary, lowerConditional, lowerPrefix } from "./operators.js";
import { lowerTemplate } from "./template.js";

/** Where an expression sits. "assign": the value assigned to a variable (or returned from
 *  Object.fromEntries in that position), where `.map`/`.filter` comprehensions are allowed. */
export type Position = "assign" | undefined;

/** Lowers an expression to a pure IR expression, emitting into `ctx.out` the statements of
 *  any effects it contains (in evaluation order). Every kind either lowers or is refused. */
export function lowerExpr(ctx: FnCtx, node: ts.Expression, pos?: Position): Expr {
  let e = skipOuter(node);
  while (ts.isExpressionWithTypeArguments(e)) e = skipOuter(e.expression);
  const span = ctx.span(e);
  const refused = REFUSED_EXPRESSIONS.get(e.kind);
  if (refused) return ctx.refused(refused, e, { name: e.getText(ctx.sf).slice(0, 40) });
  switch (e.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return { k: "lit", value: (e as ts.StringLiteral).text, span };
    case ts.SyntaxKind.NumericLiteral:
      return { k: "lit", value: Number((e as ts.NumericLiteral).text), span };
    case ts.SyntaxKind.BigIntLiteral: {
      const digits = (e as ts.BigIntLiteral).text.slice(0, -1);
      return { k: "builtin", fn: "BigInt", args: [{ k: "lit", value: digits, span }], span };
    }
    case ts.SyntaxKind.TrueKeyword:
      return { k: "lit", value: true, span };
    case ts.SyntaxKind.FalseKeyword:
      return { k: "lit", value: false, span };
    case ts.SyntaxKind.NullKeyword:
      return { k: "lit", value: null, span };
    case ts.SyntaxKind.ThisKeyword:
      return ctx.refused("WM215", e);
    case ts.SyntaxKind.Identifier:
      return lowerName(ctx, e as ts.Identifier);
    case ts.SyntaxKind.TemplateExpression:
      return lowerTemplate(ctx, e as ts.TemplateExpression);
    case ts.SyntaxKind.ArrayLiteralExpression:
      return {
        k: "array",
        items: lowerItems(ctx, (e as ts.ArrayLiteralExpression).elements),
        span,
      };
    case ts.SyntaxKind.ObjectLiteralExpression:
      return lowerObject(ctx, e as ts.ObjectLiteralExpression);
    case ts.SyntaxKind.PropertyAccessExpression:
      return lowerMember(ctx, e as ts.PropertyAccessExpression);
    case ts.SyntaxKind.ElementAccessExpression: {
      const ea = e as ts.ElementAccessExpression;
      const [object, index] = lowerOrdered(ctx, [ea.expression, ea.argumentExpression]);
      const optional = ea.questionDotToken !== undefined; // the `?.[` link only, as for members
      return { k: "index", object: object!, index: index!, optional, span };
    }
    case ts.SyntaxKind.CallExpression:
      return lowerCall(ctx, e as ts.CallExpression, pos);
    case ts.SyntaxKind.NewExpression:
      return lowerNew(ctx, e as ts.NewExpression);
    case ts.SyntaxKind.AwaitExpression: {
      // The temporary is named once the operand's own effects are lowered, so temporaries
      // are numbered in evaluation order.
      let name = "";
      lowerAwait(ctx, e, (e as ts.AwaitExpression).expression, {
        pattern: () => {
          name = ctx.temp();
          return { k: "pname", name, span };
        },
        decl: "const",
      });
      return { k: "name", name, span };
    }
    case ts.SyntaxKind.TypeOfExpression:
      return {
        k: "unary",
        op: "typeof",
        arg: lowerExpr(ctx, (e as ts.TypeOfExpression).expression),
        span,
      };
    case ts.SyntaxKind.VoidExpression:
      return {
        k: "unary",
        op: "void",
        arg: lowerExpr(ctx, (e as ts.VoidExpression).expression),
        span,
      };
    case ts.SyntaxKind.PrefixUnaryExpression:
      return lowerPrefix(ctx, e as ts.PrefixUnaryExpression);
    case ts.SyntaxKind.PostfixUnaryExpression:
      return ctx.refused("WM206", e);
    case ts.SyntaxKind.BinaryExpression:
      return lowerBinary(ctx, e as ts.BinaryExpression);
    case ts.SyntaxKind.ConditionalExpression:
      return lowerConditional(ctx, e as ts.ConditionalExpression);
    case ts.SyntaxKind.SpreadElement:
      // A spread is only meaningful inside an array literal or an argument list (lowerItems).
      return ctx.refused("WM226", e, { name: "spread" });
    default:
      return ctx.refused("WM226", e, { name: ts.SyntaxKind[e.kind] ?? "unknown" });
  }
}

function lowerObject(ctx: FnCtx, node: ts.ObjectLiteralExpression): Expr {
  // Order: keys and values left to right; computed keys count as siblings too.
  const parts: ts.Expression[] = [];
  for (const p of node.properties) {
    if (ts.isPropertyAssignment(p)) {
      if (ts.isComputedPropertyName(p.name)) parts.push(p.name.expression);
      parts.push(p.initializer);
    } else if (ts.isShorthandPropertyAssignment(p)) {
      if (p.objectAssignmentInitializer) ctx.report("WM226", p, { name: "shorthand default" });
      parts.push(p.name);
    } else if (ts.isSpreadAssignment(p)) {
      parts.push(p.expression);
    } else {
      ctx.report("WM205", p);
    }
  }
  const values = lowerOrdered(ctx, parts);
  const props: ObjectProp[] = [];
  let i = 0;
  for (const p of node.properties) {
    const span = ctx.span(p);
    if (ts.isPropertyAssignment(p)) {
      if (ts.isComputedPropertyName(p.name)) {
        const key = values[i++]!;
        props.push({ k: "computed", key, value: values[i++]!, span });
      } else {
        const key = propName(p.name) ?? p.name.getText(ctx.sf);
        props.push({ k: "prop", key, value: values[i++]!, span });
      }
    } else if (ts.isShorthandPropertyAssignment(p)) {
      props.push({ k: "prop", key: p.name.text, value: values[i++]!, span });
    } else if (ts.isSpreadAssignment(p)) {
      props.push({ k: "spread", expr: values[i++]!, span });
    }
  }
  return { k: "object", props, span: ctx.span(node) };
}

function lowerNew(ctx: FnCtx, node: ts.NewExpression): Expr {
  const name = node.expression.getText(ctx.sf);
  if (name === "Date" && ctx.lookup("Date") === undefined)
    return ctx.refused("WM202", node, { name: "new Date()" });
  return ctx.refused("WM201", node, { name });
}
