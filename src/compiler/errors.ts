import type { Diagnostic } from "./diagnostics.js";

/** Thrown at registration when a workflow uses constructs the compiler refuses. Carries every
 *  diagnostic found in the workflow (not only the first); the top-level fields describe the
 *  first one. */
export class UnsupportedPatternError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pattern: string;
  readonly fix: string;
  readonly code: string;

  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    if (!first) throw new Error("UnsupportedPatternError needs at least one diagnostic");
    super(first.message);
    this.name = "UnsupportedPatternError";
    this.diagnostics = diagnostics;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.pattern = first.pattern;
    this.fix = first.fix;
    this.code = first.code;
    // The stack is the diagnostics list: that is what a user needs to read.
    this.stack = this.toString();
  }

  override toString(): string {
    return this.diagnostics
      .map((d) => `${d.file}:${d.line}:${d.column} - ${d.message}. Fix: ${d.fix}`)
      .join("\n");
  }

  /** Cross-realm check (two copies of the package loaded side by side). */
  static is(e: unknown): e is UnsupportedPatternError {
    return (
      typeof e === "object" &&
      e !== null &&
      (e as { name?: unknown }).name === "UnsupportedPatternError" &&
      Array.isArray((e as { diagnostics?: unknown }).diagnostics)
    );
  }
}
