// The compiler is total: every statement and expression SyntaxKind that can appear in a method
// body either has a lowering or an explicit refusal with its own code. Each kind is proven by a
// snippet that really contains it (checked on the parsed AST) and compiles accordingly.
import assert from "node:assert/strict";
import { test } from "node:test";
import ts from "typescript";
import { LOWERED_EXPRESSIONS, REFUSED_EXPRESSIONS } from "../../src/compiler/checks/expressions.js";
import { LOWERED_STATEMENTS, REFUSED_STATEMENTS } from "../../src/compiler/checks/statements.js";
import { compileSource, workflowSource } from "./compileSource.js";

const K = ts.SyntaxKind;

/** Kinds the parser never produces inside a `.ts` method body (compiler-internal nodes, JSX). */
const NOT_PRODUCED = new Set<ts.SyntaxKind>([
  K.NotEmittedStatement,
  K.MissingDeclaration,
  K.PartiallyEmittedExpression,
  K.SyntheticExpression,
  K.CommaListExpression,
  K.SyntheticReferenceExpression,
  K.JsxExpression,
  K.JsxElement,
  K.JsxSelfClosingElement,
  K.JsxFragment,
]);

/** Canonical name of a kind (ts.SyntaxKind has aliases such as FirstStatement). */
const NAME = new Map<number, string>();
for (const [name, value] of Object.entries(K)) {
  if (typeof value === "number" && !/^(First|Last)/.test(name) && !NAME.has(value))
    NAME.set(value, name);
}
const nameOf = (k: ts.SyntaxKind): string => NAME.get(k) ?? String(k);

function kindsWhere(pred: (name: string, kind: number) => boolean): ts.SyntaxKind[] {
  const out = new Set<ts.SyntaxKind>();
  for (const [value, name] of NAME) {
    if (!name.startsWith("JSDoc") && !name.endsWith("TypeLiteral") && pred(name, value))
      out.add(value);
  }
  return [...out];
}

const STATEMENT_KINDS = kindsWhere(
  (name, v) =>
    (v >= K.FirstStatement && v <= K.LastStatement) ||
    [
      "Block",
      "EmptyStatement",
      "FunctionDeclaration",
      "ClassDeclaration",
      "InterfaceDeclaration",
      "TypeAliasDeclaration",
      "EnumDeclaration",
      "ModuleDeclaration",
      "ImportEqualsDeclaration",
      "ImportDeclaration",
      "ExportAssignment",
      "ExportDeclaration",
      "NamespaceExportDeclaration",
      "MissingDeclaration",
      "NotEmittedStatement",
    ].includes(name),
);

const EXPRESSION_KINDS = kindsWhere(
  (name) =>
    /(Expression|Literal)$/.test(name) ||
    [
      "Identifier",
      "PrivateIdentifier",
      "ThisKeyword",
      "SuperKeyword",
      "TrueKeyword",
      "FalseKeyword",
      "NullKeyword",
      "ImportKeyword",
      "ArrowFunction",
      "SpreadElement",
      "MetaProperty",
      "ExpressionWithTypeArguments",
      "JsxElement",
      "JsxSelfClosingElement",
      "JsxFragment",
    ].includes(name),
).filter((k) => !(k >= K.FirstStatement && k <= K.LastStatement));

test("every statement kind is lowered or refused", () => {
  const missing = STATEMENT_KINDS.filter(
    (k) => !LOWERED_STATEMENTS.has(k) && !REFUSED_STATEMENTS.has(k),
  );
  assert.deepEqual(missing.map(nameOf), []);
});

test("every expression kind is lowered or refused", () => {
  const missing = EXPRESSION_KINDS.filter(
    (k) => !LOWERED_EXPRESSIONS.has(k) && !REFUSED_EXPRESSIONS.has(k) && !NOT_PRODUCED.has(k),
  );
  assert.deepEqual(missing.map(nameOf), []);
});

// kind name → [body, methods?]. Lowered kinds must compile cleanly; refused ones must report
// exactly their table code.
const SNIPPETS: Record<string, [string, string?]> = {
  Block: ["{ const a = 1; }"],
  EmptyStatement: [";"],
  VariableStatement: ["const a = 1;"],
  ExpressionStatement: ["x = 1;"],
  IfStatement: ["if (x) { return 1; }"],
  DoStatement: ["do { x += 1; } while (x < 3);"],
  WhileStatement: ["while (x < 3) { x += 1; }"],
  ForStatement: ["for (let i = 0; i < 3; i++) { x += i; }"],
  ForOfStatement: ["for (const v of xs) { await act(v); }"],
  ContinueStatement: ["for (const v of xs) { continue; }"],
  BreakStatement: ["while (true) { break; }"],
  ReturnStatement: ["return 1;"],
  SwitchStatement: ["switch (x) { case 1: break; default: x = 2; }"],
  ThrowStatement: ["try { await act(); } catch (e) { throw e; }"],
  TryStatement: ["try { await act(); } finally { await act(); }"],
  InterfaceDeclaration: ["interface I { a: number }"],
  TypeAliasDeclaration: ["type T = number;"],
  ForInStatement: ["for (const k in x) { continue; }"],
  LabeledStatement: ["l: for (const v of xs) { continue; }"],
  WithStatement: ["with (x) { }"],
  DebuggerStatement: ["debugger;"],
  FunctionDeclaration: ["function f() { return 1; }"],
  ClassDeclaration: ["class C {}"],
  EnumDeclaration: ["enum E { A }"],
  ModuleDeclaration: ["namespace N { }"],
  ImportEqualsDeclaration: ["import A = N.B;"],
  ImportDeclaration: ['import { a } from "./a.js";'],
  ExportDeclaration: ["export { x };"],
  ExportAssignment: ["export = x;"],
  NamespaceExportDeclaration: ["export as namespace N;"],
  Identifier: ["const r = x;"],
  ThisKeyword: ["const r = this.h();", "  h() { return 1; }\n"],
  TrueKeyword: ["const r = true;"],
  FalseKeyword: ["const r = false;"],
  NullKeyword: ["const r = null;"],
  StringLiteral: ['const r = "s";'],
  NumericLiteral: ["const r = 1;"],
  BigIntLiteral: ["const r = 10n;"],
  NoSubstitutionTemplateLiteral: ["const r = `s`;"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the snippet is TypeScript source.
  TemplateExpression: ["const r = `a${x}b`;"],
  ArrayLiteralExpression: ["const r = [1, x];"],
  ObjectLiteralExpression: ["const r = { a: x, ...x };"],
  PropertyAccessExpression: ["const r = x.a;"],
  ElementAccessExpression: ["const r = x[0];"],
  CallExpression: ["const r = String(x);"],
  NewExpression: ["await this.runAction(act(1), { retry: new RetryPolicy({ attempts: 2 }) });"],
  ParenthesizedExpression: ["const r = (x);"],
  AsExpression: ["const r = x as number;"],
  SatisfiesExpression: ["const r = x satisfies unknown;"],
  TypeAssertionExpression: ["const r = <number>x;"],
  NonNullExpression: ["const r = x!;"],
  ExpressionWithTypeArguments: ["const r = xs<number>;"],
  TypeOfExpression: ["const r = typeof x;"],
  VoidExpression: ["const r = void 0;"],
  AwaitExpression: ["const r = await act(1);"],
  PrefixUnaryExpression: ["const r = -x;"],
  PostfixUnaryExpression: ["x++;"],
  BinaryExpression: ["const r = x + 1;"],
  ConditionalExpression: ["const r = x ? 1 : 2;"],
  SpreadElement: ["const r = [...xs];"],
  OmittedExpression: ["const r = [1, , 2];"],
  ArrowFunction: ["const r = () => 1;"],
  FunctionExpression: ["const r = function () { return 1; };"],
  ClassExpression: ["const r = class {};"],
  YieldExpression: ["await this.g();", "  async *g() { yield 1; }\n"],
  DeleteExpression: ["delete x.a;"],
  TaggedTemplateExpression: ["const r = String.raw`a`;"],
  RegularExpressionLiteral: ["const r = /a/;"],
  SuperKeyword: ["const r = super.toString();"],
  MetaProperty: ["const r = import.meta;"],
  ImportKeyword: ['const r = await import("./a.js");'],
  PrivateIdentifier: ["const r = this.#p;", "  #p = 1;\n"],
};

function contains(root: ts.Node, kind: ts.SyntaxKind): boolean {
  if (root.kind === kind) return true;
  return ts.forEachChild(root, (c) => contains(c, kind)) ?? false;
}

const CODE_FOR: Record<string, string> = {
  YieldExpression: "WM306", // reported at the generator method
};

for (const kind of [...STATEMENT_KINDS, ...EXPRESSION_KINDS]) {
  if (NOT_PRODUCED.has(kind)) continue;
  const name = nameOf(kind);
  test(`totality: ${name}`, () => {
    const snippet = SNIPPETS[name];
    assert.ok(snippet, `no snippet for ${name}`);
    const source = workflowSource(snippet[0], snippet[1] ? { methods: snippet[1] } : {});
    const sf = ts.createSourceFile("x.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    assert.ok(contains(sf, kind), `snippet for ${name} does not contain that kind`);
    const [r] = compileSource(source);
    const refused = REFUSED_STATEMENTS.get(kind) ?? REFUSED_EXPRESSIONS.get(kind) ?? CODE_FOR[name];
    const codes = r!.diagnostics.map((d) => d.code);
    if (refused) {
      assert.ok(codes.includes(refused), `${name}: expected ${refused}, got ${codes.join(",")}`);
      assert.ok(
        !codes.includes("WM313") && !codes.includes("WM226"),
        "explicit code, not the fallback",
      );
    } else if (
      name === "ThisKeyword" ||
      name === "NewExpression" ||
      name === "PostfixUnaryExpression"
    ) {
      assert.deepEqual(codes, [], `${name} lowers in its allowed position`);
    } else {
      assert.deepEqual(codes, [], `${name} must lower`);
      assert.ok(r!.program);
    }
  });
}
