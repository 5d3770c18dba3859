import { readFileSync, statSync } from "node:fs";
import ts from "typescript";
import type { Span } from "../ir/types.js";

// Parsed source files, cached per absolute path + mtime: a module imported by many workflows
// is parsed once per process, and an edited file is re-read.
const cache = new Map<string, { mtimeMs: number; sf: ts.SourceFile }>();

export function parseFile(file: string): ts.SourceFile {
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.sf;
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  cache.set(file, { mtimeMs, sf });
  return sf;
}

export function clearParseCache(): void {
  cache.clear();
}

export function spanOf(node: ts.Node, sf: ts.SourceFile): Span {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return {
    file: sf.fileName,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}

/** Strips syntax that has no runtime meaning: parentheses, `as`, `satisfies`, `<T>x`, `x!`. */
export function skipOuter(e: ts.Expression): ts.Expression {
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isTypeAssertionExpression(e) ||
      ts.isNonNullExpression(e)
    ) {
      e = e.expression;
    } else {
      return e;
    }
  }
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** The key a written (non-computed) property name denotes, as JavaScript computes it: an
 *  identifier's text, a string's value, a number's canonical form (`0x10` → "16", which the
 *  parser already gives as `text`), a bigint's digits (`1n` → "1"). Computed names: undefined. */
export function propName(name: ts.PropertyName | ts.MemberName): string | undefined {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isBigIntLiteral(name)) return BigInt(name.text.slice(0, -1)).toString();
  return undefined;
}
