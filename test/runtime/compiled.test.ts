// Compiled examples run through the interpreter with a tiny in-test driver: actions execute
// in-process (registered by examples/actions.ts, with an action context, retries by
// decideRetry and timeouts that abort), sleeps wait for real, and the state goes through
// encodeState/decodeState between every advance. Expected values: examples/README.md.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { actionRegistry } from "waymark";
import "../../examples/actions.js";
import { compileWorkflowClass } from "../../src/compiler/index.js";
import type { Program } from "../../src/ir/types.js";
import {
  advance,
  type Command,
  type ConcretePolicy,
  decideRetry,
  decodeState,
  type ErrorValue,
  type Event,
  encodeState,
  makeActionTimeoutError,
  type Outcome,
  startState,
} from "../../src/runtime/index.js";
import { decodeValue, encodeValue, errorToValue } from "../../src/values/index.js";
import { actionStorage } from "../../src/worker/actionContext.js";

const WORKFLOWS = fileURLToPath(new URL("../../examples/workflows.ts", import.meta.url));
const EXTRAS = fileURLToPath(new URL("../../examples/extras.ts", import.meta.url));

const copy = <T>(v: T): T => decodeValue(JSON.parse(JSON.stringify(encodeValue(v)))) as T;

async function attempt(c: Command & { type: "dispatch" }, n: number): Promise<Outcome> {
  const def = actionRegistry.get(c.action);
  if (!def) return { ok: false, error: errorToValue(new Error(`no action ${c.action}`)) };
  const ac = new AbortController();
  const ctx = {
    signal: ac.signal,
    attempt: n,
    instanceId: "test",
    callId: c.callId,
    action: c.action,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    if (c.policy.timeoutMs === null) return;
    timer = setTimeout(() => {
      const err = makeActionTimeoutError(c.policy.timeoutMs as number);
      ac.abort(err);
      resolve({ ok: false, error: err });
    }, c.policy.timeoutMs);
  });
  const run = actionStorage
    .run(ctx, () => def.fn(...copy(c.args)))
    .then(
      (v): Outcome => ({ ok: true, value: copy(v) }),
      (e): Outcome => ({ ok: false, error: errorToValue(e) }),
    );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function execute(c: Command & { type: "dispatch" }): Promise<Outcome> {
  for (let n = 1; ; n++) {
    const o = await attempt(c, n);
    if (o.ok) return o;
    const d = decideRetry(c.policy as ConcretePolicy, n, o.error as ErrorValue);
    if (!d.retry) return o;
    await delay(d.delayMs);
  }
}

interface Run {
  outcome: Outcome;
  /** Dispatch commands per advance call. */
  rounds: number[];
}

async function runWorkflow(program: Program, args: unknown[]): Promise<Run> {
  let state = startState(program, copy(args));
  let events: Event[] = [];
  const rounds: number[] = [];
  for (;;) {
    state = decodeState(encodeState(state));
    const r = advance(program, state, events);
    state = r.state;
    if (r.blocked.type === "done") return { outcome: r.blocked.outcome, rounds };
    const pending: Promise<Event>[] = [];
    for (const c of r.commands) {
      if (c.type === "dispatch") {
        pending.push(execute(c).then((outcome) => ({ type: "action", callId: c.callId, outcome })));
      } else if (c.type === "sleep") {
        pending.push(delay(c.durationMs).then(() => ({ type: "timer", timerId: c.timerId })));
      }
    }
    rounds.push(r.commands.filter((c) => c.type === "dispatch").length);
    events = await Promise.all(pending);
  }
}

const programs = new Map<string, Program>();
function compiled(file: string, className: string): Program {
  const key = `${file}#${className}`;
  let p = programs.get(key);
  if (!p) {
    p = compileWorkflowClass({ file, className });
    programs.set(key, p);
  }
  return p;
}

async function value(file: string, className: string, ...args: unknown[]): Promise<unknown> {
  const r = await runWorkflow(compiled(file, className), args);
  if (!r.outcome.ok)
    assert.fail(`${className} failed: ${r.outcome.error.name}: ${r.outcome.error.message}`);
  return r.outcome.value;
}

describe("compiled seed workflows (examples/workflows.ts)", () => {
  const W = WORKFLOWS;
  test("SequentialChainWorkflow", async () => {
    assert.deepEqual(await value(W, "SequentialChainWorkflow", "hello"), {
      original: "hello",
      step1: "HELLO",
      step2: "OLLEH",
      step3: "**OLLEH**",
    });
  });
  test("ParallelMathWorkflow", async () => {
    assert.deepEqual(await value(W, "ParallelMathWorkflow", 5), {
      inputNumber: 5,
      factorial: 120,
      fibonacci: 5,
      errors: [],
    });
    assert.deepEqual(await value(W, "ParallelMathWorkflow", -1), {
      inputNumber: -1,
      factorial: null,
      fibonacci: null,
      errors: ["factorial of a negative number: -1", "fibonacci of a negative number: -1"],
    });
  });
  test("WelcomeEmailWorkflow", async () => {
    const users = [
      { email: "a@x.io", active: true },
      { email: "b@x.io", active: false },
      { email: "broken", active: true },
    ];
    assert.deepEqual(await value(W, "WelcomeEmailWorkflow", users), { attempted: 2, delivered: 1 });
    const empty = await runWorkflow(compiled(W, "WelcomeEmailWorkflow"), [[]]);
    assert.deepEqual(empty.outcome, { ok: true, value: { attempted: 0, delivered: 0 } });
    assert.deepEqual(empty.rounds, []);
  });
  test("ConditionalBranchWorkflow", async () => {
    for (const [v, tier] of [
      [80, "high"],
      [50, "medium"],
      [10, "low"],
    ] as const) {
      const out = (await value(W, "ConditionalBranchWorkflow", v)) as {
        value: number;
        tier: string;
      };
      assert.equal(out.tier, tier);
      assert.equal(out.value, v);
    }
  });
  test("GuardFallbackWorkflow", async () => {
    assert.deepEqual(await value(W, "GuardFallbackWorkflow", "ada"), {
      user: "ada",
      noteCount: 2,
      summary: "wrote the first program; met Babbage",
    });
    assert.deepEqual(await value(W, "GuardFallbackWorkflow", "bob"), {
      user: "bob",
      noteCount: 0,
      summary: "no notes found",
    });
  });
  test("LoopProcessingWorkflow", async () => {
    assert.deepEqual(await value(W, "LoopProcessingWorkflow", ["a", "b", "c"]), {
      count: 3,
      processed: ["processed:a", "processed:b", "processed:c"],
    });
  });
  test("WhileLoopWorkflow", async () => {
    assert.deepEqual(await value(W, "WhileLoopWorkflow", 3), {
      target: 3,
      final: 3,
      iterations: 3,
    });
  });
  test("ErrorHandlingWorkflow", async () => {
    assert.deepEqual(await value(W, "ErrorHandlingWorkflow", false), {
      attempted: true,
      recovered: false,
      message: "success: ok",
    });
    assert.deepEqual(await value(W, "ErrorHandlingWorkflow", true), {
      attempted: true,
      recovered: true,
      message: "recovered: IntentionalError was caught",
    });
  });
  test("LoopExceptionWorkflow", async () => {
    assert.deepEqual(await value(W, "LoopExceptionWorkflow", ["a", "bad-b", "c", "bad-d"]), {
      total: 4,
      processed: ["processed:a", "processed:c"],
      errorCount: 2,
    });
  });
  test("DurableSleepWorkflow", async () => {
    assert.deepEqual(await value(W, "DurableSleepWorkflow", 1), {
      seconds: 1,
      sleptLongEnough: true,
    });
  });
  test("DripWorkflow", async () => {
    assert.deepEqual(await value(W, "DripWorkflow", 3, 10), [
      "iteration 1",
      "iteration 2",
      "iteration 3",
    ]);
  });
  test("LoopReturnWorkflow", async () => {
    assert.deepEqual(await value(W, "LoopReturnWorkflow", [4, 8, 15, 16], 15), {
      found: true,
      value: 15,
      checked: 3,
    });
    assert.deepEqual(await value(W, "LoopReturnWorkflow", [4, 8], 99), {
      found: false,
      value: null,
      checked: 2,
    });
  });
});

describe("compiled extra workflows (examples/extras.ts)", () => {
  const X = EXTRAS;
  test("RetryCounterWorkflow", async () => {
    assert.deepEqual(await value(X, "RetryCounterWorkflow", "x"), { label: "x", attempt: 3 });
  });
  test("TimeoutProbeWorkflow", async () => {
    assert.equal(await value(X, "TimeoutProbeWorkflow", true), "done on attempt 2");
    assert.equal(await value(X, "TimeoutProbeWorkflow", false), "timed out: ActionTimeout");
  });
  test("WideFanOutWorkflow", async () => {
    const r = await runWorkflow(compiled(X, "WideFanOutWorkflow"), [100]);
    assert.deepEqual(r.outcome, { ok: true, value: 10100 });
    assert.deepEqual(r.rounds, [1, 100, 1]);
    assert.equal(await value(X, "WideFanOutWorkflow", 0), 0);
  });
  test("SleepLoopWorkflow", async () => {
    assert.equal(await value(X, "SleepLoopWorkflow", 3, 50), 3);
  });
  test("TryPerItemWorkflow", async () => {
    assert.deepEqual(await value(X, "TryPerItemWorkflow", ["a", "bad-b", "c"]), {
      results: ["processed:a", "failed:bad-b", "processed:c"],
      finallyRuns: 3,
    });
  });
  test("EarlyReturnWorkflow", async () => {
    const grid = [
      [1, 2],
      [3, 4],
    ];
    const r = await runWorkflow(compiled(X, "EarlyReturnWorkflow"), [grid, 3]);
    assert.deepEqual(r.outcome, { ok: true, value: { row: 1, col: 0 } });
    assert.equal(r.rounds.length, 3);
    assert.equal(await value(X, "EarlyReturnWorkflow", [[1, 2]], 9), null);
  });
  test("HelperMethodsWorkflow", async () => {
    assert.equal(await value(X, "HelperMethodsWorkflow", "ada"), "*HELLO ADA*");
    assert.equal(await value(X, "HelperMethodsWorkflow", "ada", "hi"), "*HI ADA*");
  });
  test("ValueRoundTripWorkflow", async () => {
    const input = {
      when: new Date(0),
      big: 2n ** 70n,
      map: new Map([["a", 1]]),
      set: new Set([1, 2]),
      missing: undefined,
      nested: { list: [1, undefined, { d: new Date(1) }] },
    };
    assert.deepEqual(await value(X, "ValueRoundTripWorkflow", input), {
      echoed: input,
      again: input,
    });
  });
  test("ConcurrentWorkflow overlaps; SequentialTwinWorkflow does not", async () => {
    const c = await runWorkflow(compiled(X, "ConcurrentWorkflow"), [30]);
    assert.ok(c.outcome.ok, JSON.stringify(c.outcome));
    assert.deepEqual(c.rounds, [2, 1]);
    const s = await runWorkflow(compiled(X, "SequentialTwinWorkflow"), [30]);
    assert.ok(s.outcome.ok);
    assert.deepEqual(s.rounds, [1, 1, 1]);
    assert.deepEqual(c.outcome.value, s.outcome.value);
    assert.equal(c.outcome.value, "a+b");
  });
});
