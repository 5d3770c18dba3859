import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeGraph,
  decodeValue,
  encodeGraph,
  encodeValue,
  errorToValue,
  UnserializableValueError,
} from "../../src/values/index.js";

const rt = (v: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));

test("plain JSON encodes to itself", () => {
  const v = { a: 1, b: ["x", true, null, { c: 2.5 }], d: "" };
  assert.deepEqual(encodeValue(v), v);
  assert.deepEqual(rt(v), v);
});

test("special scalars round-trip", () => {
  assert.equal(rt(undefined), undefined);
  assert.ok(Number.isNaN(rt(Number.NaN)));
  assert.equal(rt(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.equal(rt(Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
  assert.ok(Object.is(rt(-0), -0));
  assert.ok(Object.is(rt(0), 0));
  assert.equal(rt(12345678901234567890n), 12345678901234567890n);
  assert.deepEqual(encodeValue(5n), { $wm: "bigint", v: "5" });
});

test("undefined in arrays and objects is kept", () => {
  const a = rt([1, undefined, 3]) as unknown[];
  assert.equal(a.length, 3);
  assert.ok(1 in a);
  assert.equal(a[1], undefined);
  const o = rt({ x: undefined, y: 1 }) as Record<string, unknown>;
  assert.ok(Object.hasOwn(o, "x"));
  assert.deepEqual(Object.keys(o), ["x", "y"]);
});

test("Date, Map, Set, nested", () => {
  const d = new Date("2024-05-06T07:08:09.123Z");
  const v = {
    d,
    m: new Map<unknown, unknown>([
      ["k", new Set([1, 2n])],
      [3, { when: d }],
    ]),
    bad: new Date(Number.NaN),
  };
  const back = rt(v) as typeof v;
  assert.ok(back.d instanceof Date);
  assert.equal(back.d.getTime(), d.getTime());
  assert.ok(back.m instanceof Map);
  assert.deepEqual([...back.m.keys()], ["k", 3]);
  assert.deepEqual([...(back.m.get("k") as Set<unknown>)], [1, 2n]);
  assert.equal((back.m.get(3) as { when: Date }).when.toISOString(), d.toISOString());
  assert.ok(Number.isNaN(back.bad.getTime()));
});

test("user objects with a $wm key are escaped", () => {
  const v = { $wm: "date", v: "2024-01-01" };
  const enc = encodeValue(v) as Record<string, unknown>;
  assert.equal(enc.$wm, "obj");
  assert.deepEqual(rt(v), v);
  const nested = [{ $wm: "ref", id: 0 }, { $wm: { $wm: 1 } }];
  assert.deepEqual(rt(nested), nested);
  assert.deepEqual(decodeGraph(JSON.parse(JSON.stringify(encodeGraph(nested)))), nested);
});

test("__proto__ keys stay own data", () => {
  const v = JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}');
  const back = rt(v) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.keys(back), ["__proto__", "a"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("refusals name the path", () => {
  const cases: [unknown, RegExp][] = [
    [{ cb: () => 1 }, /^args\[0\]\.cb is a function$/],
    [{ s: [Symbol("x")] }, /^args\[0\]\.s\[0\] is a symbol$/],
    [{ c: new (class Point {})() }, /^args\[0\]\.c is an instance of class Point/],
  ];
  for (const [v, re] of cases) {
    assert.throws(
      () => encodeValue(v, "args[0]"),
      (e: unknown) => e instanceof UnserializableValueError && re.test(e.message),
    );
  }
  const cyc: Record<string, unknown> = { a: { b: 1 } };
  (cyc.a as Record<string, unknown>).back = cyc;
  assert.throws(
    () => encodeValue(cyc, "args[1]"),
    (e: unknown) => e instanceof UnserializableValueError && e.path === "args[1].a.back",
  );
  // a shared (non-cyclic) reference is fine and duplicated
  const shared = { n: 1 };
  assert.deepEqual(rt([shared, shared]), [{ n: 1 }, { n: 1 }]);
});

test("encodeGraph keeps aliasing and cycles", () => {
  const a: unknown[] = [];
  const m = new Map<string, unknown>([["list", a]]);
  const root: Record<string, unknown> = { a, b: a, m, s: new Set([a]) };
  root.self = root;
  const back = decodeGraph(JSON.parse(JSON.stringify(encodeGraph(root)))) as typeof root;
  assert.equal(back.self, back);
  assert.equal(back.a, back.b);
  (back.b as unknown[]).push(1);
  assert.deepEqual(back.a, [1]);
  assert.equal((back.m as Map<string, unknown>).get("list"), back.a);
  assert.ok((back.s as Set<unknown>).has(back.a));
  // values that are not shared are inlined as plain JSON
  assert.deepEqual(encodeGraph({ x: [1, 2] }), { x: [1, 2] });
});

test("errorToValue of Error subclasses", () => {
  class IntentionalError extends Error {}
  class DeepError extends IntentionalError {
    code = "E_DEEP";
  }
  const e = new DeepError("boom");
  const v = errorToValue(e);
  assert.equal(v.name, "Error");
  assert.equal(v.message, "boom");
  assert.deepEqual(v.classChain, ["DeepError", "IntentionalError", "Error"]);
  assert.equal(v.code, "E_DEEP");
  assert.match(v.stack ?? "", /boom/);
  const t = errorToValue(new TypeError("bad"));
  assert.deepEqual(t.classChain, ["TypeError", "Error"]);
  assert.equal(t.name, "TypeError");
  const withFn = Object.assign(new Error("x"), { fn: () => 1 });
  assert.match(String(errorToValue(withFn).fn), /unserializable/);
  // an Error inside a value is recorded as an ErrorValue
  const back = rt({ err: new RangeError("r") }) as { err: Record<string, unknown> };
  assert.equal(back.err.message, "r");
  assert.deepEqual(back.err.classChain, ["RangeError", "Error"]);
});

test("errorToValue of non-errors", () => {
  const s = errorToValue("plain string");
  assert.equal(s.name, "NonErrorThrown");
  assert.equal(s.message, "plain string");
  assert.deepEqual(s.classChain, ["NonErrorThrown", "Error"]);
  assert.equal(s.thrown, "plain string");
  assert.equal(errorToValue(null).message, "null");
  assert.equal(errorToValue(undefined).message, "undefined");
  assert.equal(errorToValue(42).thrown, 42);
  assert.equal(errorToValue({ a: 1 }).message, '{"a":1}');
  const cyc: Record<string, unknown> = {};
  cyc.me = cyc;
  const c = errorToValue(cyc);
  assert.equal(c.message, "[object with a cycle]");
  assert.equal(c.thrown, undefined);
  const again = errorToValue(errorToValue(new Error("x")));
  assert.equal(again.message, "x");
  assert.deepEqual(again.classChain, ["Error"]);
});
