// The node kinds and operators of types.ts as runtime lists, for the validator and for tools
// that must reject unknown nodes. `satisfies` keeps each list in step with the union it mirrors.

import type { AssignOp, BinaryOp, Expr, LValue, Pattern, Stmt, UnaryOp } from "./types.js";

type Exhaustive<U extends string, L extends readonly string[]> = [U] extends [L[number]]
  ? L
  : never;

const stmtKinds = [
  "decl",
  "assign",
  "expr",
  "action",
  "gather",
  "sleep",
  "call",
  "if",
  "while",
  "do_while",
  "for",
  "for_of",
  "break",
  "continue",
  "return",
  "try",
  "rethrow",
  "switch",
  "block",
] as const satisfies readonly Stmt["k"][];
export const STMT_KINDS: readonly string[] = stmtKinds satisfies Exhaustive<
  Stmt["k"],
  typeof stmtKinds
>;

const exprKinds = [
  "lit",
  "undefined",
  "name",
  "array",
  "object",
  "member",
  "index",
  "unary",
  "binary",
  "logical",
  "cond",
  "builtin",
  "method",
  "map",
  "filter",
  "instanceof",
] as const satisfies readonly Expr["k"][];
export const EXPR_KINDS: readonly string[] = exprKinds satisfies Exhaustive<
  Expr["k"],
  typeof exprKinds
>;

const patternKinds = ["pname", "parray", "pobject"] as const satisfies readonly Pattern["k"][];
export const PATTERN_KINDS: readonly string[] = patternKinds satisfies Exhaustive<
  Pattern["k"],
  typeof patternKinds
>;

const lvalueKinds = [
  "lname",
  "lmember",
  "lindex",
  "lpattern",
] as const satisfies readonly LValue["k"][];
export const LVALUE_KINDS: readonly string[] = lvalueKinds satisfies Exhaustive<
  LValue["k"],
  typeof lvalueKinds
>;

const assignOps = [
  "=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "**=",
  "<<=",
  ">>=",
  ">>>=",
  "&=",
  "|=",
  "^=",
  "&&=",
  "||=",
  "??=",
] as const satisfies readonly AssignOp[];
export const ASSIGN_OPS: readonly string[] = assignOps satisfies Exhaustive<
  AssignOp,
  typeof assignOps
>;

const binaryOps = [
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
  "===",
  "!==",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "<<",
  ">>",
  ">>>",
  "&",
  "|",
  "^",
  "in",
] as const satisfies readonly BinaryOp[];
export const BINARY_OPS: readonly string[] = binaryOps satisfies Exhaustive<
  BinaryOp,
  typeof binaryOps
>;

const unaryOps = ["!", "-", "+", "~", "typeof", "void"] as const satisfies readonly UnaryOp[];
export const UNARY_OPS: readonly string[] = unaryOps satisfies Exhaustive<UnaryOp, typeof unaryOps>;
