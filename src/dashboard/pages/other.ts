// The workflows (every registered version with its graph, before it ever ran), workers (live
// engine processes, their actions, queue depth and latency, unserved actions) and schedules
// pages.
import type { Program } from "../../ir/types.js";
import type { ScheduleInfo } from "../../store/postgres/queries/schedules.js";
import { durationText, iso } from "../format.js";
import { graphSvg } from "../graph.js";
import { type Html, html } from "../html.js";
import type { ProcessRow, QueueRow, WorkflowVersionRow } from "../queries.js";
import { layout, type PageContext, postForm } from "./layout.js";

export function workflowsPage(ctx: PageContext, versions: WorkflowVersionRow[]): Html {
  const byName = new Map<string, WorkflowVersionRow[]>();
  for (const v of versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  const body = html`<h1>Workflows</h1>
${byName.size === 0 ? html`<p class="empty">No workflow is registered yet: start one, or start an engine that imports it.</p>` : ""}
${[...byName].map(
  ([name, vs]) => html`<section class="workflow" id="${name}"><h2>${name}</h2>
<p><a href="${ctx.base}/runs?workflow=${encodeURIComponent(name)}">its runs</a> · ${vs.length} version${vs.length > 1 ? "s" : ""}: ${vs.map((v) => html`<span class="mono">${v.version.slice(0, 16)}</span> <span class="muted">(${iso(v.createdAt)})</span> `)}</p>
<div class="graph-box">${graphSvg((vs[0] as WorkflowVersionRow).ir as Program)}</div></section>`,
)}`;
  return layout(ctx, "Workflows", "workflows", body);
}

export function workersPage(ctx: PageContext, procs: ProcessRow[], queues: QueueRow[]): Html {
  const served = new Set(
    procs.filter((p) => p.kind !== "runner" || p.actions.length > 0).flatMap((p) => p.actions),
  );
  const runners = procs.filter((p) => p.kind === "runner").length;
  const body = html`<h1>Workers</h1>
<p>${runners} runner${runners === 1 ? "" : "s"}, ${procs.length - runners} worker process${procs.length - runners === 1 ? "" : "es"} live.</p>
<table class="procs"><thead><tr><th>Process</th><th>Kind</th><th>Host</th><th>Pid</th><th>Up since</th><th>Last heartbeat</th><th>Actions</th></tr></thead><tbody>
${procs.map((p) => html`<tr><td class="mono">${p.id}</td><td>${p.kind}</td><td>${p.host}</td><td>${p.pid}</td><td>${iso(p.startedAt)}</td><td>${iso(p.heartbeatAt)}</td><td>${p.actions.join(", ")}</td></tr>`)}
</tbody></table>
<h2>Action queues</h2>
<table class="queues"><thead><tr><th>Action</th><th>Queued</th><th>Running</th><th>Oldest waiting</th><th>Done in the last minute</th><th></th></tr></thead><tbody>
${queues.map(
  (
    q,
  ) => html`<tr data-action="${q.action}"><td>${q.action}</td><td>${q.queued}</td><td>${q.running}</td><td>${q.oldestMs === null ? "" : durationText(q.oldestMs)}</td><td>${q.lastMinute} (${(q.lastMinute / 60).toFixed(1)}/s)</td>
<td>${q.queued > 0 && !served.has(q.action) && runners === 0 ? html`<span class="state state-failed">unserved</span>` : q.queued > 0 && !served.has(q.action) ? html`<span class="muted">no worker process lists it (runners may run it inline)</span>` : ""}</td></tr>`,
)}
</tbody></table>`;
  return layout(ctx, "Workers", "workers", body);
}

export function schedulesPage(ctx: PageContext, rows: ScheduleInfo[]): Html {
  const body = html`<h1>Schedules</h1>
${rows.length === 0 ? html`<p class="empty">No schedules (see scheduleWorkflow in the README).</p>` : ""}
<table class="schedules"><thead><tr><th>Schedule</th><th>Workflow</th><th>Expression</th><th>Next fire</th><th>Last fire</th><th>Fires / skipped</th><th></th></tr></thead><tbody>
${rows.map((s) => {
  const key = `?workflow=${encodeURIComponent(s.workflow)}&name=${encodeURIComponent(s.scheduleName)}`;
  return html`<tr data-schedule="${s.scheduleName}"><td>${s.scheduleName}${s.paused ? html` <span class="state state-cancelled">paused</span>` : ""}</td><td>${s.workflow}</td><td class="mono">${s.schedule} <span class="muted">${s.timezone}</span></td><td>${s.paused ? "" : iso(s.nextFireAt)}</td>
<td>${iso(s.lastFireAt)}${s.lastInstanceId ? html` <a href="${ctx.base}/runs/${s.lastInstanceId}">run ${s.lastInstanceId}</a> <span class="state state-${s.lastStatus ?? ""}">${s.lastStatus ?? ""}</span>` : ""}</td>
<td>${s.fires} / ${s.skipped}</td>
<td class="row-actions">${postForm(ctx, `/schedules/${s.paused ? "resume" : "pause"}${key}`, html`<button type="submit">${s.paused ? "Resume" : "Pause"}</button>`)}${postForm(ctx, `/schedules/delete${key}`, html`<button type="submit" class="danger">Delete</button>`)}</td></tr>`;
})}
</tbody></table>`;
  return layout(ctx, "Schedules", "schedules", body);
}
