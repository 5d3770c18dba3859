// Every workflow in examples/ compiles with no diagnostics, and its IR validates.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compileFile } from "../../src/compiler/index.js";
import { validate } from "../../src/ir/index.js";

const dir = join(import.meta.dirname, "..", "..", "examples");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort();

test("examples/ contains workflows", () => {
  const count = files.reduce((n, f) => n + compileFile(join(dir, f)).length, 0);
  assert.ok(count >= 10, `only ${count} workflows in examples/`);
});

for (const f of files) {
  test(`examples/${f} compiles cleanly`, () => {
    for (const r of compileFile(join(dir, f))) {
      assert.deepEqual(
        r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
        [],
        r.className,
      );
      assert.ok(r.program, r.className);
      assert.deepEqual(validate(r.program), [], r.className);
      assert.equal(r.program.functions[0]!.name, "run");
    }
  });
}
