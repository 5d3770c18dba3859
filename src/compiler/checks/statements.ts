import ts from "typescript";
import type { DiagnosticCode } from "../diagnostics.js";

/** Statement kinds refused in a workflow body, each with its code. Kinds absent from this
 *  table and from `LOWERED_STATEMENTS` reach the dispatcher's explicit WM313 refusal. */
export const REFUSED_STATEMENTS: ReadonlyMap<ts.SyntaxKind, DiagnosticCode> = new Map([
  [ts.SyntaxKind.ForInStatement, "WM303"],
  [ts.SyntaxKind.LabeledStatement, "WM302"],
  [ts.SyntaxKind.WithStatement, "WM312"],
  [ts.SyntaxKind.DebuggerStatement, "WM308"],
  [ts.SyntaxKind.FunctionDeclaration, "WM305"],
  [ts.SyntaxKind.ClassDeclaration, "WM304"],
  [ts.SyntaxKind.EnumDeclaration, "WM311"],
  [ts.SyntaxKind.ModuleDeclaration, "WM311"],
  [ts.SyntaxKind.ImportEqualsDeclaration, "WM311"],
  [ts.SyntaxKind.ImportDeclaration, "WM311"],
  [ts.SyntaxKind.ExportDeclaration, "WM311"],
  [ts.SyntaxKind.ExportAssignment, "WM311"],
  [ts.SyntaxKind.NamespaceExportDeclaration, "WM311"],
  [ts.SyntaxKind.MissingDeclaration, "WM313"],
  [ts.SyntaxKind.NotEmittedStatement, "WM313"],
]);

/** Statement kinds with a lowering (see lower/statements.ts). Type-only declarations
 *  (interfaces, type aliases) lower to nothing: they have no runtime meaning. */
export const LOWERED_STATEMENTS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.Block,
  ts.SyntaxKind.EmptyStatement,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ContinueStatement,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.SwitchStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
]);

/** Display name for messages (`ForInStatement` → "for...in"). */
const NAMES: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.EnumDeclaration, "enum"],
  [ts.SyntaxKind.ModuleDeclaration, "namespace"],
  [ts.SyntaxKind.ImportEqualsDeclaration, "import"],
  [ts.SyntaxKind.ImportDeclaration, "import"],
  [ts.SyntaxKind.ExportDeclaration, "export"],
  [ts.SyntaxKind.ExportAssignment, "export"],
  [ts.SyntaxKind.NamespaceExportDeclaration, "export"],
]);

export function statementName(kind: ts.SyntaxKind): string {
  return NAMES.get(kind) ?? ts.SyntaxKind[kind] ?? String(kind);
}
