import assert from "node:assert/strict";
import { test } from "node:test";
import { type Expr, printExpr, printProgram, type Stmt } from "../../src/ir/index.js";
import {
  act,
  assign,
  bin,
  call,
  decl,
  fn,
  lit,
  member,
  name,
  pname,
  program,
  ret,
  retry,
  sequentialChain,
  sp,
} from "./build.js";

test("prints the sequential chain one statement per line, without spans", () => {
  assert.equal(
    printProgram(sequentialChain()),
    [
      "workflow demo class Demo entry run format 1",
      "",
      "function run(text) {",
      "  const step1 = await action stepUppercase(text)",
      "  const step2 = await action stepReverse(step1)",
      "  const step3 = await action stepAddStars(step2)",
      "  const #t0 = await action buildChainResult(text, step1, step2, step3)",
      "  return #t0",
      "}",
      "",
    ].join("\n"),
  );
});

test("prints gathers, retry policies, timeouts, sleeps and helper calls", () => {
  const body: Stmt[] = [
    {
      k: "gather",
      mode: "allSettled",
      decl: "const",
      target: {
        k: "parray",
        elements: [
          { k: "pelem", target: pname("f"), span: sp() },
          { k: "pelem", target: pname("g"), span: sp() },
        ],
        span: sp(),
      },
      items: [
        { k: "gcall", call: call("fact", [name("n")]), span: sp() },
        { k: "gcall", call: call("fib", [name("n")]), span: sp() },
      ],
      span: sp(),
    },
    {
      k: "gather",
      mode: "all",
      decl: "const",
      target: pname("sent"),
      items: [
        {
          k: "gspread",
          source: name("users"),
          params: [pname("u")],
          call: call("send_email", [member(name("u"), "email"), lit("Welcome")]),
          span: sp(),
        },
      ],
      span: sp(),
    },
    act(
      "r",
      call("risky_action", [lit(true)], {
        retry: retry(1, ["IntentionalError"]),
        timeout: lit("30s"),
      }),
    ),
    act(undefined, call("ping", [], { retry: retry() })),
    { k: "sleep", duration: bin("*", name("n"), lit(1000)), span: sp() },
    {
      k: "call",
      fn: "helper",
      args: [name("n"), lit(2)],
      decl: "let",
      target: pname("h"),
      span: sp(),
    },
    ret(),
  ];
  const text = printProgram(
    program([fn("run", ["n", "users"], body), fn("helper", ["a", "b"], [ret(name("a"))])], true),
  );
  assert.equal(
    text,
    [
      "workflow demo class Demo entry run format 1 concurrent",
      "",
      "function run(n, users) {",
      "  const [f, g] = await gather allSettled [action fact(n), action fib(n)]",
      '  const sent = await gather all [...users.map((u) => action send_email(u.email, "Welcome"))]',
      '  const r = await action risky_action(true) retry{attempts: 1, exceptionTypes: [IntentionalError]} timeout "30s"',
      "  await action ping() retry{}",
      "  await sleep(n * 1000)",
      "  let h = call this.helper(n, 2)",
      "  return",
      "}",
      "",
      "function helper(a, b) {",
      "  return a",
      "}",
      "",
    ].join("\n"),
  );
});

test("prints if / else if / else, loops, try/catch/finally and switch with indentation", () => {
  const body: Stmt[] = [
    {
      k: "if",
      test: bin(">=", name("v"), lit(75)),
      // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
      then: [ret(lit("high"))],
      else: [
        {
          k: "if",
          test: bin(">=", name("v"), lit(25)),
          // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
          then: [ret(lit("medium"))],
          else: [ret(lit("low"))],
          span: sp(),
        },
      ],
      span: sp(),
    },
    decl("i", lit(0), "let"),
    {
      k: "while",
      test: bin("<", name("i"), lit(3)),
      body: [
        {
          k: "assign",
          target: { k: "lname", name: "i", span: sp() },
          op: "+=",
          value: lit(1),
          span: sp(),
        },
        { k: "continue", span: sp() },
      ],
      span: sp(),
    },
    {
      k: "for",
      init: [decl("j", lit(0), "let")],
      test: bin("<", name("j"), name("v")),
      update: [
        {
          k: "assign",
          target: { k: "lname", name: "j", span: sp() },
          op: "+=",
          value: lit(1),
          span: sp(),
        },
      ],
      body: [{ k: "break", span: sp() }],
      span: sp(),
    },
    {
      k: "for_of",
      decl: "const",
      target: pname("x"),
      iterable: name("xs"),
      body: [
        {
          k: "try",
          body: [act("y", call("work", [name("x")]))],
          catch: {
            param: pname("err"),
            body: [
              {
                k: "if",
                test: { k: "instanceof", value: name("err"), className: "ItemError", span: sp() },
                // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
                then: [assign("i", lit(0))],
                else: [{ k: "rethrow", name: "err", span: sp() }],
                span: sp(),
              },
            ],
            span: sp(),
          },
          finally: [
            {
              k: "expr",
              expr: {
                k: "method",
                object: name("out"),
                method: "push",
                args: [name("x")],
                optional: false,
                span: sp(),
              },
              span: sp(),
            },
          ],
          span: sp(),
        },
      ],
      span: sp(),
    },
    {
      k: "switch",
      discriminant: name("v"),
      cases: [
        { test: lit(1), body: [], span: sp() },
        { test: lit(2), body: [assign("i", lit(2)), { k: "break", span: sp() }], span: sp() },
        { body: [assign("i", lit(9))], span: sp() },
      ],
      span: sp(),
    },
    {
      k: "do_while",
      body: [assign("i", bin("-", name("i"), lit(1)))],
      test: bin("<", lit(0), name("i")),
      span: sp(),
    },
  ];
  const lines = printProgram(program([fn("run", ["v", "xs", "out"], body)]))
    .split("\n")
    .slice(2);
  assert.deepEqual(lines, [
    "function run(v, xs, out) {",
    "  if (v >= 75) {",
    '    return "high"',
    "  } else if (v >= 25) {",
    '    return "medium"',
    "  } else {",
    '    return "low"',
    "  }",
    "  let i = 0",
    "  while (i < 3) {",
    "    i += 1",
    "    continue",
    "  }",
    "  for (let j = 0; j < v; j += 1) {",
    "    break",
    "  }",
    "  for (const x of xs) {",
    "    try {",
    "      const y = await action work(x)",
    "    } catch (err) {",
    "      if (err instanceof ItemError) {",
    "        i = 0",
    "      } else {",
    "        rethrow err",
    "      }",
    "    } finally {",
    "      out.push(x)",
    "    }",
    "  }",
    "  switch (v) {",
    "    case 1:",
    "    case 2:",
    "      i = 2",
    "      break",
    "    default:",
    "      i = 9",
    "  }",
    "  do {",
    "    i = i - 1",
    "  } while (0 < i)",
    "}",
    "",
  ]);
});

test("parenthesizes by precedence and prints every expression kind", () => {
  const cases: [Expr, string][] = [
    [bin("*", bin("+", name("a"), name("b")), name("c")), "(a + b) * c"],
    [bin("+", name("a"), bin("*", name("b"), name("c"))), "a + b * c"],
    [bin("-", name("a"), bin("-", name("b"), name("c"))), "a - (b - c)"],
    [bin("**", name("a"), bin("**", name("b"), name("c"))), "a ** b ** c"],
    [bin("**", { k: "unary", op: "-", arg: name("a"), span: sp() }, lit(2)), "(-a) ** 2"],
    [
      { k: "unary", op: "-", arg: { k: "unary", op: "-", arg: name("a"), span: sp() }, span: sp() },
      "- -a",
    ],
    [{ k: "unary", op: "typeof", arg: name("a"), span: sp() }, "typeof a"],
    [
      {
        k: "logical",
        op: "??",
        left: { k: "logical", op: "||", left: name("a"), right: name("b"), span: sp() },
        right: name("c"),
        span: sp(),
      },
      "(a || b) ?? c",
    ],
    [
      {
        k: "cond",
        test: name("a"),
        // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
        then: lit("x"),
        else: { k: "undefined", span: sp() },
        span: sp(),
      },
      'a ? "x" : undefined',
    ],
    [member(member(name("o"), "p", true), "not an ident"), 'o?.p["not an ident"]'],
    [{ k: "index", object: name("d"), index: name("k"), optional: true, span: sp() }, "d?.[k]"],
    [
      {
        k: "object",
        props: [
          { k: "prop", key: "a", value: lit(1), span: sp() },
          { k: "prop", key: "b-c", value: lit(-0), span: sp() },
          { k: "computed", key: name("k"), value: lit(null), span: sp() },
          { k: "spread", expr: name("rest"), span: sp() },
        ],
        span: sp(),
      },
      '{ a: 1, "b-c": -0, [k]: null, ...rest }',
    ],
    [
      { k: "array", items: [lit(1), { k: "spread", expr: name("xs"), span: sp() }], span: sp() },
      "[1, ...xs]",
    ],
    [{ k: "builtin", fn: "Math.max", args: [name("a"), lit(0)], span: sp() }, "Math.max(a, 0)"],
    [
      {
        k: "map",
        source: {
          k: "filter",
          source: name("users"),
          params: [pname("u")],
          body: member(name("u"), "active"),
          span: sp(),
        },
        params: [pname("u"), pname("i")],
        body: {
          k: "object",
          props: [{ k: "prop", key: "i", value: name("i"), span: sp() }],
          span: sp(),
        },
        span: sp(),
      },
      "users.filter((u) => u.active).map((u, i) => ({ i: i }))",
    ],
    [{ k: "lit", value: 'say "hi"\n', span: sp() }, '"say \\"hi\\"\\n"'],
  ];
  for (const [e, want] of cases) assert.equal(printExpr(e), want);
});
