import ts from "typescript";
import { BUILTIN_FUNCTIONS, BUILTIN_METHODS } from "../../ir/builtins.js";
import { isNondeterministic } from "../checks/nondeterminism.js";
import type { FnCtx } from "../context.js";
import { type ActionInfo, actionOf } from "../resolve/actions.js";
import { type Binding, resolveExport, resolveName } from "../resolve/bindings.js";
import { type MethodInfo, workflowSettings } from "../resolve/classes.js";
import { skipOuter } from "../source.js";

/** What a call's callee statically is. Nothing is executed to find out. */
export type Callee =
  | { k: "action"; info: ActionInfo }
  | { k: "helper"; method: MethodInfo }
  | { k: "runAction" }
  | { k: "gather"; mode: "all" | "allSettled" }
  | { k: "sleep" }
  /** `waitForSignal(name, { timeout })` from the SDK. */
  | { k: "signal" }
  /** `new Child().run(...)`: a child workflow, by its registered name. */
  | { k: "child"; workflow: string; className: string; ctor: ts.NewExpression; method: string }
  | { k: "builtin"; fn: string }
  | { k: "method"; object: ts.Expression; name: string; optional: boolean }
  | { k: "comprehension"; object: ts.Expression; name: "map" | "filter"; optional: boolean }
  /** Refused; the diagnostic has been chosen (code + args). */
  | {
      k: "refuse";
      code: "WM102" | "WM106" | "WM107" | "WM202" | "WM214" | "WM220" | "WM221";
      name: string;
      spec?: string;
    };

/** `a.b.c` as a dotted path when every link is a plain property name off an identifier. */
export function dottedPath(e: ts.Expression): { root: ts.Identifier; path: string[] } | undefined {
  const names: string[] = [];
  let cur = skipOuter(e);
  while (ts.isPropertyAccessExpression(cur) && ts.isIdentifier(cur.name)) {
    names.unshift(cur.name.text);
    cur = skipOuter(cur.expression);
  }
  return ts.isIdentifier(cur) ? { root: cur, path: names } : undefined;
}

/** Resolves a non-local identifier chain through imports (namespace members included). */
export function resolvePath(
  ctx: FnCtx,
  root: string,
  path: string[],
): { b: Binding | undefined; rest: string[] } {
  let b = resolveName(ctx.mod, root);
  let i = 0;
  while (b && i < path.length) {
    if (b.k === "namespace") b = resolveExport(b.mod, path[i]!);
    else if (b.k === "sdkNamespace") b = { k: "sdk", name: path[i]! };
    else if (b.k === "timersNamespace") b = { k: "timers", name: path[i]! };
    else break;
    i++;
  }
  return { b, rest: path.slice(i) };
}

export function classifyCallee(ctx: FnCtx, call: ts.CallExpression): Callee {
  const callee = skipOuter(call.expression);
  if (callee.kind === ts.SyntaxKind.ImportKeyword)
    return { k: "refuse", code: "WM221", name: "import()" };
  if (
    ts.isPropertyAccessExpression(callee) &&
    callee.expression.kind === ts.SyntaxKind.ThisKeyword
  ) {
    const name = callee.name.text;
    const method = ctx.comp.methods.get(name);
    if (method) return { k: "helper", method };
    if (name === "runAction") return { k: "runAction" };
    return { k: "refuse", code: "WM106", name };
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const child = childWorkflow(ctx, callee);
    if (child) return child;
  }
  if (
    ts.isPropertyAccessExpression(callee) &&
    callee.expression.kind === ts.SyntaxKind.SuperKeyword
  ) {
    return { k: "refuse", code: "WM220", name: "super" };
  }
  const dp = dottedPath(callee);
  if (dp && ctx.lookup(dp.root.text) === undefined) {
    const full = [dp.root.text, ...dp.path].join(".");
    const { b, rest } = resolvePath(ctx, dp.root.text, dp.path);
    if (b && rest.length === 0) return classifyBinding(ctx, b, full);
    if (!b) {
      if (full === "Promise.all") return { k: "gather", mode: "all" };
      if (full === "Promise.allSettled") return { k: "gather", mode: "allSettled" };
      if ((BUILTIN_FUNCTIONS as readonly string[]).includes(full))
        return { k: "builtin", fn: full };
      if (isNondeterministic(full)) return { k: "refuse", code: "WM202", name: `${full}()` };
      if (dp.path.length === 0 || !isKnownValueRoot(ctx, dp.root.text)) {
        return { k: "refuse", code: "WM102", name: full };
      }
    }
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    const optional = callee.questionDotToken !== undefined;
    if (name === "map" || name === "filter")
      return { k: "comprehension", object: callee.expression, name, optional };
    if ((BUILTIN_METHODS as readonly string[]).includes(name)) {
      return { k: "method", object: callee.expression, name, optional };
    }
    return { k: "refuse", code: "WM214", name };
  }
  return { k: "refuse", code: "WM102", name: callee.getText(ctx.sf).slice(0, 40) };
}

/** A module-level root whose members are readable values (enum / `as const` object). */
function isKnownValueRoot(ctx: FnCtx, root: string): boolean {
  const b = resolveName(ctx.mod, root);
  return b?.k === "decl" && (b.decl.k === "enum" || b.decl.k === "var");
}

function classifyBinding(ctx: FnCtx, b: Binding, full: string): Callee {
  switch (b.k) {
    case "sdk":
      if (b.name === "sleep") return { k: "sleep" };
      if (b.name === "waitForSignal") return { k: "signal" };
      return { k: "refuse", code: "WM102", name: full };
    case "timers":
      if (b.name === "setTimeout") return { k: "sleep" };
      return { k: "refuse", code: "WM202", name: `${full}()` };
    case "unresolved":
      return { k: "refuse", code: "WM107", name: b.name, spec: b.spec };
    case "decl": {
      const info = actionOf(b, ctx.comp.sink);
      if (info) return { k: "action", info };
      return { k: "refuse", code: "WM102", name: full };
    }
    default:
      return { k: "refuse", code: "WM102", name: full };
  }
}

/** `new X(...).run` / `.start` where `X` is a `@workflow` class (this module's or imported). */
function childWorkflow(
  ctx: FnCtx,
  callee: ts.PropertyAccessExpression,
): (Callee & { k: "child" }) | undefined {
  const ctor = skipOuter(callee.expression);
  if (!ts.isNewExpression(ctor)) return undefined;
  const dp = dottedPath(ctor.expression);
  if (!dp || ctx.lookup(dp.root.text) !== undefined) return undefined;
  const { b, rest } = resolvePath(ctx, dp.root.text, dp.path);
  if (b?.k !== "decl" || rest.length > 0 || b.decl.k !== "class") return undefined;
  const settings = workflowSettings(b.mod, b.decl.node);
  if (!settings.decorated) return undefined;
  const className = b.decl.node.name?.text ?? b.name;
  return {
    k: "child",
    workflow: settings.name ?? className.toLowerCase(),
    className,
    ctor,
    method: callee.name.text,
  };
}
