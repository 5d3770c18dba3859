// Public surface of the IR package: node types, the built-in whitelist, and the tools that
// every other folder uses on a Program (validate, print, hash, graph).

export * from "./builtins.js";
export { canonicalJson, hashProgram, stripSpans } from "./hash.js";
export {
  ASSIGN_OPS,
  BINARY_OPS,
  EXPR_KINDS,
  LVALUE_KINDS,
  PATTERN_KINDS,
  STMT_KINDS,
  UNARY_OPS,
} from "./kinds.js";
export { type GraphEdge, type GraphNode, mermaid, mermaidLabel, programGraph } from "./mermaid.js";
export { printExpr, printFunction, printPattern, printProgram, statementHead } from "./print.js";
export * from "./types.js";
export { validate } from "./validate.js";
