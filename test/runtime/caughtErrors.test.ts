// Caught errors look to the workflow as Errors look in JavaScript: the fields JavaScript keeps
// non-enumerable (`message`, `stack`, an option-given `cause`, an inherited `name`, an
// AggregateError's `errors`) and the engine's `classChain` are readable but not listed by
// Object.keys, spreads or JSON.stringify; the stored form (a returned or failing error)
// still lists every field. Each case runs as compiled IR and as plain JavaScript on a real
// Error, and both must agree — with and without a persist round trip of the state.
import assert from "node:assert/strict";
import type { Program } from "../../src/ir/types.js";
import { decodeValue, encodeValue } from "../../src/values/index.js";
import { compileSource } from "../compiler/compileSource.js";
import { type ActionFn, both, drive } from "./driver.js";

class HttpError extends Error {
  // An own `name` (a class field) is enumerable in JavaScript, and listed first.
  override name = "HttpError";
  status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

class PlainError extends Error {}

/** What the workflow body computes from the caught error `e`, as plain JavaScript. */
function inspect(e: any): unknown {
  return {
    keys: Object.keys(e),
    json: JSON.stringify(e),
    spread: { ...e },
    entries: Object.entries(e),
    name: e.name,
    message: e.message,
    hasStack: typeof e.stack === "string",
    isError: e instanceof Error,
    inStack: "stack" in e,
    causeKeys: e.cause === undefined ? null : Object.keys(e.cause),
    causeMessage: e.cause?.message ?? null,
  };
}

const INSPECT = `{
      keys: Object.keys(e),
      json: JSON.stringify(e),
      spread: { ...e },
      entries: Object.entries(e),
      name: e.name,
      message: e.message,
      hasStack: typeof e.stack === "string",
      isError: e instanceof Error,
      inStack: "stack" in e,
      causeKeys: e.cause === undefined ? null : Object.keys(e.cause),
      causeMessage: e.cause?.message ?? null,
    }`;

function compile(body: string): Program {
  const src = `import { action, sleep, Workflow, workflow } from "waymark";
export const boom = action(async function boom(kind: string) { return kind; });
export const other = action(async function other() { return 1; });
@workflow
export class W extends Workflow {
  async run(kind: string) {
${body}
  }
}
`;
  const [r] = compileSource(src);
  assert.deepEqual(r?.diagnostics, []);
  return r!.program!;
}

const THROWN: Record<string, () => Error> = {
  plain: () => new Error("plain failure"),
  subclass: () => new PlainError("subclass failure"),
  type: () => new TypeError("bad type"),
  http: () => new HttpError(503, "unavailable", { cause: new RangeError("pool exhausted") }),
  fields: () => Object.assign(new Error("with code"), { code: "E_X", retry: true }),
};

const actions = (kind: string): Record<string, ActionFn> => ({
  boom: () => {
    throw THROWN[kind]!();
  },
  other: () => 1,
});

function run(program: Program, kind: string, persist: boolean): unknown {
  const r = drive(program, [kind], actions(kind), { persist });
  assert.ok(r.outcome.ok, JSON.stringify(r.outcome));
  return decodeValue(encodeValue(r.outcome.value));
}

const CATCH = compile(`    try {
      await boom(kind);
      return null;
    } catch (e) {
      await sleep(1);
      return ${INSPECT};
    }`);

for (const kind of Object.keys(THROWN)) {
  both(`catch (e): keys, JSON and spread of a caught ${kind} error are JavaScript's`, (p) => {
    assert.deepEqual(run(CATCH, kind, p), inspect(THROWN[kind]!()));
  });
}

both("a JavaScript Error lists no keys: Object.keys(e) is [], JSON.stringify(e) is {}", (p) => {
  const got = run(CATCH, "plain", p) as Record<string, unknown>;
  assert.deepEqual([got.keys, got.json, got.spread], [[], "{}", {}]);
  const http = run(CATCH, "http", p) as Record<string, unknown>;
  assert.deepEqual(http.keys, ["name", "status"]);
});

both("an error raised by the interpreter (reading a property of null)", (p) => {
  const prog = compile(`    const v = kind === "x" ? null : { a: 1 };
    try {
      return v.a;
    } catch (e) {
      return ${INSPECT};
    }`);
  let js: unknown;
  try {
    (null as any).a;
  } catch (e) {
    js = inspect(e);
  }
  const got = run(prog, "x", p) as Record<string, unknown>;
  assert.deepEqual({ ...got, message: null }, { ...(js as object), message: null });
  assert.match(String(got.message), /^Cannot read properties of null \(reading 'a'\)$/);
});

both("allSettled reasons are caught error records too", (p) => {
  const prog = compile(`    const [a, b] = await Promise.allSettled([boom(kind), other()]);
    const e = a.status === "rejected" ? a.reason : null;
    return [${INSPECT}, b.status];`);
  assert.deepEqual(run(prog, "http", p), [inspect(THROWN.http!()), "fulfilled"]);
});

both(
  "a re-thrown error is the same record when caught again; a changed message stays hidden",
  (p) => {
    const prog = compile(`    let first = null;
    try {
      try {
        await boom(kind);
      } catch (e) {
        first = e;
        e.message = "while booming: " + e.message;
        e.attempt = 2;
        throw e;
      }
    } catch (again) {
      await sleep(1);
      return [again === first, Object.keys(again), again.message, JSON.stringify(again)];
    }
    return null;`);
    assert.deepEqual(run(prog, "fields", p), [
      true,
      ["code", "retry", "attempt"],
      "while booming: with code",
      '{"code":"E_X","retry":true,"attempt":2}',
    ]);
  },
);

both("returned, a caught error is stored with every field", (p) => {
  const prog = compile(`    try {
      await boom(kind);
    } catch (e) {
      await sleep(1);
      return { error: e, message: e.message };
    }
    return null;`);
  const got = run(prog, "http", p) as { error: Record<string, unknown>; message: string };
  assert.equal(got.message, "unavailable");
  const { stack, ...error } = got.error;
  assert.equal(typeof stack, "string");
  assert.deepEqual(error, {
    name: "HttpError",
    message: "unavailable",
    classChain: ["HttpError", "Error"],
    status: 503,
    cause: {
      name: "RangeError",
      message: "pool exhausted",
      stack: (got.error.cause as { stack: string }).stack,
      classChain: ["RangeError", "Error"],
    },
  });
});

both("re-thrown out of the workflow, a caught error fails it with every field", (p) => {
  const prog = compile(`    try {
      await boom(kind);
    } catch (e) {
      await sleep(1);
      throw e;
    }
    return null;`);
  const r = drive(prog, ["fields"], actions("fields"), { persist: p });
  assert.equal(r.outcome.ok, false);
  const error = (r.outcome as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error), ["name", "message", "classChain", "stack", "code", "retry"]);
  assert.deepEqual([error.name, error.message, error.code], ["Error", "with code", "E_X"]);
});
