// Effects: action statements, gathers and sleeps emit commands and set the instance's single
// wait; resumeWait binds the outcomes (or throws the failure) once the wait is satisfied.
//
// Invariants: call ids and timer ids are fresh (monotonic counters in the state); dispatched
// arguments are checked storable and copied, so later mutation of workflow values cannot
// change a queued call; a fail-fast wait abandons its still-pending calls when it resumes.
import type {
  ActionCall,
  ActionStmt,
  ChildCall,
  EffectCall,
  GatherStmt,
  SleepStmt,
  Span,
  Stmt,
} from "../ir/types.js";
import {
  decodeValue,
  encodeValue,
  toCaughtError,
  UnserializableValueError,
} from "../values/index.js";
import { Thrown, throwError } from "./errors.js";
import {
  bindPattern,
  evalExpr,
  evalItems,
  namesRead,
  patternNames,
  type Scope,
} from "./evaluate.js";
import { AWAITED, notAFunction } from "./jsMessages.js";
import type { Machine } from "./machine.js";
import { parseDuration } from "./parseDuration.js";
import { evalPolicy } from "./policy.js";
import type { Entry } from "./state.js";
import type { Command, ConcretePolicy, Outcome, WaitSpec } from "./types.js";

type Dispatch = Command & { type: "dispatch" };

/** The policy of a call that executes nothing (a child, a signal, a timer). */
const NO_POLICY: ConcretePolicy = {
  maxAttempts: 1,
  exceptionTypes: null,
  backoff: { initialMs: 0, multiplier: 1, maxMs: 0 },
  timeoutMs: null,
};

function storableArgs(call: ActionCall | ChildCall, what: string, s: Scope): unknown[] {
  return evalItems(call.args, s).map((a, i) => {
    try {
      return decodeValue(encodeValue(a, `args[${i}]`));
    } catch (e) {
      if (!(e instanceof UnserializableValueError)) throw e;
      return throwError("TypeError", `argument ${i + 1} of ${what}: ${e.message}`, call.span);
    }
  });
}

function durationMs(v: unknown, what: string, span: Span): number {
  try {
    if (typeof v !== "number" && typeof v !== "string") throw new TypeError(`got ${typeof v}`);
    return Math.max(0, parseDuration(v));
  } catch (e) {
    return throwError("TypeError", `${what}: ${(e as Error).message}`, span);
  }
}

/** Evaluates one effect call: arguments (checked storable, copied) and policy, or what a
 *  non-action call waits for. `issue` assigns the call id once every call of the wait
 *  evaluated without error. */
function dispatch(m: Machine, call: EffectCall, s: Scope): Dispatch {
  m.span = call.span;
  const d = (action: string, args: unknown[], wait: WaitSpec): Dispatch => ({
    type: "dispatch",
    callId: -1,
    action,
    args,
    policy: NO_POLICY,
    wait,
  });
  switch (call.k) {
    case "call_child":
      return d(call.workflow, storableArgs(call, `child workflow \`${call.workflow}\``, s), {
        kind: "child",
      });
    case "call_signal": {
      const name = evalExpr(call.name, s);
      if (typeof name !== "string" || name.length === 0)
        throwError(
          "TypeError",
          `waitForSignal: the signal name must be a non-empty string, got ${JSON.stringify(name) ?? typeof name}`,
          call.span,
        );
      const timeoutMs = durationMs(evalExpr(call.timeout, s), "waitForSignal timeout", call.span);
      return d(name as string, [], { kind: "signal", timeoutMs });
    }
    case "call_sleep": {
      const timeoutMs = durationMs(evalExpr(call.duration, s), "sleep duration", call.span);
      return d("sleep", [], { kind: "sleep", timeoutMs });
    }
    case "call_action": {
      const args = storableArgs(call, `action \`${call.action}\``, s);
      const policy = evalPolicy(call, s);
      return { type: "dispatch", callId: -1, action: call.action, args, policy };
    }
  }
}

function issue(m: Machine, cmds: Dispatch[]): number[] {
  return cmds.map((c) => {
    c.callId = m.st.nextCallId++;
    m.commands.push(c);
    return c.callId;
  });
}

/** An action statement (in concurrent mode: the run of independent ones starting there). */
export function startActions(
  m: Machine,
  first: ActionStmt,
  seq: Entry & { t: "seq" },
  list: Stmt[],
  s: Scope,
): void {
  const run: ActionStmt[] = [first];
  if (m.program.concurrent) {
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
  const cmds: Dispatch[] = [];
  for (const stmt of run) {
    try {
      cmds.push(dispatch(m, stmt.call, s));
    } catch (e) {
      // The statement that failed to evaluate runs again (and raises) after the run.
      if (cmds.length === 0) throw e;
      break;
    }
  }
  seq.i += cmds.length - 1;
  const ids = issue(m, cmds);
  m.st.wait = {
    t: "actions",
    calls: ids.map((id, i) => ({ id, stmt: m.id(run[i] as ActionStmt) })),
    failed: null,
  };
}

export function startGather(m: Machine, stmt: GatherStmt, s: Scope): void {
  const cmds: Dispatch[] = [];
  for (const item of stmt.items) {
    if (item.k === "gcall") {
      cmds.push(dispatch(m, item.call, s));
      continue;
    }
    const src = evalExpr(item.source, s);
    if (!Array.isArray(src)) {
      // `Promise.all(xs.map(…))` calls the array method: a string or Set has none.
      const message =
        src === null || src === undefined
          ? `Cannot read properties of ${src} (reading 'map')`
          : notAFunction(item.source, "map");
      throwError("TypeError", message, item.span);
    }
    src.forEach((el, i) => {
      const child: Scope = { vars: {}, parent: s };
      const given = [el, i, src];
      item.params.forEach((p, j) => {
        bindPattern(p, given[j], child);
      });
      cmds.push(dispatch(m, item.call, child));
    });
  }
  if (cmds.length === 0) {
    if (stmt.target) bindPattern(stmt.target, [], s);
    return;
  }
  const ids = issue(m, cmds);
  m.st.wait = { t: "gather", stmt: m.id(stmt), mode: stmt.mode, calls: ids, failed: null };
}

export function startSleep(m: Machine, stmt: SleepStmt, s: Scope): void {
  const v = evalExpr(stmt.duration, s);
  let ms: number;
  try {
    if (typeof v !== "number" && typeof v !== "string") throw new TypeError(`got ${typeof v}`);
    ms = Math.max(0, parseDuration(v));
  } catch (e) {
    throwError("TypeError", `sleep duration: ${(e as Error).message}`, stmt.span);
  }
  const timerId = m.st.nextTimerId++;
  m.commands.push({ type: "sleep", timerId, durationMs: ms });
  m.st.wait = { t: "timer", timerId, fired: false };
}

/** Resumes the wait when its events are in: binds results or throws the failure. Returns
 *  false while the wait is still unsatisfied. */
export function resumeWait(m: Machine): boolean {
  const st = m.st;
  const w = st.wait;
  if (!w) return true;
  if (w.t === "timer") {
    if (!w.fired) return false;
    st.wait = null;
    return true;
  }
  const ids = w.t === "actions" ? w.calls.map((c) => c.id) : w.calls;
  const pending = ids.filter((id) => !st.outcomes.has(id));
  if (pending.length > 0) {
    if (w.failed === null) return false;
    if (w.t === "gather" && w.mode !== "all") return false;
    // An action run resumes at its failure once every statement before it has an outcome
    // (see advance.ts); until then the calls after the failure are abandoned.
    if (w.t === "actions") {
      const at = ids.indexOf(w.failed);
      if (ids.slice(0, at).some((id) => !st.outcomes.has(id))) {
        const after = ids.slice(at + 1).filter((id) => !st.outcomes.has(id));
        if (after.length > 0) m.commands.push({ type: "abandon", callIds: after });
        return false;
      }
    }
  }
  const outcomes = st.outcomes;
  st.wait = null;
  st.outcomes = new Map();
  if (pending.length > 0) m.commands.push({ type: "abandon", callIds: pending });
  const s = m.scope();
  if (w.t === "actions") {
    m.guard(() => {
      for (const c of w.calls) {
        const o = outcomes.get(c.id);
        if (!o?.ok) break;
        const stmt = m.node<ActionStmt>(c.stmt);
        m.span = stmt.span;
        if (stmt.target) bindPattern(stmt.target, o.value, s, AWAITED);
      }
      const failure = w.calls.map((c) => outcomes.get(c.id)).find((o) => o && !o.ok);
      if (failure && !failure.ok) throw new Thrown(failure.error);
    });
    return true;
  }
  const stmt = m.node<GatherStmt>(w.stmt);
  m.span = stmt.span;
  m.guard(() => {
    if (w.failed !== null && w.mode === "all") {
      const o = outcomes.get(w.failed) as Outcome & { ok: false };
      throw new Thrown(o.error);
    }
    const values = w.calls.map((id) => {
      const o = outcomes.get(id) as Outcome;
      if (w.mode === "all") return (o as { value: unknown }).value;
      return o.ok
        ? { status: "fulfilled", value: o.value }
        : { status: "rejected", reason: toCaughtError(o.error) };
    });
    if (stmt.target) bindPattern(stmt.target, values, s, AWAITED);
  });
  return true;
}
