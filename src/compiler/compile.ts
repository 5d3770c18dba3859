import { resolve } from "node:path";
import ts from "typescript";
import { type FunctionDef, IR_FORMAT, type Program } from "../ir/types.js";
import type { CompileCtx } from "./context.js";
import type { Diagnostic } from "./diagnostics.js";
import { UnsupportedPatternError } from "./errors.js";
import { lowerFunction } from "./lower/function.js";
import { findClass, methodTable, workflowSettings } from "./resolve/classes.js";
import { loadModule, type ModuleInfo } from "./resolve/module.js";
import { DiagnosticSink } from "./sink.js";
import { spanOf } from "./source.js";

export interface CompileOptions {
  file: string;
  className: string;
  /** Line of the class (or of the decorator call site), to pick among same-named classes. */
  line?: number;
  /** Registry key; default: `@workflow({ name })`, `static workflowName`, lowercase class name. */
  name?: string;
  concurrent?: boolean;
}

export interface CompileResult {
  className: string;
  program?: Program;
  diagnostics: Diagnostic[];
}

/** Compiles one workflow class from its source. Throws UnsupportedPatternError carrying every
 *  diagnostic when anything is refused. */
export function compileWorkflowClass(opts: CompileOptions): Program {
  const mod = loadModule(resolve(opts.file));
  const cls = findClass(mod, opts.className, opts.line);
  const result = cls
    ? compileClass(mod, cls, opts)
    : { className: opts.className, diagnostics: [classNotFound(mod, opts.className)] };
  if (result.diagnostics.length > 0 || !result.program)
    throw new UnsupportedPatternError(result.diagnostics);
  return result.program;
}

/** Every class decorated with `@workflow` in the file, found and compiled statically. */
export function compileFile(file: string): CompileResult[] {
  const mod = loadModule(resolve(file));
  const out: CompileResult[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isClassDeclaration(n) && n.name && workflowSettings(mod, n).decorated) {
      out.push(compileClass(mod, n, { file, className: n.name.text }));
    }
    ts.forEachChild(n, visit);
  };
  visit(mod.sf);
  return out;
}

function classNotFound(mod: ModuleInfo, className: string): Diagnostic {
  const sink = new DiagnosticSink();
  sink.report("WM110", mod.sf.statements[0] ?? mod.sf, mod.sf, { name: className });
  return sink.list[0]!;
}

function compileClass(
  mod: ModuleInfo,
  cls: ts.ClassDeclaration,
  opts: CompileOptions,
): CompileResult {
  const className = cls.name?.text ?? opts.className;
  const sink = new DiagnosticSink();
  const methods = methodTable(mod, cls);
  const run = methods.get("run");
  if (!run) {
    sink.report("WM109", cls.name ?? cls, mod.sf, { name: className });
    return { className, diagnostics: sink.sorted() };
  }
  reportSyntaxErrors(mod, cls, sink);
  const comp: CompileCtx = { sink, methods, helpers: [] };
  const functions: FunctionDef[] = [lowerFunction(comp, run, true)];
  for (let i = 0; i < comp.helpers.length; i++) {
    functions.push(lowerFunction(comp, methods.get(comp.helpers[i]!)!, false));
  }
  const settings = workflowSettings(mod, cls);
  const program: Program = {
    k: "program",
    format: IR_FORMAT,
    workflow: opts.name ?? settings.name ?? className.toLowerCase(),
    className,
    concurrent: opts.concurrent ?? settings.concurrent ?? false,
    entry: "run",
    functions,
    span: spanOf(cls, mod.sf),
  };
  const diagnostics = sink.sorted();
  return diagnostics.length > 0
    ? { className, program, diagnostics }
    : { className, program, diagnostics };
}

/** Parse errors inside the class (the parser recovers, so lowering would see invented nodes). */
function reportSyntaxErrors(mod: ModuleInfo, cls: ts.ClassDeclaration, sink: DiagnosticSink): void {
  const parse =
    (mod.sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ??
    [];
  for (const d of parse) {
    if (d.start < cls.pos || d.start > cls.end) continue;
    sink.reportAt("WM100", mod.sf, d.start, d.start + d.length, {
      name: ts.flattenDiagnosticMessageText(d.messageText, " "),
    });
  }
}
