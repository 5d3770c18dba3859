// The runs page at 1,000,000 instances: every filter's first page and a page deep in the history
// is read through an index, touching about as many rows as it shows — the plan (EXPLAIN
// ANALYZE, BUFFERS) is asserted, not a time. The figures are printed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { type RunFilter, runsQuery } from "../../src/dashboard/queries.js";
import { ENGINE_SESSION_OPTIONS } from "../../src/store/postgres/pool.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

const N = 1_000_000;
let db: TestDb;
let c: pg.Client;

before(async () => {
  db = await createTestDb();
  // The dashboard's connections have the engine's session options (generic plans, no seq scans).
  c = new pg.Client({ connectionString: db.url, options: ENGINE_SESSION_OPTIONS });
  await c.connect();
  const v = await c.query<{ id: string }>(
    "insert into waymark_workflow_versions (name, version, ir) values ('wf', '1', '{}') returning id",
  );
  // 1 in 1,000 of workflow "rare", 1 in 100 failed, 1 in 10,000 still waiting.
  await c.query(
    `insert into waymark_instances (version_id, workflow_name, input, status, created_at, started_at,
                                    finished_at, wake_at, result)
     select $1, case when g % 1000 = 0 then 'rare' when g % 2 = 0 then 'wf_a' else 'wf_b' end,
            json_build_array('order-' || g),
            case when g % 10000 = 0 then 'waiting' when g % 100 = 0 then 'failed' else 'completed' end,
            t, t, case when g % 10000 = 0 then null else t + interval '1 second' end, null, '1'
       from generate_series(1, ${N}) g, lateral (select now() - (${N} - g) * interval '1 second' as t) x`,
    [v.rows[0]?.id],
  );
  await c.query("analyze waymark_instances");
});

after(async () => {
  await c?.end();
  await db?.drop();
});

interface Plan {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: Plan[];
}

function walk(p: Plan, out: Plan[] = []): Plan[] {
  out.push(p);
  for (const k of p.Plans ?? []) walk(k, out);
  return out;
}

async function explain(f: RunFilter) {
  const q = runsQuery(f);
  const r = await c.query(`explain (analyze, buffers, format json) ${q.text}`, q.values);
  const top = r.rows[0]["QUERY PLAN"][0] as { Plan: Plan; "Execution Time": number };
  const nodes = walk(top.Plan);
  const scans = nodes.filter(
    (n) => /Scan/.test(n["Node Type"]) && n["Node Type"] !== "Function Scan",
  );
  const instanceScan = scans.find((n) => n["Index Name"]?.startsWith("waymark_instances"));
  return {
    ms: top["Execution Time"],
    blocks: top.Plan["Shared Hit Blocks"] + top.Plan["Shared Read Blocks"],
    index: instanceScan?.["Index Name"],
    rowsRead: (instanceScan?.["Actual Rows"] ?? 0) * (instanceScan?.["Actual Loops"] ?? 1),
    seq: nodes.some((n) => n["Node Type"] === "Seq Scan"),
  };
}

const cases: [string, RunFilter, string][] = [
  ["first page", { limit: 50 }, "waymark_instances_pkey"],
  ["a page half-way down", { limit: 50, before: String(N / 2) }, "waymark_instances_pkey"],
  ["state failed (1 %)", { limit: 50, status: "failed" }, "waymark_instances_unfinished"],
  [
    "state waiting (0.01 %), deep",
    { limit: 50, status: "waiting", before: String(N / 2) },
    "waymark_instances_unfinished",
  ],
  ["workflow rare (0.1 %)", { limit: 50, workflow: "rare" }, "waymark_instances_workflow"],
  [
    "workflow rare, deep",
    { limit: 50, workflow: "rare", before: String(N / 4) },
    "waymark_instances_workflow",
  ],
  ["run id", { limit: 50, q: "777777" }, "waymark_instances_pkey"],
];

for (const [name, f, index] of cases) {
  test(`runs page at ${N.toLocaleString("en")} instances, ${name}: through ${index}`, async () => {
    const e = await explain(f);
    console.log(
      `# ${name}: ${e.index}, ${e.rowsRead} instance rows read, ${e.blocks} buffers, ${e.ms.toFixed(2)} ms`,
    );
    assert.equal(e.seq, false, "no sequential scan");
    assert.equal(e.index, index);
    assert.ok(e.rowsRead <= 51, `read ${e.rowsRead} instance rows for one page`);
    assert.ok(e.blocks < 2_000, `${e.blocks} buffers`);
  });
}
