import type ts from "typescript";
import type { Expr, Span, Stmt } from "../ir/types.js";
import type { DiagnosticCode } from "./diagnostics.js";
import type { MethodInfo } from "./resolve/classes.js";
import type { ModuleInfo } from "./resolve/module.js";
import type { DiagnosticSink } from "./sink.js";
import { spanOf } from "./source.js";

/** State shared by every function of one workflow compilation. */
export interface CompileCtx {
  sink: DiagnosticSink;
  methods: Map<string, MethodInfo>;
  /** Helper methods referenced so far, in first-call order (`run` excluded). */
  helpers: string[];
}

/** Lowering state of one IR function.
 *
 *  Invariants: every declared name is unique within the function (a shadowing declaration
 *  is renamed `name#N`); temporaries are `#tN`; statements are emitted into `out`, which
 *  `collect` swaps so nested blocks get their own lists. */
export class FnCtx {
  out: Stmt[] = [];
  /** IR names of the bindings of enclosing `catch` clauses (innermost last). */
  readonly catchNames: string[] = [];
  /** > 0 inside a try, catch or finally block. */
  tryDepth = 0;
  private readonly scopes: Map<string, string>[] = [new Map()];
  private readonly used = new Set<string>();
  private temps = 0;

  constructor(
    readonly comp: CompileCtx,
    readonly mod: ModuleInfo,
  ) {}

  get sf(): ts.SourceFile {
    return this.mod.sf;
  }

  span(node: ts.Node): Span {
    return spanOf(node, this.mod.sf);
  }

  report(code: DiagnosticCode, node: ts.Node, args: Record<string, string> = {}): void {
    this.comp.sink.report(code, node, this.mod.sf, args);
  }

  /** A placeholder for a refused expression, so lowering continues and finds more problems. */
  refused(code: DiagnosticCode, node: ts.Node, args: Record<string, string> = {}): Expr {
    this.report(code, node, args);
    return { k: "undefined", span: this.span(node) };
  }

  emit(stmt: Stmt): void {
    this.out.push(stmt);
  }

  /** Runs `fn` with a fresh statement list (and, unless `scoped` is false, a fresh scope). */
  collect(fn: () => void, scoped = true): Stmt[] {
    const saved = this.out;
    this.out = [];
    if (scoped) this.scopes.push(new Map());
    try {
      fn();
      return this.out;
    } finally {
      if (scoped) this.scopes.pop();
      this.out = saved;
    }
  }

  pushScope(): void {
    this.scopes.push(new Map());
  }

  popScope(): void {
    this.scopes.pop();
  }

  /** Declares a source name in the innermost scope and returns its unique IR name. */
  declare(name: string): string {
    let ir = name;
    for (let n = 2; this.used.has(ir); n++) ir = `${name}#${n}`;
    this.used.add(ir);
    this.scopes[this.scopes.length - 1]!.set(name, ir);
    return ir;
  }

  /** The IR name of a local (parameter, declaration, binding), or undefined. */
  lookup(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const ir = this.scopes[i]!.get(name);
      if (ir !== undefined) return ir;
    }
    return undefined;
  }

  temp(): string {
    this.temps += 1;
    const name = `#t${this.temps}`;
    this.used.add(name);
    return name;
  }

  useHelper(name: string): void {
    if (name !== "run" && !this.comp.helpers.includes(name)) this.comp.helpers.push(name);
  }
}
