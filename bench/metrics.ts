// Cost counters for one measured phase: Postgres commits, writing transactions and WAL bytes of
// the bench database, and CPU of the client, the engine process trees and the Postgres server.
//
// Invariants:
// - pg_stat_database.xact_commit is flushed by each backend at most once a second (and an idle
//   backend may hold its counts longer), so snap() waits 1.1 s first. The background rate measured
//   by calibrate() (pollers, heartbeats) is subtracted only for that settle time (see delta()).
// - Writing transactions are counted exactly from xid consumption (cluster-wide: the bench must be
//   the only writer, which it is on this machine).
// - Engine CPU is monotonic: the start-workers process's reaped children count through its
//   cutime/cstime. Server CPU is the backends connected to the bench database (pg_stat_activity
//   pids at each snapshot), so other databases on the server do not count; a backend that both
//   starts and exits between two snapshots is missed (the engine's pooled connections live on).
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";

const TICK_MS = 10; // USER_HZ = 100 on Linux

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, ms */
  selfMs: number;
  /** cutime + cstime (reaped children), ms */
  childrenMs: number;
}

function readProcStat(pid: number | string): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    // f[0] = state (field 3); utime is field 14 → f[11]
    return {
      pid: Number(pid),
      ppid: Number(f[1]),
      comm,
      selfMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
      childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS,
    };
  } catch {
    return undefined; // the process went away
  }
}

function allProcs(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProcStat(name);
    if (p) out.push(p);
  }
  return out;
}

/** CPU ms of the trees rooted at `roots` (live descendants + every root's reaped children). */
export function treeCpuMs(roots: number[], procs: ProcStat[] = allProcs()): number {
  const children = new Map<number, ProcStat[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  let ms = 0;
  const seen = new Set<number>();
  const visit = (p: ProcStat, isRoot: boolean) => {
    if (seen.has(p.pid)) return;
    seen.add(p.pid);
    ms += p.selfMs;
    if (isRoot) ms += p.childrenMs;
    for (const c of children.get(p.pid) ?? []) visit(c, false);
  };
  for (const r of roots) {
    const p = byPid.get(r);
    if (p) visit(p, true);
  }
  return ms;
}

export function clientCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Machine-wide busy share over an interval (from /proc/stat). */
export function cpuTicks(): { total: number; idle: number } {
  const first = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: (f[3] ?? 0) + (f[4] ?? 0) };
}

export interface Snapshot {
  /** When the snapshot started waiting for the counters to settle (the engine is idle from here). */
  settleFrom: number;
  t: number;
  commits: number;
  lsn: string;
  xid: number;
  clientMs: number;
  engineMs: number;
  /** CPU ms of each backend connected to the bench database, by pid. */
  backends: Map<number, number>;
  ticks: { total: number; idle: number };
}

export interface PhaseCost {
  seconds: number;
  commits: number;
  writeXacts: number;
  walBytes: number;
  clientCpuMs: number;
  engineCpuMs: number;
  serverCpuMs: number;
  busyPct: number;
}

export class PgCounters {
  private readonly client: pg.Client;
  private idle = { commitsPerS: 0, walPerS: 0, xidPerS: 0, engineMsPerS: 0, serverMsPerS: 0 };

  constructor(
    url: string,
    private readonly database: string,
    /** Pids of the engine's root processes, read at every snapshot (they may change). */
    private readonly engineRoots: () => number[],
  ) {
    this.client = new pg.Client({ connectionString: url });
  }

  async open(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  async snap(settle = true): Promise<Snapshot> {
    const settleFrom = performance.now();
    if (settle) await sleepMs(1100);
    const { rows } = await this.client.query<{ commits: string; lsn: string; xid: string }>(
      `select xact_commit::bigint as commits, pg_current_wal_lsn()::text as lsn,
              pg_snapshot_xmax(pg_current_snapshot())::text::bigint as xid
         from pg_stat_database where datname = $1`,
      [this.database],
    );
    const r = rows[0];
    if (!r) throw new Error(`database ${this.database} not found in pg_stat_database`);
    const procs = allProcs();
    const { rows: pids } = await this.client.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = $1",
      [this.database],
    );
    const backends = new Map<number, number>();
    for (const { pid } of pids) {
      const p = readProcStat(pid);
      if (p) backends.set(pid, p.selfMs);
    }
    return {
      backends,
      settleFrom,
      t: performance.now(),
      commits: Number(r.commits),
      lsn: r.lsn,
      xid: Number(r.xid),
      clientMs: clientCpuMs(),
      engineMs: treeCpuMs(this.engineRoots(), procs),
      ticks: cpuTicks(),
    };
  }

  private async rawDelta(a: Snapshot, b: Snapshot) {
    const { rows } = await this.client.query<{ wal: string }>(
      "select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint as wal",
      [b.lsn, a.lsn],
    );
    return {
      seconds: (b.t - a.t) / 1000,
      // the second snapshot's own query is one commit on this connection
      commits: b.commits - a.commits - 1,
      walBytes: Number(rows[0]?.wal ?? 0),
      writeXacts: b.xid - a.xid,
    };
  }

  /** Measures the engine's background rate while it is idle. */
  async calibrate(ms = 2000): Promise<void> {
    const a = await this.snap();
    await sleepMs(ms);
    const b = await this.snap();
    const d = await this.rawDelta(a, b);
    this.idle = {
      commitsPerS: Math.max(0, d.commits / d.seconds),
      walPerS: Math.max(0, d.walBytes / d.seconds),
      xidPerS: Math.max(0, d.writeXacts / d.seconds),
      engineMsPerS: Math.max(0, (b.engineMs - a.engineMs) / d.seconds),
      serverMsPerS: Math.max(
        0,
        [...b.backends].reduce((t, [pid, ms]) => t + ms - (a.backends.get(pid) ?? 0), 0) /
          d.seconds,
      ),
    };
  }

  idleRates(): {
    commitsPerS: number;
    walPerS: number;
    xidPerS: number;
    engineMsPerS: number;
    serverMsPerS: number;
  } {
    return { ...this.idle };
  }

  /** Deltas between two snapshots minus the idle tail: the closing snapshot's settle time, when
   *  the engine is idle, is charged at the calibrated idle rate and taken out. The engine's
   *  background queries during the work itself stay in (a busy engine's loops find work instead
   *  of polling, so an idle rate does not describe them). */
  async delta(a: Snapshot, b: Snapshot): Promise<PhaseCost> {
    const d = await this.rawDelta(a, b);
    const total = b.ticks.total - a.ticks.total;
    let backendMs = 0;
    for (const [pid, ms] of b.backends) backendMs += ms - (a.backends.get(pid) ?? 0);
    const tail = (b.t - b.settleFrom) / 1000;
    const i = this.idle;
    return {
      seconds: d.seconds,
      commits: Math.max(0, d.commits - i.commitsPerS * tail),
      writeXacts: Math.max(0, d.writeXacts - i.xidPerS * tail),
      walBytes: Math.max(0, d.walBytes - i.walPerS * tail),
      clientCpuMs: b.clientMs - a.clientMs,
      engineCpuMs: Math.max(0, b.engineMs - a.engineMs - i.engineMsPerS * tail),
      serverCpuMs: Math.max(0, backendMs - i.serverMsPerS * tail),
      busyPct: total > 0 ? (100 * (total - (b.ticks.idle - a.ticks.idle))) / total : 0,
    };
  }
}

/** Per-action cost fields of a scenario's JSON line. */
export function perStep(cost: PhaseCost, steps: number): Record<string, number> {
  return {
    xacts_per_step: round(cost.commits / steps, 3),
    write_xacts_per_step: round(cost.writeXacts / steps, 3),
    wal_bytes_per_step: Math.round(cost.walBytes / steps),
    client_cpu_ms_per_step: round(cost.clientCpuMs / steps, 3),
    engine_cpu_ms_per_step: round(cost.engineCpuMs / steps, 3),
    server_cpu_ms_per_step: round(cost.serverCpuMs / steps, 3),
    cpu_busy_pct: round(cost.busyPct, 1),
  };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
}
