// Who may use the dashboard: a bind other machines can reach needs a token, and then every
// request carries it (bearer header, or the session cookie of the login form). Over real HTTP
// against a real database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Dashboard, startDashboard } from "../../src/dashboard/startDashboard.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
let d: Dashboard;
const TOKEN = "s3cret-token";

before(async () => {
  db = await createTestDb();
});
after(async () => {
  await d?.close();
  await db?.drop();
});

test("listening beyond loopback without WAYMARK_WEBAPP_TOKEN is refused", async () => {
  await assert.rejects(
    startDashboard({ databaseUrl: db.url, host: "0.0.0.0", port: 0 }),
    /would listen on 0\.0\.0\.0, which other machines can reach: set WAYMARK_WEBAPP_TOKEN/,
  );
});

test("with a token: the login form, the bearer header, and nothing else", async () => {
  d = await startDashboard({ databaseUrl: db.url, host: "0.0.0.0", port: 0, token: TOKEN });
  const base = d.url.replace("0.0.0.0", "127.0.0.1");
  const anon = await fetch(`${base}/runs`, { redirect: "manual" });
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get("location"), "/login?next=%2Fruns");
  assert.equal(
    (await fetch(`${base}/runs/1/cancel`, { method: "POST", redirect: "manual" })).status,
    401,
  );
  assert.equal(
    (await fetch(`${base}/static/dashboard.css`)).status,
    200,
    "static files are public",
  );
  const bearer = await fetch(`${base}/runs`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(bearer.status, 200);
  assert.match(await bearer.text(), /<h1>Runs<\/h1>/);
  assert.equal(
    (await fetch(`${base}/runs`, { headers: { authorization: "Bearer nope" }, redirect: "manual" }))
      .status,
    303,
  );
  const wrong = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "token=nope&next=/runs",
  });
  assert.equal(wrong.status, 401);
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${TOKEN}&next=/workers`,
  });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/workers");
  const cookies = login.headers.getSetCookie().map((c) => c.split(";")[0]);
  const session = cookies.find((c) => c?.startsWith("wm_session="));
  assert.ok(session, "a session cookie");
  assert.ok(!session.includes(TOKEN), "the cookie is not the token");
  const page = await fetch(`${base}/workers`, { headers: { cookie: session } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<h1>Workers<\/h1>/);
});
