// The small-step machine over the continuation stack (state.ts). One step = one statement or
// one loop/switch/try decision; steps are counted over the instance's whole life.
//
// Completion semantics follow JavaScript: break/continue/return/throw unwind the control
// stack; a `try` with `finally` intercepts every abrupt completion, runs `finally`, then
// resumes the pending completion — unless `finally` itself completes abruptly, which replaces
// it. A throw escaping the entry function ends the instance with ok:false.
import type {
  ActionCall,
  ActionStmt,
  AssignStmt,
  CallStmt,
  FunctionDef,
  GatherStmt,
  Program,
  SleepStmt,
  Span,
  Stmt,
  SwitchStmt,
  TryStmt,
} from "../ir/types.js";
import {
  decodeValue,
  encodeValue,
  errorToValue,
  UnserializableValueError,
} from "../values/index.js";
import { setOwn } from "../values/json.js";
import { InterpreterError, makeError, Thrown, throwError, where } from "./errors.js";
import {
  bindPattern,
  evalExpr,
  evalItems,
  lookup,
  namesRead,
  patternNames,
  type Scope,
} from "./evaluate.js";
import { idOf, nodeAt, nodeIndex } from "./nodeIndex.js";
import { parseDuration } from "./parseDuration.js";
import { evalPolicy } from "./policy.js";
import type { Completion, Entry, Frame, State } from "./state.js";
import type { Command, Outcome } from "./types.js";
import { arith, getProp, iterate, toKey } from "./valueOps.js";

export class Machine {
  readonly commands: Command[] = [];
  steps = 0;
  /** Span of what is being executed, for errors raised by native operations. */
  private span: Span | undefined;

  constructor(
    private readonly program: Program,
    readonly st: State,
    private readonly budget: number,
  ) {}

  private node<T>(id: number): T {
    return nodeAt<T>(this.program, id);
  }

  private id(node: object): number {
    return idOf(this.program, node);
  }

  private frame(): Frame {
    const f = this.st.frames[this.st.frames.length - 1];
    if (!f) throw new InterpreterError("no active call frame");
    return f;
  }

  private scope(): Scope {
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
      if (stmt.target) bindPattern(stmt.target, v, this.scope());
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
        bindPattern(n.target, items[i], s);
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
                bindPattern(t.catch.param, c.v, this.scope());
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
        bindPattern(stmt.target, stmt.value ? evalExpr(stmt.value, s) : undefined, s);
        return;
      case "assign":
        this.assign(stmt, s);
        return;
      case "expr":
        evalExpr(stmt.expr, s);
        return;
      case "action":
        this.actions(stmt, seq, list, s);
        return;
      case "gather":
        this.gather(stmt, s);
        return;
      case "sleep":
        this.sleep(stmt, s);
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
        const items = iterate(evalExpr(stmt.iterable, s), stmt.span);
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
      bindPattern(t.pattern, evalExpr(stmt.value, s), s);
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

  // ---- effects -------------------------------------------------------------------------

  /** Evaluates one action call: arguments (checked storable), policy; assigns a call id. */
  private dispatch(call: ActionCall, s: Scope): Command & { type: "dispatch" } {
    this.span = call.span;
    const args = evalItems(call.args, s).map((a, i) => {
      try {
        return decodeValue(encodeValue(a, `args[${i}]`));
      } catch (e) {
        if (!(e instanceof UnserializableValueError)) throw e;
        return throwError(
          "TypeError",
          `argument ${i + 1} of action \`${call.action}\`: ${e.message}`,
          call.span,
        );
      }
    });
    const policy = evalPolicy(call, s);
    return { type: "dispatch", callId: -1, action: call.action, args, policy };
  }

  private issue(cmds: (Command & { type: "dispatch" })[]): number[] {
    return cmds.map((c) => {
      c.callId = this.st.nextCallId++;
      this.commands.push(c);
      return c.callId;
    });
  }

  private actions(first: ActionStmt, seq: Entry & { t: "seq" }, list: Stmt[], s: Scope): void {
    const run: ActionStmt[] = [first];
    if (this.program.concurrent) {
      const bound = patternNames(first.target);
      for (let i = seq.i; i < list.length; i++) {
        const next = list[i] as Stmt;
        if (next.k !== "action") break;
        const reads = namesRead(next.call);
        if ([...reads].some((n) => bound.has(n))) break;
        patternNames(next.target, bound);
        run.push(next);
      }
    }
    const cmds: (Command & { type: "dispatch" })[] = [];
    for (const stmt of run) {
      try {
        cmds.push(this.dispatch(stmt.call, s));
      } catch (e) {
        // The statement that failed to evaluate runs again (and raises) after the run.
        if (cmds.length === 0) throw e;
        break;
      }
    }
    seq.i += cmds.length - 1;
    const ids = this.issue(cmds);
    this.st.wait = {
      t: "actions",
      calls: ids.map((id, i) => ({ id, stmt: this.id(run[i] as ActionStmt) })),
      failed: null,
    };
  }

  private gather(stmt: GatherStmt, s: Scope): void {
    const cmds: (Command & { type: "dispatch" })[] = [];
    for (const item of stmt.items) {
      if (item.k === "gcall") {
        cmds.push(this.dispatch(item.call, s));
        continue;
      }
      const src = iterate(evalExpr(item.source, s), item.span);
      src.forEach((el, i) => {
        const child: Scope = { vars: {}, parent: s };
        const given = [el, i, src];
        item.params.forEach((p, j) => {
          bindPattern(p, given[j], child);
        });
        cmds.push(this.dispatch(item.call, child));
      });
    }
    if (cmds.length === 0) {
      if (stmt.target) bindPattern(stmt.target, [], s);
      return;
    }
    const ids = this.issue(cmds);
    this.st.wait = { t: "gather", stmt: this.id(stmt), mode: stmt.mode, calls: ids, failed: null };
  }

  private sleep(stmt: SleepStmt, s: Scope): void {
    const v = evalExpr(stmt.duration, s);
    let ms: number;
    try {
      if (typeof v !== "number" && typeof v !== "string") throw new TypeError(`got ${typeof v}`);
      ms = Math.max(0, parseDuration(v));
    } catch (e) {
      throwError("TypeError", `sleep duration: ${(e as Error).message}`, stmt.span);
    }
    const timerId = this.st.nextTimerId++;
    this.commands.push({ type: "sleep", timerId, durationMs: ms });
    this.st.wait = { t: "timer", timerId, fired: false };
  }

  /** Resumes the wait when its events are in: binds results or throws the failure. */
  resume(): boolean {
    const st = this.st;
    const w = st.wait;
    if (!w) return true;
    if (w.t === "timer") {
      if (!w.fired) return false;
      st.wait = null;
      return true;
    }
    const ids = w.t === "actions" ? w.calls.map((c) => c.id) : w.calls;
    const pending = ids.filter((id) => !st.outcomes.has(id));
    const failFast = w.t === "actions" || w.mode === "all";
    if (pending.length > 0 && !(failFast && w.failed !== null)) return false;
    const outcomes = st.outcomes;
    st.wait = null;
    st.outcomes = new Map();
    if (pending.length > 0) this.commands.push({ type: "abandon", callIds: pending });
    const s = this.scope();
    if (w.t === "actions") {
      this.guard(() => {
        for (const c of w.calls) {
          const o = outcomes.get(c.id);
          if (!o?.ok) break;
          const stmt = this.node<ActionStmt>(c.stmt);
          this.span = stmt.span;
          if (stmt.target) bindPattern(stmt.target, o.value, s);
        }
        const failure = w.calls.map((c) => outcomes.get(c.id)).find((o) => o && !o.ok);
        if (failure && !failure.ok) throw new Thrown(failure.error);
      });
      return true;
    }
    const stmt = this.node<GatherStmt>(w.stmt);
    this.span = stmt.span;
    this.guard(() => {
      if (w.failed !== null && w.mode === "all") {
        const o = outcomes.get(w.failed) as Outcome & { ok: false };
        throw new Thrown(o.error);
      }
      const values = w.calls.map((id) => {
        const o = outcomes.get(id) as Outcome;
        if (w.mode === "all") return (o as { value: unknown }).value;
        return o.ok
          ? { status: "fulfilled", value: o.value }
          : { status: "rejected", reason: o.error };
      });
      if (stmt.target) bindPattern(stmt.target, values, s);
    });
    return true;
  }
}

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
