// Every refusal: code, message, fix, line and column. `@@` in a case marks where the
// diagnostic must point (it is removed before compiling).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describe as describeCode,
  moduleValueArgs,
  OPTION_FORMS,
  OPTION_KEYS,
} from "../../src/compiler/diagnostics.js";
import {
  compileWorkflowClass,
  DIAGNOSTICS,
  type DiagnosticCode,
  UnsupportedPatternError,
} from "../../src/compiler/index.js";
import { compileSource, workflowSource } from "./compileSource.js";

interface Case {
  code: DiagnosticCode;
  body?: string;
  extra?: string;
  methods?: string;
  args?: Record<string, string>;
}

const CASES: Case[] = [
  { code: "WM100", body: "const y = @@);", args: { name: "Expression expected." } },
  { code: "WM101", body: "return @@nope;", args: { name: "nope" } },
  { code: "WM102", body: "@@console.log(x);", args: { name: "console.log" } },
  {
    code: "WM102",
    body: "@@plain(x);",
    extra: "function plain(v: unknown) { return v; }\n",
    args: { name: "plain" },
  },
  {
    code: "WM103",
    body: "return @@LIMIT;",
    extra: "let LIMIT = 5;\n",
    args: moduleValueArgs("LIMIT", "let", "let"),
  },
  {
    code: "WM104",
    body: "await anon();",
    extra: "export const anon = @@action(async () => 1);\n",
    args: { name: "anon" },
  },
  {
    code: "WM105",
    body: "await withOpts();",
    extra:
      "let t = 5;\nexport const withOpts = action(async function withOpts() {}, { timeout: @@t });\n",
    args: {
      name: "t",
      what: "the `timeout` option of action `withOpts`",
      form: OPTION_FORMS.value,
    },
  },
  {
    code: "WM105",
    body: "await notObject();",
    extra:
      "let opts = {};\nexport const notObject = action(async function notObject() {}, @@opts);\n",
    args: { name: "opts", what: "the options of action `notObject`", form: OPTION_FORMS.options },
  },
  {
    code: "WM105",
    body: "const p = { attempts: 2 };\nawait this.runAction(act(1), { retry: @@p });",
    args: {
      name: "p",
      what: "the `retry` option of `this.runAction(...)`",
      form: OPTION_FORMS.retry,
    },
  },
  {
    code: "WM105",
    body: "await this.runAction(act(1), { retry: new RetryPolicy(@@xs[0]) });",
    args: {
      name: "xs[0]",
      what: "the argument of `new RetryPolicy(...)`",
      form: OPTION_FORMS.policy,
    },
  },
  {
    code: "WM105",
    body: "await this.runAction(act(1), { retry: { exceptionTypes: @@xs } });",
    args: {
      name: "xs",
      what: "the `exceptionTypes` of a retry policy",
      form: OPTION_FORMS.exceptionTypes,
    },
  },
  {
    code: "WM105",
    body: "await this.runAction(act(1), { retry: { exceptionTypes: [@@x] } });",
    args: {
      name: "x",
      what: "an exception class in `exceptionTypes`",
      form: OPTION_FORMS.exceptionType,
    },
  },
  { code: "WM106", body: "await @@this.nope();", args: { name: "nope" } },
  {
    code: "WM107",
    body: "await @@ghost();",
    extra: 'import { ghost } from "./missing.js";\n',
    args: { name: "ghost", spec: "./missing.js" },
  },
  {
    code: "WM108",
    body: "try { await act(); } catch (e) { if (e instanceof @@x) { return 1; } }",
    args: { name: "x" },
  },
  { code: "WM201", body: 'const u = @@new MyError("x");', args: { name: "MyError" } },
  { code: "WM202", body: "const t = @@Date.now();", args: { name: "Date.now()" } },
  { code: "WM202", body: "const t = @@new Date();", args: { name: "new Date()" } },
  { code: "WM202", body: "const t = @@Math.random();", args: { name: "Math.random()" } },
  {
    code: "WM202",
    body: "const t = @@crypto.randomUUID();",
    args: { name: "crypto.randomUUID()" },
  },
  { code: "WM202", body: "const t = @@performance.now();", args: { name: "performance.now()" } },
  { code: "WM202", body: "const t = @@process.env.HOME;", args: { name: "process.env.HOME" } },
  { code: "WM202", body: "@@setTimeout(10);", args: { name: "setTimeout()" } },
  { code: "WM203", body: "@@await x;" },
  { code: "WM204", body: '@@throw new Error("x");' },
  { code: "WM204", body: "try { await act(); } catch (e) { @@throw x; }" },
  { code: "WM205", body: "const f = @@() => 1;" },
  { code: "WM205", body: "const f = @@function () { return 1; };" },
  { code: "WM206", body: "if ((@@x = 1)) { return 1; }" },
  { code: "WM206", body: "const y = @@x++;" },
  { code: "WM207", body: "@@delete x.a;" },
  { code: "WM208", body: "return @@xs.map((v) => v);", args: { name: "map" } },
  { code: "WM208", body: "await act(@@xs.filter((v) => v));", args: { name: "filter" } },
  { code: "WM209", body: "const ys = xs.map(@@(v) => { return v; });" },
  { code: "WM209", body: "const ys = xs.map((v) => @@await act(v));" },
  { code: "WM210", body: "await Promise.all([@@x]);" },
  { code: "WM211", body: "const s = @@String.raw`a`;" },
  { code: "WM212", body: "const y = (x @@, 1);", args: { name: "," } },
  {
    code: "WM213",
    body: "@@STORE.push(1);",
    extra: "const STORE: number[] = [];\n",
    args: { name: ".push()" },
  },
  { code: "WM213", body: "@@undeclared = 1;", args: { name: "undeclared" } },
  { code: "WM214", body: "const s = @@xs.sort();", args: { name: "sort" } },
  { code: "WM215", body: "const v = @@this.value;" },
  { code: "WM216", body: "const r = @@/a+/;" },
  { code: "WM217", body: "const p = @@act(1);", args: { name: "act" } },
  { code: "WM217", body: "const p = @@Promise.all([act(1)]);", args: { name: "Promise.all" } },
  { code: "WM218", body: "await @@this.runAction(x);" },
  { code: "WM218", body: "await @@this.runAction(act(1), {}, 2);" },
  {
    code: "WM227",
    body: "await this.runAction(act(1), { @@retries: 3 });",
    args: { name: "retries", where: "`this.runAction(...)`", keys: OPTION_KEYS.runAction },
  },
  // Where an action runs is the action's own business: not an option of one call.
  {
    code: "WM227",
    body: "await this.runAction(act(1), { @@inline: false });",
    args: { name: "inline", where: "`this.runAction(...)`", keys: OPTION_KEYS.runAction },
  },
  {
    code: "WM227",
    body: "await this.runAction(act(1), { retry: new RetryPolicy({ @@attempt: 2 }) });",
    args: { name: "attempt", where: "a retry policy", keys: OPTION_KEYS.retry },
  },
  {
    code: "WM227",
    body: "await typo();",
    extra: 'export const typo = action(async function typo() {}, { @@timout: "1s" });\n',
    args: { name: "timout", where: "action `typo`", keys: OPTION_KEYS.action },
  },
  {
    code: "WM228",
    body: "await this.runAction(act(1), { @@[x]: 1 });",
    args: { name: "x", where: "`this.runAction(...)`" },
  },
  {
    code: "WM229",
    body: "const o = { timeout: 5 };\nawait this.runAction(act(1), { @@...o });",
    args: { name: "o", where: "`this.runAction(...)`" },
  },
  {
    code: "WM229",
    body: "await this.runAction(act(1), { retry: { @@...RETRY } });",
    extra: "let RETRY = { attempts: 2 };\n",
    args: { name: "RETRY", where: "a retry policy" },
  },
  {
    code: "WM230",
    body: 'await this.runAction(act(1), { onLost: @@"never" });',
    args: { name: '"never"' },
  },
  { code: "WM230", body: "await this.runAction(act(1), { onLost: @@x });", args: { name: "x" } },
  {
    code: "WM230",
    body: "await charge();",
    extra: 'export const charge = action(async function charge() {}, { onLost: @@"ignore" });\n',
    args: { name: '"ignore"' },
  },
  { code: "WM219", body: "await @@Promise.all(xs);", args: { name: "all" } },
  { code: "WM220", body: "await @@super.toString();", args: { name: "super" } },
  { code: "WM221", body: "const m = @@import.meta;", args: { name: "import.meta" } },
  {
    code: "WM222",
    body: "return await this.h();",
    methods: "  async h(y = @@await act()) { return y; }\n",
  },
  { code: "WM223", body: "do { x += 1; } while (@@await act());" },
  { code: "WM223", body: "switch (x) { case @@await act(): return 1; }" },
  { code: "WM224", body: "const y = @@x?.();" },
  { code: "WM225", body: "[@@x.a] = [1];" },
  { code: "WM231", body: "const { @@[x]: v } = xs;\nreturn v;", args: { name: "x" } },
  { code: "WM231", body: "let v;\n({ @@[x]: v } = xs);\nreturn v;", args: { name: "x" } },
  {
    code: "WM240",
    body: 'return await @@waitForSignal("go");',
    extra: 'import { waitForSignal } from "waymark";\n',
    args: { name: '"go"' },
  },
  {
    code: "WM240",
    body: 'return await @@waitForSignal("go", {});',
    extra: 'import { waitForSignal } from "waymark";\n',
    args: { name: '"go"' },
  },
  {
    code: "WM241",
    body: 'return await waitForSignal("go", @@x);',
    extra: 'import { waitForSignal } from "waymark";\n',
    args: { name: "`x`" },
  },
  {
    code: "WM241",
    body: 'return await waitForSignal("go", { timeout: "1s", @@every: 2 });',
    extra: 'import { waitForSignal } from "waymark";\n',
    args: { name: "`every: 2`" },
  },
  {
    code: "WM242",
    body: "const h = await @@new Kid().start(x);\nreturn h;",
    extra:
      "@workflow\nexport class Kid extends Workflow {\n  async run(v: number) {\n    return v;\n  }\n}\n",
    args: { name: "Kid" },
  },
  {
    code: "WM243",
    body: "return await @@new Kid(x).run(x);",
    extra:
      "@workflow\nexport class Kid extends Workflow {\n  async run(v: number) {\n    return v;\n  }\n}\n",
    args: { name: "Kid" },
  },
  { code: "WM301", body: "@@using r = x;" },
  { code: "WM302", body: "@@outer: for (const v of xs) { continue; }" },
  { code: "WM303", body: "@@for (const k in x) { continue; }" },
  { code: "WM304", body: "@@class Local {}" },
  { code: "WM305", body: "@@function local() { return 1; }" },
  { code: "WM306", body: "await this.h();", methods: "  async *@@h() { yield 1; }\n" },
  { code: "WM307", body: "@@var v = 1;" },
  { code: "WM308", body: "@@debugger;" },
  { code: "WM309", body: "@@for await (const v of xs) { continue; }" },
  { code: "WM310", body: "let v; for (@@v of xs) { continue; }" },
  { code: "WM311", body: "@@enum E { A }", args: { name: "enum" } },
  { code: "WM312", body: "@@with (x) { }" },
];

function locate(text: string): { source: string; line: number; column: number } {
  const at = text.indexOf("@@");
  assert.ok(at >= 0, "case without @@ marker");
  const before = text.slice(0, at);
  const lines = before.split("\n");
  return {
    source: text.replace("@@", ""),
    line: lines.length,
    column: lines[lines.length - 1]!.length + 1,
  };
}

for (const c of CASES) {
  test(`${c.code}: ${(c.body ?? "").replace("@@", "").slice(0, 60)}`, () => {
    const marked = workflowSource(c.body ?? "", {
      ...(c.extra ? { extra: c.extra } : {}),
      ...(c.methods ? { methods: c.methods } : {}),
    });
    const { source, line, column } = locate(marked);
    // W is the module's last workflow class (`extra` may define others before it).
    const result = compileSource(source).at(-1);
    assert.ok(result, "the workflow class was found");
    const found = result.diagnostics.find(
      (d) => d.code === c.code && d.line === line && d.column === column,
    );
    assert.ok(
      found,
      `expected ${c.code} at ${line}:${column}, got ${JSON.stringify(result.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`))}`,
    );
    const expected = describeCode(c.code, c.args ?? {});
    assert.equal(found.message, expected.message);
    assert.equal(found.fix, expected.fix);
    assert.equal(found.pattern, DIAGNOSTICS[c.code].pattern);
    assert.ok(
      !/\{\w+\}/.test(found.message + found.fix),
      `unfilled placeholder: ${found.message} ${found.fix}`,
    );
  });
}

test("every diagnostic code in the table is exercised (except internal fallbacks)", () => {
  const covered = new Set(CASES.map((c) => c.code));
  // WM109/WM110/WM314 are tested below; WM226/WM313 are the explicit fallbacks of the
  // dispatchers for syntax that cannot occur in a .ts method body (JSX, missing nodes).
  for (const code of ["WM109", "WM110", "WM314", "WM226", "WM313"])
    covered.add(code as DiagnosticCode);
  assert.deepEqual(
    Object.keys(DIAGNOSTICS).filter((k) => !covered.has(k as DiagnosticCode)),
    [],
  );
});

test("exact wording of a diagnostic (template of the table)", () => {
  const [r] = compileSource(workflowSource("const t = Date.now();"));
  assert.equal(
    r!.diagnostics[0]!.message,
    "`Date.now()` is nondeterministic and would differ between runs",
  );
  assert.equal(
    r!.diagnostics[0]!.fix,
    "call it inside an action and await the action: `const v = await readValue();`.",
  );
});

test("WM109: a workflow without run()", () => {
  const [r] = compileSource(
    `import { Workflow, workflow } from "waymark";\n@workflow\nexport class NoRun extends Workflow {}\n`,
  );
  assert.equal(r!.diagnostics[0]!.code, "WM109");
  assert.equal(r!.diagnostics[0]!.line, 3);
  assert.equal(r!.diagnostics[0]!.column, 14);
});

test("WM314: run() must be async", () => {
  const [r] = compileSource(
    `import { Workflow, workflow } from "waymark";\n@workflow\nexport class S extends Workflow {\n  run() { return 1; }\n}\n`,
  );
  assert.deepEqual(
    r!.diagnostics.map((d) => [d.code, d.line, d.column]),
    [["WM314", 4, 3]],
  );
});

test("WM110 and UnsupportedPatternError: several problems reported at once, toString like tsc", () => {
  const source = workflowSource("const a = Date.now();\nconst b = Math.random();\nreturn nope;");
  const [r] = compileSource(source);
  assert.deepEqual(
    r!.diagnostics.map((d) => d.code),
    ["WM202", "WM202", "WM101"],
  );
  const file = r!.diagnostics[0]!.file;
  assert.throws(
    () => compileWorkflowClass({ file, className: "W" }),
    (e: unknown) => {
      assert.ok(e instanceof UnsupportedPatternError);
      assert.ok(UnsupportedPatternError.is(e));
      assert.equal(e.diagnostics.length, 3);
      assert.equal(e.line, 8);
      assert.equal(e.column, 11);
      assert.equal(e.pattern, "nondeterministic");
      const first = e.toString().split("\n")[0];
      assert.equal(
        first,
        `${file}:8:11 - \`Date.now()\` is nondeterministic and would differ between runs. Fix: ${e.fix}`,
      );
      return true;
    },
  );
  assert.throws(
    () => compileWorkflowClass({ file, className: "Missing" }),
    (e: unknown) => e instanceof UnsupportedPatternError && e.diagnostics[0]!.code === "WM110",
  );
});

test("a refusal at an action definition in another module points at that module", () => {
  const acts = `import { action } from "waymark";\nexport const anon = action(async () => 1);\n`;
  const src = `import { Workflow, workflow } from "waymark";\nimport { anon as a } from "./acts.js";\n@workflow\nexport class W extends Workflow {\n  async run() {\n    return await a();\n  }\n}\n`;
  const [r] = compileSource(src, { "acts.ts": acts });
  assert.equal(r!.diagnostics.length, 1);
  const d = r!.diagnostics[0]!;
  assert.equal(d.code, "WM104");
  assert.match(d.file, /acts\.ts$/);
  assert.deepEqual([d.line, d.column], [2, 21]);
});

test("refusals inside helper methods are reported with their positions", () => {
  const [r] = compileSource(
    workflowSource("return await this.h(x);", {
      methods: "  async h(v: number) {\n    return Math.random() + v;\n  }\n",
    }),
  );
  assert.deepEqual(
    r!.diagnostics.map((d) => [d.code, d.line, d.column]),
    [["WM202", 11, 12]],
  );
});

test("`inline: true | false` at an action's definition compiles; the IR does not carry it", () => {
  const extra =
    'export const heavy = action(async function heavy(n: number) { return n; }, { inline: false, retry: { attempts: 2 }, timeout: "5s" });\n';
  const [r] = compileSource(workflowSource("return await heavy(1);", { extra }));
  assert.deepEqual(r!.diagnostics, []);
  const ir = JSON.stringify(r!.program);
  assert.ok(ir.includes('"heavy"'), "the call to heavy is in the IR");
  assert.ok(!ir.includes("inline"), "where the action runs is not part of the workflow");
  assert.ok(ir.includes("attempts"), "its retry policy is");
});
