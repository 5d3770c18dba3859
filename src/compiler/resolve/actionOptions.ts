import ts from "typescript";
import { BUILTIN_ERROR_CLASSES } from "../../ir/builtins.js";
import type { Expr, RetrySpec } from "../../ir/types.js";
import { type DiagnosticCode, OPTION_FORMS, OPTION_KEYS } from "../diagnostics.js";
import { skipOuter, spanOf } from "../source.js";
import { type Binding, isSdkExport, resolveExport, resolveName } from "./bindings.js";
import { constantExpr, staticKey } from "./constants.js";
import type { ModuleInfo } from "./module.js";

// The options of an action — `action(fn, { ... })` and `this.runAction(call, { ... })` — are
// read when the workflow is compiled: the IR holds a policy's shape (which options, which
// exception classes) and an expression for each value. Every form JavaScript allows in an
// object literal is read: `{ k: v }`, `{ k }`, `{ ["k"]: v }`, `{ ...CONST }`, and a value or
// a whole options object named by a module-level `const` (followed through imports). What
// cannot be known before run time is refused naming the construct, never by a generic
// "cannot read the options".
//
// Two readers: at a call site, values written in the literal itself are lowered as workflow
// expressions (`{ attempts }` reads the local `attempts`); at a definition, and inside any
// module constant reached from a call site, everything is read statically.

/** Where option values are read, and how. */
export interface OptionReader {
  mod: ModuleInfo;
  /** An expression-valued option (`timeout`, `attempts`, `backoff`) written here. */
  value(n: ts.Expression): Expr | undefined;
  /** The class name an `exceptionTypes` entry written here denotes. */
  className(n: ts.Expression): string | undefined;
  /** Is `name` a local of the function being compiled (a workflow value, never static)? */
  isLocal(name: string): boolean;
}

export type ReportOption = (
  code: DiagnosticCode,
  node: ts.Node,
  mod: ModuleInfo,
  args: Record<string, string>,
) => void;

/** The options of one call or one definition, as read. `onLost: "retry"` is kept so that a
 *  call site can override an action's `onLost: "fail"`. */
export interface ReadOptions {
  retry?: RetrySpec;
  timeout?: Expr;
  onLost?: "fail" | "retry";
}

export type OptionPlace = { k: "runAction" } | { k: "action"; name: string };

const statics = new WeakMap<ModuleInfo, OptionReader>();

/** Reads everything statically, resolving names in `mod` (definitions, module constants). */
export function staticReader(mod: ModuleInfo): OptionReader {
  let r = statics.get(mod);
  if (!r) {
    r = {
      mod,
      value: (n) => constantExpr(n, mod, { plain: true }),
      className: (n) => staticClassName(mod, n),
      isLocal: () => false,
    };
    statics.set(mod, r);
  }
  return r;
}

/** Reads the options object `node` for `place`; problems are reported, what was readable is
 *  returned. */
export function readActionOptions(
  r: OptionReader,
  node: ts.Expression,
  place: OptionPlace,
  report: ReportOption,
): ReadOptions {
  const where = place.k === "runAction" ? "`this.runAction(...)`" : `action \`${place.name}\``;
  const out: ReadOptions = {};
  const f = follow(r, node);
  const obj = skipOuter(f.node);
  if (!ts.isObjectLiteralExpression(obj)) {
    report("WM105", node, r.mod, {
      name: sourceText(node, r.mod),
      what: `the options of ${where}`,
      form: OPTION_FORMS.options,
    });
    return out;
  }
  for (const e of entries(f.r, obj, where, report)) {
    const what = `the \`${e.key}\` option of ${where}`;
    if (e.key === "timeout") {
      // `timeout: undefined` written as such is the same as no `timeout` (like `retry` below).
      const v = optionValue(e, what, report);
      if (v?.k === "undefined") delete out.timeout;
      else if (v) out.timeout = v;
    } else if (e.key === "retry") {
      const spec = readRetry(e, what, report);
      if (spec === "absent") delete out.retry;
      else if (spec) out.retry = spec;
    } else if (e.key === "onLost") {
      const v = readOnLost(e, report);
      if (v) out.onLost = v;
    } else if (e.key === "inline" && place.k === "action") {
      // Where the action runs: read from the action registry at run time, never from the IR.
    } else {
      report("WM227", e.node, e.r.mod, {
        name: e.key,
        where,
        keys: place.k === "runAction" ? OPTION_KEYS.runAction : OPTION_KEYS.action,
      });
    }
  }
  return out;
}

/** One property of an options literal after shorthand, computed keys and spreads are read:
 *  `value` is written in `r`'s module (a spread brings in another module's properties). */
interface Entry {
  key: string;
  value: ts.Expression;
  r: OptionReader;
  node: ts.Node;
}

/** The properties of `obj` in order (a repeated key: the caller keeps the last). */
function entries(
  r: OptionReader,
  obj: ts.ObjectLiteralExpression,
  where: string,
  report: ReportOption,
  depth = 0,
): Entry[] {
  const out: Entry[] = [];
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p)) {
      const key = ts.isComputedPropertyName(p.name)
        ? mentionsLocal(r, p.name.expression)
          ? undefined
          : staticKey(p.name, r.mod, { plain: true })
        : staticKey(p.name, r.mod);
      if (key === undefined) {
        const expr = (p.name as ts.ComputedPropertyName).expression;
        report("WM228", p.name, r.mod, { name: sourceText(expr, r.mod), where });
        continue;
      }
      out.push({ key, value: p.initializer, r, node: p });
    } else if (ts.isShorthandPropertyAssignment(p)) {
      out.push({ key: p.name.text, value: p.name, r, node: p });
    } else if (ts.isSpreadAssignment(p)) {
      const f = follow(r, p.expression);
      const src = skipOuter(f.node);
      if (isNullish(src)) continue;
      if (ts.isObjectLiteralExpression(src) && depth < 16) {
        out.push(...entries(f.r, src, where, report, depth + 1));
        continue;
      }
      report("WM229", p, r.mod, { name: sourceText(p.expression, r.mod), where });
    } else {
      // A method or accessor: a function is never an option value.
      const key = p.name ? (staticKey(p.name, r.mod) ?? sourceText(p.name, r.mod)) : "?";
      report("WM105", p, r.mod, {
        name: sourceText(p, r.mod),
        what: `the \`${key}\` option of ${where}`,
        form: OPTION_FORMS.value,
      });
    }
  }
  return out;
}

/** An expression-valued option. A name of a module-level `const` is read statically (so
 *  `{ attempts: MAX_ATTEMPTS }` and `{ timeout }` work with plain constants); anything else is
 *  read by the reader of the place where it is written. */
function optionValue(e: Entry, what: string, report: ReportOption): Expr | undefined {
  const f = follow(e.r, e.value);
  const v = f.r.value(f.node);
  if (!v) {
    report("WM105", e.value, e.r.mod, {
      name: sourceText(e.value, e.r.mod),
      what,
      form: OPTION_FORMS.value,
    });
  }
  return v;
}

function readRetry(e: Entry, what: string, report: ReportOption): RetrySpec | "absent" | undefined {
  const f = follow(e.r, e.value);
  let node = skipOuter(f.node);
  let r = f.r;
  if (isNullish(node)) return "absent";
  const spec: RetrySpec = { k: "retry", span: spanOf(node, r.mod.sf) };
  if (ts.isNewExpression(node) && isSdkExport(r.mod, node.expression, "RetryPolicy")) {
    const arg = node.arguments?.[0];
    if (!arg) return spec;
    const a = follow(r, arg);
    if (!ts.isObjectLiteralExpression(skipOuter(a.node))) {
      report("WM105", arg, r.mod, {
        name: sourceText(arg, r.mod),
        what: "the argument of `new RetryPolicy(...)`",
        form: OPTION_FORMS.policy,
      });
      return undefined;
    }
    node = skipOuter(a.node);
    r = a.r;
  }
  if (!ts.isObjectLiteralExpression(node)) {
    report("WM105", e.value, e.r.mod, {
      name: sourceText(e.value, e.r.mod),
      what,
      form: OPTION_FORMS.retry,
    });
    return undefined;
  }
  for (const p of entries(r, node, "a retry policy", report)) {
    const field = `the \`${p.key}\` of a retry policy`;
    if (p.key === "attempts" || p.key === "backoff") {
      const v = optionValue(p, field, report);
      if (v) spec[p.key] = v;
      else delete spec[p.key];
    } else if (p.key === "exceptionTypes") {
      const names = readExceptionTypes(p.r, p.value, field, report);
      if (names) spec.exceptionTypes = names;
    } else {
      report("WM227", p.node, p.r.mod, {
        name: p.key,
        where: "a retry policy",
        keys: OPTION_KEYS.retry,
      });
    }
  }
  return spec;
}

function readExceptionTypes(
  r0: OptionReader,
  value: ts.Expression,
  what: string,
  report: ReportOption,
  depth = 0,
): string[] | undefined {
  const { node, r } = follow(r0, value);
  const list = skipOuter(node);
  if (!ts.isArrayLiteralExpression(list)) {
    report("WM105", value, r0.mod, {
      name: sourceText(value, r0.mod),
      what,
      form: OPTION_FORMS.exceptionTypes,
    });
    return undefined;
  }
  const names: string[] = [];
  let ok = true;
  for (const el of list.elements) {
    if (ts.isSpreadElement(el) && depth < 16) {
      const more = readExceptionTypes(r, el.expression, what, report, depth + 1);
      if (more) names.push(...more);
      else ok = false;
      continue;
    }
    const n = ts.isSpreadElement(el) || ts.isOmittedExpression(el) ? undefined : r.className(el);
    if (n) {
      names.push(n);
      continue;
    }
    ok = false;
    report("WM105", el, r.mod, {
      name: sourceText(el, r.mod),
      what: "an exception class in `exceptionTypes`",
      form: OPTION_FORMS.exceptionType,
    });
  }
  return ok ? names : undefined;
}

function readOnLost(e: Entry, report: ReportOption): "fail" | "retry" | undefined {
  const f = follow(e.r, e.value);
  const v = mentionsLocal(f.r, f.node) ? undefined : constantExpr(f.node, f.r.mod, { plain: true });
  if (v?.k === "lit" && (v.value === "fail" || v.value === "retry")) return v.value;
  report("WM230", e.value, e.r.mod, { name: sourceText(e.value, e.r.mod) });
  return undefined;
}

/** `X`, `ns.X`, `X.a.b`: when the root is not a local and names a module-level `const`
 *  (through imports and namespace imports), the expression it stands for — its initializer,
 *  or a property of a constant object literal — with the static reader of its module.
 *  Otherwise `node` itself, unchanged. */
function follow(
  r: OptionReader,
  node: ts.Expression,
  depth = 0,
): { node: ts.Expression; r: OptionReader } {
  const same = { node, r };
  if (depth > 16) return same;
  const path: string[] = [];
  let cur = skipOuter(node);
  while (ts.isPropertyAccessExpression(cur) && !cur.questionDotToken) {
    path.unshift(cur.name.text);
    cur = skipOuter(cur.expression);
  }
  if (!ts.isIdentifier(cur) || r.isLocal(cur.text)) return same;
  let b: Binding | undefined = resolveName(r.mod, cur.text);
  let i = 0;
  while (b?.k === "namespace" && i < path.length) b = resolveExport(b.mod, path[i++]!);
  if (b?.k !== "decl" || b.decl.k !== "var" || !b.decl.isConst || !b.decl.node.initializer)
    return same;
  let target: { node: ts.Expression; r: OptionReader } = {
    node: b.decl.node.initializer,
    r: staticReader(b.mod),
  };
  for (; i < path.length; i++) {
    const t = follow(target.r, target.node, depth + 1);
    const obj = skipOuter(t.node);
    if (!ts.isObjectLiteralExpression(obj)) return same;
    const hit = entries(t.r, obj, "", () => {}, depth + 1)
      .filter((e) => e.key === path[i])
      .pop();
    if (!hit) return same;
    target = { node: hit.value, r: hit.r };
  }
  return follow(target.r, target.node, depth + 1);
}

/** Does `node` (a key or `onLost` value written at a call site) read a workflow local? */
function mentionsLocal(r: OptionReader, node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return r.isLocal(node.text);
  if (ts.isPropertyAccessExpression(node)) return mentionsLocal(r, node.expression);
  return ts.forEachChild(node, (c) => mentionsLocal(r, c) || undefined) ?? false;
}

function isNullish(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === "undefined");
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

/** Source text for a message: one line, at most 40 characters. */
function sourceText(node: ts.Node, mod: ModuleInfo): string {
  const t = node.getText(mod.sf).replace(/\s+/g, " ");
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}
