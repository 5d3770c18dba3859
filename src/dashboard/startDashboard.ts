// The dashboard's HTTP server (hono on node): server-rendered pages over the engine's tables,
// htmx for live parts, a JSON export per run. Served by `start-workers` when
// WAYMARK_WEBAPP_ENABLED=1, and alone by `waymark dashboard`. See security.ts for who may use
// it and how mutations are protected.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import type pg from "pg";
import { checkSent, encodeSignal } from "../client/engine.js";
import { cancelledError } from "../runner/engineErrors.js";
import { parseSchedule } from "../schedules/scheduleExpression.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import { closePool } from "../store/postgres/pool.js";
import { requeueFromFailure } from "../store/postgres/queries/requeue.js";
import {
  deleteScheduleRow,
  listScheduleRows,
  setSchedulePaused,
} from "../store/postgres/queries/schedules.js";
import { encodeValue } from "../values/index.js";
import { valueText } from "./format.js";
import { html, raw } from "./html.js";
import { layout, type PageContext } from "./pages/layout.js";
import { schedulesPage, workersPage, workflowsPage } from "./pages/other.js";
import { runLive, runPage } from "./pages/run.js";
import { runsPage, runsTable, STATES } from "./pages/runs.js";
import {
  actionQueues,
  getRun,
  listRuns,
  liveProcesses,
  type RunFilter,
  runAttempts,
  runCalls,
  runSignals,
  workflowNames,
  workflowVersions,
} from "./queries.js";
import { csrfOf, guard, isLoopback, SESSION_COOKIE, same, sessionValue } from "./security.js";

export interface DashboardOptions {
  databaseUrl: string;
  /** WAYMARK_WEBAPP_ADDR's host (default 127.0.0.1). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** WAYMARK_WEBAPP_TOKEN: required for a bind other machines can reach. */
  token?: string;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

const PAGE = 50;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const LIVE_POLL_MS = 500;
const require = createRequire(import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  "htmx.min.js": { file: require.resolve("htmx.org/dist/htmx.min.js"), type: "text/javascript" },
  "dashboard.js": {
    file: new URL("./static/dashboard.js", import.meta.url).pathname,
    type: "text/javascript",
  },
  "dashboard.css": {
    file: new URL("./static/dashboard.css", import.meta.url).pathname,
    type: "text/css",
  },
};

/** WAYMARK_WEBAPP_ADDR ("host:port", default 127.0.0.1:24119). */
export function parseAddr(addr: string | undefined): { host: string; port: number } {
  const a = (addr ?? "").trim() || "127.0.0.1:24119";
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(a);
  if (!m)
    throw new Error(`WAYMARK_WEBAPP_ADDR must be host:port (e.g. 127.0.0.1:24119), got "${a}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

function dashboardUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set("application_name", "waymark-dashboard");
  return u.toString();
}

function filterOf(c: Context): RunFilter {
  const q = c.req.query();
  const when = (s: string | undefined) => {
    if (!s) return undefined;
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const f: RunFilter = { limit: PAGE };
  if (q.status && STATES.includes(q.status)) f.status = q.status;
  if (q.workflow) f.workflow = q.workflow;
  const from = when(q.from);
  const to = when(q.to);
  if (from) f.from = from;
  if (to) f.to = to;
  if (q.q?.trim()) f.q = q.q.trim().slice(0, 200);
  if (q.before && /^\d{1,18}$/.test(q.before)) f.before = q.before;
  return f;
}

/** What a run page shows, in one string: it differs whenever the page would. */
async function fingerprint(
  db: pg.Pool,
  id: string,
): Promise<{ status: string; f: string } | undefined> {
  const r = await db.query<{ status: string; f: string }>({
    name: "wm_dash_fingerprint",
    text: `select i.status, i.status || ':' || i.steps || ':' || coalesce(i.wake_at::text, '') || ':' ||
                  (select count(*) || ':' || count(*) filter (where status = 'running') || ':' ||
                          coalesce(max(coalesce(finished_at, started_at, created_at))::text, '')
                     from waymark_action_calls where instance_id = i.id) || ':' ||
                  (select count(*) from waymark_signals where instance_id = i.id) as f
             from waymark_instances i where i.id = $1`,
    values: [id],
  });
  return r.rows[0];
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? "127.0.0.1";
  const token = o.token?.trim() || undefined;
  if (!isLoopback(host) && !token)
    throw new Error(
      `the dashboard would listen on ${host}, which other machines can reach: set WAYMARK_WEBAPP_TOKEN (every request then needs it) or bind to 127.0.0.1 (WAYMARK_WEBAPP_ADDR)`,
    );
  // A pool of its own (the URL differs by application_name): a page never takes a connection
  // the engine needs, and the dashboard shows as such in pg_stat_activity.
  const url = dashboardUrl(o.databaseUrl);
  const store = new PostgresStore(url, 3);
  const db = store.pool;
  const base = "";
  const app = new Hono();
  const ctx = (c: Context): PageContext => ({ csrf: csrfOf(c), base });
  app.use("*", guard(token, base));
  app.onError((e, c) => {
    console.error(`waymark dashboard: ${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
    return c.text(`error: ${e.message}`, 500);
  });

  app.get("/static/:name", (c) => {
    const s = STATIC[c.req.param("name")];
    if (!s) return c.notFound();
    c.header("Cache-Control", "max-age=300");
    return c.body(readFileSync(s.file), 200, { "Content-Type": s.type });
  });

  app.get("/login", (c) =>
    c.html(
      layout(
        ctx(c),
        "Sign in",
        "",
        html`<form class="login" method="post" action="${base}/login"><h1>Waymark</h1><p>This dashboard needs its token (WAYMARK_WEBAPP_TOKEN).</p><input type="hidden" name="next" value="${c.req.query("next") ?? "/runs"}"><p><input type="password" name="token" autofocus required placeholder="token"></p><button type="submit">Sign in</button></form>`,
      ).text,
    ),
  );
  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const next =
      typeof form.next === "string" && form.next.startsWith("/") && !form.next.startsWith("//")
        ? form.next
        : "/runs";
    if (!token || typeof form.token !== "string" || !same(form.token, token))
      return c.text("wrong token", 401);
    setCookie(c, SESSION_COOKIE, sessionValue(token), {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
    });
    return c.redirect(`${base}${next}`, 303);
  });

  app.get("/", (c) => c.redirect(`${base}/runs`, 303));

  app.get("/runs", async (c) => {
    const f = filterOf(c);
    const [{ rows, next }, names] = await Promise.all([listRuns(db, f), workflowNames(db)]);
    if (c.req.header("hx-request")) return c.html(runsTable(ctx(c), f, rows, next).text);
    return c.html(runsPage(ctx(c), f, names, rows, next).text);
  });

  const loadRun = async (id: string) => {
    const run = await getRun(db, id);
    if (!run) return undefined;
    const [calls, attempts, signals, kids] = await Promise.all([
      runCalls(db, id),
      runAttempts(db, id),
      runSignals(db, id),
      db.query<{ id: string; workflow: string; status: string }>(
        "select id::text, workflow_name as workflow, status from waymark_instances where parent_id = $1 order by waymark_instances.id",
        [id],
      ),
    ]);
    return { run, calls, attempts, signals, children: kids.rows };
  };

  app.get("/runs/:id", async (c) => {
    // Taken before the run is read: a change after it, even one the page already shows, differs
    // from it, so the event stream never misses one (at worst the page refreshes once for
    // nothing).
    const seen = /^\d{1,18}$/.test(c.req.param("id"))
      ? await fingerprint(db, c.req.param("id"))
      : undefined;
    const r = await loadRun(c.req.param("id"));
    if (!r)
      return c.html(
        layout(ctx(c), "Not found", "runs", html`<h1>No run ${c.req.param("id")}</h1>`).text,
        404,
      );
    const live = runLive(ctx(c), r.run, r.calls, r.attempts, r.signals, r.children, seen?.f ?? "");
    if (c.req.query("part") === "live") return c.html(live.text);
    return c.html(runPage(ctx(c), r.run, live, c.req.query("notice")).text);
  });

  app.get("/runs/:id/events", (c) => {
    const id = c.req.param("id");
    // The page says what it showed: any difference from it is a change to report.
    const shown = c.req.query("f") ?? "";
    return streamSSE(c, async (stream) => {
      let last = shown;
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      for (let beat = 0; !closed; beat++) {
        const now = await fingerprint(db, id);
        if (now === undefined) break;
        if (now.f !== last) {
          await stream.writeSSE({ event: "change", data: now.status });
          last = now.f;
        } else if (beat % 30 === 29) await stream.writeSSE({ event: "ping", data: "" });
        if (TERMINAL.has(now.status)) break;
        await stream.sleep(LIVE_POLL_MS);
      }
    });
  });

  app.get("/runs/:id/export", async (c) => {
    const r = await loadRun(c.req.param("id"));
    if (!r) return c.notFound();
    const { ir: _ir, ...run } = r.run;
    c.header("Content-Disposition", `attachment; filename="run-${r.run.id}.json"`);
    return c.json({
      run,
      calls: r.calls,
      attempts: r.attempts,
      signals: r.signals,
      children: r.children,
    });
  });

  app.get("/runs/:id/value", async (c) => {
    const r = await loadRun(c.req.param("id"));
    if (!r) return c.notFound();
    const what = c.req.query("what") ?? "";
    const [kind, a, b] = what.split(":");
    let v: unknown;
    if (kind === "input") v = r.run.input;
    else if (kind === "result") v = r.run.result;
    else if (kind === "args") v = r.calls.find((x) => x.callId === Number(a))?.args;
    else if (kind === "call" && b === undefined)
      v = r.calls.find((x) => x.callId === Number(a))?.result;
    else if (kind === "call")
      v = r.attempts.find((x) => x.callId === Number(a) && x.attempt === Number(b))?.result;
    else if (kind === "signal") v = r.signals.find((s) => s.id === a)?.payload;
    if (v === undefined) return c.notFound();
    c.header(
      "Content-Disposition",
      `attachment; filename="run-${r.run.id}-${what.replaceAll(":", "-")}.json"`,
    );
    return c.body(valueText(v), 200, { "Content-Type": "application/json" });
  });

  const back = (c: Context, id: string, notice: string) =>
    c.redirect(`${base}/runs/${id}?notice=${encodeURIComponent(notice)}`, 303);

  app.post("/runs/:id/cancel", async (c) => {
    const id = c.req.param("id");
    if (!(await getRun(db, id))) return c.notFound();
    const did = await store.cancelInstance(id, JSON.stringify(encodeValue(cancelledError())));
    return back(
      c,
      id,
      did
        ? "Cancelled (with its unfinished child workflows)."
        : "Not cancelled: the run had already ended.",
    );
  });

  app.post("/runs/:id/signal", async (c) => {
    const id = c.req.param("id");
    const form = await c.req.parseBody();
    const name = typeof form.name === "string" ? form.name.trim() : "";
    const text = typeof form.payload === "string" ? form.payload.trim() : "";
    try {
      let payload: unknown = null;
      if (text !== "") {
        try {
          payload = JSON.parse(text);
        } catch {
          throw new Error(`the payload is not JSON: ${text.slice(0, 80)}`);
        }
      }
      checkSent(await store.sendSignal(id, name, encodeSignal(name, payload)), name, id);
      return back(c, id, `Signal "${name}" sent.`);
    } catch (e) {
      return back(c, id, `Signal not sent: ${(e as Error).message}`);
    }
  });

  app.post("/runs/:id/requeue", async (c) => {
    const id = c.req.param("id");
    const r = await requeueFromFailure(db, id);
    return back(
      c,
      id,
      r.ok
        ? `Requeued from the failed step: call${r.calls.length > 1 ? "s" : ""} ${r.calls.join(", ")} run again; the steps before it are not.`
        : `Not requeued: ${r.reason}.`,
    );
  });

  app.post("/runs/:id/rerun", async (c) => {
    const run = await getRun(db, c.req.param("id"));
    if (!run) return c.notFound();
    const id = await store.insertInstance(run.versionId, run.workflow, JSON.stringify(run.input));
    return back(c, id, `Started as a new run of ${run.workflow} with run ${run.id}'s input.`);
  });

  app.get("/workflows", async (c) =>
    c.html(workflowsPage(ctx(c), await workflowVersions(db)).text),
  );

  app.get("/workers", async (c) => {
    const [procs, queues] = await Promise.all([liveProcesses(db, 15_000), actionQueues(db)]);
    return c.html(workersPage(ctx(c), procs, queues).text);
  });

  app.get("/schedules", async (c) =>
    c.html(schedulesPage(ctx(c), await listScheduleRows(db)).text),
  );

  for (const op of ["pause", "resume", "delete"] as const)
    app.post(`/schedules/${op}`, async (c) => {
      const wf = c.req.query("workflow") ?? "";
      const name = c.req.query("name") ?? "";
      if (op === "delete") await deleteScheduleRow(db, wf, name);
      else
        await setSchedulePaused(db, wf, name, op === "pause", (e, tz) =>
          parseSchedule(e, tz).next(new Date()),
        );
      return c.redirect(`${base}/schedules`, 303);
    });

  app.notFound((c) => c.html(layout(ctx(c), "Not found", "", raw("<h1>Not found</h1>")).text, 404));

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 24119 }, () => resolve(s));
    s.once("error", reject);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : (o.port ?? 24119);
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await closePool(url);
    },
  };
}
