// Built-in names a workflow body may use without an import: every standard error class (in
// `instanceof` and in `exceptionTypes`) and the Number predicates and constants. Compiled and
// run; the results are the ones plain JavaScript gives.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Program } from "../../src/ir/types.js";
import { drive } from "../runtime/driver.js";
import { compileSource, workflowSource } from "./compileSource.js";

function compile(body: string, extra = ""): Program {
  const [r] = compileSource(workflowSource(body, { extra }));
  assert.ok(r);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
    [],
  );
  return r.program!;
}

const ERROR_CLASSES = [
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "URIError",
  "EvalError",
  "AggregateError",
] as const;

test("instanceof every standard error class matches the class chain of what was thrown", () => {
  const tests = ERROR_CLASSES.map((c) => `e instanceof ${c}`).join(", ");
  const prog = compile(
    `try { await act(x); } catch (e) { return [e.name, ${tests}]; }\nreturn null;`,
  );
  const thrown: Record<string, () => Error> = {
    uri: () => new URIError("bad %"),
    eval: () => new EvalError("no eval"),
    agg: () => new AggregateError([new Error("a")], "all failed"),
  };
  for (const [kind, make] of Object.entries(thrown)) {
    const r = drive(prog, [kind, []], {
      act: () => {
        throw make();
      },
    });
    const e = make();
    const js = [e.name, ...ERROR_CLASSES.map((c) => e instanceof globalThis[c])];
    assert.deepEqual(r.outcome, { ok: true, value: js }, kind);
  }
});

test("a URIError raised by decodeURIComponent in the body is caught as one", () => {
  const prog = compile(
    "try { return decodeURIComponent(x); } catch (e) { return [e instanceof URIError, e.name, e.message]; }",
  );
  const r = drive(prog, ["%E0%A4%A", []], {});
  let js: unknown;
  try {
    decodeURIComponent("%E0%A4%A");
  } catch (e) {
    js = [e instanceof URIError, (e as Error).name, (e as Error).message];
  }
  assert.deepEqual(r.outcome, { ok: true, value: js });
});

test("exceptionTypes may name URIError, EvalError and AggregateError", () => {
  const prog = compile(
    "return await this.runAction(act(x), { retry: { attempts: 3, exceptionTypes: [URIError, EvalError, AggregateError] } });",
  );
  const call = JSON.stringify(prog);
  assert.match(call, /"exceptionTypes":\["URIError","EvalError","AggregateError"\]/);
});

test("Number predicates and constants: isSafeInteger and its neighbours", () => {
  const calls = [
    "Number.isSafeInteger(x)",
    "Number.isInteger(x)",
    "Number.isFinite(x)",
    "Number.isNaN(x)",
    "Number.parseFloat(String(x))",
    "Number.parseInt(String(x), 10)",
    "Number.EPSILON",
    "Number.MAX_SAFE_INTEGER",
    "Number.MIN_SAFE_INTEGER",
    "Number.MAX_VALUE",
    "Number.MIN_VALUE",
    "Number.isSafeInteger(Number.MAX_SAFE_INTEGER + 1)",
    "1 + Number.EPSILON > 1",
  ];
  const prog = compile(`return [${calls.join(", ")}];`);
  const js = new Function("x", `return [${calls.join(", ")}];`);
  for (const x of [3, 2 ** 53, 1.5, Number.NaN, -0, "7", 1e308]) {
    const r = drive(prog, [x, []], {});
    assert.deepEqual(r.outcome, { ok: true, value: js(x) }, String(x));
  }
});
