import assert from "node:assert/strict";
import { test } from "node:test";
import { BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS, BUILTIN_METHODS } from "../../src/ir/builtins.js";
import {
  BUILTIN_CONSTANT_VALUES,
  BUILTIN_FUNCTION_IMPLS,
  METHOD_IMPLS,
} from "../../src/runtime/index.js";
import {
  arr,
  assign,
  bi,
  bin,
  cond,
  decl,
  ex,
  filter,
  idx,
  inst,
  lidx,
  lit,
  log,
  map,
  mem,
  meth,
  methOpt,
  n,
  obj,
  pa,
  po,
  ret,
  spread,
  try_,
  un,
  und,
} from "./build.js";
import { both, evalE, failure, value } from "./driver.js";

test("implementation tables hold exactly the whitelisted names", () => {
  assert.deepEqual(Object.keys(BUILTIN_FUNCTION_IMPLS).sort(), [...BUILTIN_FUNCTIONS].sort());
  assert.deepEqual(Object.keys(BUILTIN_CONSTANT_VALUES).sort(), [...BUILTIN_CONSTANTS].sort());
  assert.deepEqual(Object.keys(METHOD_IMPLS).sort(), [...new Set(BUILTIN_METHODS)].sort());
});

both("operators with JavaScript semantics", (p) => {
  const cases: [ReturnType<typeof bin>, unknown][] = [
    [bin("+", lit(1), lit(2)), 3],
    [bin("+", lit("a"), lit(1)), "a1"],
    [bin("-", lit(5), lit("2")), 3],
    [bin("**", lit(2), lit(10)), 1024],
    [bin("%", lit(-7), lit(3)), -1],
    [bin("/", lit(1), lit(0)), Number.POSITIVE_INFINITY],
    [bin("===", lit(1), lit("1")), false],
    [bin("==", lit(1), lit("1")), true],
    [bin("!=", lit(null), und()), false],
    [bin("<", lit("a"), lit("b")), true],
    [bin(">>>", lit(-1), lit(28)), 15],
    [bin("&", lit(6), lit(3)), 2],
    [bin("^", lit(6), lit(3)), 5],
    [bin("in", lit("a"), obj({ a: lit(1) })), true],
    [bin("in", lit("toString"), obj({})), true], // as in JavaScript: inherited members count
    [bin("in", lit("size"), bi("Object.fromEntries", arr())), false],
    [un("typeof", lit(1)), "number"],
    [un("typeof", n("nope")), "undefined"],
    [un("!", lit("")), true],
    [un("-", lit(3)), -3],
    [un("~", lit(5)), -6],
    [un("void", lit(5)), undefined],
    [log("&&", lit(0), n("nope")), 0],
    [log("||", lit(0), lit("x")), "x"],
    [log("??", lit(0), lit(9)), 0],
    [log("??", lit(null), lit(9)), 9],
    [cond(lit(false), lit(1), lit(2)), 2],
    [bin("+", bi("BigInt", lit("9007199254740993")), bi("BigInt", lit("1"))), 9007199254740994n],
  ];
  for (const [e, want] of cases) assert.deepEqual(evalE(e, [], p), want);
  assert.ok(Number.isNaN(evalE(bin("*", lit("x"), lit(2)), [], p)));
  assert.ok(Object.is(evalE(un("-", lit(0)), [], p), -0));
});

both("template-lowered + concatenation", (p) => {
  const e = bin("+", bin("+", bin("+", lit("Hello, "), n("who")), lit("! n=")), n("k"));
  assert.equal(evalE(e, [decl("who", lit("Ada")), decl("k", lit(3))], p), "Hello, Ada! n=3");
  const withErr = bin("+", lit("got "), n("e"));
  const err = obj({
    name: lit("TypeError"),
    message: lit("bad"),
    classChain: arr(lit("TypeError"), lit("Error")),
  });
  assert.equal(evalE(withErr, [decl("e", err)], p), "got TypeError: bad");
});

both("literals, spreads, members, optional chaining", (p) => {
  const pre = [
    decl("o", obj({ a: obj({ b: lit(2) }), xs: arr(lit(1), lit(2)) })),
    decl("nil", lit(null)),
  ];
  assert.deepEqual(evalE(obj({ z: lit(0) }, n("o")), pre, p), {
    z: 0,
    a: { b: 2 },
    xs: [1, 2],
  });
  assert.deepEqual(evalE(arr(lit(0), spread(mem(n("o"), "xs")), spread(lit("hi"))), pre, p), [
    0,
    1,
    2,
    "h",
    "i",
  ]);
  assert.equal(evalE(mem(mem(n("o"), "a"), "b"), pre, p), 2);
  assert.equal(evalE(mem(mem(n("nil"), "a", true), "b"), pre, p), undefined);
  assert.equal(evalE(idx(n("nil"), lit(0), true), pre, p), undefined);
  assert.equal(evalE(methOpt(n("nil"), "trim"), pre, p), undefined);
  assert.equal(evalE(mem(mem(n("o"), "xs"), "length"), pre, p), 2);
  assert.equal(evalE(idx(mem(n("o"), "xs"), lit(1)), pre, p), 2);
  assert.equal(evalE(mem(n("o"), "toString"), pre, p), undefined);
  assert.equal(evalE(mem(lit("abc"), "length"), pre, p), 3);
  assert.equal(evalE(mem(n("Math"), "PI"), pre, p), Math.PI);
  assert.equal(evalE(n("Infinity"), pre, p), Number.POSITIVE_INFINITY);
  assert.equal(evalE(bi("Number.MAX_SAFE_INTEGER"), pre, p), Number.MAX_SAFE_INTEGER);
});

both("reading a property of undefined throws a catchable TypeError with the line", (p) => {
  const read = mem(n("u"), "name");
  const err = failure([decl("u", und()), ret(read)], p);
  assert.equal(err.name, "TypeError");
  assert.equal(err.message, "Cannot read properties of undefined (reading 'name')");
  assert.deepEqual(err.classChain, ["TypeError", "Error"]);
  assert.match(err.stack ?? "", new RegExp(`wf\\.ts:${read.span.line}:`));
  const caught = value(
    [
      decl("u", lit(null), "let"),
      decl("r", lit("none"), "let"),
      try_([ex(mem(n("u"), "x"))], { param: "e", body: [assign("r", mem(n("e"), "message"))] }),
      ret(n("r")),
    ],
    p,
  );
  assert.equal(caught, "Cannot read properties of null (reading 'x')");
  assert.equal(failure([ret(n("ghost"))], p).name, "ReferenceError");
});

both("builtins and methods", (p) => {
  const pre = [
    decl("xs", arr(lit(3), lit(1), lit(2))),
    decl("m", bi("Object.fromEntries", arr(arr(lit("k"), lit(1))))),
  ];
  assert.deepEqual(evalE(meth(n("xs"), "toSorted"), pre, p), [1, 2, 3]);
  assert.deepEqual(evalE(n("xs"), pre, p), [3, 1, 2]);
  assert.equal(evalE(meth(n("xs"), "join", lit("-")), pre, p), "3-1-2");
  assert.equal(evalE(meth(meth(lit(" Hi "), "trim"), "toUpperCase"), pre, p), "HI");
  assert.deepEqual(evalE(meth(lit("a,b"), "split", lit(",")), pre, p), ["a", "b"]);
  assert.deepEqual(evalE(n("m"), pre, p), { k: 1 });
  assert.equal(evalE(bi("Math.max", spread(n("xs"))), pre, p), 3);
  assert.equal(evalE(bi("JSON.stringify", obj({ a: arr(lit(1)) })), pre, p), '{"a":[1]}');
  assert.deepEqual(evalE(bi("Object.keys", obj({ a: lit(1), b: lit(2) })), pre, p), ["a", "b"]);
  assert.equal(evalE(bi("String", lit(12)), pre, p), "12");
  assert.equal(evalE(meth(lit(1.23456), "toFixed", lit(2)), pre, p), "1.23");
  assert.equal(
    evalE(bi("JSON.stringify", obj({ a: lit(1), b: lit(2) }), arr(lit("b"))), pre, p),
    '{"b":2}',
  );
  assert.equal(evalE(meth(lit("a"), "localeCompare", lit("b")), pre, p), -1);
  const err = failure([ret(bi("Date.now"))], p);
  assert.equal(err.name, "TypeError");
  assert.match(err.message, /Date\.now is not a whitelisted/);
  const bad = failure([ret(meth(lit(1), "push", lit(2)))], p);
  assert.equal(bad.message, "1.push is not a function"); // V8's wording
  const parse = failure([ret(bi("JSON.parse", lit("{bad")))], p);
  assert.equal(parse.name, "SyntaxError");
  const mix = failure([ret(bin("+", bi("BigInt", lit(1)), lit(1)))], p);
  assert.equal(mix.name, "TypeError");
});

both("mutating methods on locals keep aliasing", (p) => {
  const r = value(
    [
      decl("a", arr()),
      decl("b", n("a")),
      ex(meth(n("b"), "push", lit(1), lit(2))),
      ex(meth(n("a"), "shift")),
      ret(arr(n("a"), bin("===", n("a"), n("b")))),
    ],
    p,
  );
  assert.deepEqual(r, [[2], true]);
});

both("map and filter with (element, index) and destructuring params", (p) => {
  const pre = [
    decl(
      "us",
      arr(
        obj({ id: lit(1), on: lit(true) }),
        obj({ id: lit(2), on: lit(false) }),
        obj({ id: lit(3), on: lit(true) }),
      ),
    ),
  ];
  assert.deepEqual(
    evalE(
      map(n("us"), [po([["id", "id"]]), "i"], bin("+", n("id"), bin("*", n("i"), lit(10)))),
      pre,
      p,
    ),
    [1, 12, 23],
  );
  assert.deepEqual(
    evalE(map(filter(n("us"), ["u"], mem(n("u"), "on")), ["u"], mem(n("u"), "id")), pre, p),
    [1, 3],
  );
  assert.deepEqual(
    evalE(
      bi(
        "Object.fromEntries",
        map(n("us"), ["u"], arr(bi("String", mem(n("u"), "id")), mem(n("u"), "on"))),
      ),
      pre,
      p,
    ),
    { "1": true, "2": false, "3": true },
  );
  // callback params shadow outer names without clobbering them
  assert.deepEqual(
    evalE(
      arr(map(arr(lit(1), lit(2)), ["x"], bin("*", n("x"), lit(2))), n("x")),
      [decl("x", lit("outer"))],
      p,
    ),
    [[2, 4], "outer"],
  );
  assert.deepEqual(
    evalE(map(arr(arr(lit(1), lit(2))), [pa(["a", "b"])], bin("+", n("a"), n("b"))), [], p),
    [3],
  );
});

both("instanceof by class chain and by kind", (p) => {
  const e = obj({
    name: lit("Error"),
    message: lit("m"),
    classChain: arr(lit("IntentionalError"), lit("Error")),
  });
  const pre = [decl("e", e), decl("d", bi("Array.of"))];
  assert.deepEqual(
    evalE(
      arr(
        inst(n("e"), "IntentionalError"),
        inst(n("e"), "Error"),
        inst(n("e"), "TypeError"),
        inst(n("d"), "Array"),
        inst(n("d"), "Object"),
        inst(n("d"), "Map"),
        inst(lit(1), "Object"),
      ),
      pre,
      p,
    ),
    [true, true, false, true, true, false, false],
  );
});

both("index assignment and property writes", (p) => {
  const r = value(
    [
      decl("d", obj({})),
      assign(lidx(n("d"), lit("k")), lit(5)),
      assign(lidx(n("d"), lit("k")), lit(2), "**="),
      ret(n("d")),
    ],
    p,
  );
  assert.deepEqual(r, { k: 25 });
  const err = failure([decl("u", und()), assign(lidx(n("u"), lit("k")), lit(1))], p);
  assert.equal(err.message, "Cannot set properties of undefined (setting 'k')");
});
