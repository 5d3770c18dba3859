import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, hashProgram, stripSpans } from "../../src/ir/index.js";
import { lit, moved, sequentialChain } from "./build.js";

test("the hash is 16 hex characters and deterministic", () => {
  const h = hashProgram(sequentialChain());
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.equal(hashProgram(sequentialChain()), h);
});

test("moving code (every span changes) does not change the hash", () => {
  const p = sequentialChain();
  const m = moved(p, 40);
  assert.notDeepEqual(m.span, p.span);
  assert.equal(hashProgram(m), hashProgram(p));
});

test("stripSpans removes every span at every depth and leaves the rest", () => {
  const stripped = JSON.stringify(stripSpans(sequentialChain()));
  assert.ok(!stripped.includes('"span"'));
  assert.ok(stripped.includes('"action":"stepUppercase"'));
});

test("changing any node changes the hash", () => {
  const base = hashProgram(sequentialChain());
  const renamed = sequentialChain();
  const s0 = renamed.functions[0]!.body[0]!;
  assert.equal(s0.k, "action");
  if (s0.k === "action" && s0.call.k === "call_action") s0.call.action = "stepLowercase";
  assert.notEqual(hashProgram(renamed), base);

  const literal = sequentialChain();
  literal.functions[0]!.body.splice(4, 0, { k: "expr", expr: lit(1), span: literal.span });
  assert.notEqual(hashProgram(literal), base);

  const conc = sequentialChain();
  conc.concurrent = true;
  assert.notEqual(hashProgram(conc), base);
});

test("canonical JSON sorts keys and drops undefined fields", () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }] }), '{"a":[{"c":"x"}],"b":1}');
  const p = sequentialChain();
  const reordered = Object.fromEntries(Object.entries(p).reverse()) as typeof p;
  assert.equal(hashProgram(reordered), hashProgram(p));
  assert.equal(hashProgram({ ...p, extra: undefined } as typeof p), hashProgram(p));
});
