// `waymark status`: recent workflow instances with state, workflow, timings and attempt
// counters, plus the live runners and workers on the database; `waymark status <id>`: one
// instance's action calls.
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import { type CallSummary, listCalls } from "../store/postgres/queries/listCalls.js";
import {
  type InstanceSummary,
  listInstances,
  liveProcesses,
} from "../store/postgres/queries/listInstances.js";
import { decodeValue } from "../values/index.js";

export const help = `waymark status [--limit <n>] [--status <state>] [--workflow <name>] [--json]
waymark status <id> [--json]

Lists the most recent workflow instances (newest first, default 20) with their state, workflow,
age, run time, action attempts (how many were lost with their worker, e.g. "4 (1 lost)") and,
for failures, the reason; then the live runners and workers. With an instance id: that
instance's action calls, each with its state, attempts, lost attempts and outcome.
  --status <state>   queued | running | waiting | sleeping | completed | failed | cancelled
  --workflow <name>  only instances of this workflow (its registered name, e.g. sequentialchainworkflow)
  --json             one JSON object per line instead of a table`;

function ago(d: Date, now: number): string {
  const s = Math.max(0, (now - d.getTime()) / 1000);
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

function duration(r: InstanceSummary, now: number): string {
  const start = r.startedAt ?? r.createdAt;
  const end = r.finishedAt?.getTime() ?? now;
  const ms = Math.max(0, end - start.getTime());
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function attempts(n: number, lost: number): string {
  return lost > 0 ? `${n} (${lost} lost)` : String(n);
}

function errorText(v: unknown): string {
  const e = decodeValue(v as never) as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? ""}`;
}

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table)
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    );
}

function outcome(c: CallSummary): string {
  if (c.success === null) return "";
  return c.success
    ? JSON.stringify(decodeValue(c.result as never)).slice(0, 80)
    : errorText(c.result).slice(0, 160);
}

function note(r: InstanceSummary, now: number): string {
  if (r.status === "sleeping" && r.wakeAt)
    return `wakes in ${Math.max(0, (r.wakeAt.getTime() - now) / 1000).toFixed(1)}s`;
  if (r.error && r.status === "failed") return errorText(r.error).slice(0, 120);
  if (r.parentId) return `child of ${r.parentId}`;
  return "";
}

export async function run(argv: string[]): Promise<number> {
  let limit = 20;
  let status: string | undefined;
  let workflow: string | undefined;
  let json = false;
  let id: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^\d+$/.test(a) && id === undefined) id = a;
    else if (a === "--limit") limit = Number(argv[++i]);
    else if (a === "--status") status = argv[++i];
    else if (a === "--workflow") workflow = argv[++i];
    else if (a === "--json") json = true;
    else {
      console.error(`unknown argument: ${a}\n\n${help}`);
      return 2;
    }
  }
  if (!Number.isInteger(limit) || limit <= 0) {
    console.error("--limit needs a positive whole number, e.g. --limit 50");
    return 2;
  }
  try {
    const cfg = await resolveConfig();
    const pool = getPool(cfg.databaseUrl, 2);
    await migrate(pool);
    if (id !== undefined) return await showInstance(pool, id, json);
    const rows = await listInstances(pool, { limit, status, workflow });
    const live = await liveProcesses(pool, cfg.lockTtlMs);
    const now = Date.now();
    if (json) {
      for (const r of rows) console.log(JSON.stringify({ ...r, note: note(r, now) }));
      return 0;
    }
    if (rows.length === 0) console.log("no workflow instances yet");
    else {
      printTable([
        ["ID", "STATE", "WORKFLOW", "CREATED", "TIME", "STEPS", "ATTEMPTS", ""],
        ...rows.map((r) => [
          r.id,
          r.status,
          r.workflow,
          ago(r.createdAt, now),
          duration(r, now),
          String(r.steps),
          attempts(r.attempts, r.lost),
          note(r, now),
        ]),
      ]);
    }
    console.log(
      `\nlive: ${live.runners} runner(s), ${live.workers} worker process(es)` +
        (live.actions.length > 0 ? ` serving ${live.actions.length} action(s)` : ""),
    );
    if (live.runners === 0)
      console.log(
        "no runner is live: queued workflows wait until one starts (waymark start-workers --module <your module>)",
      );
    return 0;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}

async function showInstance(
  pool: Parameters<typeof listCalls>[0],
  id: string,
  json: boolean,
): Promise<number> {
  const [inst] = await listInstances(pool, { limit: 1, id });
  if (!inst) {
    console.error(`instance ${id} does not exist (ids are listed by \`waymark status\`)`);
    return 1;
  }
  const calls = await listCalls(pool, id);
  const now = Date.now();
  if (json) {
    console.log(JSON.stringify({ ...inst, note: note(inst, now), calls }));
    return 0;
  }
  console.log(
    `${inst.id}  ${inst.status}  ${inst.workflow}  created ${ago(inst.createdAt, now)}  ` +
      `time ${duration(inst, now)}  steps ${inst.steps}  attempts ${attempts(inst.attempts, inst.lost)}` +
      (inst.parentId ? `  parent ${inst.parentId}` : ""),
  );
  const n = note(inst, now);
  if (n) console.log(n);
  if (calls.length === 0) {
    console.log("no recorded action calls");
    return 0;
  }
  console.log("");
  printTable([
    ["CALL", "ACTION", "STATE", "ATTEMPTS", "LOST", "OUTCOME"],
    ...calls.map((c) => [
      String(c.callId),
      c.wait === "signal" ? `signal ${c.action}` : c.wait ? `${c.wait} ${c.action}` : c.action,
      c.status,
      String(c.attempts),
      String(c.lost),
      outcome(c),
    ]),
  ]);
  return 0;
}
