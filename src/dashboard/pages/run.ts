// One run: its graph coloured by live state, a timeline of its calls (what ran in parallel),
// every call with each attempt (input, output or error, lost or thrown), the signals it
// received, its children; cancel, rerun, send a signal, export as JSON. The live part is
// replaced when the run changes (dashboard.js listens to /runs/:id/events).
import type { Program } from "../../ir/types.js";
import { durationText, errorLine, iso, preview } from "../format.js";
import { graphSvg } from "../graph.js";
import { type Html, html } from "../html.js";
import type { AttemptRow, CallRow, RunDetail, SignalRow } from "../queries.js";
import { layout, type PageContext, postForm } from "./layout.js";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

function value(ctx: PageContext, runId: string, stored: unknown, what: string): Html {
  const p = preview(stored);
  return html`<code class="value">${p.text}</code>${p.cut ? html` <a href="${ctx.base}/runs/${runId}/value?what=${what}" download>full value</a>` : ""}`;
}

function kindOf(c: CallRow): string {
  if (c.wait === "signal") return `signal "${c.action}"`;
  if (c.wait === "sleep") return "sleep";
  if (c.wait === "child") return `child ${c.action}`;
  return c.action;
}

function timeline(run: RunDetail, calls: CallRow[]): Html {
  const t0 = (run.startedAt ?? run.createdAt).getTime();
  const end = Math.max(
    run.finishedAt?.getTime() ?? Date.now(),
    ...calls.map((c) => (c.finishedAt ?? c.startedAt ?? c.createdAt).getTime()),
  );
  const span = Math.max(1, end - t0);
  const bars = calls.map((c) => {
    const s = (c.startedAt ?? c.createdAt).getTime();
    const e = (c.finishedAt ?? new Date(Math.min(Date.now(), end))).getTime();
    const left = ((s - t0) / span) * 100;
    const width = Math.max(0.5, ((e - s) / span) * 100);
    return html`<div class="tl-row"><span class="tl-name">${c.callId}. ${kindOf(c)}</span><span class="tl-track"><span class="tl-bar state-${c.status}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%" title="${durationText(e - s)}"></span></span></div>`;
  });
  return html`<div class="timeline" data-span-ms="${span}">${bars}<div class="tl-axis"><span>0</span><span>${durationText(span)}</span></div></div>`;
}

function attemptsOf(ctx: PageContext, run: RunDetail, c: CallRow, attempts: AttemptRow[]): Html {
  const mine = attempts.filter((a) => a.callId === c.callId);
  if (mine.length === 0)
    return html`<span class="muted">${c.status === "running" ? `attempt ${c.attempts} running` : "no attempt yet"}</span>`;
  return html`<ol class="attempts">${mine.map(
    (a) =>
      html`<li class="${a.lost ? "lost" : a.success ? "ok" : "thrown"}"><b>attempt ${Math.abs(a.attempt)}</b>${a.attempt < 0 ? html` <span class="muted">(before the requeue)</span>` : ""} ${a.lost ? "lost" : a.success ? "completed" : "threw"}${a.worker ? html` <span class="muted">on ${a.worker}</span>` : ""} ${a.success ? value(ctx, run.id, a.result, `call:${c.callId}:${a.attempt}`) : html`<code class="error">${errorLine(a.result).slice(0, 500)}</code>`}</li>`,
  )}</ol>`;
}

export function runLive(
  ctx: PageContext,
  run: RunDetail,
  calls: CallRow[],
  attempts: AttemptRow[],
  signals: SignalRow[],
  children: { id: string; workflow: string; status: string }[],
  /** The run's state fingerprint as shown (the event stream reports any change from it). */
  shown: string,
): Html {
  const states = new Map<string, Set<string>>();
  for (const c of calls) {
    const key =
      c.wait === "child"
        ? `workflow:${c.action}`
        : c.wait === "signal"
          ? `signal:${c.action}`
          : c.wait
            ? ""
            : c.action;
    if (!key) continue;
    const set = states.get(key) ?? new Set<string>();
    set.add(c.status);
    states.set(key, set);
  }
  const done = TERMINAL.has(run.status);
  return html`<div id="live" data-status="${run.status}"${done ? "" : html` data-events="${ctx.base}/runs/${run.id}/events?f=${encodeURIComponent(shown)}"`}>
<dl class="facts">
<dt>State</dt><dd><span class="state state-${run.status}">${run.status}</span></dd>
<dt>Workflow</dt><dd><a href="${ctx.base}/workflows#${run.workflow}">${run.workflow}</a> <span class="mono muted">${run.version}</span></dd>
<dt>Created</dt><dd>${iso(run.createdAt)}</dd>
<dt>Started</dt><dd>${iso(run.startedAt)}</dd>
<dt>Ended</dt><dd>${iso(run.finishedAt)}</dd>
${run.wakeAt && !done ? html`<dt>Wakes</dt><dd>${iso(run.wakeAt)}</dd>` : ""}
${run.parentId ? html`<dt>Parent</dt><dd><a href="${ctx.base}/runs/${run.parentId}">${run.parentId}</a> (call ${run.parentCallId})</dd>` : ""}
${run.idempotencyKey ? html`<dt>Idempotency key</dt><dd class="mono">${run.idempotencyKey}</dd>` : ""}
<dt>Input</dt><dd>${value(ctx, run.id, run.input, "input")}</dd>
${run.status === "completed" ? html`<dt>Result</dt><dd>${value(ctx, run.id, run.result, "result")}</dd>` : ""}
${run.error ? html`<dt>Error</dt><dd><code class="error">${errorLine(run.error)}</code></dd>` : ""}
</dl>
<section><h2>Graph</h2><div class="graph-box">${graphSvg(run.ir as Program, states)}</div></section>
<section><h2>Timeline</h2>${calls.length > 0 ? timeline(run, calls) : html`<p class="muted">No calls yet.</p>`}</section>
<section><h2>Calls</h2>
<table class="calls"><thead><tr><th>#</th><th>Call</th><th>State</th><th>Attempts</th><th>Input</th><th>Outcome</th></tr></thead><tbody>
${calls.map(
  (
    c,
  ) => html`<tr data-call="${c.callId}"><td>${c.callId}</td><td>${kindOf(c)}${c.childId ? html` → <a href="${ctx.base}/runs/${c.childId}">run ${c.childId}</a>` : ""}</td>
<td><span class="state state-${c.status}">${c.status}</span></td>
<td>${c.attempts}${c.lost > 0 ? html` <span class="lost">(${c.lost} lost)</span>` : ""}</td>
<td>${c.wait ? "" : value(ctx, run.id, c.args, `args:${c.callId}`)}</td>
<td>${c.wait ? (c.success === null ? "" : value(ctx, run.id, c.result, `call:${c.callId}`)) : attemptsOf(ctx, run, c, attempts)}</td></tr>`,
)}
</tbody></table></section>
<section><h2>Signals</h2>${signals.length === 0 ? html`<p class="muted">None received.</p>` : html`<table class="signals"><thead><tr><th>Name</th><th>Payload</th><th>Received</th><th>Consumed by</th></tr></thead><tbody>${signals.map((s) => html`<tr><td>${s.name}</td><td>${value(ctx, run.id, s.payload, `signal:${s.id}`)}</td><td>${iso(s.createdAt)}</td><td>${s.callId === null ? html`<span class="muted">kept</span>` : `call ${s.callId}`}</td></tr>`)}</tbody></table>`}</section>
<section><h2>Children</h2>${children.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${children.map((k) => html`<li><a href="${ctx.base}/runs/${k.id}">run ${k.id}</a> ${k.workflow} <span class="state state-${k.status}">${k.status}</span></li>`)}</ul>`}</section>
</div>`;
}

export function runPage(ctx: PageContext, run: RunDetail, live: Html, notice?: string): Html {
  const done = TERMINAL.has(run.status);
  const body = html`<h1>Run ${run.id} <span class="muted">${run.workflow}</span></h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<div class="actions">
${done ? "" : postForm(ctx, `/runs/${run.id}/cancel`, html`<button type="submit" class="danger">Cancel</button>`)}
${run.status === "failed" ? postForm(ctx, `/runs/${run.id}/requeue`, html`<button type="submit" class="requeue">Requeue from the failed step</button>`) : ""}
${postForm(ctx, `/runs/${run.id}/rerun`, html`<button type="submit">Run again</button>`)}
${done ? "" : postForm(ctx, `/runs/${run.id}/signal`, html`<input name="name" placeholder="signal name" required><input name="payload" placeholder='payload (JSON), e.g. {"approved":true}'><button type="submit">Send signal</button>`, "signal-form")}
<a class="button" href="${ctx.base}/runs/${run.id}/export" download="run-${run.id}.json">Export JSON</a>
</div>
${live}`;
  return layout(ctx, `Run ${run.id}`, "runs", body);
}
