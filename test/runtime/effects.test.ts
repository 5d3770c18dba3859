import assert from "node:assert/strict";
import { test } from "node:test";
import type { Program } from "../../src/ir/types.js";
import {
  type AdvanceResult,
  advance,
  type ConcretePolicy,
  decodeState,
  type ErrorValue,
  type Event,
  encodeState,
  type InstanceState,
  startState,
} from "../../src/runtime/index.js";
import { decodeValue, encodeValue } from "../../src/values/index.js";
import {
  act,
  arr,
  assign,
  bin,
  decl,
  ex,
  forOf,
  gather,
  gcall,
  gspread,
  if_,
  inst,
  lidx,
  lit,
  mem,
  meth,
  n,
  obj,
  program,
  ret,
  sleep,
  try_,
  while_,
} from "./build.js";
import { both, drive } from "./driver.js";

/** Manual stepping with optional persistence between calls. */
class Stepper {
  state: InstanceState;
  constructor(
    readonly prog: Program,
    readonly persist: boolean,
    args: unknown[] = [],
  ) {
    this.state = startState(prog, args);
  }
  next(events: Event[] = []): AdvanceResult {
    if (this.persist) this.state = decodeState(encodeState(this.state));
    const r = advance(this.prog, this.state, events);
    this.state = r.state;
    return r;
  }
}

const ok = (callId: number, value: unknown): Event => ({
  type: "action",
  callId,
  outcome: { ok: true, value },
});
const fail = (callId: number, error: Partial<ErrorValue> & { message: string }): Event => ({
  type: "action",
  callId,
  outcome: { ok: false, error: { name: "Error", classChain: ["Error"], ...error } },
});
const dispatches = (r: AdvanceResult) =>
  r.commands
    .filter((c) => c.type === "dispatch")
    .map((c) => (c.type === "dispatch" ? [c.callId, c.action, c.args] : []));

both("sequential actions: dispatch, block, bind, fresh monotonic callIds", (p) => {
  const s = new Stepper(
    program([
      act("a", "one", [lit(1)]),
      act("b", "two", [n("a"), lit("x")]),
      ret(arr(n("a"), n("b"))),
    ]),
    p,
  );
  const r1 = s.next();
  assert.deepEqual(dispatches(r1), [[1, "one", [1]]]);
  assert.deepEqual(r1.blocked, { type: "actions", callIds: [1] });
  const r2 = s.next([ok(1, { v: 10 })]);
  assert.deepEqual(dispatches(r2), [[2, "two", [{ v: 10 }, "x"]]]);
  const r3 = s.next([ok(1, "dup"), ok(2, "B")]);
  assert.deepEqual(r3.commands, []);
  assert.deepEqual(r3.blocked, { type: "done", outcome: { ok: true, value: [{ v: 10 }, "B"] } });
  // advancing a finished instance is a no-op
  assert.deepEqual(s.next([ok(2, "late")]).blocked, r3.blocked);
});

both("a failed action throws into the workflow (catchable, fields readable)", (p) => {
  const s = new Stepper(
    program([
      try_([act("a", "risky")], {
        param: "e",
        body: [
          ret(arr(inst(n("e"), "IntentionalError"), mem(n("e"), "message"), mem(n("e"), "code"))),
        ],
      }),
    ]),
    p,
  );
  s.next();
  const r = s.next([
    fail(1, { message: "boom", classChain: ["IntentionalError", "Error"], code: "E1" }),
  ]);
  assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: [true, "boom", "E1"] } });
});

both("unencodable action argument raises a catchable TypeError naming the path", (p) => {
  const s = new Stepper(
    program([
      decl("o", obj({ a: lit(1) })),
      assign({ k: "lmember", object: n("o"), property: "self", span: n("o").span }, n("o")),
      try_([act(undefined, "send", [lit("ok"), n("o")])], {
        param: "e",
        body: [ret(arr(mem(n("e"), "name"), mem(n("e"), "message")))],
      }),
    ]),
    p,
  );
  const r = s.next();
  assert.deepEqual(r.commands, []);
  assert.deepEqual(r.blocked, {
    type: "done",
    outcome: {
      ok: true,
      value: [
        "TypeError",
        "argument 2 of action `send`: args[1].self is a cycle (the value contains itself)",
      ],
    },
  });
});

both("concrete policies from the call", (p) => {
  const prog = program([
    act(undefined, "a"),
    act(undefined, "b", [], { retry: {} }),
    act(undefined, "c", [], {
      retry: { attempts: lit(3), exceptionTypes: ["NetErr"], backoff: lit("2s") },
      timeout: lit("30s"),
    }),
    act(undefined, "d", [], {
      retry: { backoff: obj({ initial: lit(100), max: lit("1m") }) },
      timeout: lit(500),
    }),
    act(undefined, "e", [], {
      retry: { backoff: obj({ initial: lit("1s"), multiplier: lit(3) }) },
    }),
  ]);
  const s = new Stepper(prog, p);
  const policies: ConcretePolicy[] = [];
  let r = s.next();
  for (let id = 1; id <= 5; id++) {
    const c = r.commands[0];
    assert.ok(c && c.type === "dispatch");
    policies.push(c.policy);
    r = s.next([ok(id, null)]);
  }
  assert.deepEqual(policies, [
    {
      maxAttempts: 1,
      exceptionTypes: null,
      backoff: { initialMs: 0, multiplier: 1, maxMs: 0 },
      timeoutMs: null,
    },
    {
      maxAttempts: 100,
      exceptionTypes: null,
      backoff: { initialMs: 0, multiplier: 1, maxMs: 0 },
      timeoutMs: null,
    },
    {
      maxAttempts: 3,
      exceptionTypes: ["NetErr"],
      backoff: { initialMs: 2000, multiplier: 1, maxMs: 2000 },
      timeoutMs: 30000,
    },
    {
      maxAttempts: 100,
      exceptionTypes: null,
      backoff: { initialMs: 100, multiplier: 2, maxMs: 60000 },
      timeoutMs: 500,
    },
    {
      maxAttempts: 100,
      exceptionTypes: null,
      backoff: { initialMs: 1000, multiplier: 3, maxMs: Number.MAX_SAFE_INTEGER },
      timeoutMs: null,
    },
  ]);
  const bad = new Stepper(program([act(undefined, "a", [], { timeout: lit("soon") })]), p).next();
  assert.equal(
    bad.blocked.type === "done" && !bad.blocked.outcome.ok && bad.blocked.outcome.error.name,
    "TypeError",
  );
  const bad2 = new Stepper(
    program([act(undefined, "a", [], { retry: { attempts: lit(0) } })]),
    p,
  ).next();
  assert.match(
    bad2.blocked.type === "done" && !bad2.blocked.outcome.ok
      ? bad2.blocked.outcome.error.message
      : "",
    /attempts must be a positive integer/,
  );
});

both("gather all: dispatched at once, results in item order, events in any order", (p) => {
  const prog = program([
    decl("xs", arr(lit("a"), lit("b"))),
    gather("all", "r", [
      gcall("first", [lit(0)]),
      gspread(n("xs"), ["x", "i"], "each", [n("x"), n("i")]),
    ]),
    ret(n("r")),
  ]);
  const s = new Stepper(prog, p);
  const r1 = s.next();
  assert.deepEqual(dispatches(r1), [
    [1, "first", [0]],
    [2, "each", ["a", 0]],
    [3, "each", ["b", 1]],
  ]);
  assert.deepEqual(r1.blocked, { type: "actions", callIds: [1, 2, 3] });
  const r2 = s.next([ok(3, "B"), ok(3, "dup")]);
  assert.deepEqual(r2.blocked, { type: "actions", callIds: [1, 2] });
  const r3 = s.next([ok(2, "A"), ok(1, "F"), ok(99, "stranger")]);
  assert.deepEqual(r3.blocked, { type: "done", outcome: { ok: true, value: ["F", "A", "B"] } });
});

both("gather all: first failure throws, the rest are abandoned and ignored", (p) => {
  const prog = program([
    decl("log", arr()),
    try_([gather("all", "r", [gcall("a"), gcall("b"), gcall("c")])], {
      param: "e",
      body: [ex(meth(n("log"), "push", mem(n("e"), "message")))],
    }),
    act("after", "next"),
    ret(arr(n("log"), n("after"))),
  ]);
  const s = new Stepper(prog, p);
  s.next();
  const r = s.next([ok(1, 1), fail(3, { message: "c failed" }), fail(2, { message: "b failed" })]);
  assert.deepEqual(r.commands, [
    { type: "abandon", callIds: [2] },
    {
      type: "dispatch",
      callId: 4,
      action: "next",
      args: [],
      policy: r.commands[1]?.type === "dispatch" ? r.commands[1].policy : (null as never),
    },
  ]);
  assert.deepEqual(r.blocked, { type: "actions", callIds: [4] });
  const r2 = s.next([ok(2, "late"), ok(4, "N")]);
  assert.deepEqual(r2.blocked, { type: "done", outcome: { ok: true, value: [["c failed"], "N"] } });
});

both("allSettled: waits for all, outcomes as values", (p) => {
  const s = new Stepper(
    program([gather("allSettled", "r", [gcall("a"), gcall("b")]), ret(n("r"))]),
    p,
  );
  s.next();
  assert.deepEqual(s.next([fail(1, { message: "no" })]).blocked, { type: "actions", callIds: [2] });
  const r = s.next([ok(2, 5)]);
  assert.equal(r.blocked.type, "done");
  const outcome = (r.blocked as { outcome: { ok: true; value: { reason?: object }[] } }).outcome;
  assert.equal(outcome.ok, true);
  // Stored, the reason lists every field; in the workflow it is a caught error record, whose
  // keys are the ones JavaScript lists for an Error: none here.
  assert.deepEqual(decodeValue(encodeValue(outcome.value)), [
    { status: "rejected", reason: { name: "Error", classChain: ["Error"], message: "no" } },
    { status: "fulfilled", value: 5 },
  ]);
  const reason = outcome.value[0]!.reason as Record<string, unknown>;
  assert.deepEqual(Object.keys(reason), []);
  assert.deepEqual([reason.name, reason.message, reason.classChain], ["Error", "no", ["Error"]]);
});

both("empty gather yields [] with no commands", (p) => {
  const s = new Stepper(
    program([gather("all", "r", [gspread(arr(), ["x"], "each", [n("x")])]), ret(n("r"))]),
    p,
  );
  const r = s.next();
  assert.deepEqual(r.commands, []);
  assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: [] } });
});

both("sleep: emits a timer, blocks, resumes on its event only", (p) => {
  const s = new Stepper(program([sleep(lit("2s")), sleep(lit(-5)), ret(lit("woke"))]), p);
  const r1 = s.next();
  assert.deepEqual(r1.commands, [{ type: "sleep", timerId: 1, durationMs: 2000 }]);
  assert.deepEqual(r1.blocked, { type: "timer", timerId: 1 });
  assert.deepEqual(s.next([{ type: "timer", timerId: 7 }]).blocked, { type: "timer", timerId: 1 });
  const r2 = s.next([{ type: "timer", timerId: 1 }]);
  assert.deepEqual(r2.commands, [{ type: "sleep", timerId: 2, durationMs: 0 }]);
  assert.deepEqual(s.next([{ type: "timer", timerId: 2 }]).blocked, {
    type: "done",
    outcome: { ok: true, value: "woke" },
  });
});

both("concurrent mode dispatches independent runs together", (p) => {
  const body = [
    act("a", "fa", [lit(1)]),
    act("b", "fb", [lit(2)]),
    act("c", "fc", [n("a")]), // depends on a: starts a new run
    act("d", "fd", [lit(4)]),
    ret(arr(n("a"), n("b"), n("c"), n("d"))),
  ];
  const s = new Stepper(program(body, { concurrent: true }), p);
  const r1 = s.next();
  assert.deepEqual(dispatches(r1), [
    [1, "fa", [1]],
    [2, "fb", [2]],
  ]);
  assert.deepEqual(s.next([ok(2, "B")]).blocked, { type: "actions", callIds: [1] });
  const r2 = s.next([ok(1, "A")]);
  assert.deepEqual(dispatches(r2), [
    [3, "fc", ["A"]],
    [4, "fd", [4]],
  ]);
  const r3 = s.next([ok(4, "D"), ok(3, "C")]);
  assert.deepEqual(r3.blocked, {
    type: "done",
    outcome: { ok: true, value: ["A", "B", "C", "D"] },
  });
  // not concurrent: strictly one at a time
  const seq = new Stepper(program(body), p);
  assert.equal(dispatches(seq.next()).length, 1);
});

both(
  "concurrent mode: the failure thrown is the sequential program's first, whatever the arrival order",
  (p) => {
    const body = [
      decl("a", lit("unset"), "let"),
      decl("log", arr()),
      try_(
        [
          {
            ...act(undefined, "fa"),
            target: { k: "pname" as const, name: "a", span: n("a").span },
          },
          act(undefined, "fb"),
          act(undefined, "fc"),
        ],
        { param: "e", body: [ex(meth(n("log"), "push", mem(n("e"), "message")))] },
      ),
      ret(arr(n("a"), n("log"))),
    ];
    // All in: the earliest failed statement (b) is the one thrown, a is bound; whatever the order
    // the outcomes came in.
    const s = new Stepper(program(body, { concurrent: true }), p);
    assert.equal(dispatches(s.next()).length, 3);
    const r = s.next([fail(3, { message: "c" }), ok(1, "A"), fail(2, { message: "b" })]);
    assert.deepEqual(r.commands, []);
    assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: ["A", ["b"]] } });
    // c failed first, b is still out: the run waits for b (it comes first), nothing after c runs.
    const s2 = new Stepper(program(body, { concurrent: true }), p);
    s2.next();
    const r2 = s2.next([ok(1, "A"), fail(3, { message: "c" })]);
    assert.deepEqual(r2.commands, []);
    assert.deepEqual(r2.blocked, { type: "actions", callIds: [2] });
    assert.deepEqual(s2.next([ok(2, "B")]).blocked, {
      type: "done",
      outcome: { ok: true, value: ["A", ["c"]] },
    });
    // b failed before a answered: c is abandoned at once, its late answer ignored; a's decides.
    const s3 = new Stepper(program(body, { concurrent: true }), p);
    s3.next();
    const r3 = s3.next([fail(2, { message: "b" })]);
    assert.deepEqual(r3.commands, [{ type: "abandon", callIds: [3] }]);
    assert.deepEqual(r3.blocked, { type: "actions", callIds: [1] });
    assert.deepEqual(s3.next([ok(3, "C")]).blocked, { type: "actions", callIds: [1] });
    assert.deepEqual(s3.next([fail(1, { message: "a" })]).blocked, {
      type: "done",
      outcome: { ok: true, value: ["unset", ["a"]] },
    });
  },
);

test("step budget stops a runaway while(true) with the loop's line", () => {
  const loop = while_(lit(true), [ex(lit(1))]);
  for (const persist of [false, true]) {
    const r = drive(
      program([decl("i", lit(0), "let"), loop]),
      [],
      {},
      { persist, stepBudget: 500 },
    );
    assert.equal(r.outcome.ok, false);
    const e = !r.outcome.ok ? r.outcome.error : (null as never);
    assert.equal(e.name, "StepBudgetExceeded");
    assert.match(
      e.message,
      new RegExp(`step budget of 500 steps in the loop at wf\\.ts:${loop.span.line}$`),
    );
  }
  // not catchable by the workflow
  const caught = drive(
    program([try_([loop], { param: "e", body: [ret(lit("caught"))] })]),
    [],
    {},
    { stepBudget: 300 },
  );
  assert.equal(!caught.outcome.ok && caught.outcome.error.name, "StepBudgetExceeded");
  // the budget counts the whole life of the instance, across advances
  const prog = program([
    forOf(
      "i",
      arr(lit(1), lit(2), lit(3), lit(4), lit(5), lit(6), lit(7), lit(8), lit(9), lit(10)),
      [act(undefined, "tick", [n("i")])],
    ),
  ]);
  const ok10 = drive(prog, [], { tick: () => 1 }, { stepBudget: 1000 });
  assert.ok(ok10.outcome.ok);
  assert.ok(ok10.steps > 20);
  const over = drive(prog, [], { tick: () => 1 }, { persist: true, stepBudget: 20 });
  assert.equal(!over.outcome.ok && over.outcome.error.name, "StepBudgetExceeded");
  assert.ok(over.dispatched.length > 2 && over.dispatched.length < 10);
});

both("aliasing survives persistence across a blocking point", (p) => {
  const r = drive(
    program([
      decl("a", arr()),
      decl("b", n("a")),
      decl("o", obj({ list: n("a") })),
      act("v", "get"),
      ex(meth(n("b"), "push", n("v"))),
      assign(lidx(mem(n("o"), "list"), lit(1)), lit("via o")),
      ret(arr(n("a"), bin("===", n("a"), mem(n("o"), "list")))),
    ]),
    [],
    { get: () => 7 },
    { persist: p },
  );
  assert.deepEqual(r.outcome, { ok: true, value: [[7, "via o"], true] });
});

both("loops around actions with persistence between each", (p) => {
  const r = drive(
    program([
      decl("out", arr()),
      decl("i", lit(0), "let"),
      while_(bin("<", n("i"), lit(4)), [
        act("x", "double", [n("i")]),
        if_(bin("===", n("x"), lit(4)), [assign("i", lit(1), "+=")]),
        ex(meth(n("out"), "push", n("x"))),
        assign("i", lit(1), "+="),
      ]),
      ret(n("out")),
    ]),
    [],
    { double: (x: number) => x * 2 },
    { persist: p, reverse: true },
  );
  assert.deepEqual(r.outcome, { ok: true, value: [0, 2, 4] });
  assert.equal(r.dispatched.length, 3);
});

test("programmer errors in events throw", () => {
  const prog = program([act(undefined, "a")]);
  const st = advance(prog, startState(prog, []), []).state;
  assert.throws(() => advance(prog, st, [{ type: "bogus" } as never]), /unknown event type/);
  assert.throws(
    () => advance(prog, st, [{ type: "action", callId: 1 } as never]),
    /without an outcome/,
  );
  assert.throws(() => advance(prog, {} as InstanceState, []), /not an InstanceState/);
});

both("a workflow result that cannot be stored fails readably", (p) => {
  const r = drive(
    program([decl("o", obj({})), assign(lidx(n("o"), lit("me")), n("o")), ret(n("o"))]),
    [],
    {},
    { persist: p },
  );
  assert.equal(r.outcome.ok, false);
  assert.equal(
    !r.outcome.ok && r.outcome.error.message,
    "the workflow result.me is a cycle (the value contains itself)",
  );
});
