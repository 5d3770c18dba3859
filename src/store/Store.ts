// The persistence contract of the engine. The Postgres store implements it with the SQL in
// postgres/queries; the embedded default (a later issue) runs the same SQL behind it.

import type { ClaimedAction } from "./postgres/queries/claimActions.js";
import type { ClaimedInstance } from "./postgres/queries/claimInstances.js";
import type { InstanceOutcome } from "./postgres/queries/clientQueries.js";
import type { CompleteOptions, Completion } from "./postgres/queries/completeActions.js";
import type { TableHealth } from "./postgres/queries/housekeeping.js";
import type { QuarantineNote } from "./postgres/queries/inlineQuarantine.js";
import type { StoredOutcome } from "./postgres/queries/loadOutcomes.js";
import type { PersistBatch, PersistResult } from "./postgres/queries/persistInstances.js";
import type { StrandedCall } from "./postgres/queries/reapActions.js";
import type { SendResult } from "./postgres/queries/signals.js";
import type { StartedInstance, StartOptionsRow } from "./postgres/queries/startInstance.js";

export type {
  ClaimedAction,
  ClaimedInstance,
  Completion,
  InstanceOutcome,
  PersistBatch,
  PersistResult,
  SendResult,
  StoredOutcome,
  StrandedCall,
  TableHealth,
};

export interface Store {
  migrate(): Promise<string[]>;
  // client
  registerVersion(name: string, version: string, ir: unknown): Promise<string>;
  loadVersion(versionId: string): Promise<{ name: string; version: string; ir: unknown }>;
  insertInstance(versionId: string, workflowName: string, inputJson: string): Promise<string>;
  /** insertInstance with start options (idempotency key, priority, delay). */
  startInstance(
    versionId: string,
    workflowName: string,
    inputJson: string,
    opts: StartOptionsRow,
  ): Promise<StartedInstance>;
  readInstance(id: string): Promise<InstanceOutcome | undefined>;
  /** Cancels the instance and its unfinished descendants (child workflows); false when the
   *  instance was already terminal. */
  cancelInstance(id: string, errorJson: string): Promise<boolean>;
  /** Puts a signal in a live instance's mailbox and delivers it to a waiting wait. */
  sendSignal(id: string, name: string, payloadJson: string): Promise<SendResult>;
  // runner: waits (signals, sleeps in gathers, children)
  deliverSignals(instanceIds: string[]): Promise<number>;
  expireWaits(limit: number): Promise<number>;
  deliverKeptSignals(limit: number): Promise<number>;
  latestVersionId(name: string): Promise<string | undefined>;
  /** Cancels the unfinished child workflows these (abandoned) calls started. */
  cancelChildrenOf(
    calls: { instanceId: string; callId: number }[],
    errorJson: string,
  ): Promise<number>;
  // runner
  claimInstances(owner: string, limit: number, leaseMs: number): Promise<ClaimedInstance[]>;
  /** Instances leased to `owner` that are not in `known` (claims whose answer was lost). */
  adoptInstances(owner: string, known: string[], leaseMs: number): Promise<ClaimedInstance[]>;
  nextInstanceWakeMs(): Promise<number | null>;
  renewInstanceLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]>;
  loadOutcomes(instanceIds: string[]): Promise<StoredOutcome[]>;
  persistInstances(batch: PersistBatch): Promise<Set<string>>;
  /** persistInstances, also reporting the calls handed to local workers. */
  persistInstancesEx(batch: PersistBatch): Promise<PersistResult>;
  findExpiredActionLeases(limit: number, liveMs: number): Promise<StrandedCall[]>;
  findUnservedActions(graceMs: number, liveMs: number, limit: number): Promise<StrandedCall[]>;
  // housekeeping
  tableHealth(): Promise<TableHealth[]>;
  /** VACUUM (ANALYZE) these hot tables; false when another process is vacuuming them now. */
  vacuumTables(tables: readonly string[]): Promise<boolean>;
  /** Forgets liveness rows of processes silent for longer than this. */
  pruneWorkers(olderThanMs: number): Promise<void>;
  /** Tells the other runners that this one joins or leaves (they refresh their lists). */
  announceRunner(id: string, leaving: boolean): Promise<void>;
  /** Ids of the runners that heartbeated within liveMs, sorted. */
  liveRunners(liveMs: number): Promise<string[]>;
  /** Actions served by live worker processes other than these. */
  liveWorkerActions(excludeIds: string[], liveMs: number): Promise<Set<string>>;
  /** Keeps these actions out of runner processes (a runner died running them). */
  quarantineInlineActions(notes: QuarantineNote[]): Promise<void>;
  /** Actions no runner runs in its own process now. */
  quarantinedInlineActions(): Promise<Set<string>>;
  // workers
  claimActions(
    worker: string,
    actions: string[],
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedAction[]>;
  nextActionDueMs(actions: string[]): Promise<number | null>;
  /** Renews the leases of exactly these running calls (the ones the worker is executing). */
  renewActionLeases(
    worker: string,
    leaseMs: number,
    calls: { instanceId: string; callId: number }[],
  ): Promise<number>;
  completeActions(items: Completion[], opts?: CompleteOptions): Promise<number>;
  heartbeatWorker(
    id: string,
    kind: "worker" | "runner" | "starting",
    host: string,
    pid: number,
    actions: string[],
  ): Promise<void>;
  removeWorker(id: string): Promise<void>;
  /** Calls `onNotify(channel, payload)` for each NOTIFY on the channels; returns a closer.
   *  Reconnects after a dropped connection and calls `onNotify(channel, "")` then (a wake-up
   *  may have been missed). */
  listen(
    channels: string[],
    onNotify: (channel: string, payload: string) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
