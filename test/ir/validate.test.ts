import assert from "node:assert/strict";
import { test } from "node:test";
import { type Program, type Stmt, validate } from "../../src/ir/index.js";
import {
  act,
  call,
  decl,
  fn,
  lit,
  name,
  pname,
  program,
  ret,
  sequentialChain,
  sp,
} from "./build.js";

function one(p: Program, pattern: RegExp): void {
  const problems = validate(p);
  assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
  assert.match(problems[0]!, pattern);
}

test("a well-formed program has no problems", () => {
  assert.deepEqual(validate(sequentialChain()), []);
});

test("a rich valid program has no problems", () => {
  const body: Stmt[] = [
    decl("out", { k: "array", items: [], span: sp() }),
    {
      k: "for_of",
      decl: "const",
      target: pname("x"),
      iterable: name("xs"),
      body: [
        {
          k: "try",
          body: [act("y", call("work", [name("x")])), { k: "break", span: sp() }],
          catch: {
            param: pname("err"),
            body: [{ k: "rethrow", name: "err", span: sp() }],
            span: sp(),
          },
          finally: [{ k: "continue", span: sp() }],
          span: sp(),
        },
      ],
      span: sp(),
    },
    {
      k: "switch",
      discriminant: {
        k: "member",
        object: name("Math"),
        property: "PI",
        optional: false,
        span: sp(),
      },
      cases: [{ test: lit(1), body: [{ k: "break", span: sp() }], span: sp() }],
      span: sp(),
    },
    {
      k: "decl",
      kind: "const",
      target: pname("ys"),
      value: {
        k: "map",
        source: name("xs"),
        params: [pname("x#cb")],
        body: name("x#cb"),
        span: sp(),
      },
      span: sp(),
    },
    { k: "call", fn: "helper", args: [name("ys")], span: sp() },
    ret(name("out")),
  ];
  assert.deepEqual(validate(program([fn("run", ["xs"], body), fn("helper", ["a"], [ret()])])), []);
});

test("catches a duplicate declaration", () => {
  const p = program([
    fn("run", ["x"], [decl("y", lit(1)), { k: "block", body: [decl("y", lit(2))], span: sp() }]),
  ]);
  one(p, /run\.body\[1\]\.body\[0\]\.target.*duplicate declaration of "y"/);
  one(program([fn("run", ["x"], [decl("x", lit(1))])]), /duplicate declaration of "x"/);
});

test("catches an unknown node kind", () => {
  const p = sequentialChain();
  p.functions[0]!.body.push({ k: "goto", span: sp() } as unknown as Stmt);
  one(p, /run\.body\[5\].*unknown statement kind "goto"/);
  const q = sequentialChain();
  q.functions[0]!.body.push(ret({ k: "regex", span: sp() } as never));
  one(q, /unknown expression kind "regex"/);
});

test("catches a rethrow outside a catch", () => {
  one(
    program([fn("run", ["err"], [{ k: "rethrow", name: "err", span: sp() }])]),
    /rethrow of "err" outside a catch/,
  );
  // Inside a catch, but of a name the catch does not bind.
  const wrong: Stmt = {
    k: "try",
    body: [],
    catch: { param: pname("e"), body: [{ k: "rethrow", name: "other", span: sp() }], span: sp() },
    span: sp(),
  };
  one(program([fn("run", ["other"], [wrong])]), /rethrow of "other"/);
});

test("catches break outside a loop or switch, and continue outside a loop", () => {
  one(program([fn("run", [], [{ k: "break", span: sp() }])]), /break outside a loop or switch/);
  // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
  const inIf: Stmt = { k: "if", test: lit(true), then: [{ k: "break", span: sp() }], span: sp() };
  one(program([fn("run", [], [inIf])]), /run\.body\[0\]\.then\[0\].*break outside/);
  const contInSwitch: Stmt = {
    k: "switch",
    discriminant: lit(1),
    cases: [{ body: [{ k: "continue", span: sp() }], span: sp() }],
    span: sp(),
  };
  one(program([fn("run", [], [contInSwitch])]), /continue outside a loop/);
});

test("catches a missing or malformed span", () => {
  const p = sequentialChain();
  const s = p.functions[0]!.body[1]!;
  delete (s as { span?: unknown }).span;
  one(p, /run\.body\[1\]: missing span/);
  const q = sequentialChain();
  q.functions[0]!.body[0]!.span = { file: "f.ts", line: 0, column: 1, endLine: 1, endColumn: 1 };
  one(q, /run\.body\[0\].*invalid span/);
});

test("catches undeclared names, unknown helpers, non-whitelisted built-ins and non-JSON values", () => {
  one(program([fn("run", [], [ret(name("ghost"))])]), /"ghost" is not declared in function run/);
  one(
    program([fn("run", [], [{ k: "call", fn: "nope", args: [], span: sp() }])]),
    /unknown function "nope"/,
  );
  one(
    program([fn("run", [], [ret({ k: "builtin", fn: "Math.random", args: [], span: sp() })])]),
    /"Math.random" is not a whitelisted/,
  );
  one(program([fn("run", [], [ret(lit(Number.NaN))])]), /NaN is not a JSON number/);
  const cyc = sequentialChain() as unknown as Record<string, unknown>;
  cyc.self = cyc;
  one(cyc as unknown as Program, /cycle/);
});

test("the entry function must be run and come first; function names are unique", () => {
  const p = program([fn("helper", [], []), fn("run", [], [])]);
  one(p, /entry function must come first/);
  const d = program([fn("run", [], []), fn("run", [], [])]);
  one(d, /duplicate function name "run"/);
});
