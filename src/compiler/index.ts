export type { CompileOptions, CompileResult } from "./compile.js";
export { compileFile, compileWorkflowClass } from "./compile.js";
export {
  DIAGNOSTICS,
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
} from "./diagnostics.js";
export { UnsupportedPatternError } from "./errors.js";
export { clearParseCache } from "./source.js";
