import assert from "node:assert/strict";
import { test } from "node:test";
import {
  arr,
  assign,
  bi,
  bin,
  block,
  brk,
  callFn,
  cont,
  decl,
  doWhile,
  ex,
  fn,
  for_,
  forOf,
  if_,
  inst,
  lidx,
  lit,
  lmem,
  lpat,
  mem,
  meth,
  n,
  obj,
  pa,
  param,
  po,
  program,
  ret,
  rethrow,
  switch_,
  try_,
  und,
  while_,
} from "./build.js";
import { both, drive, failure, value } from "./driver.js";

const push = (name: string, v: Parameters<typeof meth>[2]) => ex(meth(n(name), "push", v));

both("decl and every assignment operator", (p) => {
  const ops: [string, unknown, unknown, unknown][] = [
    ["+=", 5, 3, 8],
    ["-=", 5, 3, 2],
    ["*=", 5, 3, 15],
    ["/=", 6, 3, 2],
    ["%=", 5, 3, 2],
    ["**=", 2, 3, 8],
    ["<<=", 1, 3, 8],
    [">>=", -16, 2, -4],
    [">>>=", -1, 28, 15],
    ["&=", 6, 3, 2],
    ["|=", 6, 3, 7],
    ["^=", 6, 3, 5],
    ["&&=", 0, 3, 0],
    ["&&=", 1, 3, 3],
    ["||=", 0, 3, 3],
    ["||=", 2, 3, 2],
    ["??=", null, 3, 3],
    ["??=", 0, 3, 0],
  ];
  for (const [op, a, b, want] of ops) {
    const got = value(
      [decl("x", lit(a as number), "let"), assign("x", lit(b as number), op as "+="), ret(n("x"))],
      p,
    );
    assert.equal(got, want, `x = ${a}; x ${op} ${b}`);
  }
  // short-circuit: the right side is not evaluated
  assert.equal(
    value([decl("x", lit(1), "let"), assign("x", n("ghost"), "||="), ret(n("x"))], p),
    1,
  );
  const r = value(
    [
      decl("o", obj({ a: lit(1), list: arr(lit(1)) })),
      assign(lmem(n("o"), "a"), lit(2), "+="),
      assign(lidx(mem(n("o"), "list"), lit(0)), lit(10), "*="),
      assign(lmem(n("o"), "b"), lit("new")),
      decl("a", und(), "let"),
      decl("b", und(), "let"),
      assign(lpat(pa(["a", "b"])), arr(lit("x"), lit("y"))),
      decl(
        po(
          [
            ["a", "q"],
            ["zz", "z", lit("dflt")],
          ],
          "rest",
        ),
        obj({ a: lit(7), k: lit(8) }),
      ),
      ret(arr(n("o"), n("a"), n("b"), n("q"), n("z"), n("rest"))),
    ],
    p,
  );
  assert.deepEqual(r, [{ a: 3, list: [10], b: "new" }, "x", "y", 7, "dflt", { k: 8 }]);
});

both("if / else", (p) => {
  const body = (v: number) => [
    decl("r", lit("none"), "let"),
    if_(
      bin(">", lit(v), lit(0)),
      [assign("r", lit("pos"))],
      [if_(bin("<", lit(v), lit(0)), [assign("r", lit("neg"))])],
    ),
    ret(n("r")),
  ];
  assert.equal(value(body(1), p), "pos");
  assert.equal(value(body(-1), p), "neg");
  assert.equal(value(body(0), p), "none");
});

both("while with break and continue; do-while runs once", (p) => {
  const r = value(
    [
      decl("i", lit(0), "let"),
      decl("out", arr()),
      while_(lit(true), [
        assign("i", lit(1), "+="),
        if_(bin("===", bin("%", n("i"), lit(2)), lit(0)), [cont()]),
        if_(bin(">", n("i"), lit(7)), [brk()]),
        push("out", n("i")),
      ]),
      decl("d", lit(0), "let"),
      doWhile([assign("d", lit(1), "+=")], lit(false)),
      ret(arr(n("out"), n("d"))),
    ],
    p,
  );
  assert.deepEqual(r, [[1, 3, 5, 7], 1]);
});

both("for: continue runs the update; for-of walks an array live, a string by code point", (p) => {
  const r = value(
    [
      decl("out", arr()),
      for_(
        [decl("i", lit(0), "let")],
        bin("<", n("i"), lit(5)),
        [assign("i", lit(1), "+=")],
        [if_(bin("===", n("i"), lit(2)), [cont()]), push("out", n("i"))],
      ),
      decl("xs", arr(lit(1), lit(2))),
      // As in JavaScript, elements pushed during the loop are visited too.
      forOf("x", n("xs"), [
        if_(bin("<", n("x"), lit(10)), [push("xs", bin("*", n("x"), lit(10)))]),
        push("out", n("x")),
      ]),
      forOf(pa(["k", "v"]), bi("Object.entries", obj({ a: lit(1) })), [
        push("out", bin("+", n("k"), n("v"))),
      ]),
      forOf("ch", lit("hé"), [push("out", n("ch"))]),
      ret(arr(n("out"), n("xs"))),
    ],
    p,
  );
  assert.deepEqual(r, [
    [0, 1, 3, 4, 1, 2, 10, 20, "a1", "h", "é"],
    [1, 2, 10, 20],
  ]);
});

test("for-of over Map and Set arguments; Map/Set methods", () => {
  const prog = program(
    [
      decl("out", arr()),
      forOf(pa(["k", "v"]), n("m"), [push("out", n("k")), push("out", n("v"))]),
      forOf("x", n("s"), [push("out", n("x"))]),
      ex(meth(n("m"), "set", lit("c"), lit(3))),
      ex(meth(n("s"), "add", lit(9))),
      ret(
        arr(
          n("out"),
          meth(n("m"), "keys"),
          meth(n("m"), "get", lit("c")),
          meth(n("s"), "has", lit(9)),
          mem(n("s"), "size"),
          n("m"),
        ),
      ),
    ],
    { params: ["m", "s"] },
  );
  for (const persist of [false, true]) {
    const r = drive(prog, [new Map([["a", 1]]), new Set(["z"])], {}, { persist });
    assert.ok(r.outcome.ok);
    const v = r.outcome.value as unknown[];
    assert.deepEqual(v.slice(0, 5), [["a", 1, "z"], ["a", "c"], 3, true, 2]);
    assert.ok(v[5] instanceof Map);
  }
});

both("return from nested loops and helper functions", (p) => {
  const prog = program([
    fn(
      "run",
      [],
      [
        callFn("a", "find", [arr(arr(lit(1), lit(2)), arr(lit(3), lit(4))), lit(3)]),
        callFn("b", "find", [arr(), lit(3)]),
        callFn(undefined, "find", [arr(), lit(3)]),
        ret(arr(n("a"), n("b"))),
      ],
    ),
    fn(
      "find",
      ["rows", "want"],
      [
        forOf("row", n("rows"), [
          forOf("x", n("row"), [
            while_(lit(true), [
              if_(bin("===", n("x"), n("want")), [ret(obj({ found: n("x") }))]),
              brk(),
            ]),
          ]),
        ]),
        ret(lit(null)),
      ],
    ),
  ]);
  const r = drive(prog, [], {}, { persist: p });
  assert.deepEqual(r.outcome, { ok: true, value: [{ found: 3 }, null] });
});

both("helper params: defaults, rest, patterns; recursion; implicit undefined return", (p) => {
  const prog = program([
    fn(
      "run",
      [],
      [
        callFn("a", "h", [lit(1)]),
        callFn("b", "h", [lit(1), lit(2), lit(3), lit(4)]),
        callFn("c", "fact", [lit(5)]),
        callFn("d", "nothing"),
        callFn(po([["x", "px"]]), "pair", [obj({ x: lit("X") })]),
        ret(arr(n("a"), n("b"), n("c"), n("d"), n("px"))),
      ],
    ),
    fn(
      "h",
      [
        param("x"),
        param("y", { default: bin("*", n("x"), lit(10)) }),
        param("more", { rest: true }),
      ],
      [ret(arr(n("x"), n("y"), n("more")))],
    ),
    fn(
      "fact",
      ["k"],
      [
        if_(bin("<=", n("k"), lit(1)), [ret(lit(1))]),
        callFn("sub", "fact", [bin("-", n("k"), lit(1))]),
        ret(bin("*", n("k"), n("sub"))),
      ],
    ),
    fn("nothing", [], [decl("z", lit(1))]),
    fn("pair", [po([["x", "v"]])], [ret(obj({ x: n("v") }))]),
  ]);
  const r = drive(prog, [], {}, { persist: p });
  assert.deepEqual(r.outcome, {
    ok: true,
    value: [[1, 10, []], [1, 2, [3, 4]], 120, undefined, "X"],
  });
});

both("block and switch: strict equality, fall-through, default anywhere, break", (p) => {
  const sw = (v: unknown) => [
    decl("out", arr()),
    block([
      switch_(lit(v as number), [
        [lit(1), [push("out", lit("one"))]],
        [null, [push("out", lit("default"))]],
        [lit(2), [push("out", lit("two")), brk()]],
        [lit("3"), [push("out", lit("three-string"))]],
      ]),
    ]),
    ret(n("out")),
  ];
  assert.deepEqual(value(sw(1), p), ["one", "default", "two"]);
  assert.deepEqual(value(sw(2), p), ["two"]);
  assert.deepEqual(value(sw(3), p), ["default", "two"]);
  assert.deepEqual(value(sw("3"), p), ["three-string"]);
  // continue inside a switch inside a loop continues the loop
  const r = value(
    [
      decl("out", arr()),
      forOf("x", arr(lit(1), lit(2), lit(3)), [
        switch_(n("x"), [[lit(2), [cont()]]]),
        push("out", n("x")),
      ]),
      ret(n("out")),
    ],
    p,
  );
  assert.deepEqual(r, [1, 3]);
});

const throwing = () => ex(mem(und(), "x")); // raises TypeError

both("try/finally with return in helper, and completion replacement", (p) => {
  const prog = program([
    fn(
      "run",
      [],
      [
        decl("log", arr()),
        callFn("a", "retFin", [n("log")]),
        callFn("b", "override", []),
        callFn("c", "swallow", []),
        ret(arr(n("a"), n("b"), n("c"), n("log"))),
      ],
    ),
    fn("retFin", ["log"], [try_([ret(lit("from-try"))], undefined, [push("log", lit("fin-ran"))])]),
    fn("override", [], [try_([ret(lit("try"))], undefined, [ret(lit("finally"))])]),
    fn(
      "swallow",
      [],
      [while_(lit(true), [try_([throwing()], undefined, [brk()])]), ret(lit("swallowed"))],
    ),
  ]);
  const r = drive(prog, [], {}, { persist: p });
  assert.deepEqual(r.outcome, {
    ok: true,
    value: ["from-try", "finally", "swallowed", ["fin-ran"]],
  });
});

both("finally runs on every path (log order)", (p) => {
  const prog = program([
    fn(
      "run",
      [],
      [
        decl("log", arr()),
        try_([push("log", lit("body"))], undefined, [push("log", lit("fin-normal"))]),
        forOf("i", arr(lit(1), lit(2)), [
          try_([if_(bin("===", n("i"), lit(1)), [cont()]), brk()], undefined, [
            push("log", bin("+", lit("fin-loop"), n("i"))),
          ]),
        ]),
        try_([throwing()], { param: "e", body: [push("log", mem(n("e"), "name"))] }, [
          push("log", lit("fin-catch")),
        ]),
        try_([try_([throwing()], undefined, [push("log", lit("fin-inner"))])], {
          param: "e2",
          body: [push("log", bin("+", lit("outer "), mem(n("e2"), "name")))],
        }),
        ret(n("log")),
      ],
    ),
  ]);
  const r = drive(prog, [], {}, { persist: p });
  assert.deepEqual(r.outcome, {
    ok: true,
    value: [
      "body",
      "fin-normal",
      "fin-loop1",
      "fin-loop2",
      "TypeError",
      "fin-catch",
      "fin-inner",
      "outer TypeError",
    ],
  });
});

both("rethrow, instanceof dispatch, error in catch runs finally", (p) => {
  const err = failure(
    [
      decl("log", arr()),
      try_([throwing()], {
        param: "e",
        body: [if_(inst(n("e"), "RangeError"), [ret(lit("range"))], [rethrow("e")])],
      }),
      ret(lit("unreachable")),
    ],
    p,
  );
  assert.equal(err.name, "TypeError");
  assert.equal(err.message, "Cannot read properties of undefined (reading 'x')");
  const r = value(
    [
      decl("log", arr()),
      try_(
        [
          try_([throwing()], { param: "e", body: [ex(mem(lit(null), "y"))] }, [
            push("log", lit("fin")),
          ]),
        ],
        { param: "e3", body: [push("log", mem(n("e3"), "message"))] },
      ),
      ret(n("log")),
    ],
    p,
  );
  assert.deepEqual(r, ["fin", "Cannot read properties of null (reading 'y')"]);
});

both("an uncaught error ends the instance with ok:false", (p) => {
  const prog = program([fn("run", [], [callFn(undefined, "deep")]), fn("deep", [], [throwing()])]);
  const r = drive(prog, [], {}, { persist: p });
  assert.equal(r.outcome.ok, false);
  assert.equal(!r.outcome.ok && r.outcome.error.name, "TypeError");
});

test("malformed IR ends as a readable InterpreterError, not an exception", () => {
  const r1 = drive(program([brk()]), [], {});
  assert.equal(!r1.outcome.ok && r1.outcome.error.name, "InterpreterError");
  assert.match(!r1.outcome.ok ? r1.outcome.error.message : "", /break outside of a loop/);
  const r2 = drive(program([callFn(undefined, "missing")]), [], {});
  assert.match(!r2.outcome.ok ? r2.outcome.error.message : "", /unknown function missing/);
  const r3 = drive(program([ex({ k: "weird" } as never)]), [], {});
  assert.match(!r3.outcome.ok ? r3.outcome.error.message : "", /unknown expression kind "weird"/);
});

test("run arguments bind to run's parameters", () => {
  const prog = program([ret(bin("+", n("a"), n("b")))], {
    params: ["a", param("b", { default: lit(100) })],
  });
  assert.deepEqual(drive(prog, [1], {}).outcome, { ok: true, value: 101 });
  assert.deepEqual(drive(prog, [1, 2], {}, { persist: true }).outcome, { ok: true, value: 3 });
  const bad = program([ret(n("x"))], { params: [po([["x", "x"]])] });
  const r = drive(bad, [undefined], {});
  assert.equal(!r.outcome.ok && r.outcome.error.name, "TypeError");
});
