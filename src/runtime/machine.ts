// The small-step machine over the continuation stack (state.ts). One step = one statement or
// one loop/switch/try decision; steps are counted over the instance's whole life.
//
// Completion semantics follow JavaScript: break/continue/return/throw unwind the control
// stack; a `try` with `finally` intercepts every abrupt completion, runs `finally`, then
// resumes the pending completion — unless `finally` itself completes abruptly, which replaces
// it. A throw escaping the entry function ends the instance with ok:false.
import type {
  AssignStmt,
  CallStmt,
  FunctionDef,
  Program,
  Span,
  Stmt,
  SwitchStmt,
  TryStmt,
} from "../ir/types.js";
import {
  encodeValue,
  errorToValue,
  toCaughtError,
  UnserializableValueError,
} from "../values/index.js";
import { setOwn } from "../values/json.js";
import { startActions, startGather, startSleep } from "./effects.js";
import { InterpreterError, makeError, Thrown, throwError, where } from "./errors.js";
import { bindPattern, evalExpr, evalItems, lookup, type Scope } from "./evaluate.js";
import { type BindFrom, notIterable } from "./jsMessages.js";
import { idOf, nodeAt, nodeIndex } from "./nodeIndex.js";
import type { Completion, Entry, Frame, State } from "./state.js";
import type { Command, Outcome } from "./types.js";
import { arith, getProp, iterate, toKey } from "./valueOps.js";

export class Machine {
  readonly commands: Command[] = [];
  steps = 0;
  /** Span of what is being executed, for errors raised by native operations. */
  span: Span | undefined;

  constructor(
    readonly program: Program,
    readonly st: State,
    private readonly budget: number,
  ) {}

  node<T>(id: number): T {
    return nodeAt<T>(this.program, id);
  }

  id(node: object): number {
    return idOf(this.program, node);
  }

  frame(): Frame {
    const f = this.st.frames[this.st.frames.length - 1];
    if (!f) throw new InterpreterError("no active call frame");
    return f;
  }

  scope(): Scope {
    return { vars: this.frame().env, parent: null };
  }

  /** Runs `f`, turning anything it throws into a completion or a final failure. */
  guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.raise(e);
    }
  }

  private raise(e: unknown): void {
    let x = e;
    for (let i = 0; i < 10_000; i++) {
      try {
        if (x instanceof InterpreterError) {
          this.finish({ ok: false, error: makeError("InterpreterError", x.message, this.span) });
        } else if (x instanceof Thrown) {
          this.complete({ t: "throw", v: x.value });
        } else {
          // A native JavaScript error from an operation on workflow values (e.g. mixing
          // BigInt and number, JSON.parse of bad text): catchable, located at the statement.
          const ev = errorToValue(x);
          ev.stack = `${ev.name}: ${ev.message}\n    at ${where(this.span)}`;
          this.complete({ t: "throw", v: ev });
        }
        return;
      } catch (y) {
        x = y;
      }
    }
    this.finish({ ok: false, error: makeError("InterpreterError", "unbounded error recursion") });
  }

  finish(outcome: Outcome): void {
    if (outcome.ok) {
      // The result must be storable: a cyclic object is a readable failure, not a crash later.
      try {
        encodeValue(outcome.value, "the workflow result");
      } catch (e) {
        const why = e instanceof UnserializableValueError ? e.message : String(e);
        outcome = { ok: false, error: makeError("TypeError", why, this.span) };
      }
    }
    this.st.done = outcome;
    this.st.frames = [];
    this.st.wait = null;
    this.st.outcomes = new Map();
  }

  /** Enters a function with evaluated arguments (the entry function or a helper call). */
  enter(fnName: string, args: unknown[], call: number | null): void {
    const fnId = nodeIndex(this.program).fnByName.get(fnName);
    if (fnId === undefined) throw new InterpreterError(`unknown function ${fnName}`);
    const fn = this.node<FunctionDef>(fnId);
    const frame: Frame = {
      fn: fnId,
      env: {},
      k: [{ t: "seq", list: this.id(fn.body), i: 0 }],
      call,
    };
    this.st.frames.push(frame);
    const s = this.scope();
    fn.params.forEach((p, i) => {
      this.span = p.span;
      if (p.rest) {
        bindPattern(p.target, args.slice(i), s);
        return;
      }
      let v = args[i];
      if (v === undefined && p.default) v = evalExpr(p.default, s);
      bindPattern(p.target, v, s);
    });
  }

  private returnFrom(v: unknown): void {
    const done = this.st.frames.pop() as Frame;
    if (this.st.frames.length === 0) {
      this.finish({ ok: true, value: v });
      return;
    }
    if (done.call !== null) {
      const stmt = this.node<CallStmt>(done.call);
      this.span = stmt.span;
      if (stmt.target) bindPattern(stmt.target, v, this.scope(), helperResult(stmt.fn));
    }
  }

  /** Steps until the instance blocks or ends. */
  run(): void {
    const st = this.st;
    while (!st.done && !st.wait) {
      st.steps++;
      this.steps++;
      if (st.steps > this.budget) {
        this.finish({ ok: false, error: this.budgetError() });
        return;
      }
      this.guard(() => this.step());
    }
  }

  private budgetError() {
    let span = this.span;
    let inLoop = false;
    outer: for (let f = this.st.frames.length - 1; f >= 0; f--) {
      const k = (this.st.frames[f] as Frame).k;
      for (let i = k.length - 1; i >= 0; i--) {
        const e = k[i] as Entry;
        if (e.t === "loop") {
          span = this.node<{ span: Span }>(e.node).span;
          inLoop = true;
          break outer;
        }
      }
    }
    const loc = span ? `${span.file}:${span.line}` : "<unknown>";
    return makeError(
      "StepBudgetExceeded",
      `workflow exceeded its step budget of ${this.budget} steps ${inLoop ? "in the loop at" : "at"} ${loc}`,
      span,
    );
  }

  private step(): void {
    const frame = this.frame();
    const e = frame.k[frame.k.length - 1];
    if (!e) {
      this.returnFrom(undefined);
      return;
    }
    switch (e.t) {
      case "seq": {
        const list = this.node<Stmt[]>(e.list);
        const stmt = list[e.i];
        if (!stmt) {
          frame.k.pop();
          return;
        }
        e.i++;
        this.span = stmt.span;
        this.exec(stmt, e, list);
        return;
      }
      case "loop":
        this.stepLoop(frame, e);
        return;
      case "switch": {
        const sw = this.node<SwitchStmt>(e.node);
        const c = sw.cases[e.ci];
        if (!c) {
          frame.k.pop();
          return;
        }
        e.ci++;
        frame.k.push({ t: "seq", list: this.id(c.body), i: 0 });
        return;
      }
      case "try": {
        const t = this.node<TryStmt>(e.node);
        if (e.phase !== "finally" && t.finally) {
          e.phase = "finally";
          e.pending = null;
          frame.k.push({ t: "seq", list: this.id(t.finally), i: 0 });
          return;
        }
        frame.k.pop();
        if (e.pending) this.complete(e.pending);
        return;
      }
    }
  }

  private stepLoop(frame: Frame, e: Entry & { t: "loop" }): void {
    const n = this.node<Stmt>(e.node);
    this.span = n.span;
    const s = this.scope();
    const body = (list: Stmt[]) => frame.k.push({ t: "seq", list: this.id(list), i: 0 });
    switch (n.k) {
      case "while":
        if (evalExpr(n.test, s)) body(n.body);
        else frame.k.pop();
        return;
      case "do_while":
        if (e.phase === 0 || evalExpr(n.test, s)) {
          e.phase = 1;
          body(n.body);
        } else frame.k.pop();
        return;
      case "for":
        if (e.phase === 1) {
          e.phase = 0;
          body(n.update);
        } else if (!n.test || evalExpr(n.test, s)) {
          e.phase = 1;
          body(n.body);
        } else frame.k.pop();
        return;
      case "for_of": {
        const items = e.items as unknown[];
        const i = e.i as number;
        if (i >= items.length) {
          frame.k.pop();
          return;
        }
        e.i = i + 1;
        body(n.body);
        bindPattern(n.target, items[i], s, FOR_OF_ELEMENT);
        return;
      }
    }
    throw new InterpreterError(`loop entry on a ${n.k} node`);
  }

  /** Unwinds the control stack with an abrupt completion. */
  complete(c: Completion): void {
    for (;;) {
      const frame = this.frame();
      while (frame.k.length > 0) {
        const e = frame.k[frame.k.length - 1] as Entry;
        if (e.t === "loop" || e.t === "switch") {
          if (c.t === "break") {
            frame.k.pop();
            return;
          }
          if (c.t === "continue" && e.t === "loop") return;
          frame.k.pop();
          continue;
        }
        if (e.t === "try") {
          const t = this.node<TryStmt>(e.node);
          if (e.phase === "body" && c.t === "throw" && t.catch) {
            e.phase = "catch";
            frame.k.push({ t: "seq", list: this.id(t.catch.body), i: 0 });
            if (t.catch.param) {
              try {
                this.span = t.catch.span;
                // The workflow sees the error as JavaScript shows an Error (caughtError.ts).
                bindPattern(t.catch.param, toCaughtError(c.v), this.scope(), CAUGHT);
              } catch (x) {
                if (!(x instanceof Thrown)) throw x;
                c = { t: "throw", v: x.value };
                continue;
              }
            }
            return;
          }
          if (e.phase !== "finally" && t.finally) {
            e.phase = "finally";
            e.pending = c;
            frame.k.push({ t: "seq", list: this.id(t.finally), i: 0 });
            return;
          }
        }
        frame.k.pop();
      }
      if (c.t === "return") {
        this.returnFrom(c.v);
        return;
      }
      if (c.t !== "throw") throw new InterpreterError(`${c.t} outside of a loop or switch`);
      this.st.frames.pop();
      if (this.st.frames.length === 0) {
        this.finish({ ok: false, error: errorToValue(c.v) });
        return;
      }
    }
  }

  private exec(stmt: Stmt, seq: Entry & { t: "seq" }, list: Stmt[]): void {
    const frame = this.frame();
    const s = this.scope();
    const push = (body: Stmt[]) => frame.k.push({ t: "seq", list: this.id(body), i: 0 });
    switch (stmt.k) {
      case "decl":
        if (!stmt.value) bindPattern(stmt.target, undefined, s);
        else bindPattern(stmt.target, evalExpr(stmt.value, s), s, { k: "expr", expr: stmt.value });
        return;
      case "assign":
        this.assign(stmt, s);
        return;
      case "expr":
        evalExpr(stmt.expr, s);
        return;
      case "action":
        startActions(this, stmt, seq, list, s);
        return;
      case "gather":
        startGather(this, stmt, s);
        return;
      case "sleep":
        startSleep(this, stmt, s);
        return;
      case "call":
        this.enter(stmt.fn, evalItems(stmt.args, s), this.id(stmt));
        return;
      case "if":
        if (evalExpr(stmt.test, s)) push(stmt.then);
        else if (stmt.else) push(stmt.else);
        return;
      case "while":
      case "do_while":
        frame.k.push({ t: "loop", node: this.id(stmt), phase: 0 });
        return;
      case "for":
        frame.k.push({ t: "loop", node: this.id(stmt), phase: 0 });
        push(stmt.init);
        return;
      case "for_of": {
        const why = (v: unknown) => notIterable(v, stmt.iterable);
        const v = evalExpr(stmt.iterable, s);
        // An array is walked live, as JavaScript's array iterator does (elements pushed during
        // the loop are visited; the state keeps it shared with the variables that hold it).
        const items = Array.isArray(v) ? v : iterate(v, stmt.span, why);
        frame.k.push({ t: "loop", node: this.id(stmt), phase: 0, items, i: 0 });
        return;
      }
      case "break":
      case "continue":
        this.complete({ t: stmt.k });
        return;
      case "return":
        this.complete({ t: "return", v: stmt.value ? evalExpr(stmt.value, s) : undefined });
        return;
      case "try":
        frame.k.push({ t: "try", node: this.id(stmt), phase: "body", pending: null });
        push(stmt.body);
        return;
      case "rethrow":
        this.complete({ t: "throw", v: lookup(stmt.name, s, stmt.span) });
        return;
      case "switch": {
        const d = evalExpr(stmt.discriminant, s);
        let ci = -1;
        for (let i = 0; i < stmt.cases.length && ci < 0; i++) {
          const t = (stmt.cases[i] as SwitchStmt["cases"][number]).test;
          if (t && evalExpr(t, s) === d) ci = i;
        }
        if (ci < 0) ci = stmt.cases.findIndex((c) => !c.test);
        if (ci >= 0) frame.k.push({ t: "switch", node: this.id(stmt), ci });
        return;
      }
      case "block":
        push(stmt.body);
        return;
    }
    throw new InterpreterError(
      `unknown statement kind ${JSON.stringify((stmt as { k: unknown }).k)}`,
    );
  }

  private assign(stmt: AssignStmt, s: Scope): void {
    const t = stmt.target;
    const op = stmt.op;
    if (t.k === "lpattern") {
      if (op !== "=") throw new InterpreterError(`destructuring assignment with ${op}`);
      const from = { k: "expr", expr: stmt.value, assign: true } as const;
      bindPattern(t.pattern, evalExpr(stmt.value, s), s, from);
      return;
    }
    let get: () => unknown;
    let set: (v: unknown) => void;
    if (t.k === "lname") {
      get = () => lookup(t.name, s, t.span);
      set = (v) => {
        if (!Object.hasOwn(s.vars, t.name))
          throwError("ReferenceError", `${t.name} is not defined`, t.span);
        setOwn(s.vars, t.name, v);
      };
    } else {
      const obj = evalExpr(t.object, s);
      const key = t.k === "lmember" ? t.property : toKey(evalExpr(t.index, s));
      get = () => {
        if (obj === null || obj === undefined) {
          throwError("TypeError", `Cannot read properties of ${obj} (reading '${key}')`, t.span);
        }
        return getProp(obj, key);
      };
      set = (v) => setProp(obj, key, v, t.span);
    }
    if (op === "=") {
      set(evalExpr(stmt.value, s));
      return;
    }
    const cur = get();
    if (op === "&&=" || op === "||=" || op === "??=") {
      const keep = op === "&&=" ? !cur : op === "||=" ? !!cur : cur !== null && cur !== undefined;
      if (!keep) set(evalExpr(stmt.value, s));
      return;
    }
    const bin = op.slice(0, -1);
    set(arith(bin, cur, evalExpr(stmt.value, s)));
  }
}

// How V8 names these values in a destructuring TypeError (`.for` and `.catch` are its names).
const FOR_OF_ELEMENT: BindFrom = { k: "text", text: ".for", arrayText: ".for" };
const CAUGHT: BindFrom = { k: "text", text: ".catch" };
const helperResult = (fn: string): BindFrom => ({ k: "text", text: `this.${fn}(...)` });

function setProp(obj: unknown, key: string, v: unknown, span: Span): void {
  if (obj === null || obj === undefined) {
    throwError("TypeError", `Cannot set properties of ${obj} (setting '${key}')`, span);
  }
  if (typeof obj !== "object") {
    throwError(
      "TypeError",
      `Cannot create property '${key}' on ${typeof obj} '${String(obj)}'`,
      span,
    );
  }
  if (obj instanceof Map || obj instanceof Set || obj instanceof Date) {
    throwError(
      "TypeError",
      `Cannot set property '${key}' on a ${obj.constructor.name} (it would not be stored; use its methods)`,
      span,
    );
  }
  if (Array.isArray(obj) && key === "length") {
    obj.length = v as number;
    return;
  }
  setOwn(obj as Record<string, unknown>, key, v);
}
