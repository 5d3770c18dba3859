// Runs the test environment's action attempts in this process: the mock of the action if the
// environment has one, else the registered action itself, each in its action context, with its
// deadline on the environment's virtual clock.
//
// Invariants:
// - Every outcome is recorded through the store's fenced completion, exactly as a worker's
//   (completionFor): a late answer of an attempt that was lost, timed out or cancelled matches
//   no row and is dropped.
// - The clock never moves past a running attempt: the environment waits for each one (in real
//   time, up to `realTimeoutMs`) before it skips time, except an attempt that hangs on purpose
//   (env.hang(), env.loseWorker() inside the action), which only a deadline or a lost worker
//   ends. So a test sees the same order of events however slow the machine is.
import { actionRegistry } from "../client/action.js";
import { lostCompletion } from "../runner/lostAttempt.js";
import { decodeStoredPolicy, makeActionTimeoutError } from "../runtime/index.js";
import type { ClaimedAction, Completion } from "../store/Store.js";
import { decodeValue, errorToValue } from "../values/index.js";
import { type ActionContext, actionStorage } from "../worker/actionContext.js";
import {
  type ActionFn,
  type AttemptResult,
  attempt,
  completionFor,
} from "../worker/executeAction.js";
import type { MemoryStore } from "./memory/MemoryStore.js";
import { callKey } from "./memory/tables.js";

export const TEST_WORKER = "test-worker";

export interface RunningAttempt {
  call: ClaimedAction;
  /** Virtual time of the deadline (null: no timeout). */
  deadline: number | null;
  /** Real time it started (Date.now()), for the real-time guard. */
  realStart: number;
  /** Waits for nothing but its deadline or a lost worker (env.hang()). */
  hanging: boolean;
  /** Settles when the attempt's own code does (never, for a hanging one). */
  settled: Promise<void>;
  abort: AbortController;
  ctx: ActionContext;
}

/** What makes an action run in the environment: a mock, or the registered definition. */
export type ActionImpl = (...args: any[]) => unknown;

export class ActionRunner {
  readonly running = new Map<string, RunningAttempt>();
  private readonly byCtx = new WeakMap<ActionContext, RunningAttempt>();

  constructor(
    private readonly store: MemoryStore,
    private readonly mocks: Map<string, ActionImpl>,
    private readonly maxLostAttempts: number,
  ) {}

  /** Starts every claimed attempt (not awaited: see `active`). */
  start(calls: ClaimedAction[]): void {
    for (const call of calls) this.startOne(call);
  }

  private startOne(call: ClaimedAction): void {
    const policy = decodeStoredPolicy(call.policy);
    const now = this.store.now();
    const startedAt = new Date(now);
    const abort = new AbortController();
    const ctx: ActionContext = {
      signal: abort.signal,
      attempt: call.attempt,
      instanceId: call.instanceId,
      callId: call.callId,
      action: call.action,
    };
    const fn = this.mocks.get(call.action) ?? actionRegistry.get(call.action)?.fn;
    const r: RunningAttempt = {
      call,
      deadline:
        policy.timeoutMs === null || policy.timeoutMs === undefined ? null : now + policy.timeoutMs,
      realStart: Date.now(),
      hanging: false,
      settled: Promise.resolve(),
      abort,
      ctx,
    };
    const key = callKey(call.instanceId, call.callId);
    this.running.set(key, r);
    this.byCtx.set(ctx, r);
    let result: AttemptResult | Promise<AttemptResult>;
    if (!fn) {
      result = {
        ok: false,
        error: errorToValue(
          new Error(
            `action \`${call.action}\` is not registered in this process and has no mock: import the module that defines it, or env.mockAction("${call.action}", fn)`,
          ),
        ),
      };
    } else {
      let args: unknown[];
      try {
        args = decodeValue(call.args as never) as unknown[];
      } catch (e) {
        args = [];
        result = { ok: false, error: errorToValue(e) };
      }
      result ??= attempt(fn as ActionFn, args, ctx);
    }
    r.settled = Promise.resolve(result).then((res) => {
      // Superseded (timed out, lost, cancelled): the fenced completion below matches nothing,
      // but a newer attempt of the same call may be running under the key.
      if (this.running.get(key) === r) this.running.delete(key);
      return this.store
        .completeActions([completionFor(call, res, TEST_WORKER, startedAt, policy)])
        .then(() => undefined);
    });
  }

  /** Forgets attempts whose call moved on without them (its instance was cancelled, or the
   *  call abandoned by a failed Promise.all): their signal aborts, their answer is dropped. */
  prune(): void {
    for (const [key, r] of this.running) {
      const row = this.store.calls.get(key);
      if (row && row.status === "running" && row.attempts === r.call.attempt) continue;
      this.running.delete(key);
      r.abort.abort(new Error("the call this attempt runs for was cancelled"));
    }
  }

  /** Attempts the clock must wait for (all running ones but those hanging on purpose). */
  active(): RunningAttempt[] {
    return [...this.running.values()].filter((r) => !r.hanging);
  }

  /** The attempt whose action code is running in the caller's async context. */
  current(): RunningAttempt | undefined {
    const ctx = actionStorage.getStore();
    return ctx ? this.byCtx.get(ctx) : undefined;
  }

  /** The clock reached `now`: attempts past their deadline end as ActionTimeout (their signal
   *  aborts), exactly as a worker's timer ends them. */
  async expire(now: number): Promise<void> {
    const due = [...this.running.entries()].filter(
      ([, r]) => r.deadline !== null && r.deadline <= now,
    );
    const done: Completion[] = [];
    for (const [key, r] of due) {
      this.running.delete(key);
      const policy = decodeStoredPolicy(r.call.policy);
      const error = makeActionTimeoutError(policy.timeoutMs as number);
      r.abort.abort(Object.assign(new Error(error.message), { name: "ActionTimeout" }));
      done.push(
        completionFor(
          r.call,
          { ok: false, error },
          TEST_WORKER,
          new Date(r.deadline as number),
          policy,
        ),
      );
    }
    if (done.length > 0) await this.store.completeActions(done);
  }

  /** These attempts' worker is gone: each is recorded as lost (re-run, or WorkerLostError past
   *  the budget or for onLost: "fail"), and its code's later answer is ignored. */
  async lose(attempts: RunningAttempt[]): Promise<void> {
    const done: Completion[] = [];
    for (const r of attempts) {
      const key = callKey(r.call.instanceId, r.call.callId);
      if (this.running.get(key) !== r) continue;
      this.running.delete(key);
      r.abort.abort(new Error("the worker running this attempt was lost (env.loseWorker)"));
      done.push(
        lostCompletion(
          {
            instanceId: r.call.instanceId,
            callId: r.call.callId,
            action: r.call.action,
            attempt: r.call.attempt,
            lostBefore: r.call.lostAttempts ?? 0,
            policy: decodeStoredPolicy(r.call.policy),
            worker: TEST_WORKER,
            how: "was lost (env.loseWorker)",
          },
          this.maxLostAttempts,
        ),
      );
    }
    if (done.length > 0) await this.store.completeActions(done);
  }
}
