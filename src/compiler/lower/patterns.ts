import ts from "typescript";
import type { Expr, Pattern, PatternElement } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { staticKey } from "../resolve/constants.js";
import { propName, skipOuter } from "../source.js";
import { hasEffect } from "./effects.js";
import { lowerExpr } from "./expressions.js";

/** Pure default value of a parameter or destructuring element (effects refused: WM222). */
export function lowerDefault(ctx: FnCtx, init: ts.Expression | undefined): Expr | undefined {
  if (!init) return undefined;
  if (hasEffect(init)) return ctx.refused("WM222", init);
  return lowerExpr(ctx, init);
}

/** A declaration's binding pattern; declares every bound name (renaming shadowed ones). */
export function declarePattern(ctx: FnCtx, name: ts.BindingName): Pattern {
  const span = ctx.span(name);
  if (ts.isIdentifier(name)) return { k: "pname", name: ctx.declare(name.text), span };
  if (ts.isArrayBindingPattern(name)) {
    const elements: (PatternElement | null)[] = [];
    let rest: Pattern | undefined;
    for (const el of name.elements) {
      if (ts.isOmittedExpression(el)) {
        elements.push(null);
      } else if (el.dotDotDotToken) {
        rest = declarePattern(ctx, el.name);
      } else {
        const def = lowerDefault(ctx, el.initializer);
        const target = declarePattern(ctx, el.name);
        elements.push({ k: "pelem", target, ...(def ? { default: def } : {}), span: ctx.span(el) });
      }
    }
    return { k: "parray", elements, ...(rest ? { rest } : {}), span };
  }
  const props: { k: "pprop"; key: string; target: Pattern; default?: Expr; span: typeof span }[] =
    [];
  let rest: Pattern | undefined;
  for (const el of name.elements) {
    if (el.dotDotDotToken) {
      rest = declarePattern(ctx, el.name);
      continue;
    }
    const keyNode = el.propertyName ?? el.name;
    const key =
      ts.isObjectBindingPattern(keyNode) || ts.isArrayBindingPattern(keyNode)
        ? undefined
        : patternKey(ctx, keyNode);
    if (key === undefined) {
      reportKey(ctx, keyNode);
      declarePattern(ctx, el.name); // still declared: later uses are not reported as unknown
      continue;
    }
    const def = lowerDefault(ctx, el.initializer);
    const target = declarePattern(ctx, el.name);
    props.push({ k: "pprop", key, target, ...(def ? { default: def } : {}), span: ctx.span(el) });
  }
  return { k: "pobject", props, ...(rest ? { rest } : {}), span };
}

/** The target of a destructuring assignment (`[a, b] = [b, a]`): existing locals only. */
export function assignmentPattern(ctx: FnCtx, node: ts.Expression): Pattern | undefined {
  const e = skipOuter(node);
  const span = ctx.span(e);
  if (ts.isIdentifier(e)) {
    const name = ctx.lookup(e.text);
    if (name === undefined) {
      ctx.report("WM213", e, { name: e.text });
      return undefined;
    }
    return { k: "pname", name, span };
  }
  if (ts.isArrayLiteralExpression(e)) {
    const elements: (PatternElement | null)[] = [];
    let rest: Pattern | undefined;
    for (const el of e.elements) {
      if (ts.isOmittedExpression(el)) {
        elements.push(null);
        continue;
      }
      if (ts.isSpreadElement(el)) {
        rest = assignmentPattern(ctx, el.expression);
        continue;
      }
      const [t, d] = splitDefault(el);
      const target = assignmentPattern(ctx, t);
      if (!target) return undefined;
      const def = lowerDefault(ctx, d);
      elements.push({ k: "pelem", target, ...(def ? { default: def } : {}), span: ctx.span(el) });
    }
    return { k: "parray", elements, ...(rest ? { rest } : {}), span };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const props: { k: "pprop"; key: string; target: Pattern; default?: Expr; span: typeof span }[] =
      [];
    let rest: Pattern | undefined;
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) {
        rest = assignmentPattern(ctx, p.expression);
        continue;
      }
      let key: string | undefined;
      let t: ts.Expression | undefined;
      let d: ts.Expression | undefined;
      if (ts.isShorthandPropertyAssignment(p)) {
        key = p.name.text;
        t = p.name;
        d = p.objectAssignmentInitializer;
      } else if (ts.isPropertyAssignment(p)) {
        key = patternKey(ctx, p.name);
        [t, d] = splitDefault(p.initializer);
        if (key === undefined) {
          reportKey(ctx, p.name);
          return undefined;
        }
      }
      if (key === undefined || !t) {
        ctx.report("WM225", p);
        return undefined;
      }
      const target = assignmentPattern(ctx, t);
      if (!target) return undefined;
      const def = lowerDefault(ctx, d);
      props.push({ k: "pprop", key, target, ...(def ? { default: def } : {}), span: ctx.span(p) });
    }
    return { k: "pobject", props, ...(rest ? { rest } : {}), span };
  }
  ctx.report("WM225", e);
  return undefined;
}

/** The key a destructuring property reads when it is known statically: a written name
 *  (`{ a: x }`, `{ "a-b": x }`, `{ 0x10: x }`) or a computed constant (`{ ["a"]: x }`,
 *  `{ [Keys.A]: x }`, `{ [KEY]: x }` with an enum or a module constant, no name of it
 *  shadowed by a local). */
function patternKey(ctx: FnCtx, name: ts.PropertyName): string | undefined {
  if (!ts.isComputedPropertyName(name)) return propName(name);
  if (readsLocal(ctx, name.expression)) return undefined;
  return staticKey(name, ctx.mod, { plain: true, unmutated: true });
}

function readsLocal(ctx: FnCtx, node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return ctx.lookup(node.text) !== undefined;
  if (ts.isPropertyAccessExpression(node)) return readsLocal(ctx, node.expression);
  return ts.forEachChild(node, (c) => readsLocal(ctx, c) || undefined) ?? false;
}

function reportKey(ctx: FnCtx, name: ts.Node): void {
  if (ts.isComputedPropertyName(name))
    ctx.report("WM231", name, { name: name.expression.getText(ctx.sf) });
  else ctx.report("WM225", name);
}

function splitDefault(e: ts.Expression): [ts.Expression, ts.Expression | undefined] {
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken)
    return [e.left, e.right];
  return [e, undefined];
}
