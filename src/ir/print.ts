// The IR text format: a stable, readable, indented pseudo-TypeScript rendering of a Program,
// one statement per line, two-space indentation, no spans. It is the golden-fixture format
// (test/fixtures/**/expected.ir.txt), so any change here changes every fixture: keep it boring.
//
// Invariant: the text depends only on the span-free IR, so programs with equal `hashProgram`
// print identically.

import {
  printActionCall,
  printExpr,
  printItems,
  printLValue,
  printParam,
  printPattern,
} from "./printExpr.js";
import type { FunctionDef, GatherItem, Pattern, Program, Stmt } from "./types.js";

export { printExpr, printPattern } from "./printExpr.js";

const INDENT = "  ";

export function printProgram(program: Program): string {
  const head = [`workflow ${program.workflow}`, `class ${program.className}`];
  head.push(`entry ${program.entry}`, `format ${program.format}`);
  if (program.concurrent) head.push("concurrent");
  const out = [head.join(" ")];
  for (const fn of program.functions) {
    out.push("", ...printFunction(fn));
  }
  return `${out.join("\n")}\n`;
}

export function printFunction(fn: FunctionDef): string[] {
  const lines = [`function ${fn.name}(${fn.params.map(printParam).join(", ")}) {`];
  printBlock(fn.body, 1, lines);
  lines.push("}");
  return lines;
}

function printBlock(body: Stmt[], depth: number, out: string[]): void {
  for (const s of body) printStmt(s, depth, out);
}

function binding(target: Pattern | undefined, decl: string | undefined): string {
  if (!target) return "";
  return decl ? `${decl} ${printPattern(target)} = ` : `${printPattern(target)} = `;
}

export function printGatherItem(it: GatherItem): string {
  if (it.k === "gcall") return printActionCall(it.call);
  if (it.k === "gspread") {
    const params = it.params.map(printPattern).join(", ");
    return `...${printExpr(it.source)}.map((${params}) => ${printActionCall(it.call)})`;
  }
  return `/* unknown node ${JSON.stringify((it as { k?: unknown }).k ?? null)} */`;
}

/** The one-line form of a statement; compound statements give their header only. */
export function statementHead(s: Stmt): string {
  switch (s.k) {
    case "decl":
      return s.value
        ? `${s.kind} ${printPattern(s.target)} = ${printExpr(s.value)}`
        : `${s.kind} ${printPattern(s.target)}`;
    case "assign":
      return `${printLValue(s.target)} ${s.op} ${printExpr(s.value)}`;
    case "expr":
      return printExpr(s.expr);
    case "action":
      return `${binding(s.target, s.decl)}await ${printActionCall(s.call)}`;
    case "gather":
      return `${binding(s.target, s.decl)}await gather ${s.mode} [${s.items.map(printGatherItem).join(", ")}]`;
    case "sleep":
      return `await sleep(${printExpr(s.duration)})`;
    case "call":
      return `${binding(s.target, s.decl)}call this.${s.fn}(${printItems(s.args)})`;
    case "if":
      return `if (${printExpr(s.test)})`;
    case "while":
      return `while (${printExpr(s.test)})`;
    case "do_while":
      return `do … while (${printExpr(s.test)})`;
    case "for": {
      const init = s.init.map(statementHead).join(", ");
      const update = s.update.map(statementHead).join(", ");
      return `for (${init}; ${s.test ? printExpr(s.test) : ""}; ${update})`;
    }
    case "for_of":
      return `for (${s.decl} ${printPattern(s.target)} of ${printExpr(s.iterable)})`;
    case "break":
      return "break";
    case "continue":
      return "continue";
    case "return":
      return s.value ? `return ${printExpr(s.value)}` : "return";
    case "try":
      return "try";
    case "rethrow":
      return `rethrow ${s.name}`;
    case "switch":
      return `switch (${printExpr(s.discriminant)})`;
    case "block":
      return "block";
    default:
      return `/* unknown node ${JSON.stringify((s as { k?: unknown }).k ?? null)} */`;
  }
}

function printStmt(s: Stmt, depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  switch (s.k) {
    case "if": {
      out.push(`${pad}if (${printExpr(s.test)}) {`);
      printBlock(s.then, depth + 1, out);
      let rest = s.else;
      // `else { if … }` with nothing else in the block prints as `else if`.
      while (rest && rest.length === 1 && rest[0]?.k === "if") {
        const inner = rest[0];
        out.push(`${pad}} else if (${printExpr(inner.test)}) {`);
        printBlock(inner.then, depth + 1, out);
        rest = inner.else;
      }
      if (rest) {
        out.push(`${pad}} else {`);
        printBlock(rest, depth + 1, out);
      }
      out.push(`${pad}}`);
      return;
    }
    case "while":
    case "for":
    case "for_of":
      out.push(`${pad}${statementHead(s)} {`);
      printBlock(s.body, depth + 1, out);
      out.push(`${pad}}`);
      return;
    case "do_while":
      out.push(`${pad}do {`);
      printBlock(s.body, depth + 1, out);
      out.push(`${pad}} while (${printExpr(s.test)})`);
      return;
    case "try":
      out.push(`${pad}try {`);
      printBlock(s.body, depth + 1, out);
      if (s.catch) {
        const param = s.catch.param ? ` (${printPattern(s.catch.param)})` : "";
        out.push(`${pad}} catch${param} {`);
        printBlock(s.catch.body, depth + 1, out);
      }
      if (s.finally) {
        out.push(`${pad}} finally {`);
        printBlock(s.finally, depth + 1, out);
      }
      out.push(`${pad}}`);
      return;
    case "switch":
      out.push(`${pad}switch (${printExpr(s.discriminant)}) {`);
      for (const c of s.cases) {
        out.push(c.test ? `${pad}${INDENT}case ${printExpr(c.test)}:` : `${pad}${INDENT}default:`);
        printBlock(c.body, depth + 2, out);
      }
      out.push(`${pad}}`);
      return;
    case "block":
      out.push(`${pad}{`);
      printBlock(s.body, depth + 1, out);
      out.push(`${pad}}`);
      return;
    default:
      out.push(`${pad}${statementHead(s)}`);
  }
}
