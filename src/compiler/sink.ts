import type ts from "typescript";
import { type Diagnostic, type DiagnosticCode, describe } from "./diagnostics.js";
import { spanOf } from "./source.js";

/** Collects every diagnostic of one compilation, so several problems are reported at once.
 *  The same (code, position) is reported once even when reached twice (e.g. an action
 *  definition referenced from several call sites). */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report(code: DiagnosticCode, node: ts.Node, sf: ts.SourceFile, args: Record<string, string> = {}): void {
    const span = spanOf(node, sf);
    const key = `${code}\0${span.file}\0${span.line}\0${span.column}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ code, ...span, ...describe(code, args) });
  }

  sorted(): Diagnostic[] {
    return [...this.list].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    );
  }
}
