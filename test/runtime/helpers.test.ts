import assert from "node:assert/strict";
import { test } from "node:test";
import type { Program } from "../../src/ir/types.js";
import {
  advance,
  type ConcretePolicy,
  decideRetry,
  decodeState,
  decodeStoredPolicy,
  encodeState,
  encodeStoredPolicy,
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

test("the stored state leaves out empty fields; a state with every field decodes the same", () => {
  const prog = program([act("a", "f", [lit(1)]), ret(n("a"))]);
  const st = advance(prog, startState(prog, []), []).state;
  const text = encodeState(st);
  const stored = JSON.parse(text) as Record<string, unknown>;
  for (const k of ["start", "outcomes", "done"]) assert.ok(!(k in stored), `${k} left out`);
  const frames = stored.frames as Record<string, unknown>[];
  assert.ok(!("call" in (frames[0] as object)), "a frame's null call left out");
  assert.ok(!("failed" in (stored.wait as object)), "a wait's null failure left out");
  // The full form (every field, as written before the compact one) is still read.
  const full = {
    ...stored,
    start: null,
    frames: frames.map((f) => ({ ...f, call: null })),
    wait: { ...(stored.wait as object), failed: null },
    outcomes: { $wm: "map", v: [] },
    done: null,
  };
  for (const form of [text, JSON.stringify(full)]) {
    const r = advance(prog, decodeState(form), [
      { type: "action", callId: 1, outcome: { ok: true, value: "x" } },
    ]);
    assert.deepEqual(r.blocked, { type: "done", outcome: { ok: true, value: "x" } });
  }
  assert.ok(text.length < JSON.stringify(full).length - 60, `${text.length} bytes`);
});

test("a stored policy keeps only what differs from a call without options", () => {
  const none: ConcretePolicy = {
    maxAttempts: 1,
    exceptionTypes: null,
    backoff: { initialMs: 0, multiplier: 1, maxMs: 0 },
    timeoutMs: null,
  };
  assert.equal(encodeStoredPolicy(none), null);
  assert.deepEqual(decodeStoredPolicy(null), none);
  const retry: ConcretePolicy = {
    maxAttempts: 5,
    exceptionTypes: ["NetErr"],
    backoff: { initialMs: 100, multiplier: 2, maxMs: Number.MAX_SAFE_INTEGER },
    timeoutMs: 2_000,
  };
  assert.deepEqual(decodeStoredPolicy(encodeStoredPolicy(retry)), retry);
  assert.deepEqual(JSON.parse(encodeStoredPolicy({ ...none, timeoutMs: 50 }) as string), {
    timeoutMs: 50,
  });
  // The full object (rows written before 0006), as text or as parsed jsonb.
  assert.deepEqual(decodeStoredPolicy(JSON.stringify(retry)), retry);
  assert.deepEqual(decodeStoredPolicy({ ...none }), none);
});
