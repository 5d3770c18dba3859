import assert from "node:assert/strict";
import { test } from "node:test";
import type { Program } from "../../src/ir/types.js";
import {
  advance,
  type ConcretePolicy,
  decideRetry,
  decodeState,
  encodeState,
  makeActionTimeoutError,
  parseDuration,
  startState,
} from "../../src/runtime/index.js";
import { act, arr, decl, ex, forOf, lit, meth, n, program, ret, while_ } from "./build.js";

test("parseDuration", () => {
  assert.equal(parseDuration(250), 250);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250"), 250);
  assert.equal(parseDuration(-5), -5);
  for (const bad of ["", "soon", "5 parsecs", "1x", "s", Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => parseDuration(bad as string), TypeError, String(bad));
  }
});

test("decideRetry", () => {
  const base: ConcretePolicy = {
    maxAttempts: 4,
    exceptionTypes: null,
    backoff: { initialMs: 100, multiplier: 2, maxMs: 350 },
    timeoutMs: null,
  };
  const err = { name: "Error", message: "x", classChain: ["NetErr", "Error"] };
  assert.deepEqual(decideRetry(base, 1, err), { retry: true, delayMs: 100 });
  assert.deepEqual(decideRetry(base, 2, err), { retry: true, delayMs: 200 });
  assert.deepEqual(decideRetry(base, 3, err), { retry: true, delayMs: 350 });
  assert.deepEqual(decideRetry(base, 4, err), { retry: false });
  const timeout = makeActionTimeoutError(5000);
  assert.deepEqual(timeout.classChain, ["ActionTimeout", "Error"]);
  assert.equal(timeout.name, "ActionTimeout");
  assert.match(timeout.message, /5000ms/);
  assert.deepEqual(decideRetry(base, 1, timeout), { retry: false });
  const named = { ...base, exceptionTypes: ["ActionTimeout"] };
  assert.deepEqual(decideRetry(named, 1, timeout), { retry: true, delayMs: 100 });
  assert.deepEqual(decideRetry(named, 1, err), { retry: false });
  assert.deepEqual(decideRetry({ ...base, exceptionTypes: ["NetErr"] }, 1, err), {
    retry: true,
    delayMs: 100,
  });
  const once = { ...base, maxAttempts: 1 };
  assert.deepEqual(decideRetry(once, 1, err), { retry: false });
});

test("state is plain text and node numbering ignores key order and spans", () => {
  const prog = program([
    decl("xs", arr()),
    forOf("i", arr(lit(1), lit(2)), [act("v", "f", [n("i")]), ex(meth(n("xs"), "push", n("v")))]),
    ret(n("xs")),
  ]);
  // The same program with keys in reverse order and different spans (as from jsonb).
  const reorder = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(reorder);
    if (x === null || typeof x !== "object") return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).reverse()) {
      const v = (x as Record<string, unknown>)[k];
      out[k] = k === "span" ? { ...(v as object), line: 999 } : reorder(v);
    }
    return out;
  };
  const other = reorder(prog) as Program;
  let st = advance(prog, startState(prog, []), []).state;
  const text = encodeState(st);
  assert.equal(typeof text, "string");
  JSON.parse(text);
  st = advance(other, decodeState(text), [
    { type: "action", callId: 1, outcome: { ok: true, value: "a" } },
  ]).state;
  const r = advance(prog, decodeState(encodeState(st)), [
    { type: "action", callId: 2, outcome: { ok: true, value: "b" } },
  ]);
  assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: ["a", "b"] } });
});

test("steps are reported per advance", () => {
  const prog = program([while_(lit(false), []), ret(lit(1))]);
  const r = advance(prog, startState(prog, []), []);
  assert.ok(r.steps >= 3 && r.steps < 10, String(r.steps));
});

test("a subtree shared in memory numbers like its JSON copy", () => {
  const shared = [act("v", "f", [lit(1)])];
  const prog = program([
    decl("xs", arr()),
    forOf("i", arr(lit(1)), shared as never),
    forOf("j", arr(lit(2)), [act("w", "g", [lit(2)]), ex(meth(n("xs"), "push", n("w")))]),
    ret(n("xs")),
  ]);
  const copy = JSON.parse(JSON.stringify(prog)) as Program;
  // a second use of the same statement list object
  (prog.functions[0]!.body as unknown[]).splice(1, 0, {
    ...(prog.functions[0]?.body[1] as object),
  });
  (copy.functions[0]!.body as unknown[]).splice(
    1,
    0,
    JSON.parse(JSON.stringify(copy.functions[0]?.body[1])),
  );
  let st = advance(prog, startState(prog, []), []).state;
  for (let id = 1; id <= 2; id++) {
    st = advance(copy, decodeState(encodeState(st)), [
      { type: "action", callId: id, outcome: { ok: true, value: id } },
    ]).state;
  }
  const r = advance(prog, decodeState(encodeState(st)), [
    { type: "action", callId: 3, outcome: { ok: true, value: "G" } },
  ]);
  assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: ["G"] } });
});
