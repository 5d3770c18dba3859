import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDonePayload } from "../../src/client/donePayload.js";

test("a bare id means: read the row", () => {
  assert.deepEqual(parseDonePayload("42"), { id: "42" });
});

test("a completed outcome carries the encoded result", () => {
  assert.deepEqual(parseDonePayload('42 completed {"a":[1,2]}'), {
    id: "42",
    outcome: { status: "completed", result: { a: [1, 2] }, error: null },
  });
  assert.deepEqual(parseDonePayload("7 completed null"), {
    id: "7",
    outcome: { status: "completed", result: null, error: null },
  });
});

test("failed and cancelled outcomes carry the error; an empty one is null", () => {
  assert.deepEqual(parseDonePayload('9 failed {"name":"X"}'), {
    id: "9",
    outcome: { status: "failed", result: null, error: { name: "X" } },
  });
  assert.deepEqual(parseDonePayload("9 cancelled "), {
    id: "9",
    outcome: { status: "cancelled", result: null, error: null },
  });
});

test("anything unparseable falls back to reading the row", () => {
  assert.deepEqual(parseDonePayload("9 completed {not json"), { id: "9" });
  assert.deepEqual(parseDonePayload("9 completed"), { id: "9" });
});
