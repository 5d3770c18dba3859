// The workflow's control-flow graph (src/ir/mermaid.ts programGraph) laid out with dagre and
// drawn as SVG on the server: no script in the page, every label escaped. Effect nodes are
// coloured by the state of the calls made for them (by action or child workflow name): a run
// shows where it is, a workflow page shows the graph before anything ran.
import { graphlib, layout } from "@dagrejs/dagre";
import { type GraphNode, programGraph } from "../ir/index.js";
import type { Program } from "../ir/types.js";
import { escapeHtml, type Html, raw } from "./html.js";

export type NodeState = "completed" | "failed" | "running" | "waiting" | "queued" | "abandoned";

const CHAR_W = 6.6;
const NODE_H = 30;
const MAX_CHARS = 48;

function label(n: GraphNode): string {
  const t = n.text.replace(/\s+/g, " ");
  return t.length > MAX_CHARS ? `${t.slice(0, MAX_CHARS - 1)}…` : t;
}

/** The state shown for a node, given the states of the calls per effect name. */
function stateOf(n: GraphNode, calls: Map<string, Set<string>>): NodeState | undefined {
  const seen = new Set<string>();
  for (const e of n.effects) for (const s of calls.get(e) ?? []) seen.add(s);
  for (const s of ["failed", "running", "waiting", "queued", "completed", "abandoned"] as const)
    if (seen.has(s)) return s;
  return undefined;
}

/** An SVG of the program's graph; `calls`: effect name → the states of its calls. */
export function graphSvg(program: Program, calls = new Map<string, Set<string>>()): Html {
  const { nodes, edges } = programGraph(program);
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 28, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes)
    g.setNode(n.id, { width: Math.max(60, label(n).length * CHAR_W + 20), height: NODE_H });
  edges.forEach((e, i) => {
    if (g.hasNode(e.from) && g.hasNode(e.to))
      g.setEdge(e.from, e.to, { label: e.label ?? "" }, `e${i}`);
  });
  layout(g);
  const gr = g.graph() as { width?: number; height?: number };
  const w = Math.ceil(gr.width ?? 100);
  const h = Math.ceil(gr.height ?? 100);
  const parts: string[] = [];
  for (const e of g.edges()) {
    const d = g.edge(e) as {
      points?: { x: number; y: number }[];
      label?: string;
      x?: number;
      y?: number;
    };
    const pts = d.points ?? [];
    if (pts.length === 0) continue;
    const path = pts
      .map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
      .join(" ");
    parts.push(`<path class="edge" d="${path}" marker-end="url(#arrow)"/>`);
    if (d.label) {
      const mid = pts[Math.floor(pts.length / 2)] as { x: number; y: number };
      parts.push(
        `<text class="edge-label" x="${mid.x.toFixed(1)}" y="${(mid.y - 3).toFixed(1)}">${escapeHtml(d.label)}</text>`,
      );
    }
  }
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (!p) continue;
    const state = stateOf(n, calls);
    const cls = `node kind-${n.kind.replace(/[^a-z_]/g, "")}${state ? ` state-${state}` : ""}`;
    const x = p.x - p.width / 2;
    const y = p.y - p.height / 2;
    const rx = n.kind === "start" || n.kind === "end" ? 15 : 4;
    parts.push(
      `<g class="${cls}" data-node="${escapeHtml(n.id)}"${state ? ` data-state="${state}"` : ""}>` +
        `<title>${escapeHtml(n.text)}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${p.width.toFixed(1)}" height="${p.height}" rx="${rx}"/>` +
        `<text x="${p.x.toFixed(1)}" y="${(p.y + 4).toFixed(1)}">${escapeHtml(label(n))}</text></g>`,
    );
  }
  return raw(
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="workflow graph">` +
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
      `${parts.join("")}</svg>`,
  );
}
