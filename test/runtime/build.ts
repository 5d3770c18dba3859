// Tiny IR builders for runtime tests. Every node gets its own source line (a counter), so a
// test can assert the line an error names.
import type {
  ActionCall,
  ActionStmt,
  ArrayItem,
  AssignOp,
  Expr,
  FunctionDef,
  GatherItem,
  GatherStmt,
  LValue,
  Param,
  Pattern,
  Program,
  Span,
  Stmt,
} from "../../src/ir/types.js";

let line = 1;
export const span = (): Span => {
  const l = line++;
  return { file: "wf.ts", line: l, column: 3, endLine: l, endColumn: 9 };
};

type Pat = string | Pattern;
const pat = (p: Pat): Pattern => (typeof p === "string" ? pn(p) : p);

// expressions
export const lit = (value: string | number | boolean | null): Expr => ({
  k: "lit",
  value,
  span: span(),
});
export const und = (): Expr => ({ k: "undefined", span: span() });
export const n = (name: string): Expr => ({ k: "name", name, span: span() });
export const spread = (expr: Expr): ArrayItem => ({ k: "spread", expr, span: span() });
export const arr = (...items: ArrayItem[]): Expr => ({ k: "array", items, span: span() });
export const obj = (props: Record<string, Expr>, ...spreads: Expr[]): Expr => ({
  k: "object",
  props: [
    ...Object.entries(props).map(([key, value]) => ({
      k: "prop" as const,
      key,
      value,
      span: span(),
    })),
    ...spreads.map((e) => ({ k: "spread" as const, expr: e, span: span() })),
  ],
  span: span(),
});
export const mem = (object: Expr, property: string, optional = false): Expr => ({
  k: "member",
  object,
  property,
  optional,
  span: span(),
});
export const idx = (object: Expr, index: Expr, optional = false): Expr => ({
  k: "index",
  object,
  index,
  optional,
  span: span(),
});
export const un = (op: "!" | "-" | "+" | "~" | "typeof" | "void", arg: Expr): Expr => ({
  k: "unary",
  op,
  arg,
  span: span(),
});
export const bin = (op: string, left: Expr, right: Expr): Expr =>
  ({ k: "binary", op, left, right, span: span() }) as Expr;
export const log = (op: "&&" | "||" | "??", left: Expr, right: Expr): Expr => ({
  k: "logical",
  op,
  left,
  right,
  span: span(),
});
export const cond = (test: Expr, then: Expr, els: Expr): Expr => ({
  k: "cond",
  test,
  then,
  else: els,
  span: span(),
});
export const bi = (fn: string, ...args: ArrayItem[]): Expr => ({
  k: "builtin",
  fn,
  args,
  span: span(),
});
export const meth = (object: Expr, method: string, ...args: ArrayItem[]): Expr => ({
  k: "method",
  object,
  method,
  args,
  optional: false,
  span: span(),
});
export const methOpt = (object: Expr, method: string, ...args: ArrayItem[]): Expr => ({
  k: "method",
  object,
  method,
  args,
  optional: true,
  span: span(),
});
export const map = (source: Expr, params: Pat[], body: Expr): Expr => ({
  k: "map",
  source,
  params: params.map(pat),
  body,
  span: span(),
});
export const filter = (source: Expr, params: Pat[], body: Expr): Expr => ({
  k: "filter",
  source,
  params: params.map(pat),
  body,
  span: span(),
});
export const inst = (value: Expr, className: string): Expr => ({
  k: "instanceof",
  value,
  className,
  span: span(),
});

// patterns
export const pn = (name: string): Pattern => ({ k: "pname", name, span: span() });
export const pa = (elements: (Pat | [Pat, Expr] | null)[], rest?: Pat): Pattern => ({
  k: "parray",
  elements: elements.map((e) =>
    e === null
      ? null
      : Array.isArray(e)
        ? { k: "pelem" as const, target: pat(e[0]), default: e[1], span: span() }
        : { k: "pelem" as const, target: pat(e), span: span() },
  ),
  ...(rest ? { rest: pat(rest) } : {}),
  span: span(),
});
export const po = (props: [string, Pat, Expr?][], rest?: Pat): Pattern => ({
  k: "pobject",
  props: props.map(([key, t, d]) => ({
    k: "pprop" as const,
    key,
    target: pat(t),
    ...(d ? { default: d } : {}),
    span: span(),
  })),
  ...(rest ? { rest: pat(rest) } : {}),
  span: span(),
});

// statements
export const decl = (target: Pat, value?: Expr, kind: "const" | "let" = "const"): Stmt => ({
  k: "decl",
  kind,
  target: pat(target),
  ...(value ? { value } : {}),
  span: span(),
});
export const lname = (name: string): LValue => ({ k: "lname", name, span: span() });
export const lmem = (object: Expr, property: string): LValue => ({
  k: "lmember",
  object,
  property,
  span: span(),
});
export const lidx = (object: Expr, index: Expr): LValue => ({
  k: "lindex",
  object,
  index,
  span: span(),
});
export const lpat = (p: Pattern): LValue => ({ k: "lpattern", pattern: p, span: span() });
export const assign = (target: string | LValue, value: Expr, op: AssignOp = "="): Stmt => ({
  k: "assign",
  target: typeof target === "string" ? lname(target) : target,
  op,
  value,
  span: span(),
});
export const ex = (expr: Expr): Stmt => ({ k: "expr", expr, span: span() });

export interface CallOpts {
  retry?: { attempts?: Expr; exceptionTypes?: string[]; backoff?: Expr };
  timeout?: Expr;
}
export const acall = (action: string, args: ArrayItem[] = [], o: CallOpts = {}): ActionCall => ({
  k: "call_action",
  action,
  args,
  ...(o.retry ? { retry: { k: "retry" as const, ...o.retry, span: span() } } : {}),
  ...(o.timeout ? { timeout: o.timeout } : {}),
  span: span(),
});
export const act = (
  target: Pat | undefined,
  action: string,
  args: ArrayItem[] = [],
  o: CallOpts = {},
): ActionStmt => ({
  k: "action",
  ...(target !== undefined ? { target: pat(target), decl: "const" as const } : {}),
  call: acall(action, args, o),
  span: span(),
});
export const gcall = (action: string, args: ArrayItem[] = [], o: CallOpts = {}): GatherItem => ({
  k: "gcall",
  call: acall(action, args, o),
  span: span(),
});
export const gspread = (
  source: Expr,
  params: Pat[],
  action: string,
  args: ArrayItem[],
): GatherItem => ({
  k: "gspread",
  source,
  params: params.map(pat),
  call: acall(action, args),
  span: span(),
});
export const gather = (
  mode: "all" | "allSettled",
  target: Pat | undefined,
  items: GatherItem[],
): GatherStmt => ({
  k: "gather",
  mode,
  ...(target !== undefined ? { target: pat(target), decl: "const" as const } : {}),
  items,
  span: span(),
});
export const sleep = (duration: Expr): Stmt => ({ k: "sleep", duration, span: span() });
export const callFn = (target: Pat | undefined, fn: string, args: ArrayItem[] = []): Stmt => ({
  k: "call",
  ...(target !== undefined ? { target: pat(target), decl: "const" as const } : {}),
  fn,
  args,
  span: span(),
});
export const if_ = (test: Expr, then: Stmt[], els?: Stmt[]): Stmt => ({
  k: "if",
  test,
  then,
  ...(els ? { else: els } : {}),
  span: span(),
});
export const while_ = (test: Expr, body: Stmt[]): Stmt => ({
  k: "while",
  test,
  body,
  span: span(),
});
export const doWhile = (body: Stmt[], test: Expr): Stmt => ({
  k: "do_while",
  body,
  test,
  span: span(),
});
export const for_ = (init: Stmt[], test: Expr | undefined, update: Stmt[], body: Stmt[]): Stmt => ({
  k: "for",
  init,
  ...(test ? { test } : {}),
  update,
  body,
  span: span(),
});
export const forOf = (target: Pat, iterable: Expr, body: Stmt[]): Stmt => ({
  k: "for_of",
  decl: "const",
  target: pat(target),
  iterable,
  body,
  span: span(),
});
export const brk = (): Stmt => ({ k: "break", span: span() });
export const cont = (): Stmt => ({ k: "continue", span: span() });
export const ret = (value?: Expr): Stmt => ({
  k: "return",
  ...(value ? { value } : {}),
  span: span(),
});
export const try_ = (body: Stmt[], c?: { param?: Pat; body: Stmt[] }, fin?: Stmt[]): Stmt => ({
  k: "try",
  body,
  ...(c
    ? { catch: { ...(c.param ? { param: pat(c.param) } : {}), body: c.body, span: span() } }
    : {}),
  ...(fin ? { finally: fin } : {}),
  span: span(),
});
export const rethrow = (name: string): Stmt => ({ k: "rethrow", name, span: span() });
export const switch_ = (discriminant: Expr, cases: [Expr | null, Stmt[]][]): Stmt => ({
  k: "switch",
  discriminant,
  cases: cases.map(([test, body]) => ({ ...(test ? { test } : {}), body, span: span() })),
  span: span(),
});
export const block = (body: Stmt[]): Stmt => ({ k: "block", body, span: span() });

// functions and programs
export const param = (target: Pat, o: { default?: Expr; rest?: boolean } = {}): Param => ({
  k: "param",
  target: pat(target),
  ...(o.default ? { default: o.default } : {}),
  rest: o.rest ?? false,
  span: span(),
});
export const fn = (name: string, params: (Pat | Param)[], body: Stmt[]): FunctionDef => ({
  k: "function",
  name,
  params: params.map((p) => (typeof p === "object" && p.k === "param" ? p : param(p as Pat))),
  body,
  span: span(),
});
export const program = (
  run: Stmt[] | FunctionDef[],
  o: { concurrent?: boolean; params?: (Pat | Param)[] } = {},
): Program => {
  const functions =
    run.length > 0 && (run[0] as { k: string }).k === "function"
      ? (run as FunctionDef[])
      : [fn("run", o.params ?? [], run as Stmt[])];
  return {
    k: "program",
    format: 1,
    workflow: "testflow",
    className: "TestFlow",
    concurrent: o.concurrent ?? false,
    entry: "run",
    functions,
    span: span(),
  };
};
