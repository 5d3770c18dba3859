import ts from "typescript";
import type { DiagnosticCode } from "../diagnostics.js";

/** Expression kinds refused wherever they appear in a workflow body. */
export const REFUSED_EXPRESSIONS: ReadonlyMap<ts.SyntaxKind, DiagnosticCode> = new Map([
  [ts.SyntaxKind.ArrowFunction, "WM205"],
  [ts.SyntaxKind.FunctionExpression, "WM205"],
  [ts.SyntaxKind.ClassExpression, "WM304"],
  [ts.SyntaxKind.YieldExpression, "WM306"],
  [ts.SyntaxKind.DeleteExpression, "WM207"],
  [ts.SyntaxKind.TaggedTemplateExpression, "WM211"],
  [ts.SyntaxKind.RegularExpressionLiteral, "WM216"],
  [ts.SyntaxKind.SuperKeyword, "WM220"],
  [ts.SyntaxKind.MetaProperty, "WM221"],
  [ts.SyntaxKind.ImportKeyword, "WM221"],
  [ts.SyntaxKind.JsxElement, "WM226"],
  [ts.SyntaxKind.JsxSelfClosingElement, "WM226"],
  [ts.SyntaxKind.JsxFragment, "WM226"],
  [ts.SyntaxKind.PrivateIdentifier, "WM215"],
]);

/** Expression kinds with a lowering (see lower/expressions.ts and lower/effects.ts). The
 *  outer-syntax kinds (parentheses, `as`, `satisfies`, `<T>x`, `x!`) are stripped first. */
export const LOWERED_EXPRESSIONS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateExpression,
  ts.SyntaxKind.ArrayLiteralExpression,
  ts.SyntaxKind.ObjectLiteralExpression,
  ts.SyntaxKind.PropertyAccessExpression,
  ts.SyntaxKind.ElementAccessExpression,
  ts.SyntaxKind.CallExpression,
  ts.SyntaxKind.NewExpression,
  ts.SyntaxKind.ParenthesizedExpression,
  ts.SyntaxKind.AsExpression,
  ts.SyntaxKind.SatisfiesExpression,
  ts.SyntaxKind.TypeAssertionExpression,
  ts.SyntaxKind.NonNullExpression,
  ts.SyntaxKind.ExpressionWithTypeArguments,
  ts.SyntaxKind.TypeOfExpression,
  ts.SyntaxKind.VoidExpression,
  ts.SyntaxKind.AwaitExpression,
  ts.SyntaxKind.PrefixUnaryExpression,
  ts.SyntaxKind.PostfixUnaryExpression,
  ts.SyntaxKind.BinaryExpression,
  ts.SyntaxKind.ConditionalExpression,
  ts.SyntaxKind.SpreadElement,
  // Holes (`[a, , b]`) lower to `undefined` items in lowerItems / patterns.
  ts.SyntaxKind.OmittedExpression,
]);
