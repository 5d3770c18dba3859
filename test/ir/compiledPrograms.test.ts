// Integration of the IR tools with the compiler: every example workflow and every fixture
// expected to compile yields a program that `validate` accepts and that prints, hashes and
// graphs; moving code and editing comments leaves the version hash unchanged.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { compileFile } from "../../src/compiler/index.js";
import { hashProgram, mermaid, printProgram, validate } from "../../src/ir/index.js";

function inputs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...inputs(p));
    else if (name === "input.ts") out.push(p);
  }
  return out.sort();
}

const compiling = inputs("test/fixtures").filter((f) =>
  readFileSync(f, "utf8").startsWith("// expect: compiles"),
);

test("examples and compiling fixtures give valid, printable programs", () => {
  const files = ["examples/workflows.ts", "examples/extras.ts", ...compiling];
  let programs = 0;
  for (const file of files) {
    const results = compileFile(file);
    assert.ok(results.length > 0, `${file}: no @workflow class found`);
    for (const r of results) {
      assert.deepEqual(r.diagnostics, [], `${file} ${r.className}`);
      assert.ok(r.program, `${file} ${r.className}: no program`);
      assert.deepEqual(validate(r.program), [], `${file} ${r.className}`);
      const text = printProgram(r.program);
      assert.ok(!text.includes("unknown node"), `${file}: ${text}`);
      assert.ok(!/\.ts:\d+/.test(text), `${file}: the printed IR must not contain spans`);
      assert.match(mermaid(r.program), /^flowchart TD\n/);
      programs++;
    }
  }
  // 12 seed translations + 10 extras, plus at least one program per compiling fixture.
  assert.ok(programs >= 22 + compiling.length, `only ${programs} programs`);
});

test("moving code and editing comments does not change the version hash; editing code does", () => {
  const file = "test/fixtures/seeds/sequential_chain/input.ts";
  const source = readFileSync(file, "utf8");
  const dir = mkdtempSync(join(tmpdir(), "wm-ir-hash-"));
  const compile = (text: string, name: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    const [r] = compileFile(p);
    assert.ok(r?.program, `${name}: ${JSON.stringify(r?.diagnostics)}`);
    return r.program;
  };
  const base = compile(source, "a.ts");
  const moved = compile(
    `// a new header comment\n\n\n${source.replace("const step2 =", "/* why */ const   step2 =")}`,
    "b.ts",
  );
  assert.notDeepEqual(moved.span, base.span);
  assert.equal(hashProgram(moved), hashProgram(base));
  assert.equal(printProgram(moved), printProgram(base));
  const edited = compile(source.replace("stepReverse(step1)", "stepReverse(text)"), "c.ts");
  assert.notEqual(hashProgram(edited), hashProgram(base));
});
