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
   *  0 = test next, 1 = update next. for_of iterates the snapshot `items`. */
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

export function encodeState(state: InstanceState): string {
  return JSON.stringify(encodeGraph(asState(state)));
}

export function decodeState(text: string): InstanceState {
  return decodeGraph(JSON.parse(text) as Json) as InstanceState;
}
