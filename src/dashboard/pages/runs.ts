// The runs page: every instance, newest first, with its wait reason; filters (state, workflow,
// time range, id or input text) and cursor pagination. The table refreshes itself every few
// seconds while the first page is shown.
import { durationText, errorLine, iso } from "../format.js";
import { type Html, html } from "../html.js";
import type { RunFilter, RunRow } from "../queries.js";
import { waitReason } from "../waitReason.js";
import { layout, type PageContext } from "./layout.js";

export const STATES = [
  "queued",
  "running",
  "waiting",
  "sleeping",
  "completed",
  "failed",
  "cancelled",
];

function duration(r: RunRow, now: number): string {
  const start = (r.startedAt ?? r.createdAt).getTime();
  return durationText(Math.max(0, (r.finishedAt?.getTime() ?? now) - start));
}

function query(f: RunFilter, before?: string): string {
  const p = new URLSearchParams();
  if (f.status) p.set("status", f.status);
  if (f.workflow) p.set("workflow", f.workflow);
  if (f.from) p.set("from", f.from.toISOString());
  if (f.to) p.set("to", f.to.toISOString());
  if (f.q) p.set("q", f.q);
  if (before) p.set("before", before);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function runsTable(
  ctx: PageContext,
  f: RunFilter,
  rows: RunRow[],
  next: string | null,
): Html {
  const now = Date.now();
  const live = f.before === undefined;
  return html`<div id="runs"${live ? html` hx-get="${ctx.base}/runs${query(f)}" hx-trigger="every 3s" hx-select="#runs" hx-swap="outerHTML"` : ""}>
<table class="runs">
<thead><tr><th>Run</th><th>State</th><th>Workflow</th><th>Version</th><th>Started</th><th>Ended</th><th>Duration</th><th>Why</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr data-run="${r.id}">
<td><a href="${ctx.base}/runs/${r.id}">${r.id}</a>${r.parentId ? html` <span class="muted">child of <a href="${ctx.base}/runs/${r.parentId}">${r.parentId}</a></span>` : ""}</td>
<td><span class="state state-${r.status}">${r.status}</span></td>
<td>${r.workflow}</td>
<td class="mono">${r.version.slice(0, 12)}</td>
<td>${iso(r.startedAt ?? r.createdAt)}</td>
<td>${iso(r.finishedAt)}</td>
<td>${duration(r, now)}</td>
<td class="why">${r.status === "failed" && r.error ? errorLine(r.error).slice(0, 200) : waitReason(r, now)}</td>
</tr>`,
)}
</tbody></table>
${rows.length === 0 ? html`<p class="empty">No runs match.</p>` : ""}
${next ? html`<p class="pager"><a href="${ctx.base}/runs${query(f, next)}" rel="next">Older runs →</a></p>` : ""}
</div>`;
}

export function runsPage(
  ctx: PageContext,
  f: RunFilter,
  workflows: string[],
  rows: RunRow[],
  next: string | null,
): Html {
  const body = html`<h1>Runs</h1>
<form class="filters" method="get" action="${ctx.base}/runs">
<label>State <select name="status"><option value="">any</option>${STATES.map((s) => html`<option${f.status === s ? html` selected` : ""}>${s}</option>`)}</select></label>
<label>Workflow <select name="workflow"><option value="">any</option>${workflows.map((w) => html`<option${f.workflow === w ? html` selected` : ""}>${w}</option>`)}</select></label>
<label>From <input type="datetime-local" name="from" value="${f.from ? f.from.toISOString().slice(0, 16) : ""}"></label>
<label>To <input type="datetime-local" name="to" value="${f.to ? f.to.toISOString().slice(0, 16) : ""}"></label>
<label>Search <input type="search" name="q" placeholder="run id or input text" value="${f.q ?? ""}"></label>
<button type="submit">Filter</button>
</form>
${runsTable(ctx, f, rows, next)}`;
  return layout(ctx, "Runs", "runs", body);
}
