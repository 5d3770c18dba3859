// Stable numbering of a program's nodes, so continuation-stack entries can reference IR
// nodes by number and survive persistence.
//
// Invariant: the numbering depends only on the program's content without spans — keys are
// visited in sorted order, `span` and undefined fields are skipped — so a program compiled in
// memory and the same program loaded back from JSON (Postgres jsonb reorders keys) agree.
// Every object and every array met in that walk (statement lists included) gets a number; the
// walk is a tree walk (the IR has no cycles), so shared subtrees do not shift the numbering.
import type { Program } from "../ir/types.js";
import { InterpreterError } from "./errors.js";

export interface NodeIndex {
  nodes: unknown[];
  ids: Map<object, number>;
  fnByName: Map<string, number>;
}

const cache = new WeakMap<Program, NodeIndex>();

export function nodeIndex(program: Program): NodeIndex {
  let idx = cache.get(program);
  if (idx) return idx;
  const nodes: unknown[] = [];
  const ids = new Map<object, number>();
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== "object") return;
    // A subtree shared by identity (in memory) is numbered at each occurrence, as its JSON
    // copy would be; any of its numbers resolves to equal content.
    if (!ids.has(x)) ids.set(x, nodes.length);
    nodes.push(x);
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const rec = x as Record<string, unknown>;
    for (const k of Object.keys(rec).sort()) {
      if (k === "span") continue;
      visit(rec[k]);
    }
  };
  visit(program);
  const fnByName = new Map<string, number>();
  for (const f of program.functions) fnByName.set(f.name, ids.get(f) as number);
  idx = { nodes, ids, fnByName };
  cache.set(program, idx);
  return idx;
}

export function idOf(program: Program, node: object): number {
  const id = nodeIndex(program).ids.get(node);
  if (id === undefined) throw new InterpreterError("node does not belong to the program");
  return id;
}

export function nodeAt<T>(program: Program, id: number): T {
  const n = nodeIndex(program).nodes[id];
  if (n === undefined)
    throw new InterpreterError(`no IR node #${id} in program ${program.workflow}`);
  return n as T;
}
