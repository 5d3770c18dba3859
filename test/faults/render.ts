// Renders the figures the fault tests wrote (results.jsonl: one JSON line per test run) into
// the table of docs/reliability.md, between the results markers. The latest line per
// (fault, tier) wins; rows of the table that no result line replaces are kept (a run of one
// file, or of the smoke tier, does not erase the full tier's figures).
// Usage: node --import tsx test/faults/render.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RESULTS =
  process.env.WAYMARK_FAULT_RESULTS ?? fileURLToPath(new URL("./results.jsonl", import.meta.url));
const DOC = fileURLToPath(new URL("../../docs/reliability.md", import.meta.url));
const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

type Row = Record<string, unknown> & { fault: string; tier: string; measuredAt: string };

const COLUMNS: [string, (r: Row) => unknown][] = [
  ["Fault", (r) => r.fault],
  ["Tier", (r) => r.tier],
  ["Workflows run", (r) => r.workflows],
  ["Lost", (r) => r.lost],
  ["Duplicate outcomes", (r) => r.duplicates],
  [
    "Highest attempt / policy",
    (r) => (r.maxStarts === undefined ? "" : `${r.maxStarts} / ${r.maxAttempts}`),
  ],
  [
    "Recovery p50 / p99 (ms)",
    (r) => (r.recoveryP99Ms === undefined ? "" : `${r.recoveryP50Ms} / ${r.recoveryP99Ms}`),
  ],
  ["Wake lateness p99 (ms)", (r) => r.wakeLatenessP99Ms],
  ["Measured (UTC)", (r) => r.measuredAt.replace("T", " ").slice(0, 16)],
];
const SHOWN = new Set([
  "fault",
  "tier",
  "measuredAt",
  "workflows",
  "lost",
  "duplicates",
  "maxStarts",
  "maxAttempts",
  "recoveryP50Ms",
  "recoveryP99Ms",
  "wakeLatenessP99Ms",
]);

/** The rendered rows of an existing table, by (tier, fault). */
export function tableRows(table: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of table.split("\n").slice(2)) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells.length > 3 && cells[1]) out.set(`${cells[2]}\u0000${cells[1]}`, line);
  }
  return out;
}

export function renderTable(rows: Row[], kept = new Map<string, string>()): string {
  const latest = new Map<string, Row>();
  for (const r of rows) latest.set(`${r.tier}\u0000${r.fault}`, r);
  const keys = [...new Set([...kept.keys(), ...latest.keys()])].sort((a, b) => {
    const [ta = "", fa = ""] = a.split("\u0000");
    const [tb = "", fb = ""] = b.split("\u0000");
    return ta.localeCompare(tb) || fa.localeCompare(fb, undefined, { numeric: true });
  });
  const cell = (v: unknown) =>
    v === undefined || v === null ? "" : String(v).replace(/\|/g, "\\|");
  const lines = [
    `| ${COLUMNS.map(([h]) => h).join(" | ")} | Other figures |`,
    `|${COLUMNS.map(() => "---").join("|")}|---|`,
  ];
  for (const key of keys) {
    const r = latest.get(key);
    if (!r) {
      lines.push(kept.get(key) as string);
      continue;
    }
    const other = Object.entries(r)
      .filter(([k]) => !SHOWN.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    lines.push(`| ${COLUMNS.map(([, f]) => cell(f(r))).join(" | ")} | ${cell(other)} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] && /render\.(ts|js)$/.test(process.argv[1])) {
  const rows = existsSync(RESULTS)
    ? readFileSync(RESULTS, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Row)
    : [];
  const doc = readFileSync(DOC, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC} has no ${START} … ${END} section`);
  const kept = tableRows(doc.slice(a + START.length, b).trim());
  const out = `${doc.slice(0, a + START.length)}\n${renderTable(rows, kept)}\n${doc.slice(b)}`;
  writeFileSync(DOC, out);
  console.log(`rendered ${rows.length} result line(s) into ${DOC}`);
}
