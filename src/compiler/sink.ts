import type ts from "typescript";
import type { Span } from "../ir/types.js";
import { type Diagnostic, type DiagnosticCode, describe } from "./diagnostics.js";
import { spanOf } from "./source.js";

/** Collects every diagnostic of one compilation, so several problems are reported at once.
 *  The same (code, position) is reported once even when reached twice (e.g. an action
 *  definition referenced from several call sites). */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report(
    code: DiagnosticCode,
    node: ts.Node,
    sf: ts.SourceFile,
    args: Record<string, string> = {},
  ): void {
    this.add(code, spanOf(node, sf), args);
  }

  /** A diagnostic at a raw text range (parse errors have no node). */
  reportAt(
    code: DiagnosticCode,
    sf: ts.SourceFile,
    start: number,
    end: number,
    args: Record<string, string> = {},
  ): void {
    const a = sf.getLineAndCharacterOfPosition(start);
    const b = sf.getLineAndCharacterOfPosition(end);
    this.add(
      code,
      {
        file: sf.fileName,
        line: a.line + 1,
        column: a.character + 1,
        endLine: b.line + 1,
        endColumn: b.character + 1,
      },
      args,
    );
  }

  private add(code: DiagnosticCode, span: Span, args: Record<string, string>): void {
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
