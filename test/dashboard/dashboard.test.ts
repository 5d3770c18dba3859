// The dashboard in a real browser (Chromium through playwright-core), served by a real
// `start-workers` process (WAYMARK_WEBAPP_ENABLED=1) on a real database: runs → detail →
// signal / cancel / rerun, each checked in the database; live updates without reload; every
// payload shown as text (no script ever runs); screenshots for docs/dashboard.md.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { closeWaymark } from "../../src/client/engine.js";
import { launchBrowser } from "../helpers/browser.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { type EngineProcess, startEngine, stopEngine } from "../helpers/engine.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FLOWS = join(ROOT, "test", "dashboard", "fixtures", "flows.ts");
// The screenshots docs/dashboard.md shows are rewritten with WAYMARK_UPDATE_SCREENSHOTS=1; other
// runs take them into a temporary directory (the pages still have to render).
const SHOTS = process.env.WAYMARK_UPDATE_SCREENSHOTS
  ? join(ROOT, "docs", "dashboard")
  : mkdtempSync(join(tmpdir(), "wm-shots-"));

let db: TestDb;
let engine: EngineProcess;
let client: pg.Client;
let browser: Browser;
let url: string;
let f: typeof import("./fixtures/flows.js");
const dialogs: string[] = [];

before(async () => {
  db = await createTestDb();
  process.env.WAYMARK_DATABASE_URL = db.url;
  engine = await startEngine({
    databaseUrl: db.url,
    modules: [FLOWS],
    env: { WAYMARK_WEBAPP_ENABLED: "1", WAYMARK_WEBAPP_ADDR: "127.0.0.1:0" },
  });
  url = (await engine.waitFor(/dashboard: (http:\/\/\S+)/))[1] as string;
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  f = await import("./fixtures/flows.js");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await client?.end();
  await closeWaymark();
  if (engine) await stopEngine(engine);
  await db?.drop();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

async function status(id: string): Promise<string> {
  return (await client.query("select status from waymark_instances where id = $1", [id])).rows[0]
    ?.status;
}

test("the workflows page shows every deployed workflow's graph before it ever ran", async () => {
  const page = await newPage();
  let found = 0;
  for (let i = 0; i < 50 && found < 7; i++) {
    await page.goto(`${url}/workflows`);
    found = await page.locator("section.workflow svg.graph").count();
    if (found < 7) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(found, 7, "the 7 workflows of the engine's module");
  assert.ok((await page.locator("section#napworkflow svg.graph g.node").count()) >= 4);
  assert.equal(
    Number((await client.query("select count(*) from waymark_instances")).rows[0].count),
    0,
  );
  await page.close();
});

test("runs → detail → signal: the run completes on the page without a reload", async () => {
  const h = await new f.OrderApprovalWorkflow().start("o-1");
  for (let i = 0; i < 100 && (await status(h.id)) !== "waiting"; i++)
    await new Promise((r) => setTimeout(r, 50));
  const page = await newPage();
  await page.goto(`${url}/runs`);
  const row = page.locator(`tr[data-run="${h.id}"]`);
  await row.waitFor();
  assert.match(await row.locator(".why").innerText(), /waiting for signal "decision" until /);

  await row.locator(`a[href="/runs/${h.id}"]`).click();
  await page.waitForURL(`${url}/runs/${h.id}`);
  assert.equal(await page.locator("#live").getAttribute("data-status"), "waiting");
  assert.equal(
    await page.locator('svg.graph g.node[data-state="waiting"]').count(),
    1,
    "the signal wait",
  );
  // The graph is drawn from the IR, its finished step coloured.
  assert.ok((await page.locator("svg.graph g.node").count()) >= 5);
  assert.equal(await page.locator('svg.graph g.node[data-state="completed"]').count(), 1);
  // Live: a signal sent from elsewhere; the page is not reloaded, its live part is swapped in.
  await page.evaluate("window.marker = 42");
  await h.signal("decision", { approved: true, by: "ada" });
  await page.locator('#live[data-status="completed"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate("window.marker"), 42, "no reload");
  assert.deepEqual(await h.result(), { shipped: "o-1", by: "ada" });
  assert.equal(await page.locator('svg.graph g.node[data-state="completed"]').count(), 3);

  // The page's own form sends one.
  const h2 = await new f.OrderApprovalWorkflow().start("o-2");
  for (let i = 0; i < 100 && (await status(h2.id)) !== "waiting"; i++)
    await new Promise((r) => setTimeout(r, 50));
  await page.goto(`${url}/runs/${h2.id}`);
  await page.fill(".signal-form input[name=name]", "decision");
  await page.fill(".signal-form input[name=payload]", '{"approved": true, "by": "bob"}');
  await page.click(".signal-form button");
  await page.waitForURL(/notice=/);
  assert.match(await page.locator(".notice").innerText(), /Signal "decision" sent/);
  assert.deepEqual(await h2.result(), { shipped: "o-2", by: "bob" });
  const sig = await client.query(
    "select name, payload, call_id from waymark_signals where instance_id = $1",
    [h2.id],
  );
  assert.deepEqual(
    sig.rows.map((r) => [r.name, r.payload, r.call_id !== null]),
    [["decision", { approved: true, by: "bob" }, true]],
  );
  await page.goto(`${url}/runs/${h.id}`);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, "run.png"), fullPage: true });
  await page.close();
});

test("cancel and run again change the database; a failed run shows each attempt's error", async () => {
  const nap = await new f.NapWorkflow().start(3_600_000);
  for (let i = 0; i < 100 && (await status(nap.id)) !== "sleeping"; i++)
    await new Promise((r) => setTimeout(r, 50));
  const page = await newPage();
  await page.goto(`${url}/runs/${nap.id}`);
  assert.match(await page.locator("dl.facts").innerText(), /Wakes/);
  await page.click("button.danger");
  await page.waitForURL(/notice=/);
  assert.match(await page.locator(".notice").innerText(), /Cancelled/);
  assert.equal(await status(nap.id), "cancelled");
  assert.equal(await page.locator("#live").getAttribute("data-status"), "cancelled");

  const before = Number(
    (await client.query("select count(*) from waymark_instances")).rows[0].count,
  );
  await page.click('form[action$="/rerun"] button');
  await page.waitForURL(/notice=Started/);
  const again = new URL(page.url()).pathname.split("/").at(-1) as string;
  assert.notEqual(again, nap.id);
  const rows = await client.query(
    "select workflow_name, input from waymark_instances where id = $1",
    [again],
  );
  assert.equal(rows.rows[0]?.workflow_name, "napworkflow");
  assert.equal(
    Number((await client.query("select count(*) from waymark_instances")).rows[0].count),
    before + 1,
  );

  await assert.rejects(new f.BrokenWorkflow().run("disk full"), /cannot: disk full/);
  const failed = (
    await client.query(
      "select id::text from waymark_instances where workflow_name = 'brokenworkflow'",
    )
  ).rows[0]?.id;
  await page.goto(`${url}/runs/${failed}`);
  assert.match(await page.locator("dl.facts").innerText(), /TypeError: cannot: disk full/);
  assert.match(
    await page.locator("table.calls").innerText(),
    /attempt 1 threw .*TypeError: cannot: disk full/,
  );
  assert.equal(await page.locator('svg.graph g.node[data-state="failed"]').count(), 1);
  await page.goto(`${url}/runs?status=failed`);
  assert.deepEqual(
    await page
      .locator("tr[data-run]")
      .evaluateAll((rs) => rs.map((r) => r.getAttribute("data-run"))),
    [failed],
  );
  await page.close();
});

test("requeue from the failed step: the run resumes there, the steps before it are not run again", async () => {
  const marker = join(mkdtempSync(join(tmpdir(), "wm-requeue-")), "ready");
  await assert.rejects(new f.RecoverWorkflow().run(marker), /not ready/);
  const id = (
    await client.query(
      "select id::text from waymark_instances where workflow_name = 'recoverworkflow'",
    )
  ).rows[0]?.id;
  const page = await newPage();
  await page.goto(`${url}/runs/${id}`);
  writeFileSync(marker, "ok now");
  await page.click("button.requeue");
  await page.waitForURL(/notice=/);
  assert.match(
    await page.locator(".notice").innerText(),
    /Requeued from the failed step: call 2 run again/,
  );
  await page
    .locator('#live[data-status="completed"]')
    .waitFor({ timeout: 15_000 })
    .catch(async (e) => {
      const i = await client.query(
        "select status, wake_at, lease_owner, calls_done, calls_absorbed, calls_awaited from waymark_instances where id = $1",
        [id],
      );
      const cs = await client.query(
        "select call_id, status, attempts, delivered, result from waymark_action_calls where instance_id = $1",
        [id],
      );
      throw new Error(
        `${(e as Error).message}\ninstance: ${JSON.stringify(i.rows)}\ncalls: ${JSON.stringify(cs.rows)}\npage: ${await page.locator("#live").getAttribute("data-status")}\nengine log tail:\n${engine.log().slice(-3000)}`,
      );
    });
  const run = await client.query("select status, result from waymark_instances where id = $1", [
    id,
  ]);
  assert.deepEqual(run.rows[0], {
    status: "completed",
    result: { before: "noted before", got: "ok now" },
  });
  const calls = await client.query(
    "select call_id, action_name, status, attempts from waymark_action_calls where instance_id = $1 order by call_id",
    [id],
  );
  assert.deepEqual(
    calls.rows.map((r) => [r.call_id, r.action_name, r.status, r.attempts]),
    [
      [1, "note", "completed", 1],
      [2, "whenReady", "completed", 1],
    ],
    "note ran once; whenReady with a fresh budget",
  );
  const history = await client.query(
    "select attempt, success from waymark_attempts where instance_id = $1 and call_id = 2 order by attempt",
    [id],
  );
  assert.deepEqual(
    history.rows.map((r) => [r.attempt, r.success]),
    [
      [-2, false],
      [-1, false],
      [1, true],
    ],
    "the attempts before the requeue are kept, negated",
  );
  assert.match(
    await page.locator("table.calls").innerText(),
    /attempt 1 \(before the requeue\) threw/,
  );

  // A run that failed in its own code would fail the same way: refused, nothing written.
  await assert.rejects(
    new f.OwnFaultWorkflow().run(3),
    /TypeError: Cannot read properties of undefined/,
  );
  const own = (
    await client.query(
      "select id::text from waymark_instances where workflow_name = 'ownfaultworkflow'",
    )
  ).rows[0]?.id;
  await page.goto(`${url}/runs/${own}`);
  await page.click("button.requeue");
  await page.waitForURL(/notice=/);
  assert.match(
    await page.locator(".notice").innerText(),
    /Not requeued: the run failed in its own code/,
  );
  assert.equal(await status(own), "failed");
  await page.close();
});

test("markup in names, inputs, outputs and errors shows as text and never runs", async () => {
  const out = await new f.MarkupWorkflow().run(f.XSS);
  assert.equal((out as { raw: string }).raw, f.XSS);
  await assert.rejects(new f.BrokenWorkflow().run(f.XSS));
  const page = await newPage();
  const id = (
    await client.query("select id::text from waymark_instances where workflow_name like 'markup%'")
  ).rows[0]?.id;
  for (const path of [
    "/runs",
    `/runs/${id}`,
    "/workflows",
    `/runs?q=${encodeURIComponent("onerror")}`,
  ]) {
    await page.goto(`${url}${path}`);
    await page.waitForTimeout(200);
    assert.ok(
      (await page.content()).includes("&lt;script&gt;alert(1)&lt;/script&gt;"),
      `${path}: escaped`,
    );
    assert.equal(
      await page.locator("main script").count(),
      0,
      `${path}: no script element from data`,
    );
    assert.equal(await page.locator("main img").count(), 0, `${path}: no img element from data`);
  }
  await page.goto(`${url}/runs/${id}`);
  assert.ok(
    (await page.locator("dl.facts").innerText()).includes(f.XSS.slice(0, 20)),
    "the payload is readable as text",
  );
  assert.deepEqual(dialogs, [], "no alert() ever ran");
  await page.close();
});

test("a run waiting out a retry's backoff says which attempt comes next, when, and after what", async () => {
  const h = await new f.PatientWorkflow().start(1);
  const retrying = async () =>
    (
      await client.query(
        "select status, attempts from waymark_action_calls where instance_id = $1",
        [h.id],
      )
    ).rows[0];
  for (let i = 0; i < 100 && (await retrying())?.status !== "queued"; i++)
    await new Promise((r) => setTimeout(r, 50));
  const page = await newPage();
  await page.goto(`${url}/runs`);
  assert.match(
    await page.locator(`tr[data-run="${h.id}"] .why`).innerText(),
    /^retrying `boom` \(attempt 2 of 3 at \d{4}-\d\d-\d\dT[\d:.]+Z\) after Error: boom 1$/,
  );
  await h.cancel();
  await page.close();
});

test("schedules: pause, resume and delete from the page change the database", async () => {
  const { scheduleWorkflow } = await import("../../src/client/schedules.js");
  await scheduleWorkflow(f.NapWorkflow, {
    scheduleName: "nightly",
    schedule: "0 3 * * *",
    inputs: [1],
  });
  const row = async () =>
    (await client.query("select paused from waymark_schedules where schedule_name = 'nightly'"))
      .rows[0];
  const page = await newPage();
  await page.goto(`${url}/schedules`);
  const tr = page.locator('tr[data-schedule="nightly"]');
  assert.match(await tr.innerText(), /napworkflow\s+0 3 \* \* \* UTC/);
  await tr.locator("button", { hasText: "Pause" }).click();
  await page.waitForURL(`${url}/schedules`);
  assert.deepEqual(await row(), { paused: true });
  assert.match(await tr.innerText(), /paused/);
  await tr.locator("button", { hasText: "Resume" }).click();
  await page.waitForURL(`${url}/schedules`);
  assert.deepEqual(await row(), { paused: false });
  await tr.locator("button", { hasText: "Delete" }).click();
  await page.waitForURL(`${url}/schedules`);
  assert.equal(await row(), undefined);
  assert.equal(await page.locator('tr[data-schedule="nightly"]').count(), 0);
  await page.close();
});

test("a large payload is cut on the page, whole as a download", async () => {
  const big = "x".repeat(50_000);
  await new f.MarkupWorkflow().run(big);
  const id = (
    await client.query(
      "select max(id)::text as id from waymark_instances where workflow_name like 'markup%'",
    )
  ).rows[0]?.id;
  const page = await newPage();
  const res = await page.goto(`${url}/runs/${id}`);
  const body = (await res?.text()) ?? "";
  assert.ok(
    body.length < 30_000,
    `the page carries ${body.length} characters, not the 150,000 of its values`,
  );
  const link = page.locator('a[href$="value?what=input"]');
  assert.equal(await link.innerText(), "full value");
  const whole = await fetch(`${url}${await link.getAttribute("href")}`);
  assert.equal(JSON.parse(await whole.text())[0], big);
  await page.close();
});

test("a mutation without the page's CSRF token, or from another origin, is refused", async () => {
  const nap = await new f.NapWorkflow().start(3_600_000);
  const plain = await fetch(`${url}/runs/${nap.id}/cancel`, { method: "POST", redirect: "manual" });
  assert.equal(plain.status, 403);
  assert.match(await plain.text(), /CSRF/);
  const page = await fetch(`${url}/runs/${nap.id}`);
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const csrf = cookie.split("=")[1] as string;
  const foreign = await fetch(`${url}/runs/${nap.id}/cancel`, {
    method: "POST",
    redirect: "manual",
    headers: {
      cookie,
      origin: "http://evil.example",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: `_csrf=${csrf}`,
  });
  assert.equal(foreign.status, 403);
  assert.notEqual(await status(nap.id), "cancelled");
  const own = await fetch(`${url}/runs/${nap.id}/cancel`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: `_csrf=${csrf}`,
  });
  assert.equal(own.status, 303);
  assert.equal(await status(nap.id), "cancelled");
});

test("screenshots of the runs, workflows and workers pages (docs/dashboard.md)", async () => {
  const page = await newPage();
  await page.goto(`${url}/runs`);
  assert.ok((await page.locator("tr[data-run]").count()) >= 6);
  await page.screenshot({ path: join(SHOTS, "runs.png") });
  await page.goto(`${url}/workflows`);
  assert.ok((await page.locator("section.workflow svg.graph").count()) >= 4);
  await page.screenshot({ path: join(SHOTS, "workflows.png") });
  await page.goto(`${url}/workers`);
  assert.match(await page.locator("main").innerText(), /1 runner, 2 worker processes live/);
  await page.screenshot({ path: join(SHOTS, "workers.png") });
  await page.close();
});
