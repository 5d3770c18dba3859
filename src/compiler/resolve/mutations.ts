import ts from "typescript";
import { skipOuter } from "../source.js";
import { isSdkExport } from "./bindings.js";
import type { ModuleInfo } from "./module.js";

// Where a module changes one of its top-level `const` arrays or objects. A workflow body
// inlines such a constant as written in its declaration, which is only right while nothing
// changes it: the first change found makes the constant unreadable for workflows.
//
// Read syntactically, in the declaring module: a write through the name (`X.a = 1`, `X[i]++`,
// `delete X.a`), a mutating method called on it or on a value reached from it (`X.push(v)`,
// `X.list.sort()`), or it passed as the target of `Object.assign`/`Object.defineProperty`/
// `Reflect.set`…. Uses inside @workflow classes are skipped: those bodies are compiled, never
// run, and refuse such writes themselves (WM213). A local of the same name shadows it.

/** Methods that change the array, Map, Set or Date they are called on. */
const MUTATORS = new Set([
  "push",
  "pop",
  "shift",
  "unshift",
  "splice",
  "sort",
  "reverse",
  "fill",
  "copyWithin",
  "set",
  "add",
  "delete",
  "clear",
]);

/** Built-ins that change their first argument. */
const TARGET_MUTATORS = new Set([
  "Object.assign",
  "Object.defineProperty",
  "Object.defineProperties",
  "Object.setPrototypeOf",
  "Reflect.set",
  "Reflect.defineProperty",
  "Reflect.deleteProperty",
  "Reflect.setPrototypeOf",
]);

const cache = new WeakMap<ModuleInfo, Map<string, ts.Node | null>>();

/** The first expression of `mod` that changes the value of its top-level binding `name`. */
export function mutationOf(mod: ModuleInfo, name: string): ts.Node | undefined {
  let byName = cache.get(mod);
  if (!byName) {
    byName = new Map();
    cache.set(mod, byName);
  }
  if (!byName.has(name)) byName.set(name, find(mod, name) ?? null);
  return byName.get(name) ?? undefined;
}

function find(mod: ModuleInfo, name: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isClassDeclaration(n) && isWorkflowClass(mod, n)) return;
    if (ts.isIdentifier(n) && n.text === name && isReference(n)) {
      const site = mutationSite(n);
      if (site && !isShadowed(n, name)) found = site;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(mod.sf);
  return found;
}

function isWorkflowClass(mod: ModuleInfo, cls: ts.ClassDeclaration): boolean {
  return (ts.getDecorators(cls) ?? []).some((d) => {
    const e = skipOuter(d.expression);
    return isSdkExport(mod, ts.isCallExpression(e) ? e.expression : e, "workflow");
  });
}

/** Is `id` a read of a variable (not a property name, a key or a declared name)? */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name === id) return false;
  if (ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) return false;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p)) return false;
  if (ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isEnumDeclaration(p))
    return false;
  return !ts.isTypeReferenceNode(p) && !ts.isQualifiedName(p) && !ts.isTypeQueryNode(p);
}

/** The expression that changes the value `id` names, if this use does. */
function mutationSite(id: ts.Identifier): ts.Node | undefined {
  // `X`, `X.a`, `X[i].b`…: the chain of reads rooted in `id`.
  let top: ts.Expression = id;
  for (;;) {
    const p = top.parent;
    if (!p) return undefined;
    if (
      ts.isParenthesizedExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isSatisfiesExpression(p) ||
      ts.isNonNullExpression(p) ||
      ts.isTypeAssertionExpression(p)
    ) {
      top = p;
      continue;
    }
    if (
      (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) &&
      p.expression === top
    ) {
      if (
        ts.isPropertyAccessExpression(p) &&
        MUTATORS.has(p.name.text) &&
        ts.isCallExpression(p.parent) &&
        p.parent.expression === p
      ) {
        return p.parent;
      }
      top = p;
      continue;
    }
    break;
  }
  const p = top.parent;
  const member = top !== id;
  if (member && ts.isBinaryExpression(p) && p.left === top && isAssignment(p.operatorToken.kind))
    return p;
  if (
    member &&
    (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
    (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)
  ) {
    return p;
  }
  if (member && ts.isDeleteExpression(p)) return p;
  if (ts.isCallExpression(p) && p.arguments[0] === top) {
    const callee = skipOuter(p.expression);
    if (
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      TARGET_MUTATORS.has(`${callee.expression.text}.${callee.name.text}`)
    ) {
      return p;
    }
  }
  return undefined;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Is `name` declared by a scope between `id` and the top level of its module? */
function isShadowed(id: ts.Node, name: string): boolean {
  for (let n: ts.Node = id.parent; !ts.isSourceFile(n); n = n.parent) {
    if (ts.isFunctionLike(n) && n.parameters.some((p) => binds(p.name, name))) return true;
    if (ts.isCatchClause(n) && n.variableDeclaration && binds(n.variableDeclaration.name, name))
      return true;
    if (
      (ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) &&
      n.initializer &&
      ts.isVariableDeclarationList(n.initializer) &&
      n.initializer.declarations.some((d) => binds(d.name, name))
    ) {
      return true;
    }
    const statements =
      ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)
        ? n.statements
        : undefined;
    if (statements?.some((s) => declares(s, name))) return true;
  }
  return false;
}

function declares(s: ts.Statement, name: string): boolean {
  if (ts.isVariableStatement(s))
    return s.declarationList.declarations.some((d) => binds(d.name, name));
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s))
    return s.name?.text === name;
  return false;
}

function binds(b: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(b)) return b.text === name;
  return b.elements.some((e) => !ts.isOmittedExpression(e) && binds(e.name, name));
}
