// `waymark/testing`: a whole engine in one process and in memory, on a virtual clock, for unit
// tests of workflows. The workflows run as compiled by the same compiler and advanced by the
// same interpreter and runner step as in production (src/runtime, InstanceAdvancer); the store
// is MemoryStore, which passes the same conformance suite as the Postgres one; the actions are
// the registered ones or the test's mocks, run in this process.
//
// Time never passes by itself: `run()`, `result()` and `advance()` move the clock, straight to
// the next thing due (a sleep's end, a retry's backoff, a signal's timeout, an action's
// deadline, a schedule's fire), so a workflow that sleeps for three days ends in milliseconds.
// Environments are independent of each other (each has its own store, clock and mocks).
import {
  checkSent,
  encodeSignal,
  outcomeOf,
  prepareStart,
  type WorkflowClassLike,
  type WorkflowHandle,
} from "../client/engine.js";
import { checkSchedule, type ScheduleOptions } from "../client/schedules.js";
import { checkReusedKey, type StartOptions, startRow } from "../client/startOptions.js";
import { startOptionsOf } from "../client/workflow.js";
import { cancelledError } from "../runner/engineErrors.js";
import { parseDuration } from "../runtime/parseDuration.js";
import { loadConfig } from "../store/config.js";
import type { ScheduleInfo } from "../store/postgres/queries/schedules.js";
import { encodeValue } from "../values/index.js";
import { type ActionImpl, ActionRunner, type RunningAttempt } from "./ActionRunner.js";
import { type CallRecord, callRecord } from "./callLog.js";
import { Driver } from "./Driver.js";
import { MemoryStore } from "./memory/MemoryStore.js";
import { isTerminal } from "./memory/tables.js";
import { TestSchedules } from "./TestSchedules.js";

export interface TestEnvironmentOptions {
  /** The clock's start (default: the real time when the environment is made). */
  now?: Date | string | number;
  /** Lost attempts re-run per call (default WAYMARK_MAX_LOST_ATTEMPTS, else 3). */
  maxLostAttempts?: number;
  /** Interpreter steps per instance (default WAYMARK_STEP_BUDGET, else 100,000). */
  stepBudget?: number;
  /** Hours an idempotency key outlives its instance (default WAYMARK_IDEMPOTENCY_HOURS, 24). */
  idempotencyHours?: number;
  /** How long, in real time, the clock waits for a running action before the test fails
   *  (default 10 s). */
  actionRealTimeoutMs?: number;
  /** Clock moves one run(), result() or advance() may make before it fails (default 100,000):
   *  a workflow that sleeps in a loop forever ends the test with an error. */
  maxClockMoves?: number;
  /** Randomness of schedule jitter (default Math.random). */
  random?: () => number;
}

/** `env.start()`'s handle: the client's WorkflowHandle, on the environment (its `result()`
 *  moves the clock until the instance ends). */
export type TestWorkflowHandle<R = unknown> = WorkflowHandle<R>;

export interface InstanceRecord {
  id: string;
  workflow: string;
  status: string;
  parentId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

type WorkflowArg = WorkflowClassLike | { constructor: unknown };
type RunArgs<W> = W extends abstract new (
  ...a: any[]
) => infer I
  ? I extends { run(...args: infer A): any }
    ? A
    : never
  : W extends { run(...args: infer A): any }
    ? A
    : never;
type RunResult<W> = W extends abstract new (
  ...a: any[]
) => infer I
  ? I extends { run(...args: any[]): infer R }
    ? Awaited<R>
    : never
  : W extends { run(...args: any[]): infer R }
    ? Awaited<R>
    : never;
/** An action function returned by `action()`, or an action's name. */
type ActionRef = string | ((...args: any[]) => Promise<unknown>);

export class TestEnvironment {
  readonly store: MemoryStore;
  private readonly clock: { ms: number };
  private readonly mocks = new Map<string, ActionImpl>();
  private readonly runner: ActionRunner;
  private readonly schedulesTable: TestSchedules;
  private readonly driver: Driver;
  private readonly keepHours: number;
  /** Clock moves (run, result, advance) one at a time, in call order. */
  private moving: Promise<unknown> = Promise.resolve();

  constructor(o: TestEnvironmentOptions = {}) {
    const cfg = loadConfig();
    if (o.stepBudget !== undefined) cfg.stepBudget = o.stepBudget;
    if (o.maxLostAttempts !== undefined) cfg.maxLostAttempts = o.maxLostAttempts;
    this.keepHours = o.idempotencyHours ?? cfg.idempotencyHours;
    const start = o.now === undefined ? Date.now() : new Date(o.now).getTime();
    if (!Number.isFinite(start))
      throw new TypeError(`createTestEnvironment({ now }): not a time: ${String(o.now)}`);
    this.clock = { ms: start };
    this.store = new MemoryStore(() => this.clock.ms);
    this.runner = new ActionRunner(this.store, this.mocks, cfg.maxLostAttempts);
    this.schedulesTable = new TestSchedules(this.store, this.keepHours, o.random ?? Math.random);
    this.driver = new Driver(
      this.store,
      this.clock,
      this.runner,
      this.schedulesTable,
      cfg,
      o.actionRealTimeoutMs ?? 10_000,
      o.maxClockMoves ?? 100_000,
    );
  }

  /** The environment's clock. */
  now(): Date {
    return new Date(this.clock.ms);
  }

  /** Runs `impl` instead of the action's own code in this environment (any number of times;
   *  the last one wins). It gets the call's arguments and runs in the attempt's context
   *  (actionContext() works), so it may throw to fail an attempt. */
  mockAction<F extends (...args: any[]) => Promise<unknown>>(
    action: F | string,
    impl: (...args: Parameters<F>) => unknown,
  ): this {
    this.mocks.set(actionName(action, "mockAction"), impl as ActionImpl);
    return this;
  }

  /** Queues an instance now (a class, or an object made with start options) and does what is
   *  due at once; the clock does not move. */
  async start<W extends WorkflowArg>(
    wf: W,
    ...args: RunArgs<W>
  ): Promise<TestWorkflowHandle<RunResult<W>>> {
    const id = await this.insert(wf, args as unknown[]);
    await this.driver.settle();
    return this.handle<RunResult<W>>(id);
  }

  /** Queues an instance and moves the clock until it ends: its result, or throws
   *  WorkflowFailedError (with the error's name, message and class chain). */
  async run<W extends WorkflowArg>(wf: W, ...args: RunArgs<W>): Promise<RunResult<W>> {
    const h = await this.start(wf, ...args);
    return h.result();
  }

  /** A handle to an instance of this environment, by id. */
  handle<R = unknown>(id: string): TestWorkflowHandle<R> {
    return {
      id,
      result: () =>
        this.move(async () => {
          await this.driver.until(
            () => this.terminal(id),
            () => this.driver.describeBlocked(id),
          );
          return outcomeOf(id, this.row(id)) as R;
        }),
      status: async () => this.row(id).status,
      cancel: async () => {
        this.row(id);
        await this.store.cancelInstance(id, JSON.stringify(encodeValue(cancelledError())));
        await this.driver.settle();
      },
      signal: async (name: string, payload?: unknown) => {
        const json = encodeSignal(name, payload);
        checkSent(await this.store.sendSignal(id, name, json), name, id);
        await this.driver.settle();
      },
    };
  }

  /** Moves the clock by `duration` ("3d", "90s", ms), doing everything due on the way in
   *  order: sleeps end, retries run, signal waits time out, schedules fire. */
  advance(duration: string | number): Promise<void> {
    const ms = parseDuration(duration);
    if (ms < 0)
      throw new RangeError(
        `env.advance(${JSON.stringify(duration)}): the clock only moves forward`,
      );
    return this.move(() => this.driver.advance(ms));
  }

  /** Every call of `action` made so far (all actions when omitted), in dispatch order, with
   *  its arguments, each attempt and its outcome. */
  calls(action?: ActionRef): CallRecord[] {
    const name = action === undefined ? undefined : actionName(action, "calls");
    return [...this.store.calls.values()]
      .filter((c) => c.wait === null && (name === undefined || c.action === name))
      .sort((a, b) => a.seq - b.seq)
      .map(callRecord);
  }

  /** Every instance so far (of one workflow, when given), oldest first. */
  instances(wf?: WorkflowClassLike | string): InstanceRecord[] {
    const name = wf === undefined ? undefined : typeof wf === "string" ? wf : wf.shortName();
    return [...this.store.instances.values()]
      .filter((w) => name === undefined || w.workflowName === name)
      .map((w) => ({
        id: w.id,
        workflow: w.workflowName,
        status: w.status,
        parentId: w.parentId,
        createdAt: new Date(w.createdAt),
        finishedAt: w.finishedAt === null ? null : new Date(w.finishedAt),
      }));
  }

  /** Inside a mocked action: an answer that never comes (only the action's timeout or
   *  env.loseWorker() ends the attempt; the clock does not wait for it). */
  hang(): Promise<never> {
    const r = this.runner.current();
    if (!r) throw new Error("env.hang() is for a mocked action: return it from the mock's body");
    r.hanging = true;
    return new Promise<never>(() => {});
  }

  /** The worker running an attempt is lost (killed, OOM, a lost host): the attempt is recorded
   *  as lost and re-run (up to maxLostAttempts), or fails the call with WorkerLostError for an
   *  action defined with onLost: "fail". Inside a mocked action, with no argument: the current
   *  attempt (the returned promise never settles). Else every running attempt of an action,
   *  or of one call (an entry of env.calls()). */
  loseWorker(
    target?: ActionRef | Pick<CallRecord, "instanceId" | "callId">,
  ): Promise<never> | Promise<number> {
    if (target === undefined) {
      const r = this.runner.current();
      if (!r)
        throw new Error(
          "env.loseWorker() with no argument is for a mocked action; from a test, name the action or the call: env.loseWorker(myAction)",
        );
      r.hanging = true;
      void this.runner.lose([r]).then(() => this.driver.settle());
      return new Promise<never>(() => {});
    }
    const picked: RunningAttempt[] = [...this.runner.running.values()].filter((r) =>
      typeof target === "object"
        ? r.call.instanceId === target.instanceId && r.call.callId === target.callId
        : r.call.action === actionName(target, "loseWorker"),
    );
    if (picked.length === 0)
      return Promise.reject(
        new Error(`env.loseWorker(): no attempt of ${describeTarget(target)} is running now`),
      );
    return this.runner.lose(picked).then(async () => {
      await this.driver.settle();
      return picked.length;
    });
  }

  /** scheduleWorkflow in this environment: fires as the clock passes its fire times. */
  async schedule(cls: WorkflowClassLike, o: ScheduleOptions): Promise<Date> {
    const s = checkSchedule(cls, o);
    const versionId = await this.store.registerVersion(
      s.workflowName,
      cls.workflowVersion(),
      cls.workflowIr(),
    );
    const next = this.schedulesTable.upsert(s, versionId);
    await this.driver.settle();
    return next;
  }

  async pauseSchedule(wf: WorkflowClassLike | string, scheduleName: string): Promise<void> {
    this.mustExist(this.schedulesTable.setPaused(nameOf(wf), scheduleName, true), wf, scheduleName);
  }

  async resumeSchedule(wf: WorkflowClassLike | string, scheduleName: string): Promise<void> {
    this.mustExist(
      this.schedulesTable.setPaused(nameOf(wf), scheduleName, false),
      wf,
      scheduleName,
    );
  }

  async deleteSchedule(wf: WorkflowClassLike | string, scheduleName: string): Promise<void> {
    this.mustExist(this.schedulesTable.delete(nameOf(wf), scheduleName), wf, scheduleName);
  }

  listSchedules(): ScheduleInfo[] {
    return this.schedulesTable.list();
  }

  private mustExist(found: boolean, wf: WorkflowClassLike | string, scheduleName: string): void {
    if (!found)
      throw new Error(
        `no schedule "${scheduleName}" for workflow "${nameOf(wf)}" (see env.listSchedules())`,
      );
  }

  private async insert(wf: WorkflowArg, args: unknown[]): Promise<string> {
    const { cls, options } = workflowOf(wf);
    const { inputJson, program, name, version } = prepareStart(cls, args);
    const versionId = await this.store.registerVersion(name, version, program);
    if (options === undefined) return this.store.insertInstance(versionId, name, inputJson);
    const row = startRow(options, inputJson, this.keepHours, this.clock.ms);
    const r = await this.store.startInstance(versionId, name, inputJson, row);
    checkReusedKey(name, row, r);
    return r.id;
  }

  private move<T>(f: () => Promise<T>): Promise<T> {
    const p = this.moving.then(f);
    this.moving = p.catch(() => undefined);
    return p;
  }

  private row(id: string) {
    const w = this.store.instances.get(id);
    if (!w) throw new Error(`workflow instance ${id} does not exist in this test environment`);
    return w;
  }

  private terminal(id: string): boolean {
    return isTerminal(this.row(id).status);
  }
}

/** A new, empty test environment (its own store, clock and mocks). */
export function createTestEnvironment(o?: TestEnvironmentOptions): TestEnvironment {
  return new TestEnvironment(o);
}

function workflowOf(wf: WorkflowArg): { cls: WorkflowClassLike; options?: StartOptions } {
  if (typeof wf === "function") return { cls: wf as unknown as WorkflowClassLike };
  const cls = (wf as { constructor: unknown })?.constructor as WorkflowClassLike | undefined;
  if (!cls || typeof cls.workflowIr !== "function")
    throw new TypeError(
      "env.start(wf, ...args): wf must be a @workflow class or an instance of one",
    );
  const options = startOptionsOf(wf as object);
  return options === undefined ? { cls } : { cls, options };
}

function actionName(a: ActionRef, where: string): string {
  if (typeof a === "string" && a.length > 0) return a;
  const n = (a as { actionName?: unknown })?.actionName;
  if (typeof a === "function" && typeof n === "string") return n;
  throw new TypeError(
    `env.${where}(action): pass an action made with action(...) or its name${typeof a === "function" ? ` (${a.name || "this function"} is not an action)` : ""}`,
  );
}

const nameOf = (wf: WorkflowClassLike | string) => (typeof wf === "string" ? wf : wf.shortName());

function describeTarget(t: ActionRef | Pick<CallRecord, "instanceId" | "callId">): string {
  if (typeof t === "object") return `call ${t.callId} of instance ${t.instanceId}`;
  return `action \`${actionName(t, "loseWorker")}\``;
}
