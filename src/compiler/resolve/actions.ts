import ts from "typescript";
import { BUILTIN_ERROR_CLASSES } from "../../ir/builtins.js";
import type { Expr, RetrySpec } from "../../ir/types.js";
import type { DiagnosticSink } from "../sink.js";
import { propName, skipOuter, spanOf } from "../source.js";
import { type Binding, resolveName } from "./bindings.js";
import { constantExpr } from "./constants.js";
import type { ModuleInfo } from "./module.js";

export interface ActionInfo {
  name: string;
  retry?: RetrySpec;
  timeout?: Expr;
}

/** Is `node` (a callee) the SDK's `action` function? */
function isSdkExport(mod: ModuleInfo, node: ts.Expression, name: string): boolean {
  const e = skipOuter(node);
  if (ts.isIdentifier(e)) {
    const b = resolveName(mod, e.text);
    return b?.k === "sdk" && b.name === name;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
    return resolveName(mod, e.expression.text)?.k === "sdkNamespace" && e.name.text === name;
  }
  return false;
}

export { isSdkExport };

const cache = new WeakMap<ts.VariableDeclaration, ActionInfo | null>();

/** Reads `const X = action(...)` statically. Returns `undefined` when the binding is not an
 *  action; reports WM104/WM105 at the definition when its name or options are not static. */
export function actionOf(b: Binding | undefined, sink: DiagnosticSink): ActionInfo | undefined {
  if (b?.k !== "decl" || b.decl.k !== "var") return undefined;
  const decl = b.decl.node;
  const init = decl.initializer && skipOuter(decl.initializer);
  if (!init || !ts.isCallExpression(init) || !isSdkExport(b.mod, init.expression, "action")) {
    return undefined;
  }
  const cached = cache.get(decl);
  if (cached !== undefined) return cached ?? { name: b.name };
  const info = readAction(b.mod, b.name, init, sink);
  cache.set(decl, info ?? null);
  return info ?? { name: b.name };
}

function readAction(
  mod: ModuleInfo,
  varName: string,
  call: ts.CallExpression,
  sink: DiagnosticSink,
): ActionInfo | undefined {
  const [a0, a1, a2] = call.arguments;
  let name: string | undefined;
  let fn: ts.Expression | undefined;
  let options: ts.Expression | undefined;
  if (a0 && ts.isStringLiteralLike(skipOuter(a0))) {
    name = (skipOuter(a0) as ts.StringLiteral).text;
    fn = a1;
    options = a2;
  } else {
    fn = a0;
    options = a1;
    name = fn && functionName(mod, fn);
  }
  if (name === undefined || name === "") {
    sink.report("WM104", call, mod.sf, { name: varName });
    return undefined;
  }
  const info: ActionInfo = { name };
  if (options) {
    const ok = readOptions(
      mod,
      options,
      info,
      (n) => constantExpr(n, mod),
      (n) => staticClassName(mod, n),
      true,
    );
    if (!ok) sink.report("WM105", options, mod.sf, { name: varName });
  }
  return info;
}

/** `fn.name` as JavaScript would compute it, statically. */
function functionName(mod: ModuleInfo, node: ts.Expression): string | undefined {
  const e = skipOuter(node);
  if (ts.isFunctionExpression(e)) return e.name?.text;
  if (ts.isIdentifier(e)) {
    const b = resolveName(mod, e.text);
    if (b?.k !== "decl") return undefined;
    if (b.decl.k === "function") return b.decl.node.name?.text;
    if (b.decl.k === "var" && b.decl.node.initializer) {
      const init = skipOuter(b.decl.node.initializer);
      if (ts.isFunctionExpression(init)) return init.name?.text ?? b.name;
      if (ts.isArrowFunction(init)) return b.name;
    }
  }
  return undefined;
}

function staticClassName(mod: ModuleInfo, node: ts.Expression): string | undefined {
  const e = skipOuter(node);
  if (ts.isStringLiteral(e)) return e.text;
  if (!ts.isIdentifier(e)) return undefined;
  const b = resolveName(mod, e.text);
  if (b?.k === "decl" && b.decl.k === "class") return b.decl.node.name?.text;
  if (b?.k === "sdk" && b.name === "ActionTimeout") return "ActionTimeout";
  return !b && (BUILTIN_ERROR_CLASSES as readonly string[]).includes(e.text) ? e.text : undefined;
}

/** Reads `{ retry, timeout }` into `into`. `expr` lowers an option value (statically for action
 *  definitions, as a pure expression at call sites); `className` names an exception class.
 *  `definition`: also accepts `inline: true | false`, which concerns where the action runs, not
 *  the workflow (it is read from the action registry at run time, not put in the IR). */
export function readOptions(
  mod: ModuleInfo,
  node: ts.Expression,
  into: { retry?: RetrySpec; timeout?: Expr },
  expr: (n: ts.Expression) => Expr | undefined,
  className: (n: ts.Expression) => string | undefined,
  definition = false,
): boolean {
  const obj = skipOuter(node);
  if (!ts.isObjectLiteralExpression(obj)) return false;
  for (const p of obj.properties) {
    if (!ts.isPropertyAssignment(p)) return false;
    const key = propName(p.name);
    if (key === "timeout") {
      const v = expr(p.initializer);
      if (!v) return false;
      into.timeout = v;
    } else if (key === "retry") {
      const r = readRetry(mod, p.initializer, expr, className);
      if (!r) return false;
      into.retry = r;
    } else if (key === "inline" && definition) {
      const v = skipOuter(p.initializer);
      if (v.kind !== ts.SyntaxKind.TrueKeyword && v.kind !== ts.SyntaxKind.FalseKeyword)
        return false;
    } else {
      return false;
    }
  }
  return true;
}

function readRetry(
  mod: ModuleInfo,
  node: ts.Expression,
  expr: (n: ts.Expression) => Expr | undefined,
  className: (n: ts.Expression) => string | undefined,
): RetrySpec | undefined {
  let e = skipOuter(node);
  const spec: RetrySpec = { k: "retry", span: spanOf(e, mod.sf) };
  if (ts.isNewExpression(e)) {
    if (!isSdkExport(mod, e.expression, "RetryPolicy")) return undefined;
    const arg = e.arguments?.[0];
    if (!arg) return spec;
    e = skipOuter(arg);
  }
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  for (const p of e.properties) {
    if (!ts.isPropertyAssignment(p)) return undefined;
    const key = propName(p.name);
    if (key === "attempts" || key === "backoff") {
      const v = expr(p.initializer);
      if (!v) return undefined;
      spec[key] = v;
    } else if (key === "exceptionTypes") {
      const list = skipOuter(p.initializer);
      if (!ts.isArrayLiteralExpression(list)) return undefined;
      const names: string[] = [];
      for (const el of list.elements) {
        const n = className(el);
        if (!n) return undefined;
        names.push(n);
      }
      spec.exceptionTypes = names;
    } else {
      return undefined;
    }
  }
  return spec;
}
