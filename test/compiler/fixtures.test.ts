// Golden fixtures: test/fixtures/<feature>/<case>/input.ts next to expected.ir.txt (printed IR)
// or expected.diagnostics.txt. UPDATE_FIXTURES=1 rewrites the expectations; review the diff.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { FIXTURES, fixtureCases, runFixture } from "./fixtureHarness.js";

const update = process.env.UPDATE_FIXTURES === "1";
const cases = fixtureCases();

test("there are fixture cases", () => {
  assert.ok(cases.length >= 20, `only ${cases.length} fixture cases`);
});

for (const dir of cases) {
  test(`fixture ${relative(FIXTURES, dir)}`, () => {
    const out = runFixture(dir);
    assert.deepEqual(out.invalid, [], "compiled IR must validate");
    const file = join(dir, out.kind === "ir" ? "expected.ir.txt" : "expected.diagnostics.txt");
    const other = join(dir, out.kind === "ir" ? "expected.diagnostics.txt" : "expected.ir.txt");
    if (update) {
      writeFileSync(file, out.text);
      if (existsSync(other)) rmSync(other);
      return;
    }
    assert.ok(
      !existsSync(other),
      `${relative(FIXTURES, other)} exists but the case produced ${out.kind}`,
    );
    assert.ok(existsSync(file), `missing ${relative(FIXTURES, file)} (run with UPDATE_FIXTURES=1)`);
    assert.equal(out.text, readFileSync(file, "utf8"));
  });
}
