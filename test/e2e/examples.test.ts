// Every example workflow runs end to end on a real `start-workers` process and returns the
// result documented in examples/README.md.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { useE2eEngine } from "./fixtures/e2eEngine.js";

const e2e = useE2eEngine({ WAYMARK_CONCURRENT_PER_WORKER: "256" });
let wf: typeof import("../../examples/workflows.js");
let ex: typeof import("../../examples/extras.js");
let flows: typeof import("./fixtures/flows.js");
let ledger: typeof import("./fixtures/ledger.js");

before(async () => {
  wf = await import("../../examples/workflows.js");
  ex = await import("../../examples/extras.js");
  flows = await import("./fixtures/flows.js");
  ledger = await import("./fixtures/ledger.js");
});

test("seed workflows return the documented results", async () => {
  assert.deepEqual(await new wf.SequentialChainWorkflow().run("hello"), {
    original: "hello",
    step1: "HELLO",
    step2: "OLLEH",
    step3: "**OLLEH**",
  });
  assert.deepEqual(await new wf.ParallelMathWorkflow().run(5), {
    inputNumber: 5,
    factorial: 120,
    fibonacci: 5,
    errors: [],
  });
  assert.deepEqual(await new wf.ParallelMathWorkflow().run(-1), {
    inputNumber: -1,
    factorial: null,
    fibonacci: null,
    errors: ["factorial of a negative number: -1", "fibonacci of a negative number: -1"],
  });
  const users = [
    { email: "a@x.io", active: true },
    { email: "b@x.io", active: false },
    { email: "broken", active: true },
  ];
  assert.deepEqual(await new wf.WelcomeEmailWorkflow().run(users), { attempted: 2, delivered: 1 });
  assert.deepEqual(await new wf.WelcomeEmailWorkflow().run([]), { attempted: 0, delivered: 0 });
  for (const [v, tier] of [
    [80, "high"],
    [50, "medium"],
    [10, "low"],
  ] as const)
    assert.deepEqual(await new wf.ConditionalBranchWorkflow().run(v), { value: v, tier });
  assert.deepEqual(await new wf.GuardFallbackWorkflow().run("ada"), {
    user: "ada",
    noteCount: 2,
    summary: "wrote the first program; met Babbage",
  });
  assert.deepEqual(await new wf.GuardFallbackWorkflow().run("bob"), {
    user: "bob",
    noteCount: 0,
    summary: "no notes found",
  });
  assert.deepEqual(await new wf.LoopProcessingWorkflow().run(["a", "b", "c"]), {
    count: 3,
    processed: ["processed:a", "processed:b", "processed:c"],
  });
  assert.deepEqual(await new wf.WhileLoopWorkflow().run(3), { target: 3, final: 3, iterations: 3 });
  assert.deepEqual(await new wf.ErrorHandlingWorkflow().run(false), {
    attempted: true,
    recovered: false,
    message: "success: ok",
  });
  assert.deepEqual(await new wf.ErrorHandlingWorkflow().run(true), {
    attempted: true,
    recovered: true,
    message: "recovered: IntentionalError was caught",
  });
  assert.deepEqual(await new wf.LoopExceptionWorkflow().run(["a", "bad-b", "c", "bad-d"]), {
    total: 4,
    processed: ["processed:a", "processed:c"],
    errorCount: 2,
  });
  const t0 = Date.now();
  assert.deepEqual(await new wf.DurableSleepWorkflow().run(1), {
    seconds: 1,
    sleptLongEnough: true,
  });
  assert.ok(Date.now() - t0 >= 1000);
  assert.deepEqual(await new wf.DripWorkflow().run(3, 10), [
    "iteration 1",
    "iteration 2",
    "iteration 3",
  ]);
  assert.deepEqual(await new wf.LoopReturnWorkflow().run([4, 8, 15, 16], 15), {
    found: true,
    value: 15,
    checked: 3,
  });
  assert.deepEqual(await new wf.LoopReturnWorkflow().run([4, 8], 99), {
    found: false,
    value: null,
    checked: 2,
  });
});

test("throughput: 200 concurrent 4-step sequential workflows", async () => {
  const t0 = performance.now();
  const outs = await Promise.all(
    Array.from({ length: 200 }, (_, i) => new wf.SequentialChainWorkflow().run(`w${i}`)),
  );
  const ms = performance.now() - t0;
  console.log(
    `# 200 SequentialChainWorkflow runs (800 actions) in ${ms.toFixed(0)} ms = ${((800 / ms) * 1000).toFixed(0)} actions/s, ${((200 / ms) * 1000).toFixed(0)} workflows/s`,
  );
  outs.forEach((o, i) => {
    assert.equal((o as { step1: string }).step1, `W${i}`);
  });
});

test("retries: succeeds on attempt 3 of 4; exhausts 3 of 3 and is caught by name", async () => {
  assert.deepEqual(await new ex.RetryCounterWorkflow().run("x"), { label: "x", attempt: 3 });
  const tag = `exhaust-${Date.now()}`;
  assert.equal(
    await new flows.RetryExhaustWorkflow().run(tag),
    `caught: attempt 3 of ${tag} failed`,
  );
  const starts = ledger.readLedger(e2e.ledger).filter((l) => l.tag === tag && l.event === "start");
  assert.deepEqual(
    starts.map((l) => l.attempt),
    [1, 2, 3],
    "exactly 3 executions, attempts counted 1..3",
  );
});

test("timeouts raise ActionTimeout, abort the attempt, and are retried only when named", async () => {
  const t0 = Date.now();
  assert.equal(await new ex.TimeoutProbeWorkflow().run(true), "done on attempt 2");
  assert.equal(await new ex.TimeoutProbeWorkflow().run(false), "timed out: ActionTimeout");
  assert.ok(Date.now() - t0 < 5000, "the attempt was cut at 200 ms, not left hanging");
});

test("1000-wide fan-out, empty fan-out, sleeps in a loop, try per item, early return, helpers", async () => {
  const t0 = performance.now();
  assert.equal(await new ex.WideFanOutWorkflow().run(1000), 1001000);
  const ms = performance.now() - t0;
  console.log(
    `# 1000-wide fan-out: 1002 actions in ${ms.toFixed(0)} ms = ${((1002 / ms) * 1000).toFixed(0)} actions/s`,
  );
  assert.equal(await new ex.WideFanOutWorkflow().run(0), 0);
  const s0 = Date.now();
  assert.equal(await new ex.SleepLoopWorkflow().run(3, 50), 3);
  assert.ok(Date.now() - s0 >= 150, "three 50 ms sleeps never wake early");
  assert.deepEqual(await new ex.TryPerItemWorkflow().run(["a", "bad-b", "c"]), {
    results: ["processed:a", "failed:bad-b", "processed:c"],
    finallyRuns: 3,
  });
  assert.deepEqual(
    await new ex.EarlyReturnWorkflow().run(
      [
        [1, 2],
        [3, 4],
      ],
      3,
    ),
    { row: 1, col: 0 },
  );
  assert.equal(await new ex.EarlyReturnWorkflow().run([[1, 2]], 9), null);
  assert.equal(await new ex.HelperMethodsWorkflow().run("ada"), "*HELLO ADA*");
  assert.equal(await new ex.HelperMethodsWorkflow().run("ada", "hi"), "*HI ADA*");
});

test("values round-trip losslessly through inputs, action args and results", async () => {
  const input = {
    when: new Date(0),
    big: 2n ** 70n,
    map: new Map([["a", 1]]),
    set: new Set([1, 2]),
    missing: undefined,
    nested: { list: [1, undefined, { d: new Date(1) }] },
  };
  const out = (await new ex.ValueRoundTripWorkflow().run(input)) as {
    echoed: unknown;
    again: unknown;
  };
  assert.deepStrictEqual(out.echoed, input);
  assert.deepStrictEqual(out.again, input);
  assert.ok(Object.hasOwn(out.again as object, "missing"), "an undefined field survives");
  // Key order is observable in JavaScript (Object.keys, JSON.stringify): it survives too.
  assert.deepEqual(Object.keys(out.again as object), Object.keys(input));
  assert.deepEqual(Object.keys(out), ["echoed", "again"]);
});

test("an unserializable input throws at the call site and writes nothing", async () => {
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: e2e.db.url });
  await c.connect();
  const before = (await c.query("select count(*)::int as n from waymark_instances")).rows[0].n;
  await assert.rejects(
    () => new ex.ValueRoundTripWorkflow().run({ cb: () => 1 } as never),
    /function/,
  );
  const afterN = (await c.query("select count(*)::int as n from waymark_instances")).rows[0].n;
  await c.end();
  assert.equal(afterN, before);
});

test("concurrent mode overlaps independent calls; sequential mode does not (ledger timestamps)", async () => {
  const interval = (tag: string) => {
    const ls = ledger.readLedger(e2e.ledger).filter((l) => l.tag === tag);
    const start = ls.find((l) => l.event === "start")?.t;
    const end = ls.find((l) => l.event === "end")?.t;
    assert.ok(start !== undefined && end !== undefined, `ledger has ${tag}`);
    return [start, end] as const;
  };
  const c = `conc-${Date.now()}`;
  assert.deepEqual(await new flows.LedgerConcurrentWorkflow().run(c, 300), [
    `${c}-a:done`,
    `${c}-b:done`,
  ]);
  const [ca, cb] = [interval(`${c}-a`), interval(`${c}-b`)];
  assert.ok(ca[0] < cb[1] && cb[0] < ca[1], `concurrent calls overlap: ${ca} vs ${cb}`);
  const s = `seq-${Date.now()}`;
  assert.deepEqual(await new flows.LedgerSequentialWorkflow().run(s, 300), [
    `${s}-a:done`,
    `${s}-b:done`,
  ]);
  const [sa, sb] = [interval(`${s}-a`), interval(`${s}-b`)];
  assert.ok(sa[1] <= sb[0], `sequential calls do not overlap: ${sa} then ${sb}`);
  // The examples' own pair, timed from the outside.
  const t0 = Date.now();
  assert.equal(await new ex.ConcurrentWorkflow().run(300), "a+b");
  const concMs = Date.now() - t0;
  const t1 = Date.now();
  assert.equal(await new ex.SequentialTwinWorkflow().run(300), "a+b");
  const seqMs = Date.now() - t1;
  assert.ok(seqMs >= 600, `sequential took ${seqMs} ms`);
  assert.ok(concMs < 600, `concurrent took ${concMs} ms`);
});

test("handles: status and cancel of a sleeping instance", async () => {
  const h = await new flows.SleepThenActWorkflow().start(60_000, 1);
  for (let i = 0; i < 100 && (await h.status()) !== "sleeping"; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await h.status(), "sleeping");
  await h.cancel();
  assert.equal(await h.status(), "cancelled");
  await assert.rejects(
    h.result(),
    (e: Error) => e.name === "WorkflowFailedError" && /cancel/i.test(e.message),
  );
});

test("the done notification carries a small outcome; a large one is read from the row", async () => {
  const pg = (await import("pg")).default;
  const { WorkflowFailedError } = await import("../../src/client/errors.js");
  const listener = new pg.Client({ connectionString: e2e.db.url });
  await listener.connect();
  const payloads: string[] = [];
  listener.on("notification", (n) => payloads.push(n.payload ?? ""));
  await listener.query("listen waymark_done");
  try {
    const small = await new ex.ValueRoundTripWorkflow().start({ s: "x" });
    assert.deepEqual(await small.result(), { echoed: { s: "x" }, again: { s: "x" } });
    const big = "y".repeat(20_000);
    const large = await new ex.ValueRoundTripWorkflow().start({ s: big });
    assert.deepEqual(await large.result(), { echoed: { s: big }, again: { s: big } });
    // run() (no handle): the small and the large path, and a failure through the payload.
    assert.deepEqual(await new ex.ValueRoundTripWorkflow().run({ n: 1 }), {
      echoed: { n: 1 },
      again: { n: 1 },
    });
    assert.deepEqual(await new ex.ValueRoundTripWorkflow().run({ s: big }), {
      echoed: { s: big },
      again: { s: big },
    });
    const failing = await new flows.NullPropertyWorkflow().start();
    await assert.rejects(failing.result(), WorkflowFailedError);
    await assert.rejects(new flows.NullPropertyWorkflow().run(), WorkflowFailedError);

    const mine = (id: string) => payloads.filter((p) => p === id || p.startsWith(`${id} `));
    // This listener is another connection: its copy may arrive after the client's own.
    for (let i = 0; i < 100 && mine(failing.id).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const [smallPayload] = mine(small.id);
    assert.ok(smallPayload?.startsWith(`${small.id} completed {`), `payload: ${smallPayload}`);
    assert.deepEqual(mine(large.id), [large.id], "a 20 KB outcome is not in the payload");
    const [failPayload] = mine(failing.id);
    assert.ok(failPayload?.startsWith(`${failing.id} failed {`), `payload: ${failPayload}`);
  } finally {
    await listener.end();
  }
});

test("a handle's result() after its instance finished (outcome kept by the listener), twice", async () => {
  const h = await new ex.ValueRoundTripWorkflow().start({ k: "late" });
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: e2e.db.url });
  await c.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await c.query("select status from waymark_instances where id = $1", [h.id]);
      if (r.rows[0]?.status === "completed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await c.end();
  }
  await new Promise((r) => setTimeout(r, 50)); // the client's own listener has it by now
  const expected = { echoed: { k: "late" }, again: { k: "late" } };
  assert.deepEqual(await h.result(), expected);
  assert.deepEqual(await h.result(), expected, "a second result() gives the same outcome");
  assert.equal(await h.status(), "completed");
});
