import ts from "typescript";
import type { Expr } from "../../ir/types.js";
import { hasModifier, propName, skipOuter } from "../source.js";
import { isSdkExport, resolveName } from "./bindings.js";
import { constantExpr, staticKey } from "./constants.js";
import type { ModuleInfo } from "./module.js";

/** A method of the workflow class or of one of its base classes, with the module its body
 *  must be resolved in (an inherited method may live in another file). */
export interface MethodInfo {
  name: string;
  node: ts.MethodDeclaration;
  mod: ModuleInfo;
  isAsync: boolean;
}

/** Every class declaration named `className` in the module (top level first). */
export function findClass(
  mod: ModuleInfo,
  className: string,
  line?: number,
): ts.ClassDeclaration | undefined {
  const found: ts.ClassDeclaration[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isClassDeclaration(n) && n.name?.text === className) found.push(n);
    ts.forEachChild(n, visit);
  };
  visit(mod.sf);
  if (found.length <= 1 || line === undefined) return found[0];
  // Several classes share the name: take the one whose span contains or follows the line.
  const lineOf = (c: ts.ClassDeclaration) =>
    mod.sf.getLineAndCharacterOfPosition(c.getStart(mod.sf)).line + 1;
  return found.reduce((best, c) =>
    Math.abs(lineOf(c) - line) < Math.abs(lineOf(best) - line) ? c : best,
  );
}

/** Methods by name; the most derived definition wins. Bases are followed through local and
 *  imported class declarations until `Workflow` (or an unreadable base) is reached. */
export function methodTable(mod: ModuleInfo, cls: ts.ClassDeclaration): Map<string, MethodInfo> {
  const table = new Map<string, MethodInfo>();
  let cur: { mod: ModuleInfo; cls: ts.ClassDeclaration } | undefined = { mod, cls };
  const seen = new Set<ts.ClassDeclaration>();
  while (cur && !seen.has(cur.cls)) {
    seen.add(cur.cls);
    for (const m of cur.cls.members) {
      if (!ts.isMethodDeclaration(m) || hasModifier(m, ts.SyntaxKind.StaticKeyword)) continue;
      const name = propName(m.name);
      if (name === undefined || table.has(name)) continue;
      table.set(name, {
        name,
        node: m,
        mod: cur.mod,
        isAsync: hasModifier(m, ts.SyntaxKind.AsyncKeyword),
      });
    }
    cur = baseClass(cur.mod, cur.cls);
  }
  return table;
}

function baseClass(
  mod: ModuleInfo,
  cls: ts.ClassDeclaration,
): { mod: ModuleInfo; cls: ts.ClassDeclaration } | undefined {
  const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!ext) return undefined;
  const e = skipOuter(ext.expression);
  let b: ReturnType<typeof resolveName>;
  if (ts.isIdentifier(e)) b = resolveName(mod, e.text);
  else if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
    const ns = resolveName(mod, e.expression.text);
    if (ns?.k === "namespace") {
      const inner = ns.mod.locals.get(e.name.text);
      if (inner?.k === "class") return { mod: ns.mod, cls: inner.node };
    }
  }
  if (b?.k === "decl" && b.decl.k === "class") return { mod: b.mod, cls: b.decl.node };
  return undefined;
}

/** Class-level settings written statically: `@workflow({ name, concurrent })` or
 *  `static workflowName = "..."` / `static concurrent = true`. */
export interface WorkflowSettings {
  decorated: boolean;
  name?: string;
  concurrent?: boolean;
}

export function workflowSettings(mod: ModuleInfo, cls: ts.ClassDeclaration): WorkflowSettings {
  const out: WorkflowSettings = { decorated: false };
  for (const d of ts.getDecorators(cls) ?? []) {
    const e = skipOuter(d.expression);
    const callee = ts.isCallExpression(e) ? e.expression : e;
    if (!isSdkExport(mod, callee, "workflow")) continue;
    out.decorated = true;
    const arg = ts.isCallExpression(e) ? e.arguments[0] : undefined;
    if (arg) for (const [key, v] of decoratorOptions(mod, arg)) readSetting(out, key, v);
  }
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m) || !hasModifier(m, ts.SyntaxKind.StaticKeyword)) continue;
    const key = propName(m.name);
    const v = m.initializer && constantExpr(m.initializer, mod, { plain: true });
    if (v && out[key === "workflowName" ? "name" : "concurrent"] === undefined) {
      readSetting(out, key === "workflowName" ? "name" : key, v);
    }
  }
  return out;
}

/** The statically known properties of `@workflow({ ... })`'s argument, in order: written,
 *  shorthand (`{ name }`) or spread (`{ ...BASE }`), values read as constants (a plain
 *  module-level `const` included). Others are skipped: at run time the decorator passes the
 *  evaluated options to the compiler, which wins over this reading. */
function decoratorOptions(mod: ModuleInfo, arg: ts.Expression): [string | undefined, Expr][] {
  const plain = { plain: true };
  const e = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(e)) {
    const v = constantExpr(e, mod, plain);
    return v?.k === "object"
      ? v.props.flatMap((p) => (p.k === "prop" ? [[p.key, p.value]] : []))
      : [];
  }
  const out: [string | undefined, Expr][] = [];
  for (const p of e.properties) {
    if (ts.isSpreadAssignment(p)) {
      out.push(...decoratorOptions(mod, p.expression));
      continue;
    }
    const v = ts.isPropertyAssignment(p)
      ? constantExpr(p.initializer, mod, plain)
      : ts.isShorthandPropertyAssignment(p)
        ? constantExpr(p.name, mod, plain)
        : undefined;
    if (v && (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)))
      out.push([staticKey(p.name, mod, plain), v]);
  }
  return out;
}

function readSetting(out: WorkflowSettings, key: string | undefined, v: Expr): void {
  if (v.k !== "lit") return;
  if (key === "name" && typeof v.value === "string") out.name = v.value;
  if (key === "concurrent" && typeof v.value === "boolean") out.concurrent = v.value;
}
