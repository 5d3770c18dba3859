// An in-test driver: runs a program to its end, executing dispatched actions with local
// functions (synchronously, outcomes fed back as events). With `persist`, the state goes
// through encodeState/decodeState — and a JSON round trip of the program — between every
// advance call, as the runner does.
import { test } from "node:test";
import type { Expr, Program, Stmt } from "../../src/ir/types.js";
import {
  advance,
  type Command,
  decodeState,
  type Event,
  encodeState,
  type InstanceState,
  type Outcome,
  startState,
} from "../../src/runtime/index.js";
import { decodeValue, encodeValue, errorToValue } from "../../src/values/index.js";
import { program, ret } from "./build.js";

export type ActionFn = (...args: any[]) => unknown;

export interface DriveResult {
  outcome: Outcome;
  dispatched: { callId: number; action: string; args: unknown[] }[];
  commands: Command[];
  advances: number;
  steps: number;
}

export function drive(
  prog: Program,
  args: unknown[],
  actions: Record<string, ActionFn>,
  o: { persist?: boolean; stepBudget?: number; reverse?: boolean } = {},
): DriveResult {
  const program = o.persist ? (JSON.parse(JSON.stringify(prog)) as Program) : prog;
  let state: InstanceState = startState(program, args);
  let events: Event[] = [];
  const out: DriveResult = {
    outcome: { ok: false, error: { name: "x", message: "never ran", classChain: [] } },
    dispatched: [],
    commands: [],
    advances: 0,
    steps: 0,
  };
  for (let guard = 0; guard < 10_000; guard++) {
    if (o.persist) state = decodeState(encodeState(state));
    const r = advance(program, state, events, o.stepBudget ? { stepBudget: o.stepBudget } : {});
    out.advances++;
    out.steps += r.steps;
    out.commands.push(...r.commands);
    state = r.state;
    events = [];
    if (r.blocked.type === "done") {
      out.outcome = r.blocked.outcome;
      return out;
    }
    for (const c of r.commands) {
      if (c.type === "dispatch") {
        out.dispatched.push({ callId: c.callId, action: c.action, args: c.args });
        const f = actions[c.action];
        let outcome: Outcome;
        try {
          if (!f) throw new Error(`no action ${c.action}`);
          const v = f(...(decodeValue(encodeValue(c.args)) as unknown[]));
          outcome = { ok: true, value: decodeValue(encodeValue(v)) };
        } catch (e) {
          outcome = { ok: false, error: errorToValue(e) };
        }
        events.push({ type: "action", callId: c.callId, outcome });
      } else if (c.type === "sleep") {
        events.push({ type: "timer", timerId: c.timerId });
      }
    }
    if (o.reverse) events.reverse();
  }
  throw new Error("driver: no end after 10000 advances");
}

/** Registers a scenario twice: as is, and with a persist round trip between advances. */
export function both(name: string, fn: (persist: boolean) => void | Promise<void>): void {
  test(name, () => fn(false));
  test(`${name} [persisted]`, () => fn(true));
}

/** Runs a body; returns the workflow's value, or throws with the failure. */
export function value(
  body: Stmt[],
  persist: boolean,
  actions: Record<string, ActionFn> = {},
): unknown {
  const r = drive(program(body), [], actions, { persist });
  if (!r.outcome.ok)
    throw new Error(`workflow failed: ${r.outcome.error.name}: ${r.outcome.error.message}`);
  return r.outcome.value;
}

/** The failure of a body (asserting it failed). */
export function failure(body: Stmt[], persist = false, actions: Record<string, ActionFn> = {}) {
  const r = drive(program(body), [], actions, { persist });
  if (r.outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.outcome.value)}`);
  return r.outcome.error;
}

export const evalE = (e: Expr, pre: Stmt[] = [], persist = false): unknown =>
  value([...pre, ret(e)], persist);
