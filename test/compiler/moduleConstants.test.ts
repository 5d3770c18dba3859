// Module-level constants in a workflow body: inlined into the IR when their value is a
// compile-time constant (and the program computes what JavaScript computes); refused with the
// reason, a fix, and the position of the use otherwise.
import assert from "node:assert/strict";
import { test } from "node:test";
import { printProgram, validate } from "../../src/ir/index.js";
import { drive } from "../runtime/driver.js";
import { compileSource, HEADER } from "./compileSource.js";

/** A module: `top` (lines ending in a newline) at module level, then a workflow whose run(x)
 *  body is `body`: with HEADER's 3 lines, `top` starts on line 4 and the body is on the line
 *  after the 3 lines of the class head. */
function source(top: string, body: string): string {
  return `${HEADER}${top}@workflow
export class W extends Workflow {
  async run(x: any) {
    ${body}
  }
}
`;
}

/** Compiles `top` + `return <expr>;` and runs it with `x`; asserts it compiles. */
function inlined(top: string, expr: string, x?: unknown, files: Record<string, string> = {}) {
  const [r] = compileSource(source(top, `return ${expr};`), files);
  assert.ok(r, "the workflow was found");
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
    [],
  );
  assert.ok(r.program);
  assert.deepEqual(validate(r.program), []);
  const out = drive(r.program, [x], { act: (v: unknown) => v });
  assert.ok(out.outcome.ok, JSON.stringify(out.outcome));
  return { value: out.outcome.value, ir: printProgram(r.program) };
}

test("a plain module `const` number is inlined: xs.slice(0, LIMIT)", () => {
  const { value, ir } = inlined("const LIMIT = 3;\n", "x.slice(0, LIMIT)", [1, 2, 3, 4, 5]);
  assert.deepEqual(value, [1, 2, 3]);
  assert.match(ir, /x\.slice\(0, 3\)/);
});

test("every constant form is inlined with the value JavaScript gives it", () => {
  const top = [
    "const NEG = -2;",
    "const NEG_ZERO = -0;",
    "const STR = 'a';",
    "const TPL = `plain`;",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source of a template constant
    "const SUBST = `${STR}-${NEG}-${true}-${null}`;",
    "const YES = true;",
    "const NONE = null;",
    "const UNDEF = undefined;",
    "const ARR = [1, NEG, [STR]];",
    "const OBJ = { a: 1, nested: { list: ARR }, ['k1']: 2, [STR]: 3 };",
    "const SPREAD = { ...OBJ, a: 9, more: [...ARR, 4] };",
    "const FROZEN = { mode: 'fast' } as const;",
    "const MS = 30 * 1000;",
    "const BIG = 1e400;",
    "const NAN = NaN;",
    "const MIN = -Infinity;",
    "const PI2 = Math.PI * 2;",
    "const SAFE = Number.MAX_SAFE_INTEGER;",
    "const PICK = ARR[1];",
    "const LEN = ARR.length;",
    "const DEEP = OBJ.nested.list[2];",
    "const OR = NONE ?? 'fallback';",
    "const NOT = !YES;",
    "const REF = MS;",
  ].join("\n");
  const names =
    "NEG, NEG_ZERO, STR, TPL, SUBST, YES, NONE, UNDEF, ARR, OBJ, SPREAD, FROZEN, MS, BIG, NAN, MIN, PI2, SAFE, PICK, LEN, DEEP, OR, NOT, REF";
  const { value } = inlined(`${top}\n`, `[${names}]`);
  const expected = new Function(`${top.replace(/ as const/g, "")}\nreturn [${names}];`)();
  assert.deepEqual(value, expected);
  const got = value as unknown[];
  assert.ok(Object.is(got[1], -0), "-0 stays -0");
  assert.equal(got[13], Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(got[14]));
});

test("constants imported from another module, by name and through a namespace", () => {
  const consts =
    "export const LIMIT = 2;\nexport const CONF = { region: 'eu', ids: [LIMIT, 3] };\n";
  const top =
    'import { LIMIT as L, CONF } from "./consts.js";\nimport * as C from "./consts.js";\n';
  const { value } = inlined(
    top,
    "[L, CONF.region, C.CONF.ids, C.LIMIT, x.slice(0, C.LIMIT)]",
    [7, 8, 9],
    { "consts.ts": consts },
  );
  assert.deepEqual(value, [2, "eu", [2, 3], 2, [7, 8]]);
});

test("a body's copy of a constant array is its own; the constant reads as declared", () => {
  const body = "[...STEPS, x].concat([STEPS.length])";
  assert.deepEqual(inlined("const STEPS = [1, 2];\n", body, 3).value, [1, 2, 3, 2]);
});

test("a module constant as a computed destructuring key; a local of the same name is not one", () => {
  const top = "const KEY = 'id';\nconst KEYS = { name: 'label' };\n";
  const [r] = compileSource(
    source(top, `const { [KEY]: a, [KEYS.name]: b } = x;\n    return [a, b];`),
  );
  assert.deepEqual(r!.diagnostics, []);
  const out = drive(r!.program!, [{ id: 7, label: "L" }], {});
  assert.deepEqual(out.outcome, { ok: true, value: [7, "L"] });
  const [shadowed] = compileSource(
    source(top, "const KEY = x.k;\n    const { [KEY]: a } = x;\n    return a;"),
  );
  assert.deepEqual(
    shadowed!.diagnostics.map((d) => d.code),
    ["WM231"],
  );
});

test("a local with the same name, or a change inside a workflow body, does not refuse it", () => {
  const top = [
    "const LIST = [1, 2];",
    "export function other(LIST: number[]) { LIST.push(3); }",
    "export function inner() { const LIST: number[] = []; LIST.push(1); return LIST; }",
  ].join("\n");
  assert.deepEqual(inlined(`${top}\n`, "LIST").value, [1, 2]);
  // A change written in the body is refused there (WM213), not at every read of the constant.
  const [r] = compileSource(
    source("const STORE: number[] = [];\n", "STORE.push(1); return STORE;"),
  );
  assert.deepEqual(
    r!.diagnostics.map((d) => d.code),
    ["WM213"],
  );
});

interface Refusal {
  top: string;
  body: string;
  files?: Record<string, string>;
  /** Position of the refused use in the module. */
  at: [number, number];
  message: string;
  fix: string;
}

const AS_INPUT = "pass it as an input of run() or read it inside an action";
const FORMS =
  "a number, string, boolean or null literal, an array or object literal of them, or an expression of such constants (`60 * 1000`, `[...BASE, 4]`)";
const COMPUTED_FIX = `${AS_INPUT}, or make it a constant: ${FORMS}.`;
const REFUSALS: Record<string, Refusal> = {
  "a `let`": {
    top: "let LIMIT = 3;",
    body: "return x.slice(0, LIMIT);",
    at: [8, 23],
    message:
      "`LIMIT` cannot be inlined into the workflow: it is a module-level `let`, which can be reassigned, so its value is not known when the workflow is compiled",
    fix: `${AS_INPUT}, or declare it \`const\` with a constant value: ${FORMS}.`,
  },
  "a `var`": {
    top: "var LIMIT = 3;",
    body: "return LIMIT;",
    at: [8, 12],
    message:
      "`LIMIT` cannot be inlined into the workflow: it is a module-level `var`, which can be reassigned, so its value is not known when the workflow is compiled",
    fix: `${AS_INPUT}, or declare it \`const\` with a constant value: ${FORMS}.`,
  },
  "a const holding Date.now()": {
    top: "const STARTED = Date.now();",
    body: "return STARTED;",
    at: [8, 12],
    message:
      "`STARTED` cannot be inlined into the workflow: its value uses `Date.now()` at input.ts:4:17, which is not a constant known when the workflow is compiled",
    fix: COMPUTED_FIX,
  },
  "a const holding a function call": {
    top: "function load() { return { n: 1 }; }\nconst CONFIG = { retries: 2, loaded: load() };",
    body: "return CONFIG.retries;",
    at: [9, 12],
    message:
      "`CONFIG` cannot be inlined into the workflow: its value uses `load()` at input.ts:5:38, which is not a constant known when the workflow is compiled",
    fix: COMPUTED_FIX,
  },
  "a const holding `new`": {
    top: "const SEEN = new Set([1]);",
    body: "return SEEN;",
    at: [8, 12],
    message:
      "`SEEN` cannot be inlined into the workflow: its value uses `new Set([1])` at input.ts:4:14, which is not a constant known when the workflow is compiled",
    fix: COMPUTED_FIX,
  },
  "a const built from a `let`": {
    top: "let base = 1;\nconst BOTH = [base, 2];",
    body: "return BOTH;",
    at: [9, 12],
    message:
      "`BOTH` cannot be inlined into the workflow: its value uses `base` at input.ts:5:15, which is not a constant known when the workflow is compiled",
    fix: COMPUTED_FIX,
  },
  "a `declare const`": {
    top: "declare const INJECTED: number;",
    body: "return INJECTED;",
    at: [8, 12],
    message:
      "`INJECTED` cannot be inlined into the workflow: it is declared without a value (`declare const`), so the compiler cannot know it",
    fix: `${AS_INPUT}, or give it a constant value: ${FORMS}.`,
  },
  "a const array the module pushes to": {
    top: "const SEEN = [1];\nexport function see(n: number) { SEEN.push(n); }",
    body: "return SEEN.length;",
    at: [9, 12],
    message:
      "`SEEN` cannot be inlined into the workflow: the module changes it (`SEEN.push(n)` at input.ts:5:34), so the workflow would not read the value it is declared with",
    fix: `${AS_INPUT}, or stop changing it (copy it into a local inside the workflow and change the copy).`,
  },
  "a const object the module assigns into": {
    top: "const CONF = { n: 1 };\nCONF.n = 2;",
    body: "return CONF.n;",
    at: [9, 12],
    message:
      "`CONF` cannot be inlined into the workflow: the module changes it (`CONF.n = 2` at input.ts:5:1), so the workflow would not read the value it is declared with",
    fix: `${AS_INPUT}, or stop changing it (copy it into a local inside the workflow and change the copy).`,
  },
  "a const object given to Object.assign": {
    top: "const CONF = { n: 1 };\nObject.assign(CONF, { n: 2 });",
    body: "return CONF;",
    at: [9, 12],
    message:
      "`CONF` cannot be inlined into the workflow: the module changes it (`Object.assign(CONF, { n: 2 })` at input.ts:5:1), so the workflow would not read the value it is declared with",
    fix: `${AS_INPUT}, or stop changing it (copy it into a local inside the workflow and change the copy).`,
  },
  "a binding of a package": {
    top: 'import { VERSION } from "some-package";',
    body: "return VERSION;",
    at: [8, 12],
    message:
      "`VERSION` cannot be inlined into the workflow: it is imported from the package `some-package`, whose source the compiler does not read",
    fix: `${AS_INPUT}, or declare the constant in a relative TypeScript module.`,
  },
  "a namespace": {
    top: 'import * as C from "./consts.js";',
    files: { "consts.ts": "export const A = 1;\n" },
    body: "return C;",
    at: [8, 12],
    message:
      "`C` cannot be inlined into the workflow: it is a module namespace, not a value a workflow can hold",
    fix: "read the constant you need from it: `C.NAME`.",
  },
  "a function": {
    top: "function helper() { return 1; }",
    body: "return helper;",
    at: [8, 12],
    message:
      "`helper` cannot be inlined into the workflow: it is a function, which a workflow cannot hold as a value",
    fix: "call it inside an action, or make it a helper method of the workflow class (`this.helper(x)`).",
  },
  "an action as a value": {
    top: "",
    body: "return act;",
    at: [7, 12],
    message:
      "`act` cannot be inlined into the workflow: it is an action, which can only be called, not held as a value",
    fix: "call it where the value is needed: `await act(x)`.",
  },
  "a class as a value": {
    top: "",
    body: "return MyError;",
    at: [7, 12],
    message:
      "`MyError` cannot be inlined into the workflow: it is a class, which a workflow cannot hold as a value",
    fix: "test errors against it with `instanceof`, or construct its instances inside an action.",
  },
};

for (const [what, c] of Object.entries(REFUSALS)) {
  test(`refused with the reason: ${what}`, () => {
    const top = c.top === "" ? "" : `${c.top}\n`;
    const [r] = compileSource(source(top, c.body), c.files);
    const found = r!.diagnostics.map((d) => ({
      code: d.code,
      at: [d.line, d.column],
      message: d.message,
      fix: d.fix,
    }));
    assert.deepEqual(found, [{ code: "WM103", at: c.at, message: c.message, fix: c.fix }]);
  });
}
