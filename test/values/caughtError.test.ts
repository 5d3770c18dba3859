// Caught error records (src/values/caughtError.ts) and the built-in error classes in the
// codec: what JavaScript hides stays readable but unlisted; stored forms list every field;
// interpreter state restores exactly the keys a record hid.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeGraph,
  decodeValue,
  encodeGraph,
  encodeValue,
  errorToValue,
  isCaughtError,
  toCaughtError,
} from "../../src/values/index.js";

const graphRt = (v: unknown) => decodeGraph(JSON.parse(JSON.stringify(encodeGraph(v))));

class HttpError extends Error {
  override name = "HttpError";
  status = 404;
}

test("toCaughtError hides what JavaScript hides, reads stay the same", () => {
  for (const e of [
    new Error("x"),
    new TypeError("t"),
    new URIError("u"),
    new HttpError("h"),
    new Error("c", { cause: new RangeError("inner") }),
  ]) {
    const caught = toCaughtError(errorToValue(e)) as Record<string, unknown>;
    assert.ok(isCaughtError(caught));
    assert.deepEqual(Object.keys(caught), Object.keys(e), e.message);
    assert.equal(JSON.stringify(caught), JSON.stringify(e), e.message);
    assert.deepEqual({ ...caught }, { ...e }, e.message);
    assert.equal(caught.name, e.name);
    assert.equal(caught.message, e.message);
    assert.equal(caught.stack, e.stack);
  }
  const withCause = toCaughtError(errorToValue(new Error("c", { cause: new RangeError("r") })));
  const cause = (withCause as { cause: Record<string, unknown> }).cause;
  assert.ok(isCaughtError(cause));
  assert.deepEqual([Object.keys(cause), cause.message], [[], "r"]);
  const already = toCaughtError(errorToValue(new Error("y")));
  assert.equal(toCaughtError(already), already, "a caught record is caught as itself");
  assert.equal(toCaughtError("text"), "text");
});

test("a caught record is stored with every field and decodes as a plain record", () => {
  const e = new HttpError("nf", { cause: new Error("low") });
  const plain = errorToValue(e);
  const caught = toCaughtError(plain);
  const stored = encodeValue({ err: caught });
  assert.deepEqual(decodeValue(JSON.parse(JSON.stringify(stored))), { err: plain });
  assert.deepEqual(errorToValue(caught), plain, "errorToValue lists every field again");
  assert.ok(!isCaughtError(errorToValue(caught)));
  assert.ok(!isCaughtError((errorToValue(caught) as Record<string, unknown>).cause));
});

test("interpreter state restores the same hidden keys, shared references and cycles", () => {
  const caught = toCaughtError(errorToValue(new Error("m"))) as Record<string, unknown>;
  caught.message = "changed"; // stays hidden, as in JavaScript
  caught.name = "Renamed"; // the name was hidden and stays hidden
  caught.extra = 1; // a new field is listed
  caught.self = caught;
  const back = graphRt({ a: caught, b: caught }) as { a: Record<string, unknown>; b: unknown };
  assert.equal(back.a, back.b);
  assert.equal(back.a.self, back.a);
  assert.ok(isCaughtError(back.a));
  assert.deepEqual(Object.keys(back.a), ["extra", "self"]);
  assert.deepEqual([back.a.name, back.a.message], ["Renamed", "changed"]);
  assert.deepEqual(back.a.classChain, ["Error"]);
});

test("built-in error classes: URIError, EvalError, AggregateError and its errors", () => {
  assert.deepEqual(errorToValue(new URIError("u")).classChain, ["URIError", "Error"]);
  assert.deepEqual(errorToValue(new EvalError("v")).classChain, ["EvalError", "Error"]);
  const agg = errorToValue(new AggregateError([new TypeError("a"), "b"], "both failed"));
  assert.deepEqual(agg.classChain, ["AggregateError", "Error"]);
  assert.equal(agg.message, "both failed");
  const [first, second] = agg.errors as [Record<string, unknown>, unknown];
  assert.deepEqual(
    [first.name, first.message, first.classChain],
    ["TypeError", "a", ["TypeError", "Error"]],
  );
  assert.equal(second, "b");
  const stored = new AggregateError([new Error("x")], "one failed");
  assert.deepEqual(decodeValue(encodeValue(stored)), errorToValue(stored));
  // In the workflow, `errors` is hidden as JavaScript hides it; its errors are caught records.
  const caught = toCaughtError(agg) as Record<string, unknown>;
  assert.deepEqual(Object.keys(caught), []);
  assert.ok(isCaughtError((caught.errors as unknown[])[0]));
});
