// Structural validation of a Program against the invariants written at the top of types.ts.
// `validate` never throws: it returns one readable problem per violation, each prefixed by the
// path of the offending node (and its source position when the node has a valid span).
// The compiler runs it on everything it emits; the runtime may run it on loaded programs.

import {
  BUILTIN_CONSTANTS,
  BUILTIN_FUNCTIONS,
  BUILTIN_METHODS,
  MUTATING_METHODS,
} from "./builtins.js";
import {
  ASSIGN_OPS,
  BINARY_OPS,
  EXPR_KINDS,
  LVALUE_KINDS,
  PATTERN_KINDS,
  STMT_KINDS,
  UNARY_OPS,
} from "./kinds.js";
import { IR_FORMAT, type Program } from "./types.js";
import { checkPlainJson } from "./validateJson.js";

type Obj = Record<string, unknown>;

interface Ctx {
  /** Enclosing loops (targets of `continue` and `break`). */
  loops: number;
  /** Enclosing loops and switches (targets of `break`). */
  breakables: number;
  /** Names bound by enclosing `catch` clauses (valid `rethrow` operands). */
  catches: string[];
}

const TOP: Ctx = { loops: 0, breakables: 0, catches: [] };
const FUNCTIONS = new Set<string>(BUILTIN_FUNCTIONS);
const METHODS = new Set<string>(BUILTIN_METHODS);
const MUTATING = new Set<string>(MUTATING_METHODS);
/** Roots under which built-in constants are read (`Math.PI` is `member(name Math, PI)`). */
const GLOBAL_ROOTS = new Set(BUILTIN_CONSTANTS.map((c) => c.split(".")[0] as string));

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isPositiveInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}

class Checker {
  readonly problems: string[] = [];
  private fnNames = new Set<string>();
  // Per function:
  private declared = new Map<string, string>();
  private uses: { name: string; where: string; at: string }[] = [];
  private callbackScopes: Set<string>[] = [];

  constructor(private readonly program: Obj) {}

  private at(node: unknown): string {
    if (!isObj(node) || !isObj(node.span)) return "";
    const s = node.span;
    return typeof s.file === "string" ? ` (${s.file}:${s.line}:${s.column})` : "";
  }

  private report(where: string, node: unknown, message: string): void {
    this.problems.push(`${where}${this.at(node)}: ${message}`);
  }

  private span(node: Obj, where: string): void {
    const s = node.span;
    if (!isObj(s)) {
      this.report(where, node, "missing span");
      return;
    }
    const ok =
      typeof s.file === "string" &&
      s.file.length > 0 &&
      isPositiveInt(s.line) &&
      isPositiveInt(s.column) &&
      isPositiveInt(s.endLine) &&
      isPositiveInt(s.endColumn) &&
      ((s.endLine as number) > (s.line as number) ||
        ((s.endLine as number) === (s.line as number) &&
          (s.endColumn as number) >= (s.column as number)));
    if (!ok) this.report(where, node, `invalid span ${JSON.stringify(s)}`);
  }

  /** Checks `v` is a node of one of `kinds` with a span; returns it when its kind is known. */
  private node(v: unknown, where: string, what: string, kinds: readonly string[]): Obj | undefined {
    if (!isObj(v)) {
      this.report(where, v, `expected ${what} node, got ${v === null ? "null" : typeof v}`);
      return undefined;
    }
    if (typeof v.k !== "string" || !kinds.includes(v.k)) {
      this.report(where, v, `unknown ${what} kind ${JSON.stringify(v.k ?? null)}`);
      return undefined;
    }
    this.span(v, where);
    return v;
  }

  private list(v: unknown, where: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.report(where, undefined, "expected an array");
    return [];
  }

  private str(v: unknown, where: string, field: string, node: Obj): v is string {
    if (typeof v === "string" && v.length > 0) return true;
    this.report(where, node, `${field} must be a non-empty string`);
    return false;
  }

  run(): void {
    const p = this.program;
    if (p.k !== "program")
      this.report("program", p, `expected kind "program", got ${JSON.stringify(p.k ?? null)}`);
    this.span(p, "program");
    if (p.format !== IR_FORMAT)
      this.report("program", p, `unsupported format ${JSON.stringify(p.format)}`);
    this.str(p.workflow, "program", "workflow", p);
    this.str(p.className, "program", "className", p);
    if (typeof p.concurrent !== "boolean")
      this.report("program", p, "concurrent must be a boolean");
    const fns = this.list(p.functions, "program.functions");
    if (fns.length === 0) this.report("program", p, "a program needs at least its entry function");
    for (const f of fns)
      if (isObj(f) && typeof f.name === "string") {
        if (this.fnNames.has(f.name))
          this.report(`function ${f.name}`, f, `duplicate function name "${f.name}"`);
        this.fnNames.add(f.name);
      }
    if (p.entry !== "run")
      this.report("program", p, `entry must be "run", got ${JSON.stringify(p.entry)}`);
    const first = fns[0];
    if (isObj(first) && first.name !== p.entry)
      this.report("program", p, "the entry function must come first");
    for (const [i, f] of fns.entries()) this.fn(f, `functions[${i}]`);
  }

  private fn(v: unknown, where: string): void {
    const f = this.node(v, where, "function", ["function"]);
    if (!f) return;
    if (this.str(f.name, where, "name", f)) where = `${f.name}`;
    this.declared = new Map();
    this.uses = [];
    this.list(f.params, `${where}.params`).forEach((pv, i) => {
      const pw = `${where}.params[${i}]`;
      const param = this.node(pv, pw, "parameter", ["param"]);
      if (!param) return;
      if (typeof param.rest !== "boolean") this.report(pw, param, "rest must be a boolean");
      if (param.default !== undefined) this.expr(param.default, `${pw}.default`);
      this.pattern(param.target, `${pw}.target`, true);
    });
    this.block(f.body, `${where}.body`, TOP);
    for (const u of this.uses) {
      if (!this.declared.has(u.name) && !GLOBAL_ROOTS.has(u.name)) {
        this.problems.push(`${u.where}${u.at}: "${u.name}" is not declared in function ${where}`);
      }
    }
  }

  private declare(name: string, where: string, node: Obj): void {
    const prev = this.declared.get(name);
    if (prev !== undefined)
      this.report(where, node, `duplicate declaration of "${name}" (first declared at ${prev})`);
    else this.declared.set(name, where);
  }

  private use(name: string, where: string, node: Obj): void {
    if (this.callbackScopes.some((s) => s.has(name))) return;
    this.uses.push({ name, where, at: this.at(node) });
  }

  /** `declare`: binding positions that introduce names; otherwise the names are assigned. */
  private pattern(v: unknown, where: string, declare: boolean, scope?: Set<string>): void {
    const p = this.node(v, where, "pattern", PATTERN_KINDS);
    if (!p) return;
    if (p.k === "pname") {
      if (!this.str(p.name, where, "name", p)) return;
      if (scope) scope.add(p.name);
      else if (declare) this.declare(p.name, where, p);
      else this.use(p.name, where, p);
    } else if (p.k === "parray") {
      this.list(p.elements, `${where}.elements`).forEach((ev, i) => {
        if (ev === null) return;
        const ew = `${where}.elements[${i}]`;
        const el = this.node(ev, ew, "pattern element", ["pelem"]);
        if (!el) return;
        if (el.default !== undefined) this.expr(el.default, `${ew}.default`);
        this.pattern(el.target, `${ew}.target`, declare, scope);
      });
      if (p.rest !== undefined) this.pattern(p.rest, `${where}.rest`, declare, scope);
    } else {
      this.list(p.props, `${where}.props`).forEach((pv, i) => {
        const pw = `${where}.props[${i}]`;
        const prop = this.node(pv, pw, "pattern property", ["pprop"]);
        if (!prop) return;
        if (typeof prop.key !== "string") this.report(pw, prop, "key must be a string");
        if (prop.default !== undefined) this.expr(prop.default, `${pw}.default`);
        this.pattern(prop.target, `${pw}.target`, declare, scope);
      });
      if (p.rest !== undefined) this.pattern(p.rest, `${where}.rest`, declare, scope);
    }
  }

  private block(v: unknown, where: string, ctx: Ctx): void {
    for (const [i, s] of this.list(v, where).entries()) this.stmt(s, `${where}[${i}]`, ctx);
  }

  private bound(s: Obj, where: string): void {
    if (s.target === undefined) {
      if (s.decl !== undefined) this.report(where, s, "decl given without a target");
      return;
    }
    if (s.decl !== undefined && s.decl !== "const" && s.decl !== "let") {
      this.report(where, s, `decl must be "const" or "let", got ${JSON.stringify(s.decl)}`);
    }
    this.pattern(s.target, `${where}.target`, s.decl !== undefined);
  }

  private stmt(v: unknown, where: string, ctx: Ctx): void {
    const s = this.node(v, where, "statement", STMT_KINDS);
    if (!s) return;
    switch (s.k) {
      case "decl":
        if (s.kind !== "const" && s.kind !== "let")
          this.report(where, s, `kind must be "const" or "let"`);
        // The value is evaluated before the names exist (a self-reference is a compile error).
        if (s.value !== undefined) this.expr(s.value, `${where}.value`);
        else if (s.kind === "const") this.report(where, s, "a const declaration needs a value");
        this.pattern(s.target, `${where}.target`, true);
        return;
      case "assign":
        if (!ASSIGN_OPS.includes(s.op as string))
          this.report(where, s, `unknown assignment operator ${JSON.stringify(s.op)}`);
        this.lvalue(s.target, `${where}.target`);
        this.expr(s.value, `${where}.value`);
        return;
      case "expr":
        this.expr(s.expr, `${where}.expr`);
        return;
      case "action":
        this.actionCall(s.call, `${where}.call`);
        this.bound(s, where);
        return;
      case "gather":
        if (s.mode !== "all" && s.mode !== "allSettled")
          this.report(where, s, `unknown gather mode ${JSON.stringify(s.mode)}`);
        for (const [i, iv] of this.list(s.items, `${where}.items`).entries()) {
          this.gatherItem(iv, `${where}.items[${i}]`);
        }
        this.bound(s, where);
        return;
      case "sleep":
        this.expr(s.duration, `${where}.duration`);
        return;
      case "call":
        if (this.str(s.fn, where, "fn", s) && !this.fnNames.has(s.fn)) {
          this.report(where, s, `call of unknown function "${s.fn}"`);
        }
        this.items(s.args, `${where}.args`);
        this.bound(s, where);
        return;
      case "if":
        this.expr(s.test, `${where}.test`);
        this.block(s.then, `${where}.then`, ctx);
        if (s.else !== undefined) this.block(s.else, `${where}.else`, ctx);
        return;
      case "while":
      case "do_while": {
        this.expr(s.test, `${where}.test`);
        this.block(s.body, `${where}.body`, {
          ...ctx,
          loops: ctx.loops + 1,
          breakables: ctx.breakables + 1,
        });
        return;
      }
      case "for": {
        this.block(s.init, `${where}.init`, ctx);
        if (s.test !== undefined) this.expr(s.test, `${where}.test`);
        this.block(s.update, `${where}.update`, ctx);
        this.block(s.body, `${where}.body`, {
          ...ctx,
          loops: ctx.loops + 1,
          breakables: ctx.breakables + 1,
        });
        return;
      }
      case "for_of":
        if (s.decl !== "const" && s.decl !== "let")
          this.report(where, s, `decl must be "const" or "let"`);
        this.expr(s.iterable, `${where}.iterable`);
        this.pattern(s.target, `${where}.target`, true);
        this.block(s.body, `${where}.body`, {
          ...ctx,
          loops: ctx.loops + 1,
          breakables: ctx.breakables + 1,
        });
        return;
      case "break":
        if (ctx.breakables === 0) this.report(where, s, "break outside a loop or switch");
        return;
      case "continue":
        if (ctx.loops === 0) this.report(where, s, "continue outside a loop");
        return;
      case "return":
        if (s.value !== undefined) this.expr(s.value, `${where}.value`);
        return;
      case "try":
        this.tryStmt(s, where, ctx);
        return;
      case "rethrow":
        if (this.str(s.name, where, "name", s) && !ctx.catches.includes(s.name)) {
          this.report(where, s, `rethrow of "${s.name}" outside a catch that binds it`);
        }
        return;
      case "switch": {
        this.expr(s.discriminant, `${where}.discriminant`);
        let defaults = 0;
        const inner = { ...ctx, breakables: ctx.breakables + 1 };
        this.list(s.cases, `${where}.cases`).forEach((cv, i) => {
          const cw = `${where}.cases[${i}]`;
          if (!isObj(cv)) {
            this.report(cw, cv, "expected a case object");
            return;
          }
          this.span(cv, cw);
          if (cv.test === undefined) defaults++;
          else this.expr(cv.test, `${cw}.test`);
          this.block(cv.body, `${cw}.body`, inner);
        });
        if (defaults > 1) this.report(where, s, "more than one default case");
        return;
      }
      case "block":
        this.block(s.body, `${where}.body`, ctx);
        return;
    }
  }

  private tryStmt(s: Obj, where: string, ctx: Ctx): void {
    this.block(s.body, `${where}.body`, ctx);
    if (s.catch === undefined && s.finally === undefined)
      this.report(where, s, "try without catch or finally");
    if (s.catch !== undefined) {
      const cw = `${where}.catch`;
      const c = s.catch;
      if (!isObj(c)) {
        this.report(cw, c, "expected a catch clause object");
      } else {
        this.span(c, cw);
        const names: string[] = [];
        if (c.param !== undefined) {
          this.pattern(c.param, `${cw}.param`, true);
          if (isObj(c.param) && c.param.k === "pname" && typeof c.param.name === "string")
            names.push(c.param.name);
        }
        this.block(c.body, `${cw}.body`, { ...ctx, catches: [...ctx.catches, ...names] });
      }
    }
    if (s.finally !== undefined) this.block(s.finally, `${where}.finally`, ctx);
  }

  private lvalue(v: unknown, where: string): void {
    const l = this.node(v, where, "assignment target", LVALUE_KINDS);
    if (!l) return;
    if (l.k === "lname") {
      if (this.str(l.name, where, "name", l)) this.use(l.name, where, l);
    } else if (l.k === "lpattern") {
      this.pattern(l.pattern, `${where}.pattern`, false);
    } else {
      this.expr(l.object, `${where}.object`);
      if (l.k === "lmember" && typeof l.property !== "string")
        this.report(where, l, "property must be a string");
      if (l.k === "lindex") this.expr(l.index, `${where}.index`);
      if (!this.rootIsName(l.object))
        this.report(where, l, "the root of an assignment target must be a local name");
    }
  }

  private rootIsName(v: unknown): boolean {
    let e = v;
    while (isObj(e) && (e.k === "member" || e.k === "index")) e = e.object;
    return isObj(e) && e.k === "name";
  }

  private retry(v: unknown, where: string): void {
    const r = this.node(v, where, "retry", ["retry"]);
    if (!r) return;
    if (r.attempts !== undefined) this.expr(r.attempts, `${where}.attempts`);
    if (r.backoff !== undefined) this.expr(r.backoff, `${where}.backoff`);
    if (r.exceptionTypes !== undefined) {
      const ok =
        Array.isArray(r.exceptionTypes) &&
        r.exceptionTypes.every((t) => typeof t === "string" && t.length > 0);
      if (!ok) this.report(where, r, "exceptionTypes must be an array of class names");
    }
  }

  private actionCall(v: unknown, where: string): void {
    const c = this.node(v, where, "effect call", [
      "call_action",
      "call_child",
      "call_signal",
      "call_sleep",
    ]);
    if (!c) return;
    if (c.k === "call_child") {
      this.str(c.workflow, where, "workflow", c);
      this.items(c.args, `${where}.args`);
      return;
    }
    if (c.k === "call_signal") {
      this.expr(c.name, `${where}.name`);
      this.expr(c.timeout, `${where}.timeout`);
      return;
    }
    if (c.k === "call_sleep") {
      this.expr(c.duration, `${where}.duration`);
      return;
    }
    this.str(c.action, where, "action", c);
    this.items(c.args, `${where}.args`);
    if (c.retry !== undefined) this.retry(c.retry, `${where}.retry`);
    if (c.timeout !== undefined) this.expr(c.timeout, `${where}.timeout`);
    if (c.onLost !== undefined && c.onLost !== "fail")
      this.report(where, c, `onLost must be "fail" when present, got ${JSON.stringify(c.onLost)}`);
  }

  private gatherItem(v: unknown, where: string): void {
    const g = this.node(v, where, "gather item", ["gcall", "gspread"]);
    if (!g) return;
    if (g.k === "gcall") {
      this.actionCall(g.call, `${where}.call`);
      return;
    }
    this.expr(g.source, `${where}.source`);
    this.callback(g.params, where, () => this.actionCall(g.call, `${where}.call`));
  }

  /** Callback parameters are scoped to the callback body (they are not function locals). */
  private callback(params: unknown, where: string, body: () => void): void {
    const scope = new Set<string>();
    for (const [i, pv] of this.list(params, `${where}.params`).entries()) {
      this.pattern(pv, `${where}.params[${i}]`, true, scope);
    }
    this.callbackScopes.push(scope);
    try {
      body();
    } finally {
      this.callbackScopes.pop();
    }
  }

  private items(v: unknown, where: string): void {
    this.list(v, where).forEach((it, i) => {
      const iw = `${where}[${i}]`;
      if (isObj(it) && it.k === "spread") {
        this.span(it, iw);
        this.expr(it.expr, `${iw}.expr`);
      } else {
        this.expr(it, iw);
      }
    });
  }

  private expr(v: unknown, where: string): void {
    const e = this.node(v, where, "expression", EXPR_KINDS);
    if (!e) return;
    switch (e.k) {
      case "lit": {
        const x = e.value;
        const ok =
          x === null ||
          typeof x === "string" ||
          typeof x === "boolean" ||
          (typeof x === "number" && Number.isFinite(x));
        if (!ok)
          this.report(
            where,
            e,
            "a literal must be a JSON value (string, finite number, boolean, null)",
          );
        return;
      }
      case "undefined":
        return;
      case "name":
        if (this.str(e.name, where, "name", e)) this.use(e.name, where, e);
        return;
      case "array":
        this.items(e.items, `${where}.items`);
        return;
      case "object":
        this.list(e.props, `${where}.props`).forEach((pv, i) => {
          const pw = `${where}.props[${i}]`;
          const p = this.node(pv, pw, "object property", ["prop", "computed", "spread"]);
          if (!p) return;
          if (p.k === "prop") {
            if (typeof p.key !== "string") this.report(pw, p, "key must be a string");
            this.expr(p.value, `${pw}.value`);
          } else if (p.k === "computed") {
            this.expr(p.key, `${pw}.key`);
            this.expr(p.value, `${pw}.value`);
          } else {
            this.expr(p.expr, `${pw}.expr`);
          }
        });
        return;
      case "member":
        if (typeof e.property !== "string") this.report(where, e, "property must be a string");
        if (typeof e.optional !== "boolean") this.report(where, e, "optional must be a boolean");
        this.expr(e.object, `${where}.object`);
        return;
      case "index":
        if (typeof e.optional !== "boolean") this.report(where, e, "optional must be a boolean");
        this.expr(e.object, `${where}.object`);
        this.expr(e.index, `${where}.index`);
        return;
      case "unary":
        if (!UNARY_OPS.includes(e.op as string))
          this.report(where, e, `unknown unary operator ${JSON.stringify(e.op)}`);
        this.expr(e.arg, `${where}.arg`);
        return;
      case "binary":
      case "logical": {
        const ops = e.k === "binary" ? BINARY_OPS : ["&&", "||", "??"];
        if (!ops.includes(e.op as string))
          this.report(where, e, `unknown ${e.k} operator ${JSON.stringify(e.op)}`);
        this.expr(e.left, `${where}.left`);
        this.expr(e.right, `${where}.right`);
        return;
      }
      case "cond":
        this.expr(e.test, `${where}.test`);
        this.expr(e.then, `${where}.then`);
        this.expr(e.else, `${where}.else`);
        return;
      case "builtin":
        if (!FUNCTIONS.has(e.fn as string))
          this.report(where, e, `"${String(e.fn)}" is not a whitelisted built-in function`);
        this.items(e.args, `${where}.args`);
        return;
      case "method":
        if (!METHODS.has(e.method as string))
          this.report(where, e, `"${String(e.method)}" is not a whitelisted method`);
        else if (MUTATING.has(e.method as string) && !this.rootIsName(e.object)) {
          this.report(
            where,
            e,
            `mutating method "${String(e.method)}" needs a local variable as its receiver's root`,
          );
        }
        if (typeof e.optional !== "boolean") this.report(where, e, "optional must be a boolean");
        this.expr(e.object, `${where}.object`);
        this.items(e.args, `${where}.args`);
        return;
      case "map":
      case "filter":
        this.expr(e.source, `${where}.source`);
        this.callback(e.params, where, () => this.expr(e.body, `${where}.body`));
        return;
      case "instanceof":
        this.str(e.className, where, "className", e);
        this.expr(e.value, `${where}.value`);
        return;
    }
  }
}

/** Problems with `program`, `[]` when it satisfies every invariant of types.ts. */
export function validate(program: Program): string[] {
  const json = checkPlainJson(program);
  // A cyclic or non-JSON structure cannot be walked safely: report that alone.
  if (json.length > 0) return json;
  if (!isObj(program)) return ["program: expected an object"];
  const c = new Checker(program as unknown as Obj);
  c.run();
  return c.problems;
}
