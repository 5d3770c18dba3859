// Client side of the engine: queue a workflow instance in Postgres and wait for its outcome.
//
// One shared pg.Pool and one LISTEN connection per process (per database URL). `result()` waits
// on NOTIFY waymark_done, whose payload carries the instance id and, when it fits, the terminal
// status and outcome (`<id> <status> <json>`, see donePayload.ts): a small result costs the
// client no read at all. A large one is read from the row; a slow poll is only a safety net for
// a notification lost while the listener reconnected.
//
// A script need not call closeWaymark(): idle connections (the pool's and the LISTEN one) do
// not keep the process alive, while a pending `result()` does (its safety-net timer is
// referenced). When the event loop empties, a `beforeExit` hook does what closeWaymark() does,
// so this process's use of the embedded server is given up too (it stops if no one else uses it).
import type { Program } from "../ir/types.js";
import { cancelledError } from "../runner/engineErrors.js";
import type { ErrorValue } from "../runtime/types.js";
import {
  releaseEmbeddedDatabase,
  resolveDatabaseUrl,
} from "../store/embedded/resolveDatabaseUrl.js";
import { isTransientDbError } from "../store/isTransientDbError.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import { closePools } from "../store/postgres/pool.js";
import type { InstanceOutcome } from "../store/postgres/queries/clientQueries.js";
import type { SendResult } from "../store/postgres/queries/signals.js";
import { CHANNEL_DONE } from "../store/postgres/queries/types.js";
import { decodeValue, encodeValue } from "../values/index.js";
import { assertPayloadSize } from "../values/payloadLimit.js";
import { checkArity } from "./checkArity.js";
import { parseDonePayload } from "./donePayload.js";
import { WorkflowFailedError } from "./errors.js";
import { checkReusedKey, type StartOptions, startRow } from "./startOptions.js";

/** WAYMARK_IDEMPOTENCY_HOURS (read at each start: tests set it). */
function idempotencyHours(): number {
  const h = Number(process.env.WAYMARK_IDEMPOTENCY_HOURS ?? 24);
  return Number.isFinite(h) && h >= 0 ? h : 24;
}

export interface WorkflowHandle<R = unknown> {
  id: string;
  /** Waits for the outcome: the result, or throws WorkflowFailedError. */
  result(): Promise<R>;
  /** queued | running | waiting | sleeping | completed | failed | cancelled */
  status(): Promise<string>;
  /** Cancels the instance and its unfinished child workflows (no effect once it is terminal). */
  cancel(): Promise<void>;
  /** Sends signal `name` with `payload` to the instance: kept in its mailbox until a
   *  `waitForSignal(name, …)` consumes it (signals of one name in the order they were
   *  accepted). Throws, writing nothing, when the instance does not exist or has ended. */
  signal(name: string, payload?: unknown): Promise<void>;
}

/** What startWorkflow needs from a workflow class (the Workflow base class provides it). */
export interface WorkflowClassLike {
  name: string;
  shortName(): string;
  workflowIr(): Program;
  workflowVersion(): string;
}

const SAFETY_NET_POLL_MS = 5_000;

/** Called with the outcome when the notification carried it, else with undefined (re-read). */
type Waiter = (outcome?: InstanceOutcome) => void;

interface Connection {
  store: PostgresStore;
  ready: Promise<void>;
  versions: Map<string, Promise<string>>;
  waiters: Map<string, Set<Waiter>>;
  listening?: Promise<() => Promise<void>>;
  /** `run()` inserts in flight: while any is, notifications nobody waits on are kept in `early`
   *  (an instance can finish before its inserter registered its waiter, if the listener's
   *  socket is served first after a stall of the event loop). */
  runsInFlight: number;
  early: Map<string, InstanceOutcome | null>;
  /** Instances this process inserted and may still wait for (live handles, running `run()`s):
   *  the listener records their notification here, so waiting needs no first read. */
  tracked: Map<string, Tracked>;
  /** Bumped when the listener reconnects (notifications may have been missed meanwhile). */
  listenEpoch: number;
}

/** What the listener saw of an instance inserted by this process: `outcome` undefined = nothing
 *  yet, null = notified without the outcome (read the row), else the outcome. */
interface Tracked {
  epoch: number;
  outcome?: InstanceOutcome | null;
}

/** A handle that is garbage-collected stops its instance being tracked. */
const untrack = new FinalizationRegistry<{ c: Connection; id: string; t: Tracked }>(
  ({ c, id, t }) => {
    if (c.tracked.get(id) === t) c.tracked.delete(id);
  },
);

/** Bound on `early` (the race it covers spans a few event-loop turns). */
const EARLY_MAX = 1000;

const connections = new Map<string, Connection>();
let exitHook = false;

/** WAYMARK_DATABASE_URL (read at each call: tests switch it), else the embedded server. */
async function connection(): Promise<Connection> {
  const url = await resolveDatabaseUrl();
  let c = connections.get(url);
  if (!c) {
    const store = new PostgresStore(url, 10, { exitOnIdle: true });
    if (!exitHook) {
      exitHook = true;
      process.on("beforeExit", () => {
        // Emitted again once the close below has run: then there is nothing left to close.
        if (connections.size > 0)
          closeWaymark().catch((e) =>
            console.error(`waymark: closing at exit failed: ${(e as Error).message}`),
          );
      });
    }
    const ready = store.migrate().then(() => undefined);
    ready.catch(() => connections.delete(url));
    c = {
      store,
      ready,
      versions: new Map(),
      waiters: new Map(),
      runsInFlight: 0,
      early: new Map(),
      tracked: new Map(),
      listenEpoch: 0,
    };
    connections.set(url, c);
  }
  return c;
}

function ensureListening(c: Connection): Promise<unknown> {
  if (!c.listening) {
    c.listening = c.store.listen([CHANNEL_DONE], (_ch, payload) => {
      if (payload === "") {
        c.listenEpoch++;
        for (const set of c.waiters.values()) for (const w of set) w();
        return;
      }
      const { id, outcome } = parseDonePayload(payload);
      const t = c.tracked.get(id);
      if (t) t.outcome = outcome ?? null;
      const set = c.waiters.get(id);
      if (set) for (const w of set) w(outcome);
      else if (!t && c.runsInFlight > 0) {
        c.early.set(id, outcome ?? null);
        if (c.early.size > EARLY_MAX) c.early.delete(c.early.keys().next().value as string);
      }
    });
    c.listening.catch(() => {
      c.listening = undefined;
    });
  }
  return c.listening;
}

function registerVersion(
  c: Connection,
  name: string,
  version: string,
  ir: Program,
): Promise<string> {
  const key = `${name}\u0000${version}`;
  let p = c.versions.get(key);
  if (!p) {
    p = c.store.registerVersion(name, version, ir);
    p.catch(() => c.versions.delete(key));
    c.versions.set(key, p);
  }
  return p;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export function outcomeOf(
  id: string,
  row: { status: string; result: unknown; error: unknown },
): unknown {
  if (row.status === "completed") return decodeValue(row.result as never);
  const error = (
    row.error === null ? cancelledError() : decodeValue(row.error as never)
  ) as ErrorValue;
  throw new WorkflowFailedError(error, id);
}

/** Validates and encodes the input before touching the database: an unserializable input
 *  throws here, at the call site, and writes nothing. */
export function prepareStart(cls: WorkflowClassLike, args: unknown[]) {
  const inputJson = JSON.stringify(encodeValue(args, "input"));
  const program = cls.workflowIr();
  const name = cls.shortName();
  checkArity(program, args, name);
  assertPayloadSize(inputJson, `the input of workflow "${name}"`);
  return { inputJson, program, name, version: cls.workflowVersion() };
}

/**
 * Inserts an instance and tracks it: the listener is up before the insert commits, and the
 * tracking entry is registered in the same turn as the insert's answer (a notification that
 * the listener dispatched before that is in `early`). Waiting on it then needs no first read.
 */
async function insertTracked(
  cls: WorkflowClassLike,
  args: unknown[],
  options?: StartOptions,
): Promise<{ c: Connection; id: string; t: Tracked }> {
  const { inputJson, program, name, version } = prepareStart(cls, args);
  const c = await connection();
  await c.ready;
  await ensureListening(c);
  const versionId = await registerVersion(c, name, version, program);
  const epoch = c.listenEpoch;
  c.runsInFlight++;
  let id: string;
  let reused = false;
  try {
    if (options === undefined) id = await c.store.insertInstance(versionId, name, inputJson);
    else {
      const row = startRow(options, inputJson, idempotencyHours());
      const r = await c.store.startInstance(versionId, name, inputJson, row);
      id = r.id;
      reused = !r.inserted;
      checkReusedKey(name, row, r);
    }
  } catch (e) {
    if (--c.runsInFlight === 0) c.early.clear();
    throw e;
  }
  // An instance a key named may have ended long ago: its outcome is read, not awaited.
  const t: Tracked = reused ? { epoch, outcome: null } : { epoch };
  const early = c.early.get(id);
  if (early !== undefined) t.outcome = early;
  c.early.delete(id);
  if (--c.runsInFlight === 0) c.early.clear();
  c.tracked.set(id, t);
  return { c, id, t };
}

/** How to start waiting on a tracked instance (see waitFor). */
function firstStep(c: Connection, t: Tracked): "read" | "none" | InstanceOutcome {
  if (t.epoch !== c.listenEpoch || t.outcome === null) return "read";
  return t.outcome ?? "none";
}

export async function startWorkflow<R = unknown>(
  cls: WorkflowClassLike,
  args: unknown[],
  options?: StartOptions,
): Promise<WorkflowHandle<R>> {
  const { c, id, t } = await insertTracked(cls, args, options);
  const handle = handleFor<R>(id, Promise.resolve(c), t);
  untrack.register(handle, { c, id, t });
  return handle;
}

/**
 * `await new Wf().run(...)`: queues an instance and waits for its outcome; the notification of
 * the outcome is the only round trip after the insert (no read of a row just inserted).
 */
export async function runWorkflow<R = unknown>(
  cls: WorkflowClassLike,
  args: unknown[],
  options?: StartOptions,
): Promise<R> {
  const { c, id, t } = await insertTracked(cls, args, options);
  try {
    return await waitFor<R>(c, id, firstStep(c, t));
  } finally {
    if (c.tracked.get(id) === t) c.tracked.delete(id);
  }
}

/** This process's connection, migrated, and a version id for `cls` (registered once): for the
 *  client's other writes (schedules). */
export async function clientVersion(
  cls: WorkflowClassLike,
): Promise<{ store: PostgresStore; versionId: string }> {
  const c = await connection();
  await c.ready;
  const versionId = await registerVersion(
    c,
    cls.shortName(),
    cls.workflowVersion(),
    cls.workflowIr(),
  );
  return { store: c.store, versionId };
}

/** This process's connection, migrated. */
export async function clientStore(): Promise<PostgresStore> {
  const c = await connection();
  await c.ready;
  return c.store;
}

/** A handle to an existing instance (by id). */
export function workflowHandle<R = unknown>(id: string): WorkflowHandle<R> {
  return handleFor<R>(id, connection());
}

/**
 * Waits for instance `id` to be terminal. `first`: "read" = read the row first (the general
 * case); "none" = the instance was just inserted by this caller, whose waiter is registered in
 * this same turn, so start by waiting; or the outcome, already notified.
 */
async function waitFor<R>(
  c: Connection,
  id: string,
  first: "read" | "none" | InstanceOutcome,
): Promise<R> {
  if (typeof first === "object") return outcomeOf(id, first) as R;
  let skipRead = first === "none";
  let retryDelay = 50;
  for (;;) {
    let wake!: Waiter;
    const notified = new Promise<InstanceOutcome | undefined>((r) => {
      wake = r;
    });
    const set = c.waiters.get(id) ?? new Set<Waiter>();
    c.waiters.set(id, set);
    set.add(wake);
    try {
      if (!skipRead) {
        // Subscribed before reading: a completion committed after this read is notified.
        let row: InstanceOutcome | undefined;
        try {
          row = await c.store.readInstance(id);
          retryDelay = 50;
        } catch (e) {
          // The workflow is durable: a restarting or unreachable database delays the result,
          // it does not lose it. Only connection-level failures are retried.
          if (!isTransientDbError(e)) throw e;
          await new Promise((r) => setTimeout(r, retryDelay));
          retryDelay = Math.min(retryDelay * 2, 1000);
          continue;
        }
        if (!row) throw new Error(`workflow instance ${id} does not exist`);
        if (TERMINAL.has(row.status)) return outcomeOf(id, row) as R;
      }
      skipRead = false;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        notified,
        new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), SAFETY_NET_POLL_MS))),
      ]);
      clearTimeout(timer);
      if (outcome && TERMINAL.has(outcome.status)) return outcomeOf(id, outcome) as R;
    } finally {
      set.delete(wake);
      if (set.size === 0) c.waiters.delete(id);
    }
  }
}

function handleFor<R>(id: string, conn: Promise<Connection>, t?: Tracked): WorkflowHandle<R> {
  // A rejected connection surfaces from the first method call, not as an unhandled rejection.
  conn.catch(() => undefined);
  return {
    id,
    async result(): Promise<R> {
      const c = await conn;
      await c.ready;
      await ensureListening(c);
      // A handle from start() in this process: its instance is tracked (first read skipped).
      const tracked = t !== undefined && c.tracked.get(id) === t;
      return waitFor<R>(c, id, tracked ? firstStep(c, t) : "read");
    },
    async status(): Promise<string> {
      const c = await conn;
      await c.ready;
      const row = await c.store.readInstance(id);
      if (!row) throw new Error(`workflow instance ${id} does not exist`);
      return row.status;
    },
    async cancel(): Promise<void> {
      const c = await conn;
      await c.ready;
      await c.store.cancelInstance(id, JSON.stringify(encodeValue(cancelledError())));
    },
    async signal(name: string, payload?: unknown): Promise<void> {
      const payloadJson = encodeSignal(name, payload);
      const c = await conn;
      await c.ready;
      checkSent(await c.store.sendSignal(id, name, payloadJson), name, id);
    },
  };
}

/** A signal's payload as stored, checked before anything is written: an unserializable
 *  payload writes nothing. */
export function encodeSignal(name: string, payload: unknown): string {
  if (typeof name !== "string" || name.length === 0)
    throw new TypeError("signal(name, payload): the name must be a non-empty string");
  const payloadJson = JSON.stringify(encodeValue(payload, `the payload of signal "${name}"`));
  assertPayloadSize(payloadJson, `the payload of signal "${name}"`);
  return payloadJson;
}

/** Throws when a send wrote nothing (the instance is missing or has ended). */
export function checkSent(r: SendResult, name: string, id: string): void {
  if (r === "missing")
    throw new Error(`signal "${name}" not sent: workflow instance ${id} does not exist`);
  if (r !== "sent")
    throw new Error(
      `signal "${name}" not sent: workflow instance ${id} is ${r}, so nothing can receive it`,
    );
}

/** Orderly shutdown: ends this process's database connections and gives up its use of the
 *  embedded server (which stops when no other live process uses it). A script that does not
 *  call it still exits once its work is done (see the header). */
export async function closeWaymark(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  // The sockets being closed are unreferenced (see the header): without a referenced handle the
  // event loop could empty while they end, and a top-level `await closeWaymark()` would never
  // settle (node exits with code 13).
  const hold = setInterval(() => {}, 1000);
  try {
    await Promise.all(
      all.map(async (c) => {
        const stop = await c.listening?.catch(() => undefined);
        await stop?.();
      }),
    );
    await closePools();
    await releaseEmbeddedDatabase();
  } finally {
    clearInterval(hold);
  }
}
