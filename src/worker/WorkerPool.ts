// Supervises WAYMARK_WORKER_COUNT worker child processes. Children inherit execArgv (so
// `--import tsx` and `--conditions` carry over) and the environment. A child that exits without
// being asked to is logged and respawned with exponential backoff (reset once a child has stayed
// up for a while).
import { type ChildProcess, fork } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { logger } from "../store/log.js";
import { CHANNEL_ACTIONS } from "../store/postgres/queries/types.js";
import type { ClaimedAction, Completion, Store } from "../store/Store.js";
import {
  type LocalExecutor,
  type LocalRoom,
  type LocalSlot,
  LocalWorkerLost,
} from "./LocalExecutor.js";

const log = logger("pool");
const STABLE_MS = 10_000;

function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/WorkerPool\.(ts|js)$/, (_m, ext: string) => `child.${ext}`);
}

/** Node flags for children: the parent's, plus tsx (user modules may be TypeScript, and in a
 *  checkout the child entry itself is) and, when running from source, the `waymark-dev`
 *  condition — a parent started through bin/waymark.mjs registers both programmatically, which
 *  children do not inherit. */
export function childExecArgv(entry: string): string[] {
  const argv = [...process.execArgv];
  const joined = argv.join(" ");
  // tsx by absolute URL: a bare "tsx" would resolve from the user's cwd, which may not have it.
  if (!/--import[= ]\S*tsx|--loader[= ]\S*tsx|--require[= ]\S*tsx/.test(joined))
    argv.push("--import", import.meta.resolve("tsx"));
  if (entry.endsWith(".ts") && !joined.includes("waymark-dev"))
    argv.push("--conditions=waymark-dev");
  return argv;
}

interface Slot {
  index: number;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  /** The child reported that its actions are registered and it is claiming. */
  ready: boolean;
  respawn?: NodeJS.Timeout;
  /** From the child's ready message: its worker id, the actions it serves, its slots. */
  workerId?: string;
  actions?: Set<string>;
  capacity: number;
  /** Slots reserved by the runner and not yet sent. */
  reserved: number;
  /** Calls sent to the child, by key, awaiting its completion message. */
  pending: Map<string, { resolve: (c: Completion) => void; reject: (e: Error) => void }>;
  /** Calls to send in the next message (one IPC write per turn of the event loop). */
  outbox: { key: string; call: ClaimedAction }[];
}

interface ReadyMessage {
  type: "ready";
  workerId?: string;
  actions?: string[];
  capacity?: number;
}

interface DoneMessage {
  type: "done";
  items: { key: string; completion: Completion & { startedAt: string | Date | null } }[];
}

export interface WorkerPoolOptions {
  count: number;
  env?: NodeJS.ProcessEnv;
  /** When given, the pool keeps a "starting" liveness row while any child is (re)starting, so
   *  runners do not declare actions unserved while the user's modules are still loading. */
  store?: Store;
  heartbeatMs?: number;
}

export class WorkerPool implements LocalExecutor {
  private readonly slots: Slot[] = [];
  private stopping = false;
  readonly stats = { spawned: 0, crashed: 0 };

  constructor(private readonly opts: WorkerPoolOptions) {}

  private readonly startingId = `starting:${hostname()}:${process.pid}`;
  private startingTimer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;

  async start(): Promise<void> {
    // One LISTEN connection for the whole pool, its notifications forwarded to every child
    // (WAYMARK_POOL_LISTEN, see child.ts): Postgres wakes every listening backend of the
    // database at each commit that notifies, whatever its channels — with a connection per child,
    // each workflow step woke them all. Bench A with the children's own connections gone:
    // 7 % more actions/s, 8 % less server CPU per action (docs/performance.md, sixth round).
    if (this.opts.store)
      this.unlisten = await this.opts.store.listen([CHANNEL_ACTIONS], (channel, payload) => {
        for (const s of this.slots)
          if (s.child?.connected) s.child.send({ type: "notify", channel, payload }, () => {});
      });
    await this.beatStarting();
    if (this.opts.store)
      this.startingTimer = setInterval(
        () => void this.beatStarting(),
        this.opts.heartbeatMs ?? 1000,
      );
    for (let i = 0; i < this.opts.count; i++) {
      const slot: Slot = {
        index: i,
        startedAt: 0,
        failures: 0,
        ready: false,
        capacity: 0,
        reserved: 0,
        pending: new Map(),
        outbox: [],
      };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  private starting(): boolean {
    return !this.stopping && (this.slots.length === 0 || this.slots.some((s) => !s.ready));
  }

  private async beatStarting(): Promise<void> {
    const store = this.opts.store;
    if (!store) return;
    try {
      if (this.starting())
        await store.heartbeatWorker(this.startingId, "starting", hostname(), process.pid, []);
      else await store.removeWorker(this.startingId);
    } catch (e) {
      log.warn(`pool heartbeat failed: ${(e as Error).message}`);
    }
  }

  /** Pids of the live children (tests kill them). */
  pids(): number[] {
    return this.slots.flatMap((s) =>
      s.child?.pid !== undefined && s.child.exitCode === null ? [s.child.pid] : [],
    );
  }

  private spawn(slot: Slot): void {
    slot.respawn = undefined;
    const entry = childEntry();
    const child = fork(entry, [], {
      execArgv: childExecArgv(entry),
      env: {
        ...process.env,
        ...this.opts.env,
        WAYMARK_COMPILE: "lazy",
        WAYMARK_WORKER_INDEX: String(slot.index),
        ...(this.opts.store ? { WAYMARK_POOL_LISTEN: "1" } : {}),
      },
      stdio: "inherit",
    });
    this.stats.spawned++;
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    child.on("message", (m: ReadyMessage | DoneMessage | { type?: undefined }) => {
      if (m?.type === "ready" && slot.child === child) {
        slot.ready = true;
        slot.workerId = m.workerId;
        slot.actions = new Set(m.actions ?? []);
        slot.capacity = m.capacity ?? 0;
        if (!this.starting()) void this.beatStarting();
      } else if (m?.type === "done") {
        for (const { key, completion: c } of m.items) {
          const p = slot.pending.get(key);
          if (!p) continue;
          slot.pending.delete(key);
          p.resolve({ ...c, startedAt: c.startedAt === null ? null : new Date(c.startedAt) });
        }
      }
    });
    log.info(`worker ${slot.index} started (pid ${child.pid})`);
    child.on("exit", (code, signal) => {
      if (slot.child !== child) return;
      slot.child = undefined;
      slot.ready = false;
      slot.workerId = undefined;
      slot.actions = undefined;
      // Messages sent just before the exit may still be queued: give them a moment first.
      const lost = [...slot.pending];
      setTimeout(() => {
        for (const [key, p] of lost)
          if (slot.pending.get(key) === p) {
            slot.pending.delete(key);
            p.reject(new LocalWorkerLost(`worker ${slot.index} (pid ${child.pid}) exited`));
          }
      }, 100);
      if (this.stopping) return;
      this.stats.crashed++;
      if (Date.now() - slot.startedAt > STABLE_MS) slot.failures = 0;
      slot.failures++;
      const delay = Math.min(100 * 2 ** (slot.failures - 1), 10_000);
      log.error(
        `worker ${slot.index} (pid ${child.pid}) exited (code ${code}, signal ${signal}); respawning in ${delay}ms`,
      );
      slot.respawn = setTimeout(() => this.spawn(slot), delay);
    });
  }

  workerIds(): string[] {
    return this.slots.flatMap((s) => (s.workerId ? [s.workerId] : []));
  }

  reserve(action: string, room: LocalRoom = "free"): LocalSlot | undefined {
    const limit = (s: Slot) =>
      room === "any" ? Number.POSITIVE_INFINITY : room === "queue" ? 3 * s.capacity : s.capacity;
    if (this.stopping) return undefined;
    let best: Slot | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const s of this.slots) {
      if (!s.ready || !s.child || !s.workerId || !s.actions?.has(action)) continue;
      const load = s.pending.size + s.reserved;
      if (load < limit(s) && load < bestLoad) {
        best = s;
        bestLoad = load;
      }
    }
    if (!best) return undefined;
    const slot = best;
    const child = slot.child as ChildProcess;
    slot.reserved++;
    let used = false;
    const release = () => {
      if (used) return false;
      used = true;
      slot.reserved--;
      return true;
    };
    return {
      workerId: slot.workerId as string,
      cancel: () => void release(),
      run: (call: ClaimedAction) =>
        new Promise<Completion>((resolve, reject) => {
          release();
          if (slot.child !== child || child.exitCode !== null || !child.connected)
            return reject(new LocalWorkerLost(`worker ${slot.index} is gone`));
          const key = `${call.instanceId}/${call.callId}/${call.attempt}`;
          slot.pending.set(key, { resolve, reject });
          slot.outbox.push({ key, call });
          if (slot.outbox.length === 1) setImmediate(() => this.sendOutbox(slot, child));
        }),
    };
  }

  private sendOutbox(slot: Slot, child: ChildProcess): void {
    const items = slot.outbox.splice(0);
    if (items.length === 0) return;
    const fail = (why: string) => {
      for (const { key } of items) {
        const p = slot.pending.get(key);
        if (!p) continue;
        slot.pending.delete(key);
        p.reject(new LocalWorkerLost(`could not send to worker ${slot.index}: ${why}`));
      }
    };
    if (slot.child !== child || !child.connected) {
      fail("it is gone");
      return;
    }
    child.send({ type: "run", items }, (e) => {
      if (e) fail(e.message);
    });
  }

  /** Asks every child to finish its in-flight actions and exit; resolves when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.startingTimer) clearInterval(this.startingTimer);
    await this.unlisten?.();
    await this.opts.store?.removeWorker(this.startingId).catch(() => {});
    await Promise.all(
      this.slots.map((slot) => {
        if (slot.respawn) clearTimeout(slot.respawn);
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null)
          return Promise.resolve();
        return new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      }),
    );
  }
}
