// A Mermaid flowchart (`flowchart TD`) of a program's control flow, for `waymark ir` and the
// dashboard. One subgraph per function. Nodes exist for effects and control flow only (actions,
// gathers, sleeps, helper calls, branches, loops, try/catch/finally, switches, returns,
// rethrows); pure statements are folded into the edges between them.
//
// Node ids are derived from the statement's path, so they are stable for a given program and
// the dashboard can colour a node from the IR path of the statement the instance is at:
// `<function>__<i>` for the i-th statement of a body, then `_t_<i>` / `_e_<i>` for then/else,
// `_b_<i>` for loop, block and try bodies, `_c_<i>` for catch bodies, `_f_<i>` for finally
// bodies, `_s<j>_<i>` for case j of a switch (e.g. `run__3_t_0`); `<id>_catch`, `<id>_finally`
// and `<id>_test` are the clause and do-while test nodes; `<function>__start` / `__end`
// delimit a function. Non-identifier characters of function names become `_`.

import { statementHead } from "./print.js";
import { printPattern } from "./printExpr.js";
import type { EffectCall, FunctionDef, Program, Stmt } from "./types.js";

/** A node of the control-flow graph (see the header for its id). */
export interface GraphNode {
  id: string;
  /** What the node is: a statement kind, or start / end / catch / finally / test. */
  kind: string;
  text: string;
  /** The function whose body it is in. */
  fn: string;
  /** The actions (or child workflows: `workflow:<name>`) an effect node waits for. */
  effects: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  /** A helper call's link to the helper's start. */
  call?: boolean;
}

/** The names of what an effect call waits for: an action's, `workflow:<name>` for a child,
 *  `signal:<name>` for a signal named by a literal. */
function effectNames(c: EffectCall): string[] {
  if (c.k === "call_action") return [c.action];
  if (c.k === "call_child") return [`workflow:${c.workflow}`];
  if (c.k === "call_signal" && c.name.k === "lit" && typeof c.name.value === "string")
    return [`signal:${c.name.value}`];
  return [];
}

function stmtEffects(s: Stmt): string[] {
  if (s.k === "action") return effectNames(s.call);
  if (s.k === "gather") return s.items.flatMap((i) => effectNames(i.call));
  return [];
}

interface Exit {
  from: string;
  label?: string;
}

interface Targets {
  breaks: Exit[];
  continues: Exit[];
  /** Rethrows, routed to the innermost enclosing `finally`, else to the function's end. */
  throws: Exit[];
}

const MAX_LABEL = 80;

/** Mermaid-safe label text: `#`, `&`, quotes and angle brackets become entity codes (so a
 *  payload can never inject markup), long text is cut. */
export function mermaidLabel(text: string): string {
  const cut = text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
  return cut
    .replaceAll("#", "#35;")
    .replaceAll("&", "#amp;")
    .replaceAll('"', "#quot;")
    .replaceAll("<", "#lt;")
    .replaceAll(">", "#gt;");
}

function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

class Graph {
  readonly lines: string[] = [];
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private fnEnd = "";
  private fnName = "";
  /** The statement being drawn (its kind and effects label the nodes it adds). */
  private current?: Stmt;

  constructor(private readonly program: Program) {}

  private node(id: string, shape: [string, string], text: string, kind?: string): string {
    this.lines.push(`    ${id}${shape[0]}"${mermaidLabel(text)}"${shape[1]}`);
    const s = this.current;
    this.nodes.push({
      id,
      kind: kind ?? s?.k ?? "node",
      text,
      fn: this.fnName,
      effects: kind === undefined && s ? stmtEffects(s) : [],
    });
    return id;
  }

  private link(exits: Exit[], to: string): void {
    for (const e of exits) {
      this.lines.push(
        e.label ? `    ${e.from} -->|${mermaidLabel(e.label)}| ${to}` : `    ${e.from} --> ${to}`,
      );
      this.edges.push(e.label ? { from: e.from, to, label: e.label } : { from: e.from, to });
    }
  }

  /** Adds a node, links the incoming exits to it, and returns it as the single new exit. */
  private step(
    exits: Exit[],
    id: string,
    shape: [string, string],
    text: string,
    kind?: string,
  ): Exit[] {
    this.node(id, shape, text, kind);
    this.link(exits, id);
    return [{ from: id }];
  }

  fn(f: FunctionDef): void {
    const p = safeId(f.name);
    this.lines.push(`  subgraph ${p}__fn["${mermaidLabel(`function ${f.name}`)}"]`);
    this.fnName = f.name;
    this.current = undefined;
    const params = f.params.map((x) => (x.rest ? "..." : "") + printPattern(x.target)).join(", ");
    const start = this.node(`${p}__start`, ["([", "])"], `${f.name}(${params})`, "start");
    this.fnEnd = `${p}__end`;
    const t: Targets = { breaks: [], continues: [], throws: [] };
    const exits = this.block(f.body, `${p}_`, [{ from: start }], t);
    this.node(this.fnEnd, ["([", "])"], "end", "end");
    this.link([...exits, ...t.throws], this.fnEnd);
    this.lines.push("  end");
  }

  private block(body: Stmt[], prefix: string, exits: Exit[], t: Targets): Exit[] {
    let cur = exits;
    body.forEach((s, i) => {
      cur = this.stmt(s, `${prefix}_${i}`, cur, t);
    });
    return cur;
  }

  private stmt(s: Stmt, id: string, exits: Exit[], t: Targets): Exit[] {
    this.current = s;
    switch (s.k) {
      case "action":
        return this.step(exits, id, ["[", "]"], statementHead(s));
      case "gather":
        return this.step(exits, id, ["[/", "/]"], statementHead(s));
      case "sleep":
        return this.step(exits, id, ["[(", ")]"], statementHead(s));
      case "call": {
        const out = this.step(exits, id, ["[[", "]]"], statementHead(s));
        if (this.program.functions.some((f) => f.name === s.fn)) {
          this.lines.push(`    ${id} -.->|call| ${safeId(s.fn)}__start`);
          this.edges.push({ from: id, to: `${safeId(s.fn)}__start`, label: "call", call: true });
        }
        return out;
      }
      case "return": {
        this.step(exits, id, ["[/", "\\]"], statementHead(s));
        this.link([{ from: id }], this.fnEnd);
        return [];
      }
      case "rethrow":
        this.step(exits, id, [">", "]"], statementHead(s));
        t.throws.push({ from: id, label: "throw" });
        return [];
      case "break":
        t.breaks.push(...exits);
        return [];
      case "continue":
        t.continues.push(...exits);
        return [];
      case "if": {
        this.step(exits, id, ["{", "}"], statementHead(s));
        const thenExits = this.block(s.then, `${id}_t`, [{ from: id, label: "true" }], t);
        const elseExits = s.else
          ? this.block(s.else, `${id}_e`, [{ from: id, label: "false" }], t)
          : [{ from: id, label: "false" }];
        return [...thenExits, ...elseExits];
      }
      case "while":
      case "for":
      case "for_of":
        return this.loop(s.body, id, exits, statementHead(s), t);
      case "do_while": {
        this.step(exits, id, ["{{", "}}"], "do");
        const inner: Targets = { breaks: [], continues: [], throws: t.throws };
        const bodyExits = this.block(s.body, `${id}_b`, [{ from: id, label: "loop" }], inner);
        const test = `${id}_test`;
        this.step(
          [...bodyExits, ...inner.continues],
          test,
          ["{", "}"],
          `while (${statementHead(s).replace(/^do … while \(/, "")}`,
          "test",
        );
        this.link([{ from: test, label: "true" }], id);
        return [{ from: test, label: "false" }, ...inner.breaks];
      }
      case "try":
        return this.tryStmt(s, id, exits, t);
      case "switch": {
        this.step(exits, id, ["{", "}"], statementHead(s));
        const inner: Targets = { breaks: [], continues: t.continues, throws: t.throws };
        let fall: Exit[] = [];
        s.cases.forEach((c, j) => {
          const label = c.test
            ? `case ${statementHead({ k: "expr", expr: c.test, span: c.span })}`
            : "default";
          fall = this.block(c.body, `${id}_s${j}`, [...fall, { from: id, label }], inner);
        });
        const noMatch: Exit[] = s.cases.some((c) => !c.test)
          ? []
          : [{ from: id, label: "no match" }];
        return [...fall, ...inner.breaks, ...noMatch];
      }
      case "block":
        return this.block(s.body, `${id}_b`, exits, t);
      default:
        // decl, assign, expr: pure, no node of their own.
        return exits;
    }
  }

  private loop(body: Stmt[], id: string, exits: Exit[], head: string, t: Targets): Exit[] {
    this.step(exits, id, ["{{", "}}"], head);
    const inner: Targets = { breaks: [], continues: [], throws: t.throws };
    const bodyExits = this.block(body, `${id}_b`, [{ from: id, label: "loop" }], inner);
    this.link([...bodyExits, ...inner.continues], id);
    return [{ from: id, label: "done" }, ...inner.breaks];
  }

  private tryStmt(s: Extract<Stmt, { k: "try" }>, id: string, exits: Exit[], t: Targets): Exit[] {
    this.step(exits, id, ["[[", "]]"], "try");
    // Inside a try with a finally, rethrows go to that finally first.
    const inner: Targets = s.finally ? { ...t, throws: [] } : t;
    let out = this.block(s.body, `${id}_b`, [{ from: id }], inner);
    if (s.catch) {
      const cid = `${id}_catch`;
      const param = s.catch.param ? ` (${printPattern(s.catch.param)})` : "";
      this.node(cid, ["[[", "]]"], `catch${param}`, "catch");
      this.link([{ from: id, label: "catch" }], cid);
      out = [...out, ...this.block(s.catch.body, `${id}_c`, [{ from: cid }], inner)];
    }
    if (s.finally) {
      const fid = `${id}_finally`;
      const thrown: Exit[] = s.catch ? [] : [{ from: id, label: "throw" }];
      this.step([...out, ...thrown, ...inner.throws], fid, ["[[", "]]"], "finally", "finally");
      out = this.block(s.finally, `${id}_f`, [{ from: fid }], t);
      // The pending throw resumes after the finally.
      if (thrown.length > 0 || inner.throws.length > 0)
        t.throws.push({ from: fid, label: "rethrow" });
    }
    return out;
  }
}

export function mermaid(program: Program): string {
  const g = new Graph(program);
  for (const f of program.functions) g.fn(f);
  return `flowchart TD\n${g.lines.join("\n")}\n`;
}

/** The same graph as data: nodes and edges, for layouts (the dashboard's). */
export function programGraph(program: Program): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const g = new Graph(program);
  for (const f of program.functions) g.fn(f);
  return { nodes: g.nodes, edges: g.edges };
}
