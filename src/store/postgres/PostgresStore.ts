// The Store over a shared pg.Pool, running the queries in ./queries.
import type pg from "pg";
import type { Store } from "../Store.js";
import { InsertBatcher } from "./InsertBatcher.js";
import { listenChannels } from "./listen.js";
import { migrate } from "./migrate.js";
import { getPool, type PoolOptions } from "./pool.js";
import { claimActions, nextActionDueMs, renewActionLeases } from "./queries/claimActions.js";
import {
  adoptInstances,
  claimInstances,
  nextInstanceWakeMs,
  renewInstanceLeases,
} from "./queries/claimInstances.js";
import { cancelChildrenOf, cancelInstance, readInstance } from "./queries/clientQueries.js";
import { completeActions } from "./queries/completeActions.js";
import { tableHealth, vacuumTables } from "./queries/housekeeping.js";
import { quarantinedInlineActions, quarantineInlineActions } from "./queries/inlineQuarantine.js";
import { loadOutcomes } from "./queries/loadOutcomes.js";
import { persistInstances, persistInstancesEx } from "./queries/persistInstances.js";
import { findExpiredActionLeases, findUnservedActions } from "./queries/reapActions.js";
import { loadVersion, registerVersion } from "./queries/registerVersion.js";
import {
  deliverKeptSignals,
  deliverSignals,
  expireWaits,
  latestVersionId,
  sendSignal,
} from "./queries/signals.js";
import { type StartOptionsRow, startInstance } from "./queries/startInstance.js";
import {
  announceRunner,
  heartbeatWorker,
  liveRunners,
  liveWorkerActions,
  pruneWorkers,
  removeWorker,
} from "./queries/workers.js";

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  constructor(
    readonly url: string,
    poolSize = 10,
    /** `exitOnIdle`: idle connections (pool and LISTEN) do not keep the process alive. */
    private readonly opts: PoolOptions = {},
  ) {
    this.pool = getPool(url, poolSize, opts);
    this.inserts = new InsertBatcher(this.pool);
  }
  /** Concurrent start() calls share multi-row inserts (one commit per group). */
  private readonly inserts: InsertBatcher;
  migrate = () => migrate(this.pool);
  registerVersion = (name: string, version: string, ir: unknown) =>
    registerVersion(this.pool, name, version, ir);
  loadVersion = (id: string) => loadVersion(this.pool, id);
  insertInstance = (v: string, w: string, input: string) => this.inserts.insert(v, w, input);
  startInstance = (v: string, w: string, input: string, o: StartOptionsRow) =>
    startInstance(this.pool, v, w, input, o);
  readInstance = (id: string) => readInstance(this.pool, id);
  cancelInstance = (id: string, err: string) => cancelInstance(this.pool, id, err);
  sendSignal = (id: string, name: string, payload: string) =>
    sendSignal(this.pool, id, name, payload);
  deliverSignals = (ids: string[]) => deliverSignals(this.pool, ids);
  expireWaits = (limit: number) => expireWaits(this.pool, limit);
  deliverKeptSignals = (limit: number) => deliverKeptSignals(this.pool, limit);
  latestVersionId = (name: string) => latestVersionId(this.pool, name);
  cancelChildrenOf = (calls: { instanceId: string; callId: number }[], err: string) =>
    cancelChildrenOf(this.pool, calls, err);
  claimInstances = (owner: string, limit: number, leaseMs: number) =>
    claimInstances(this.pool, owner, limit, leaseMs);
  adoptInstances = (owner: string, known: string[], leaseMs: number) =>
    adoptInstances(this.pool, owner, known, leaseMs);
  nextInstanceWakeMs = () => nextInstanceWakeMs(this.pool);
  renewInstanceLeases = (owner: string, ids: string[], leaseMs: number) =>
    renewInstanceLeases(this.pool, owner, ids, leaseMs);
  loadOutcomes = (ids: string[]) => loadOutcomes(this.pool, ids);
  persistInstances: Store["persistInstances"] = (b) => persistInstances(this.pool, b);
  persistInstancesEx: Store["persistInstancesEx"] = (b) => persistInstancesEx(this.pool, b);
  findExpiredActionLeases = (limit: number, liveMs: number) =>
    findExpiredActionLeases(this.pool, limit, liveMs);
  findUnservedActions = (graceMs: number, liveMs: number, limit: number) =>
    findUnservedActions(this.pool, graceMs, liveMs, limit);
  tableHealth = () => tableHealth(this.pool);
  vacuumTables = (tables: readonly string[]) => vacuumTables(this.pool, tables);
  pruneWorkers = (olderThanMs: number) => pruneWorkers(this.pool, olderThanMs);
  liveRunners = (liveMs: number) => liveRunners(this.pool, liveMs);
  announceRunner = (id: string, leaving: boolean) => announceRunner(this.pool, id, leaving);
  liveWorkerActions = (excludeIds: string[], liveMs: number) =>
    liveWorkerActions(this.pool, excludeIds, liveMs);
  quarantineInlineActions: Store["quarantineInlineActions"] = (notes) =>
    quarantineInlineActions(this.pool, notes);
  quarantinedInlineActions = () => quarantinedInlineActions(this.pool);
  claimActions = (w: string, a: string[], limit: number, leaseMs: number) =>
    claimActions(this.pool, w, a, limit, leaseMs);
  nextActionDueMs = (a: string[]) => nextActionDueMs(this.pool, a);
  renewActionLeases: Store["renewActionLeases"] = (w, leaseMs, calls) =>
    renewActionLeases(this.pool, w, leaseMs, calls);
  completeActions: Store["completeActions"] = (items, opts) =>
    completeActions(this.pool, items, opts);
  heartbeatWorker: Store["heartbeatWorker"] = (id, kind, host, pid, actions) =>
    heartbeatWorker(this.pool, id, kind, host, pid, actions);
  removeWorker = (id: string) => removeWorker(this.pool, id);
  listen: Store["listen"] = (channels, onNotify) =>
    listenChannels(this.url, channels, onNotify, this.opts);
  close = async () => {};
}
