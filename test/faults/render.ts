// Renders the figures the fault tests wrote (results.jsonl: one JSON line per test run) into
// the table of docs/reliability.md, between the results markers. The latest line per
// (fault, tier) wins. Usage: node --import tsx test/faults/render.ts
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

export function renderTable(rows: Row[]): string {
  const latest = new Map<string, Row>();
  for (const r of rows) latest.set(`${r.tier}\u0000${r.fault}`, r);
  const sorted = [...latest.values()].sort(
    (a, b) =>
      a.tier.localeCompare(b.tier) || a.fault.localeCompare(b.fault, undefined, { numeric: true }),
  );
  const cell = (v: unknown) =>
    v === undefined || v === null ? "" : String(v).replace(/\|/g, "\\|");
  const lines = [
    `| ${COLUMNS.map(([h]) => h).join(" | ")} | Other figures |`,
    `|${COLUMNS.map(() => "---").join("|")}|---|`,
  ];
  for (const r of sorted) {
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
  const out = `${doc.slice(0, a + START.length)}\n${renderTable(rows)}\n${doc.slice(b)}`;
  writeFileSync(DOC, out);
  console.log(`rendered ${rows.length} result line(s) into ${DOC}`);
}
