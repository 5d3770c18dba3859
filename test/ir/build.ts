// Terse constructors for hand-built IR in tests. Every node gets a distinct span (line = a
// running counter) so tests can tell that spans do not leak into printed text or hashes.

import type {
  ActionCall,
  ArrayItem,
  Expr,
  FunctionDef,
  Pattern,
  Program,
  RetrySpec,
  Span,
  Stmt,
} from "../../src/ir/index.js";

let line = 0;
export function sp(file = "flows.ts"): Span {
  line += 1;
  return { file, line, column: 1, endLine: line, endColumn: 10 };
}

export const name = (n: string): Expr => ({ k: "name", name: n, span: sp() });
export const lit = (value: string | number | boolean | null): Expr => ({
  k: "lit",
  value,
  span: sp(),
});
export const pname = (n: string): Pattern => ({ k: "pname", name: n, span: sp() });
export const bin = (
  op: "+" | "-" | "*" | "**" | ">=" | "<" | "===",
  left: Expr,
  right: Expr,
): Expr => ({
  k: "binary",
  op,
  left,
  right,
  span: sp(),
});
export const member = (object: Expr, property: string, optional = false): Expr => ({
  k: "member",
  object,
  property,
  optional,
  span: sp(),
});

export const call = (
  action: string,
  args: ArrayItem[],
  extra: Partial<ActionCall> = {},
): ActionCall => ({
  k: "call_action",
  action,
  args,
  span: sp(),
  ...extra,
});
export const retry = (attempts?: number, exceptionTypes?: string[]): RetrySpec => ({
  k: "retry",
  ...(attempts === undefined ? {} : { attempts: lit(attempts) }),
  ...(exceptionTypes ? { exceptionTypes } : {}),
  span: sp(),
});

export const act = (target: string | undefined, c: ActionCall): Stmt => ({
  k: "action",
  ...(target ? { target: pname(target), decl: "const" as const } : {}),
  call: c,
  span: sp(),
});
export const decl = (n: string, value: Expr, kind: "const" | "let" = "const"): Stmt => ({
  k: "decl",
  kind,
  target: pname(n),
  value,
  span: sp(),
});
export const assign = (n: string, value: Expr): Stmt => ({
  k: "assign",
  target: { k: "lname", name: n, span: sp() },
  op: "=",
  value,
  span: sp(),
});
export const ret = (value?: Expr): Stmt => ({
  k: "return",
  ...(value ? { value } : {}),
  span: sp(),
});

export function fn(n: string, params: string[], body: Stmt[]): FunctionDef {
  return {
    k: "function",
    name: n,
    params: params.map((p) => ({ k: "param", target: pname(p), rest: false, span: sp() })),
    body,
    span: sp(),
  };
}

export function program(functions: FunctionDef[], concurrent = false): Program {
  return {
    k: "program",
    format: 1,
    workflow: "demo",
    className: "Demo",
    concurrent,
    entry: "run",
    functions,
    span: sp(),
  };
}

/** The seed's SequentialChainWorkflow, as the compiler is expected to emit it. */
export function sequentialChain(): Program {
  return program([
    fn(
      "run",
      ["text"],
      [
        act("step1", call("stepUppercase", [name("text")])),
        act("step2", call("stepReverse", [name("step1")])),
        act("step3", call("stepAddStars", [name("step2")])),
        act(
          "#t0",
          call("buildChainResult", [name("text"), name("step1"), name("step2"), name("step3")]),
        ),
        ret(name("#t0")),
      ],
    ),
  ]);
}

/** Shifts every span by `lines` (moving code) and renames the file. */
export function moved<T>(v: T, lines: number): T {
  return JSON.parse(JSON.stringify(v), (key, value) =>
    key === "span"
      ? { ...value, file: "moved.ts", line: value.line + lines, endLine: value.endLine + lines }
      : value,
  ) as T;
}
