// The Waymark IR: what a workflow's `run()` (and the helper methods it calls) compile to.
//
// Invariants (checked by `validate`):
// - The IR is plain JSON: no `undefined` fields are relied upon (absent = not given), no
//   functions, no cycles. It is stored in Postgres as is and is immutable per (name, version).
// - Every node carries its source `span`. Spans never take part in the version hash.
// - Within one function, every variable name is declared exactly once (`decl`, a parameter, a
//   `for_of` binding or a `catch` parameter); the compiler renames shadowing declarations to
//   `name#N`, so the runtime keeps one flat environment per call frame.
// - Names starting with `#` are compiler temporaries (hoisted awaits); they cannot collide with
//   user identifiers.
// - Effects (action calls, gathers, sleeps, helper calls) only occur as statements. The compiler
//   hoists an `await` inside an expression into a preceding statement bound to a temporary,
//   preserving evaluation order and short-circuiting (by lowering into `if`).
// - Expressions are pure: evaluating one never dispatches work, sleeps or reads a clock.

export const IR_FORMAT = 1;

export interface Span {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  endLine: number;
  endColumn: number;
}

// ---------------------------------------------------------------------------------------------
// Program and functions

export interface Program {
  k: "program";
  format: typeof IR_FORMAT;
  /** Registry key of the workflow (`shortName()`). */
  workflow: string;
  /** The TypeScript class name, for messages. */
  className: string;
  /** DAG-parallel execution of independent action statements (see docs/ir.md). */
  concurrent: boolean;
  /** Name of the entry function; always "run". */
  entry: string;
  /** `run` first, then helper methods in first-call order. Names are unique. */
  functions: FunctionDef[];
  span: Span;
}

export interface FunctionDef {
  k: "function";
  name: string;
  params: Param[];
  body: Stmt[];
  span: Span;
}

export interface Param {
  k: "param";
  target: Pattern;
  /** Evaluated when the argument is `undefined`. */
  default?: Expr;
  /** `...rest` parameter: receives the remaining arguments as an array. */
  rest: boolean;
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Binding patterns (declarations, parameters, for-of bindings, catch parameters)

export type Pattern = NamePattern | ArrayPattern | ObjectPattern;

export interface NamePattern {
  k: "pname";
  name: string;
  span: Span;
}

export interface ArrayPattern {
  k: "parray";
  /** `null` is a hole (`const [, b] = xs`). */
  elements: (PatternElement | null)[];
  rest?: Pattern;
  span: Span;
}

export interface ObjectPattern {
  k: "pobject";
  props: ObjectPatternProp[];
  /** `...rest`: the remaining own enumerable properties. */
  rest?: Pattern;
  span: Span;
}

export interface PatternElement {
  k: "pelem";
  target: Pattern;
  default?: Expr;
  span: Span;
}

export interface ObjectPatternProp {
  k: "pprop";
  key: string;
  target: Pattern;
  default?: Expr;
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Statements

export type Stmt =
  | DeclStmt
  | AssignStmt
  | ExprStmt
  | ActionStmt
  | GatherStmt
  | SleepStmt
  | CallStmt
  | IfStmt
  | WhileStmt
  | DoWhileStmt
  | ForStmt
  | ForOfStmt
  | BreakStmt
  | ContinueStmt
  | ReturnStmt
  | TryStmt
  | RethrowStmt
  | SwitchStmt
  | BlockStmt;

/** `const x = v;` / `let x;` / `const { a, b } = v;` */
export interface DeclStmt {
  k: "decl";
  kind: "const" | "let";
  target: Pattern;
  /** Absent for `let x;` (the variable holds `undefined`). */
  value?: Expr;
  span: Span;
}

export type AssignOp =
  | "="
  | "+="
  | "-="
  | "*="
  | "/="
  | "%="
  | "**="
  | "<<="
  | ">>="
  | ">>>="
  | "&="
  | "|="
  | "^="
  | "&&="
  | "||="
  | "??=";

/** Assignment to a local (`x = v`), a property (`o.p = v`) or an element (`o[k] = v`).
 *  `x++` / `x--` lower to `+=` / `-=` with the literal 1. Destructuring assignment uses
 *  `target` of kind `pattern`. The root of a member/index target is always a local name. */
export interface AssignStmt {
  k: "assign";
  target: LValue;
  op: AssignOp;
  value: Expr;
  span: Span;
}

export type LValue =
  | { k: "lname"; name: string; span: Span }
  | { k: "lmember"; object: Expr; property: string; span: Span }
  | { k: "lindex"; object: Expr; index: Expr; span: Span }
  | { k: "lpattern"; pattern: Pattern; span: Span };

/** An expression evaluated for its effect on local values, e.g. `out.push(x)`. */
export interface ExprStmt {
  k: "expr";
  expr: Expr;
  span: Span;
}

export interface RetrySpec {
  k: "retry";
  /** Total executions; absent means 100 (a policy was given without `attempts`). */
  attempts?: Expr;
  /** Error class names matched along the error's class chain; absent = any error except
   *  `ActionTimeout`. */
  exceptionTypes?: string[];
  /** A delay (ms number or duration string) or `{ initial, multiplier, max }`. */
  backoff?: Expr;
  span: Span;
}

/** One action invocation. Without `retry`, the action runs exactly once. Without `timeout`,
 *  it has no deadline. The action's own defaults (from `action(fn, { retry, timeout })`) are
 *  merged in by the compiler, call-site options winning. */
export interface ActionCall {
  k: "call_action";
  /** Registered action name. */
  action: string;
  args: ArrayItem[];
  retry?: RetrySpec;
  /** Milliseconds (number) or a duration string. */
  timeout?: Expr;
  /** `action(fn, { onLost: "fail" })`: an attempt lost with its worker (or runner) fails the
   *  call instead of being re-run. Absent: a lost attempt is re-run, within the engine's
   *  lost-attempt budget. */
  onLost?: "fail";
  span: Span;
}

/** `await new Child().run(args…)`: a child workflow instance (its own row, id, lease and
 *  result), started once per call id; its result, or its error with its class chain, is the
 *  call's outcome. */
export interface ChildCall {
  k: "call_child";
  /** Registered workflow name of the child. */
  workflow: string;
  args: ArrayItem[];
  span: Span;
}

/** `await waitForSignal(name, { timeout })`: the next signal of that name sent to the
 *  instance (kept if it came first), or `null` once the timeout passes. */
export interface SignalCall {
  k: "call_signal";
  name: Expr;
  /** Milliseconds or a duration string; required. */
  timeout: Expr;
  span: Span;
}

/** `sleep(d)` as an item of Promise.all/allSettled: resolves to `undefined` at its deadline. */
export interface SleepCall {
  k: "call_sleep";
  duration: Expr;
  span: Span;
}

/** Anything a workflow waits for by call id: an action, a child workflow, a signal, or a
 *  sleep inside a gather. */
export type EffectCall = ActionCall | ChildCall | SignalCall | SleepCall;

/** `const r = await act(x)` / `await act(x)`: dispatch one action (or another effect call) and
 *  wait for its outcome. A failure throws the recorded error into the workflow. */
export interface ActionStmt {
  k: "action";
  target?: Pattern;
  /** Declaration kind when `target` is declared here; absent when it assigns existing names. */
  decl?: "const" | "let";
  call: EffectCall;
  span: Span;
}

export type GatherItem =
  | { k: "gcall"; call: EffectCall; span: Span }
  /** `...xs.map((x, i) => act(x))`: one call per element of `source`. */
  | { k: "gspread"; source: Expr; params: Pattern[]; call: EffectCall; span: Span };

/** `await Promise.all([...])` (mode "all": fail fast, the first failure in completion order
 *  throws, the rest are abandoned) or `await Promise.allSettled([...])` (every outcome becomes
 *  `{ status: "fulfilled", value }` or `{ status: "rejected", reason }`). The result is an
 *  array in item order; an empty gather dispatches nothing and yields `[]`. */
export interface GatherStmt {
  k: "gather";
  mode: "all" | "allSettled";
  target?: Pattern;
  decl?: "const" | "let";
  items: GatherItem[];
  span: Span;
}

/** Durable sleep: `await sleep(ms)` / `await setTimeout(ms)`. Milliseconds or a duration
 *  string. The instance is parked until the database clock passes the deadline. */
export interface SleepStmt {
  k: "sleep";
  duration: Expr;
  span: Span;
}

/** Call of a helper method (`this.helper(...)`, awaited or not). */
export interface CallStmt {
  k: "call";
  target?: Pattern;
  decl?: "const" | "let";
  fn: string;
  args: ArrayItem[];
  span: Span;
}

export interface IfStmt {
  k: "if";
  test: Expr;
  then: Stmt[];
  else?: Stmt[];
  span: Span;
}

export interface WhileStmt {
  k: "while";
  test: Expr;
  body: Stmt[];
  span: Span;
}

export interface DoWhileStmt {
  k: "do_while";
  body: Stmt[];
  test: Expr;
  span: Span;
}

/** `for (init; test; update) body`; `continue` runs `update`. */
export interface ForStmt {
  k: "for";
  init: Stmt[];
  test?: Expr;
  update: Stmt[];
  body: Stmt[];
  span: Span;
}

/** `for (const x of iterable)`: iterates a snapshot of the iterable taken when the loop
 *  starts (arrays, strings, Map entries, Set values). */
export interface ForOfStmt {
  k: "for_of";
  decl: "const" | "let";
  target: Pattern;
  iterable: Expr;
  body: Stmt[];
  span: Span;
}

export interface BreakStmt {
  k: "break";
  span: Span;
}

export interface ContinueStmt {
  k: "continue";
  span: Span;
}

export interface ReturnStmt {
  k: "return";
  value?: Expr;
  span: Span;
}

/** `finally` runs on every path out of the `try` (normal, break, continue, return, throw);
 *  a completion from inside `finally` replaces the pending one, as in JavaScript. */
export interface TryStmt {
  k: "try";
  body: Stmt[];
  catch?: { param?: Pattern; body: Stmt[]; span: Span };
  finally?: Stmt[];
  span: Span;
}

/** `throw err` where `err` is the binding of an enclosing `catch`. */
export interface RethrowStmt {
  k: "rethrow";
  name: string;
  span: Span;
}

/** `switch` with JavaScript semantics: strict equality, fall-through, `default` anywhere,
 *  `break` leaves the switch. */
export interface SwitchStmt {
  k: "switch";
  discriminant: Expr;
  cases: { test?: Expr; body: Stmt[]; span: Span }[];
  span: Span;
}

export interface BlockStmt {
  k: "block";
  body: Stmt[];
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions (pure)

export type Expr =
  | LitExpr
  | UndefinedExpr
  | NameExpr
  | ArrayExpr
  | ObjectExpr
  | MemberExpr
  | IndexExpr
  | UnaryExpr
  | BinaryExpr
  | LogicalExpr
  | CondExpr
  | BuiltinExpr
  | MethodExpr
  | MapExpr
  | FilterExpr
  | InstanceofExpr;

export interface LitExpr {
  k: "lit";
  /** JSON literal. Big integers are `{ k: "builtin", fn: "BigInt", args: [string lit] }`. */
  value: string | number | boolean | null;
  span: Span;
}

export interface UndefinedExpr {
  k: "undefined";
  span: Span;
}

export interface NameExpr {
  k: "name";
  name: string;
  span: Span;
}

export type ArrayItem = Expr | SpreadItem;

export interface SpreadItem {
  k: "spread";
  expr: Expr;
  span: Span;
}

export interface ArrayExpr {
  k: "array";
  items: ArrayItem[];
  span: Span;
}

export type ObjectProp =
  | { k: "prop"; key: string; value: Expr; span: Span }
  | { k: "computed"; key: Expr; value: Expr; span: Span }
  | SpreadItem;

export interface ObjectExpr {
  k: "object";
  props: ObjectProp[];
  span: Span;
}

/** `o.p` / `o?.p`. `.length` is an ordinary member read. */
export interface MemberExpr {
  k: "member";
  object: Expr;
  property: string;
  optional: boolean;
  span: Span;
}

/** `o[i]` / `o?.[i]`. */
export interface IndexExpr {
  k: "index";
  object: Expr;
  index: Expr;
  optional: boolean;
  span: Span;
}

export type UnaryOp = "!" | "-" | "+" | "~" | "typeof" | "void";

export interface UnaryExpr {
  k: "unary";
  op: UnaryOp;
  arg: Expr;
  span: Span;
}

export type BinaryOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**"
  | "==="
  | "!=="
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "<<"
  | ">>"
  | ">>>"
  | "&"
  | "|"
  | "^"
  | "in";

export interface BinaryExpr {
  k: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
  span: Span;
}

export interface LogicalExpr {
  k: "logical";
  op: "&&" | "||" | "??";
  left: Expr;
  right: Expr;
  span: Span;
}

export interface CondExpr {
  k: "cond";
  test: Expr;
  then: Expr;
  else: Expr;
  span: Span;
}

/** Whitelisted pure built-in functions, named by their global path. The list is
 *  `BUILTIN_FUNCTIONS` in ./builtins.ts; the runtime implements exactly that list. */
export interface BuiltinExpr {
  k: "builtin";
  fn: string;
  args: ArrayItem[];
  span: Span;
}

/** A method call on a value: a whitelisted non-mutating string/array/Map/Set method, or one
 *  of the local-mutation methods (`push`, `pop`, `shift`, `unshift`, Map/Set `set`/`add`/
 *  `delete`/`clear`) whose receiver's root is a local variable. List: `BUILTIN_METHODS`. */
export interface MethodExpr {
  k: "method";
  object: Expr;
  method: string;
  args: ArrayItem[];
  optional: boolean;
  span: Span;
}

/** `source.map((p0, p1) => body)`: `params` bind (element, index). */
export interface MapExpr {
  k: "map";
  source: Expr;
  params: Pattern[];
  body: Expr;
  span: Span;
}

/** `source.filter((p0, p1) => body)`. */
export interface FilterExpr {
  k: "filter";
  source: Expr;
  params: Pattern[];
  body: Expr;
  span: Span;
}

/** `value instanceof C`: true when `value` is an error value whose recorded class chain
 *  contains `className` (or, for built-in classes, a value of that kind: Date, Map, Set,
 *  Array, Object, Error and its standard subclasses). */
export interface InstanceofExpr {
  k: "instanceof";
  value: Expr;
  className: string;
  span: Span;
}

export type Node =
  | Program
  | FunctionDef
  | Param
  | Pattern
  | PatternElement
  | ObjectPatternProp
  | Stmt
  | Expr
  | SpreadItem
  | ObjectProp
  | LValue
  | GatherItem
  | EffectCall
  | RetrySpec;
