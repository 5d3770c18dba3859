import ts from "typescript";
import type { ActionCall, EffectCall, Pattern, Stmt } from "../../ir/types.js";
import type { FnCtx } from "../context.js";
import { type OptionReader, readActionOptions } from "../resolve/actionOptions.js";
import type { ActionInfo } from "../resolve/actions.js";
import { skipOuter } from "../source.js";
import { type Callee, classifyCallee } from "./callee.js";
import { lowerExpr } from "./expressions.js";
import { lowerGather } from "./gather.js";
import { classNameOf } from "./instanceof.js";
import { lowerItems } from "./items.js";

/** Where an effect's result goes: a pattern built lazily (after the call's arguments are
 *  lowered, so `const x = await f(x)` reads the outer `x`) and the declaration kind. */
export interface Target {
  pattern: () => Pattern;
  decl?: "const" | "let";
}

/** True when evaluating `node` performs an effect (an `await` or a helper/runAction call).
 *  Function bodies are not entered: they are refused or are pure callbacks. */
export function hasEffect(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  if (ts.isCallExpression(node)) {
    const c = skipOuter(node.expression);
    if (ts.isPropertyAccessExpression(c) && c.expression.kind === ts.SyntaxKind.ThisKeyword)
      return true;
  }
  return ts.forEachChild(node, hasEffect) ?? false;
}

/** A non-awaited `this.helper(...)` call (the only effect allowed without `await`). */
export function isHelperCall(ctx: FnCtx, node: ts.Expression): node is ts.CallExpression {
  const e = skipOuter(node);
  return ts.isCallExpression(e) && classifyCallee(ctx, e).k === "helper";
}

/** Lowers `await <operand>` into statements; the result (if any) is bound to `target`. */
export function lowerAwait(
  ctx: FnCtx,
  awaitNode: ts.Node,
  operand: ts.Expression,
  target?: Target,
): void {
  const e = skipOuter(operand);
  if (!ts.isCallExpression(e)) {
    ctx.report("WM203", awaitNode);
    bindUndefined(ctx, awaitNode, target);
    return;
  }
  const callee = classifyCallee(ctx, e);
  switch (callee.k) {
    case "action":
    case "runAction":
    case "signal":
    case "child": {
      const call = lowerEffectCall(ctx, e, callee);
      if (!call) {
        bindUndefined(ctx, awaitNode, target);
        return;
      }
      ctx.emit({ k: "action", ...bind(target), call, span: ctx.span(awaitNode) });
      return;
    }
    case "gather":
      lowerGather(ctx, awaitNode, e, callee.mode, target);
      return;
    case "sleep": {
      const [d, ...extra] = e.arguments;
      if (!d || extra.length > 0) ctx.report("WM221", e, { name: "sleep with a value or options" });
      const duration = d ? lowerExpr(ctx, d) : { k: "lit" as const, value: 0, span: ctx.span(e) };
      ctx.emit({ k: "sleep", duration, span: ctx.span(awaitNode) });
      bindUndefined(ctx, awaitNode, target);
      return;
    }
    case "helper":
      lowerHelperCall(ctx, awaitNode, e, callee, target);
      return;
    default:
      if (callee.k === "refuse") reportCallee(ctx, e, callee);
      else ctx.report("WM203", awaitNode);
      bindUndefined(ctx, awaitNode, target);
  }
}

export function reportCallee(
  ctx: FnCtx,
  call: ts.CallExpression,
  c: Callee & { k: "refuse" },
): void {
  const where = c.code === "WM106" || c.code === "WM214" ? call.expression : call;
  ctx.report(c.code, where, { name: c.name, spec: c.spec ?? "" });
}

export function lowerHelperCall(
  ctx: FnCtx,
  node: ts.Node,
  call: ts.CallExpression,
  callee: Callee & { k: "helper" },
  target?: Target,
): void {
  ctx.useHelper(callee.method.name);
  const args = lowerItems(ctx, call.arguments);
  ctx.emit({ k: "call", ...bind(target), fn: callee.method.name, args, span: ctx.span(node) });
}

function bind(target: Target | undefined): { target?: Pattern; decl?: "const" | "let" } {
  if (!target) return {};
  return target.decl
    ? { target: target.pattern(), decl: target.decl }
    : { target: target.pattern() };
}

function bindUndefined(ctx: FnCtx, node: ts.Node, target: Target | undefined): void {
  if (!target) return;
  const value = { k: "undefined" as const, span: ctx.span(node) };
  const pattern = target.pattern();
  const stmt: Stmt = target.decl
    ? { k: "decl", kind: target.decl, target: pattern, value, span: ctx.span(node) }
    : {
        k: "assign",
        target: { k: "lpattern", pattern, span: pattern.span },
        op: "=",
        value,
        span: ctx.span(node),
      };
  ctx.emit(stmt);
}

/** Callees whose call is an EffectCall (a gather item or an awaited statement). */
export function isEffectCallee(c: Callee | undefined, inGather: boolean): boolean {
  if (!c) return false;
  return (
    c.k === "action" ||
    c.k === "runAction" ||
    c.k === "signal" ||
    c.k === "child" ||
    (inGather && c.k === "sleep")
  );
}

/** An action call, `this.runAction(…)`, `waitForSignal(name, { timeout })`, `new
 *  Child().run(…)`, or (in a gather) `sleep(d)`, as one EffectCall; undefined once reported. */
export function lowerEffectCall(
  ctx: FnCtx,
  call: ts.CallExpression,
  callee: Callee,
): EffectCall | undefined {
  const span = ctx.span(call);
  switch (callee.k) {
    case "signal": {
      const [name, opts, ...extra] = call.arguments;
      if (!name || extra.length > 0) {
        ctx.report("WM240", call, { name: name ? name.getText(ctx.sf) : "" });
        return undefined;
      }
      const o = opts && skipOuter(opts);
      if (!o) {
        ctx.report("WM240", call, { name: name.getText(ctx.sf) });
        return undefined;
      }
      if (!ts.isObjectLiteralExpression(o)) {
        ctx.report("WM241", opts, { name: `\`${opts.getText(ctx.sf).slice(0, 40)}\`` });
        return undefined;
      }
      let timeout: ts.Expression | undefined;
      for (const p of o.properties) {
        const key = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
        if (key === "timeout" && ts.isPropertyAssignment(p)) timeout = p.initializer;
        else if (key === "timeout" && ts.isShorthandPropertyAssignment(p)) timeout = p.name;
        else {
          ctx.report("WM241", p, { name: `\`${p.getText(ctx.sf).slice(0, 40)}\`` });
          return undefined;
        }
      }
      if (!timeout) {
        ctx.report("WM240", call, { name: name.getText(ctx.sf) });
        return undefined;
      }
      return {
        k: "call_signal",
        name: lowerExpr(ctx, name),
        timeout: lowerExpr(ctx, timeout),
        span,
      };
    }
    case "child": {
      if (callee.method !== "run") {
        ctx.report(callee.method === "start" ? "WM242" : "WM214", call.expression, {
          name: callee.method === "start" ? callee.className : callee.method,
        });
        return undefined;
      }
      if ((callee.ctor.arguments?.length ?? 0) > 0) {
        ctx.report("WM243", callee.ctor, { name: callee.className });
        return undefined;
      }
      return {
        k: "call_child",
        workflow: callee.workflow,
        args: lowerItems(ctx, call.arguments),
        span,
      };
    }
    case "sleep": {
      const [d, ...extra] = call.arguments;
      if (!d || extra.length > 0) {
        ctx.report("WM221", call, { name: "sleep with a value or options" });
        return undefined;
      }
      return { k: "call_sleep", duration: lowerExpr(ctx, d), span };
    }
    default:
      return lowerActionCall(ctx, call, callee);
  }
}

/** `act(args)` or `this.runAction(act(args), { retry, timeout, onLost })` → one ActionCall,
 *  with the action's own defaults merged in (call-site options win, each option whole). */
export function lowerActionCall(
  ctx: FnCtx,
  call: ts.CallExpression,
  callee: Callee,
): ActionCall | undefined {
  if (callee.k === "action") return buildCall(ctx, call, callee.info);
  if (callee.k !== "runAction") return undefined;
  const [inner, opts, ...extra] = call.arguments;
  const innerCall = inner && skipOuter(inner);
  const innerCallee =
    innerCall && ts.isCallExpression(innerCall) ? classifyCallee(ctx, innerCall) : undefined;
  if (
    !innerCall ||
    !ts.isCallExpression(innerCall) ||
    innerCallee?.k !== "action" ||
    extra.length > 0
  ) {
    ctx.report("WM218", call);
    return undefined;
  }
  const out = buildCall(ctx, innerCall, innerCallee.info);
  if (opts) {
    const given = readActionOptions(callSiteReader(ctx), opts, { k: "runAction" }, (c, n, m, a) =>
      ctx.comp.sink.report(c, n, m.sf, a),
    );
    if (given.retry) out.retry = given.retry;
    if (given.timeout) out.timeout = given.timeout;
    if (given.onLost === "fail") out.onLost = "fail";
    else if (given.onLost === "retry") delete out.onLost;
  }
  out.span = ctx.span(call);
  return out;
}

/** Option values written at a call site are workflow expressions: `{ attempts }` reads the
 *  local `attempts` when the call is dispatched. */
function callSiteReader(ctx: FnCtx): OptionReader {
  return {
    mod: ctx.mod,
    value: (n) => lowerExpr(ctx, n),
    className: (n) => classNameOf(ctx, n),
    isLocal: (name) => ctx.lookup(name) !== undefined,
  };
}

function buildCall(ctx: FnCtx, call: ts.CallExpression, info: ActionInfo): ActionCall {
  const out: ActionCall = {
    k: "call_action",
    action: info.name,
    args: lowerItems(ctx, call.arguments),
    span: ctx.span(call),
  };
  if (info.retry) out.retry = info.retry;
  if (info.timeout) out.timeout = info.timeout;
  if (info.onLost) out.onLost = info.onLost;
  return out;
}
