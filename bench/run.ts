// `npm run bench [-- --json] [--scenario A,B,C,D] [--runs N] [--embedded] [--no-peers] [--quick] [--cpu-prof]`
//
// Creates its own database (waymark_bench) on WAYMARK_DATABASE_URL's server (or on the embedded
// server with --embedded), runs `waymark start-workers` as a separate process on it, runs the
// scenarios, and — when ../shared/bench is present — the peer harness for the same scenario right
// after ours (alternating), then writes bench/results/{latest.json,chart.svg}.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderChart } from "./chart.js";
import type { BenchContext, EngineVariant, ScenarioResult } from "./context.js";
import { closeDashboardTab, openDashboardTab } from "./dashboardTab.js";
import { dropDatabase, recreateDatabase, serverSettings, truncateRunTables } from "./database.js";
import { type EngineProcess, RESULTS, startEngine } from "./engineProcess.js";
import { PgCounters, round } from "./metrics.js";
import {
  ensurePeerInstall,
  type PeerFigures,
  peersAvailable,
  runDbos,
  runGraphile,
} from "./peers.js";
import { Progress } from "./progress.js";
import { warmUp } from "./warmup.js";

type Scenario = "A" | "B" | "C" | "D" | "E" | "F";
const ALL: Scenario[] = ["A", "B", "C", "D", "E", "F"];
const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

const USAGE = `npm run bench -- [options]
  --json              one JSON line per scenario on stdout (progress stays on stderr)
  --scenario A[,B..]  run only these scenarios (A sequential, B fan-out, C sleep, D queue drain,
                      E signal round trip and 1,000 child workflows, F 1,000 schedules)
  --runs N            run every scenario (and its peer) N times, alternating, then print the
                      median of each figure over the N runs (JSON: one line per run with "run",
                      then one per scenario with "run":"median")
  --embedded          run on the embedded Postgres (src/store/embedded) instead of WAYMARK_DATABASE_URL
  --no-peers          skip the peer harness (../shared/bench)
  --quick             every count ÷ 10 (a smoke run)
  --cpu-prof          run start-workers under node --cpu-prof (profiles in bench/results/prof)
  --database NAME     bench database name (default waymark_bench; dropped and recreated)
  --keep              keep the bench database afterwards
  --pause MS          with --no-peers: pause our engine MS after each scenario, as a peer run
                      does (reproduces a run with peers without running them)
  --no-rewarm         after a peer run (or --pause), measure our next scenario without warming
                      our engine up again first
  --dashboard         the engine serves the dashboard (WAYMARK_WEBAPP_ENABLED=1) and a Chromium
                      tab keeps its runs page open throughout`;

interface Options {
  json: boolean;
  scenarios: Scenario[];
  embedded: boolean;
  peers: boolean;
  scale: number;
  cpuProf: boolean;
  database: string;
  keep: boolean;
  runs: number;
  pauseMs: number;
  rewarm: boolean;
  dashboard: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = {
    json: false,
    scenarios: [],
    embedded: false,
    peers: true,
    scale: 1,
    cpuProf: false,
    database: "waymark_bench",
    keep: false,
    runs: 1,
    pauseMs: 0,
    rewarm: true,
    dashboard: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--json") o.json = true;
    else if (a === "--scenario" || a.startsWith("--scenario=")) {
      for (const s of value().toUpperCase().split(",")) {
        if (!ALL.includes(s as Scenario)) throw new Error(`unknown scenario ${s} (A to F)`);
        o.scenarios.push(s as Scenario);
      }
    } else if (a === "--embedded") o.embedded = true;
    else if (a === "--no-peers") o.peers = false;
    else if (a === "--quick") o.scale = 0.1;
    else if (a === "--cpu-prof") o.cpuProf = true;
    else if (a === "--database" || a.startsWith("--database=")) o.database = value();
    else if (a === "--keep") o.keep = true;
    else if (a === "--no-rewarm") o.rewarm = false;
    else if (a === "--dashboard") o.dashboard = true;
    else if (a === "--runs" || a.startsWith("--runs=")) {
      o.runs = Number(value());
      if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error("--runs needs a count ≥ 1");
    } else if (a === "--pause" || a.startsWith("--pause=")) {
      o.pauseMs = Number(value());
      if (!(o.pauseMs >= 0)) throw new Error("--pause needs milliseconds ≥ 0");
    } else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (o.scenarios.length === 0) o.scenarios = [...ALL];
  return o;
}

/** The bar from the issue, per scenario: [description, passed]. */
function bar(r: ScenarioResult, p: PeerFigures | undefined): [string, boolean][] {
  const n = (x: unknown) => (typeof x === "number" ? x : Number.NaN);
  const out: [string, boolean][] = [];
  if (r.scenario === "A") {
    out.push(["≤ 1 commit per action", n(r.xacts_per_step) <= 1]);
    if (p) {
      out.push(["actions/s ≥ 5× DBOS", n(r.steps_per_s) >= 5 * n(p.steps_per_s)]);
      out.push(["latency p50 ≤ DBOS", n(r.lat_p50_ms) <= n(p.lat_p50_ms)]);
      out.push(["WAL per action < DBOS", n(r.wal_bytes_per_step) < n(p.wal_bytes_per_step)]);
    }
  } else if (r.scenario === "B") {
    if (p) out.push(["≥ 10× faster than DBOS", n(r.wall_ms) * 10 <= n(p.wall_ms)]);
  } else if (r.scenario === "C") {
    out.push(["wall ≤ 1.2 s", n(r.wall_ms) <= 1200]);
  } else if (r.scenario === "D") {
    if (p) out.push(["actions/s ≥ graphile-worker batched", n(r.steps_per_s) >= n(p.steps_per_s)]);
  } else if (r.scenario === "F") {
    out.push(["no fire time fired twice", n(r.duplicates) === 0]);
    out.push(["no fire time missed", n(r.fires) === n(r.expected_fires)]);
    out.push(["fire lateness p99 ≤ 1 s", n(r.lateness_p99_ms) <= 1000]);
  } else if (r.scenario === "E" && p) {
    out.push(["signal round trip p50 ≤ DBOS", n(r.signal_p50_ms) <= n(p.signal_p50_ms)]);
    out.push(["1,000 children wall ≤ DBOS", n(r.children_wall_ms) <= n(p.children_wall_ms)]);
  }
  return out;
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}

/** Per scenario, the median of every numeric field over the runs, for ours and the peer's. */
function medianEntries(
  entries: { ours: ScenarioResult; peer?: PeerFigures }[],
  scenarios: Scenario[],
): { ours: ScenarioResult; peer?: PeerFigures }[] {
  const mid = <T extends Record<string, unknown>>(rows: T[]): T => {
    const out: Record<string, unknown> = { ...rows[0] };
    for (const k of Object.keys(out)) {
      const nums = rows.map((r) => r[k]).filter((x): x is number => typeof x === "number");
      if (nums.length === rows.length) out[k] = round(median(nums), 2);
    }
    return out as T;
  };
  return scenarios.flatMap((s) => {
    const runs = entries.filter((e) => e.ours.scenario === s);
    if (runs.length === 0) return [];
    const peers = runs.flatMap((e) => (e.peer ? [e.peer] : []));
    const ours = mid(runs.map((e) => e.ours));
    return peers.length > 0 ? [{ ours, peer: mid(peers) }] : [{ ours }];
  });
}

const LABELS: Record<string, string> = {
  wf_per_s: "workflows/s",
  steps_per_s: "actions/s",
  lat_p50_ms: "latency p50 ms",
  lat_p95_ms: "latency p95 ms",
  lat_p99_ms: "latency p99 ms",
  wall_ms: "wall ms",
  xacts_per_step: "commits/action",
  wal_bytes_per_step: "WAL bytes/action",
  client_cpu_ms_per_step: "client CPU ms/action",
  server_cpu_ms_per_step: "server CPU ms/action",
  start_all_ms: "start-all ms",
};

function human(r: ScenarioResult, p: PeerFigures | undefined): string {
  const lines = [`Scenario ${r.scenario}`];
  for (const [k, v] of Object.entries(r)) {
    if (k === "scenario" || k === "peer" || k === "bar" || k === "run") continue;
    const pv = p?.[k];
    const cmp =
      typeof pv === "number" && typeof v === "number" && Number.isFinite(pv)
        ? `   / ${p?.peer} ${pv}  (ours/peer ${round(v / pv, 2)})`
        : "";
    lines.push(`  ${(LABELS[k] ?? k).padEnd(24)} ${String(v)}${cmp}`);
  }
  for (const [what, ok] of bar(r, p))
    lines.push(`  bar: ${what.padEnd(36)} ${ok ? "PASS" : "FAIL"}`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2));
  const progress = new Progress(false);
  const note = (s: string) => progress.note(s);
  const t0 = performance.now();

  let baseUrl = process.env.WAYMARK_DATABASE_URL || DEFAULT_URL;
  let releaseEmbedded: (() => Promise<void>) | undefined;
  if (opts.embedded) {
    const { ensureEmbeddedPostgres } = await import("../src/store/embedded/index.js");
    note("starting the embedded Postgres (src/store/embedded) ...");
    const e = await ensureEmbeddedPostgres();
    baseUrl = e.url;
    releaseEmbedded = () => e.stop();
  }
  const url = await recreateDatabase(baseUrl, opts.database);
  // The client side of the engine reads this when it first connects.
  process.env.WAYMARK_DATABASE_URL = url;
  const settings = await serverSettings(baseUrl);
  note(
    `bench database ${opts.database} on ${new URL(baseUrl).host}${opts.embedded ? " (embedded)" : ""}; Postgres ${settings.server_version}, fsync ${settings.fsync}, synchronous_commit ${settings.synchronous_commit}`,
  );

  const { scenarioA } = await import("./scenarios/a.js");
  const { scenarioB } = await import("./scenarios/b.js");
  const { scenarioC } = await import("./scenarios/c.js");
  const { scenarioD } = await import("./scenarios/d.js");
  const { scenarioE } = await import("./scenarios/e.js");
  const { scenarioF } = await import("./scenarios/f.js");
  const runners: Record<Scenario, (ctx: BenchContext) => Promise<ScenarioResult>> = {
    A: scenarioA,
    B: scenarioB,
    C: scenarioC,
    D: scenarioD,
    E: scenarioE,
    F: scenarioF,
  };

  let engine: EngineProcess | undefined;
  let starting: Promise<EngineProcess> | undefined;
  let variant: EngineVariant = "default";
  /** Our engine sat idle (a peer run, --pause) since its last scenario. */
  let rested = false;
  const warmAndEmpty = async () => {
    await warmUp(ctx);
    await truncateRunTables(url);
  };
  const counters = await new PgCounters(url, opts.database, () =>
    engine ? [engine.pid] : [],
  ).open();
  const ctx: BenchContext = {
    url,
    database: opts.database,
    counters,
    progress,
    scale: opts.scale,
    async engine(want: EngineVariant = "default") {
      if (starting && want === variant && rested && opts.rewarm) {
        // The peer is measured right after its warm-up, in a process that has just been busy;
        // ours had been idle through the peer run (~20 s). An idle V8 process hands pages back
        // and faults them in again on the next burst (B after a pause: ~3,000 minor faults in
        // the runner instead of ~1,250, 80 → 150 ms; docs/performance.md, eighth round), so our
        // engine — and this client — get the same warm-up again first, then empty tables. (A
        // scenario that restarts the engine gets a new one's warm-up below instead.)
        rested = false;
        note("  re-warming (our engine was idle through the peer run) ...");
        await starting;
        await warmAndEmpty();
        return starting;
      }
      rested = false;
      if (starting && want !== variant) {
        const old = await starting;
        starting = undefined;
        engine = undefined;
        note(
          `  restarting start-workers (${want === "queue" ? "WAYMARK_INLINE_ACTIONS=0" : "defaults"}) ...`,
        );
        await old.stop();
      }
      variant = want;
      starting ??= startEngine({
        databaseUrl: url,
        tag: opts.database,
        workers: 2,
        cpuProf: opts.cpuProf,
        env: {
          WAYMARK_WORKER_COUNT: "2",
          ...(want === "queue" ? { WAYMARK_INLINE_ACTIONS: "0" } : {}),
          ...(opts.dashboard
            ? { WAYMARK_WEBAPP_ENABLED: "1", WAYMARK_WEBAPP_ADDR: "127.0.0.1:0" }
            : {}),
        },
      }).then(async (e) => {
        engine = e;
        if (opts.dashboard) note(`  dashboard tab open on ${await openDashboardTab(e)}/runs`);
        // Every new engine process is warmed up as the peer harness warms up DBOS, then the
        // runs start from empty tables (bench/warmup.ts).
        await warmAndEmpty();
        return e;
      });
      return starting;
    },
  };

  const peers = opts.peers && !opts.embedded && peersAvailable() && ensurePeerInstall(note);
  if (opts.peers && !opts.embedded && !peers)
    note("peer harness ../shared/bench not available: printing our figures only");

  const entries: { ours: ScenarioResult; peer?: PeerFigures }[] = [];
  const failures: Scenario[] = [];
  try {
    note("starting waymark start-workers (runner + 2 worker processes) ...");
    const ts = performance.now();
    await ctx.engine();
    note(`  ready in ${round((performance.now() - ts) / 1000)} s; calibrating idle commits ...`);
    await counters.calibrate(2000);
    const idle = counters.idleRates();
    note(`  idle: ${round(idle.commitsPerS)} commits/s, ${Math.round(idle.walPerS)} WAL B/s`);

    for (let run = 1; run <= opts.runs; run++) {
      // Every run starts from empty tables, as each peer run starts from a fresh database.
      // Without this, runs 2 and 3 ran on the earlier runs' rows right after the checkpoint that
      // the peer harness's DROP DATABASE requests, and paid a full-page image for the first
      // write to each old page (A: 1,789 and 2,282 WAL bytes per action against 1,307 in run 1).
      if (run > 1) await truncateRunTables(url);
      for (const s of opts.scenarios) {
        note(`— scenario ${s}${opts.runs > 1 ? ` (run ${run} of ${opts.runs})` : ""}`);
        let ours: ScenarioResult;
        try {
          ours = await runners[s](ctx);
        } catch (e) {
          progress.end();
          const error = (e as Error).message;
          failures.push(s);
          note(`  scenario ${s} FAILED: ${error}`);
          if (opts.json) console.log(JSON.stringify({ scenario: s, error }));
          continue;
        }
        let peer: PeerFigures | undefined;
        if (peers && s !== "F") {
          note(
            `  peer run for ${s} (${s === "D" ? "graphile-worker" : "DBOS"}; our engine paused) ...`,
          );
          engine?.pause();
          try {
            peer =
              s === "D"
                ? await runGraphile(baseUrl, opts.scale, note)
                : await runDbos(s as "A" | "B" | "C" | "E", baseUrl, opts.scale, note);
          } catch (e) {
            note(`  peer run failed: ${(e as Error).message.slice(0, 500)}`);
          } finally {
            engine?.resume();
            rested = true;
          }
        } else if (opts.pauseMs > 0) {
          note(`  engine paused ${opts.pauseMs} ms (--pause) ...`);
          engine?.pause();
          await new Promise((r) => setTimeout(r, opts.pauseMs));
          engine?.resume();
          rested = true;
        }
        const line: ScenarioResult = opts.runs > 1 ? { ...ours, run } : { ...ours };
        if (peer) line.peer = peer;
        const checks = bar(ours, peer);
        if (checks.length > 0) line.bar = Object.fromEntries(checks);
        entries.push(peer ? { ours, peer } : { ours });
        if (opts.json) console.log(JSON.stringify(line));
        else console.log(human(ours, peer));
      }
    }
    if (opts.runs > 1) {
      const medians = medianEntries(entries, opts.scenarios);
      entries.splice(0, entries.length, ...medians);
      for (const { ours, peer } of medians) {
        const line: ScenarioResult = { ...ours, run: "median" };
        if (peer) line.peer = peer;
        const checks = bar(ours, peer);
        if (checks.length > 0) line.bar = Object.fromEntries(checks);
        if (opts.json) console.log(JSON.stringify(line));
        else
          console.log(
            human(ours, peer).replace(
              /^Scenario (\w)/,
              `Scenario $1 — median of ${opts.runs} runs`,
            ),
          );
      }
    }
  } finally {
    progress.end();
    await closeDashboardTab().catch(() => {});
    await engine?.stop();
    await counters.close().catch(() => {});
    if (!opts.keep) await dropDatabase(baseUrl, opts.database).catch(() => {});
    await releaseEmbedded?.().catch(() => {});
  }

  mkdirSync(RESULTS, { recursive: true });
  const record = {
    at: new Date().toISOString(),
    embedded: opts.embedded,
    scale: opts.scale,
    settings,
    idle: counters.idleRates(),
    results: entries,
    failures,
  };
  writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(
    join(RESULTS, `run-${record.at.replace(/[:.]/g, "-")}.json`),
    `${JSON.stringify(record)}\n`,
  );
  const title = `Waymark bench${opts.embedded ? " (embedded Postgres)" : ""}${opts.scale !== 1 ? ` (scale ${opts.scale})` : ""}`;
  writeFileSync(join(RESULTS, "chart.svg"), renderChart(entries, title));
  note(
    `done in ${round((performance.now() - t0) / 1000)} s; bench/results/latest.json, bench/results/chart.svg`,
  );
  return failures.length === 0 ? 0 : 1;
}

main().then(
  // The client's pools and LISTEN connection have no public close: exit explicitly.
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).stack ?? String(e));
    process.exit(1);
  },
);
