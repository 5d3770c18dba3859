// The interpreter's persisted state: an explicit continuation stack.
//
// Invariants:
// - Only plain data: numbers referencing IR nodes by their stable index (nodeIndex.ts), the
//   workflow's own values (which may alias each other), and no references into the IR.
// - A call frame's `env` is the flat environment of one function call (names are unique per
//   function). `k` is the frame's control stack; the entry on top is the one to step.
// - At most one wait at a time: the instance is a single thread of control; concurrency lives
//   inside one wait (a gather or a concurrent run of action statements).
import { decodeGraph, encodeGraph, type Json } from "../values/index.js";
import type { InstanceState, Outcome } from "./types.js";

export type Completion =
  | { t: "break" }
  | { t: "continue" }
  | { t: "return"; v: unknown }
  | { t: "throw"; v: unknown };

export type Entry =
  /** Executes statement `i` of statement list `list` next. */
  | { t: "seq"; list: number; i: number }
  /** A loop on top decides the next iteration. `phase`: do_while 0 = first pass; for
   *  0 = test next, 1 = update next. for_of iterates `items`: the array itself (live, as in
   *  JavaScript), else a snapshot of the string, Map entries or Set values. */
  | { t: "loop"; node: number; phase: number; items?: unknown[]; i?: number }
  /** Runs case bodies from `ci` on (fall-through). */
  | { t: "switch"; node: number; ci: number }
  /** `pending`: the completion to resume after `finally`, null for a normal one. */
  | { t: "try"; node: number; phase: "body" | "catch" | "finally"; pending: Completion | null };

export interface Frame {
  fn: number;
  env: Record<string, unknown>;
  k: Entry[];
  /** The caller's `call` statement (binds the return value), null for the entry function. */
  call: number | null;
}

export type Wait =
  /** One action statement, or a concurrent run of them: `calls` in statement order. */
  | { t: "actions"; calls: { id: number; stmt: number }[]; failed: number | null }
  | {
      t: "gather";
      stmt: number;
      mode: "all" | "allSettled";
      calls: number[];
      failed: number | null;
    }
  | { t: "timer"; timerId: number; fired: boolean };

export interface State {
  v: 1;
  /** Interpreter steps over the instance's whole life. */
  steps: number;
  nextCallId: number;
  nextTimerId: number;
  /** Arguments of `run`, until the first advance enters it. */
  start: unknown[] | null;
  frames: Frame[];
  wait: Wait | null;
  /** Outcomes received for calls of the current wait. */
  outcomes: Map<number, Outcome>;
  done: Outcome | null;
}

export function asState(s: InstanceState): State {
  const st = s as unknown as State;
  if (st?.v !== 1) throw new TypeError("advance: not an InstanceState from startState/decodeState");
  return st;
}

// Stored form: the fields below are left out while they hold their empty value (null, or no
// outcomes), so a typical step writes ~90 bytes less; decodeState restores them. A state
// written with every field decodes the same.
export function encodeState(state: InstanceState): string {
  const st = asState(state);
  const stored: Record<string, unknown> = {
    v: st.v,
    steps: st.steps,
    nextCallId: st.nextCallId,
    nextTimerId: st.nextTimerId,
  };
  if (st.start !== null) stored.start = st.start;
  stored.frames = st.frames.map((f) => (f.call === null ? { fn: f.fn, env: f.env, k: f.k } : f));
  if (st.wait !== null) {
    if (st.wait.t !== "timer" && st.wait.failed === null) {
      const { failed: _, ...rest } = st.wait;
      stored.wait = rest;
    } else stored.wait = st.wait;
  }
  if (st.outcomes.size > 0) stored.outcomes = st.outcomes;
  if (st.done !== null) stored.done = st.done;
  return JSON.stringify(encodeGraph(stored));
}

export function decodeState(text: string): InstanceState {
  const st = decodeGraph(JSON.parse(text) as Json) as Partial<State> & { v: 1 };
  const wait = st.wait ?? null;
  if (wait && wait.t !== "timer" && wait.failed === undefined) wait.failed = null;
  return {
    ...st,
    start: st.start ?? null,
    frames: (st.frames ?? []).map((f) => ({ ...f, call: f.call ?? null })),
    wait,
    outcomes: st.outcomes ?? new Map(),
    done: st.done ?? null,
  } as unknown as InstanceState;
}
