// The bench chart: one row per headline figure, our bar against the peer's, each row scaled to
// its own maximum (the figures have different units). Hand-written SVG, no dependencies.
import type { ScenarioResult } from "./context.js";
import type { PeerFigures } from "./peers.js";

export interface ChartEntry {
  ours: ScenarioResult;
  peer?: PeerFigures;
}

interface Row {
  label: string;
  ours: number;
  peer?: number;
  peerName?: string;
  unit: string;
  better: "higher" | "lower";
}

const METRICS: Record<
  string,
  [field: string, label: string, unit: string, better: Row["better"]][]
> = {
  A: [
    ["steps_per_s", "A sequential: actions/s", "/s", "higher"],
    ["lat_p50_ms", "A latency p50", "ms", "lower"],
    ["lat_p99_ms", "A latency p99", "ms", "lower"],
    ["xacts_per_step", "A commits per action", "", "lower"],
    ["wal_bytes_per_step", "A WAL bytes per action", "B", "lower"],
  ],
  B: [["wall_ms", "B fan-out 1,000: wall", "ms", "lower"]],
  C: [["wall_ms", "C 500 × sleep 1 s: wall", "ms", "lower"]],
  D: [
    ["steps_per_s", "D queue drain: actions/s", "/s", "higher"],
    ["xacts_per_step", "D commits per action", "", "lower"],
    ["wal_bytes_per_step", "D WAL bytes per action", "B", "lower"],
  ],
};

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function fmt(v: number, unit: string): string {
  const n =
    Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : String(Math.round(v * 100) / 100);
  return unit === "/s" ? `${n}/s` : unit ? `${n} ${unit}` : n;
}

function rowsOf(entries: ChartEntry[]): Row[] {
  const rows: Row[] = [];
  for (const e of entries) {
    for (const [field, label, unit, better] of METRICS[e.ours.scenario] ?? []) {
      const ours = e.ours[field];
      if (typeof ours !== "number" || !Number.isFinite(ours)) continue;
      const p = e.peer?.[field];
      const row: Row = { label, ours, unit, better };
      if (typeof p === "number" && Number.isFinite(p)) {
        row.peer = p;
        row.peerName = e.peer?.peer;
      }
      rows.push(row);
    }
  }
  return rows;
}

export function renderChart(entries: ChartEntry[], title: string): string {
  const rows = rowsOf(entries);
  const W = 860;
  const left = 230;
  const barMax = 440;
  const rowH = 46;
  const top = 64;
  const H = top + rows.length * rowH + 40;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600">${esc(title)}</text>`,
    `<rect x="16" y="36" width="12" height="12" fill="#2563eb"/><text x="34" y="46">Waymark</text>`,
    `<rect x="110" y="36" width="12" height="12" fill="#9ca3af"/><text x="128" y="46">peer (DBOS for A–C, graphile-worker batched for D), same Postgres, alternating runs</text>`,
  );
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const max = Math.max(r.ours, r.peer ?? 0) || 1;
    const wo = Math.max(1, (r.ours / max) * barMax);
    out.push(
      `<text x="16" y="${y + 16}">${esc(r.label)}</text>`,
      `<text x="16" y="${y + 31}" fill="#6b7280" font-size="11">${r.better} is better</text>`,
      `<rect x="${left}" y="${y + 4}" width="${wo.toFixed(1)}" height="14" fill="#2563eb"/>`,
      `<text x="${left + wo + 6}" y="${y + 15}">${esc(fmt(r.ours, r.unit))}</text>`,
    );
    if (r.peer !== undefined) {
      const wp = Math.max(1, (r.peer / max) * barMax);
      out.push(
        `<rect x="${left}" y="${y + 21}" width="${wp.toFixed(1)}" height="14" fill="#9ca3af"/>`,
        `<text x="${left + wp + 6}" y="${y + 32}" fill="#374151">${esc(fmt(r.peer, r.unit))}</text>`,
      );
      const ratio = r.better === "higher" ? r.ours / r.peer : r.peer / r.ours;
      if (Number.isFinite(ratio) && ratio > 0) {
        const good = ratio >= 1;
        out.push(
          `<text x="${W - 16}" y="${y + 24}" text-anchor="end" font-weight="600" fill="${good ? "#15803d" : "#b91c1c"}">${good ? `${ratio.toFixed(1)}× better` : `${(1 / ratio).toFixed(1)}× worse`}</text>`,
        );
      }
    }
  });
  out.push(
    `<text x="16" y="${H - 14}" fill="#6b7280" font-size="11">${esc(`npm run bench — ${new Date().toISOString()}`)}</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
