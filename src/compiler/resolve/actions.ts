import ts from "typescript";
import type { Expr, RetrySpec } from "../../ir/types.js";
import type { DiagnosticSink } from "../sink.js";
import { skipOuter } from "../source.js";
import { readActionOptions, staticReader } from "./actionOptions.js";
import { type Binding, isSdkExport, resolveName } from "./bindings.js";
import type { ModuleInfo } from "./module.js";

export interface ActionInfo {
  name: string;
  retry?: RetrySpec;
  timeout?: Expr;
  /** `action(fn, { onLost: "fail" })`: every call of it carries `onLost: "fail"`. */
  onLost?: "fail";
}

/** A definition's reading, with the problems found, replayed into every compilation that
 *  uses the action (each has its own sink; a definition is read once per parse). */
interface Reading {
  info: ActionInfo;
  problems: Parameters<DiagnosticSink["report"]>[];
}

const cache = new WeakMap<ts.VariableDeclaration, Reading>();

/** Reads `const X = action(...)` statically. Returns `undefined` when the binding is not an
 *  action; reports WM104 (name) or WM105/WM227-WM230 (options) at the definition when they
 *  cannot be read statically. */
export function actionOf(b: Binding | undefined, sink: DiagnosticSink): ActionInfo | undefined {
  if (b?.k !== "decl" || b.decl.k !== "var") return undefined;
  const decl = b.decl.node;
  const init = decl.initializer && skipOuter(decl.initializer);
  if (!init || !ts.isCallExpression(init) || !isSdkExport(b.mod, init.expression, "action")) {
    return undefined;
  }
  let reading = cache.get(decl);
  if (!reading) {
    const problems: Reading["problems"] = [];
    const info = readAction(b.mod, b.name, init, (...p) => problems.push(p));
    reading = { info: info ?? { name: b.name }, problems };
    cache.set(decl, reading);
  }
  for (const p of reading.problems) sink.report(...p);
  return reading.info;
}

function readAction(
  mod: ModuleInfo,
  varName: string,
  call: ts.CallExpression,
  report: (...p: Parameters<DiagnosticSink["report"]>) => void,
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
    report("WM104", call, mod.sf, { name: varName });
    return undefined;
  }
  const info: ActionInfo = { name };
  if (options) {
    const o = readActionOptions(
      staticReader(mod),
      options,
      { k: "action", name: varName },
      (code, node, m, args) => report(code, node, m.sf, args),
    );
    if (o.retry) info.retry = o.retry;
    if (o.timeout) info.timeout = o.timeout;
    if (o.onLost === "fail") info.onLost = "fail";
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
