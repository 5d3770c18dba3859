// The peer harness in ../shared/bench (DBOS Transact for A/B/C, graphile-worker for D), run on
// the same Postgres, one scenario at a time so that ours and the peer's alternate. Its JSON lines
// are parsed into the same field names as ours (per action, not per workflow).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { RESULTS, ROOT } from "./engineProcess.js";
import { WARMUP_WORKFLOWS } from "./warmup.js";

export const PEER_DIR = join(ROOT, "..", "shared", "bench");

export interface PeerFigures {
  peer: string;
  [field: string]: number | string;
}

export function peersAvailable(): boolean {
  return existsSync(join(PEER_DIR, "package.json"));
}

/** `npm ci` in the harness once, when its node_modules is missing. */
export function ensurePeerInstall(note: (s: string) => void): boolean {
  if (existsSync(join(PEER_DIR, "node_modules", "@dbos-inc"))) return true;
  note(`  installing the peer harness (npm ci in ${PEER_DIR}) ...`);
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: PEER_DIR,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return r.status === 0;
}

/** postgresql://user@host:port — the harness appends /<database> itself. */
function baseOf(url: string): string {
  const u = new URL(url);
  u.pathname = "";
  u.search = "";
  return u.toString().replace(/\/$/, "");
}

function run(
  script: string,
  env: Record<string, string>,
  note: (s: string) => void,
  timeoutMs: number,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script], {
      cwd: PEER_DIR,
      env: { ...process.env, ...env, BENCH_OUT: join(RESULTS, "peers") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      note(`  peer ${script} timed out after ${timeoutMs} ms; killed`);
      p.kill("SIGKILL");
    }, timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(timer);
      const rows: Record<string, unknown>[] = [];
      for (const line of out.split("\n")) {
        const t = line.trim();
        const json = t.startsWith("{")
          ? t
          : t.startsWith("# summary")
            ? t.slice(t.indexOf("{"))
            : "";
        if (!json) continue;
        try {
          rows.push(JSON.parse(json) as Record<string, unknown>);
        } catch {
          /* not a result line */
        }
      }
      if (code !== 0 && rows.length === 0)
        reject(new Error(`peer ${script} exited ${code}: ${err.slice(-1500)}`));
      else resolve(rows);
    });
  });
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** DBOS for scenario A, B or C, sized like ours (scale as in ctx.scale). */
export async function runDbos(
  scenario: "A" | "B" | "C" | "E",
  baseUrl: string,
  scale: number,
  note: (s: string) => void,
): Promise<PeerFigures | undefined> {
  const s = (n: number, min = 1) => String(Math.max(min, Math.round(n * scale)));
  const rows = await run(
    "dbos/bench-dbos.mjs",
    {
      PG_BASE_URL: baseOf(baseUrl),
      WORKLOADS: scenario,
      REPS: "1",
      // The harness's default, and the same warm-up our engine gets (bench/warmup.ts).
      WARMUP: s(WARMUP_WORKFLOWS, 10),
      N_A: s(2000),
      CONC_A: "32",
      LAT_N: s(200, 10),
      FAN: s(1000, 10),
      SLEEP_N: s(500, 10),
      SIG_N: s(200, 10),
      KIDS: s(1000, 10),
    },
    note,
    240_000,
  );
  const row = rows.find((r) => r.type === scenario);
  if (!row) return undefined;
  if (scenario === "A")
    return {
      peer: "DBOS",
      wf_per_s: num(row.wf_per_s),
      steps_per_s: num(row.steps_per_s),
      lat_p50_ms: num(row.lat_p50_ms),
      lat_p95_ms: num(row.lat_p95_ms),
      lat_p99_ms: num(row.lat_p99_ms),
      xacts_per_step: r3(num(row.xacts_per_wf) / 3),
      wal_bytes_per_step: Math.round(num(row.wal_bytes_per_wf) / 3),
      client_cpu_ms_per_step: r3(num(row.client_cpu_ms_per_wf) / 3),
      server_cpu_ms_per_step: r3(num(row.server_cpu_ms_per_wf) / 3),
    };
  if (scenario === "B")
    return { peer: "DBOS", wall_ms: num(row.wall_ms), steps_per_s: num(row.steps_per_s) };
  if (scenario === "E")
    return {
      peer: "DBOS",
      signal_p50_ms: num(row.sig_p50_ms),
      signal_p99_ms: num(row.sig_p99_ms),
      children_wall_ms: num(row.kids_wall_ms),
    };
  return { peer: "DBOS", wall_ms: num(row.wall_ms), start_all_ms: num(row.start_all_ms) };
}

/** graphile-worker (batched preset) for scenario D. */
export async function runGraphile(
  baseUrl: string,
  scale: number,
  note: (s: string) => void,
): Promise<PeerFigures | undefined> {
  const rows = await run(
    "queues/bench-graphile.mjs",
    {
      PG_BASE_URL: baseOf(baseUrl),
      N: String(Math.max(100, Math.round(20000 * scale))),
      CONCURRENCY: "32",
      REPS: "1",
      VARIANTS: "batched",
    },
    note,
    240_000,
  );
  const row = rows.find((r) => r.type === "graphile" && r.variant === "batched");
  if (!row) return undefined;
  return {
    peer: "graphile-worker (batched)",
    steps_per_s: num(row.jobs_per_s),
    wall_ms: Math.round(num(row.process_s) * 1000),
    xacts_per_step: num(row.xacts_per_job),
    wal_bytes_per_step: num(row.wal_bytes_per_job),
  };
}
